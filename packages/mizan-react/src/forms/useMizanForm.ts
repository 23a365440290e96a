/**
 * `useMizanForm`: a form of spec §2.13 in React, on `react-hook-form`. The values start from the
 * spec (or from the server's re-rendered post, §2.13.5), the browser checks them with the rules
 * and messages of the server (§2.13.2) before sending, and the server's own field errors land on
 * the same fields.
 * @module
 */

import { zodResolver } from '@hookform/resolvers/zod';
import { useCallback, useEffect, useMemo, useRef, useState, type BaseSyntheticEvent } from 'react';
import {
  useForm,
  type DefaultValues,
  type FieldValues,
  type Path,
  type Resolver,
  type UseFormProps,
  type UseFormReturn,
} from 'react-hook-form';
import type { z } from 'zod';
import type { MizanClient } from '../client.js';
import { MizanError, isMizanError, type MizanFieldError } from '../errors.js';
import type { HydratedForm } from '../hydration.js';
import { useMizanHydration, useOptionalMizanClient } from '../provider.js';
import { formSchema } from './schema.js';
import { dottedPath, type FieldSpec, type FormSpec } from './spec.js';
import { describedValues, initialValues, mergeValues, multipartBody } from './values.js';

/** Options of {@link useMizanForm}; every member is optional. */
export interface UseMizanFormOptions<Values extends FieldValues, Output> {
  /** The client to call. Default: the one of the nearest `MizanProvider`. */
  client?: MizanClient;
  /** Values laid over the spec's `initial`s (an edit form's current record, say). */
  defaultValues?: DefaultValues<Values>;
  /**
   * The form as the server re-rendered it after a failed post without JavaScript. Default: the
   * provider's `hydration.forms[spec.name]`; `null` ignores it.
   */
  hydrated?: HydratedForm | null;
  /**
   * Fetch `<name>.schema` once mounted, for the current choices of `dynamic_choices` fields.
   * Default: whether the spec has such a field.
   */
  fetchSchema?: boolean;
  /** When `react-hook-form` checks the values (`mode`). Default `'onSubmit'` (then again on every change): checking on blur would put an error line under the field between a press and a release on the submit button, moving the button away from the release. */
  mode?: UseFormProps<Values>['mode'];
  /** Called with the output of a successful submit and the values that were sent. */
  onSuccess?: (output: Output, values: Values) => void;
  /** Called with the error of a failed submit (after its field errors are on the fields). */
  onError?: (error: MizanError, values: Values) => void;
}

/** What {@link useMizanForm} gives: the `react-hook-form` form, and the call's state. */
export interface MizanFormApi<Values extends FieldValues, Output> {
  /** The `react-hook-form` form: `register`, `formState.errors`, `setValue`, … */
  form: UseFormReturn<Values>;
  /** The spec in use: the one given, or the one `<name>.schema` answered (current choices). */
  spec: FormSpec;
  /**
   * Checks the values in the browser and, when they pass, sends them to `<name>.submit`: an
   * `onSubmit` handler (it calls `preventDefault`). Never rejects: the outcome is in
   * `result` / `error` and on the fields.
   */
  submit: (event?: BaseSyntheticEvent) => Promise<void>;
  /** Whether a submit is on its way. */
  submitting: boolean;
  /** The output of the last successful submit. */
  result: Output | undefined;
  /** The error of the last failed submit (its field errors are also on the fields). */
  error: MizanError | undefined;
  /** Back to the starting values (or `values`), without errors, result or error. */
  reset: (values?: DefaultValues<Values>) => void;
  /**
   * Asks `<name>.validate` about the current values (files as their descriptions, §2.13.3), for
   * rules only the server knows ("email already registered"), and puts its errors on the
   * fields: all of them, or with `field` (a dotted path) only that field's and those below it.
   * Resolves to the errors it put.
   */
  validateOnServer: (field?: string) => Promise<MizanFieldError[]>;
}

/** The name `react-hook-form` keeps form-level (`[]`) errors under. */
export const FORM_ERROR_NAME = 'root.server';

const hasDynamicChoices = (fields: readonly FieldSpec[]): boolean =>
  fields.some((f) => f.dynamic_choices === true || hasDynamicChoices(f.fields ?? []));

function isHydratedForm(v: unknown): v is HydratedForm {
  const form = v as Partial<HydratedForm> | null | undefined;
  return (
    typeof form === 'object' &&
    form !== null &&
    typeof form.values === 'object' &&
    form.values !== null &&
    Array.isArray(form.fields)
  );
}

/**
 * Puts field errors on `form`: each at its dotted path, `[]` as the form's root error
 * ({@link FORM_ERROR_NAME}). The focus stays where it is: errors come after the person moved on.
 */
export function setFieldErrors<Values extends FieldValues>(
  form: UseFormReturn<Values>,
  fields: readonly MizanFieldError[],
): void {
  for (const field of fields) {
    const name = field.path.length === 0 ? FORM_ERROR_NAME : dottedPath(field.path);
    form.setError(name as Path<Values>, { type: 'server', message: field.message });
  }
}

/** A server's field error, with the value it was about, as text (`undefined` for none). */
interface RememberedError {
  readonly name: string;
  readonly message: string;
  readonly value: string | undefined;
}

/** The value at `path` in `values`. */
function valueAt(values: unknown, path: readonly (string | number)[]): unknown {
  let at = values;
  for (const step of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}

/** A value as text, to tell whether it changed since the server judged it. */
function snapshot(value: unknown): string | undefined {
  return value instanceof Blob ? `blob:${value.size}:${value.type}` : JSON.stringify(value);
}

/**
 * A form of spec §2.13 driven by its `spec` (the generated `<name>FormSpec`, or one from
 * `<name>.schema`): `Values` are its values, `Output` what `<name>.submit` answers.
 *
 * The values start from the spec's `initial`s, then `options.defaultValues`, then the values of
 * a post the server re-rendered (§2.13.5), whose field errors are shown at once. Submitting
 * checks the values with {@link checkForm}'s rules (through a Zod resolver) and sends nothing
 * when they fail; otherwise it calls `<name>.submit` with JSON, or for a spec with `multipart`
 * with the multipart body of §2.13.4. A `validation_failed` answer puts its field errors on the
 * fields, `[]` as the root error, and keeps the values as they were typed.
 */
export function useMizanForm<Values extends FieldValues, Output = unknown>(
  givenSpec: FormSpec,
  options: UseMizanFormOptions<Values, Output> = {},
): MizanFormApi<Values, Output> {
  const providerClient = useOptionalMizanClient();
  const client = options.client ?? providerClient;
  if (!client) {
    throw new Error(
      'mizan-react: useMizanForm needs a client: pass options.client or render inside <MizanProvider>',
    );
  }
  const payload = useMizanHydration();
  const fromPayload: unknown = payload?.forms?.[givenSpec.name];
  const hydrated =
    options.hydrated === undefined
      ? isHydratedForm(fromPayload)
        ? fromPayload
        : undefined
      : (options.hydrated ?? undefined);

  const [spec, setSpec] = useState<FormSpec>(givenSpec);
  // The resolver reads the spec through a ref: one resolver for the form's life, always
  // checking against the newest choices.
  const specRef = useRef(spec);
  specRef.current = spec;
  const resolver = useMemo<Resolver<Values>>(
    () => (values, context, resolverOptions) =>
      (zodResolver(formSchema(specRef.current) as z.ZodType<Values, Values>) as Resolver<Values>)(
        values,
        context,
        resolverOptions,
      ),
    [],
  );
  // The starting values are computed once: a re-render must not move a reset's target.
  const [startValues] = useState(
    () =>
      mergeValues(
        mergeValues(initialValues(givenSpec.fields), options.defaultValues),
        hydrated?.values,
      ) as DefaultValues<Values>,
  );
  const form = useForm<Values>({
    defaultValues: startValues,
    resolver,
    mode: options.mode ?? 'onSubmit',
  });

  const [submitting, setSubmitting] = useState(false);
  const [result, setResult] = useState<Output | undefined>(undefined);
  const [error, setError] = useState<MizanError | undefined>(undefined);

  // The server's field errors, kept while their values stay as they were: a submit that fails in
  // the browser replaces every error with the browser's, and a server-only one (an address
  // already registered) must not vanish then, as if the value had become acceptable.
  const serverErrors = useRef<RememberedError[]>([]);
  const remember = useCallback(
    (fields: readonly MizanFieldError[], under?: string) => {
      const values = form.getValues();
      const kept = serverErrors.current.filter(
        (e) => under !== undefined && e.name !== under && !e.name.startsWith(`${under}.`),
      );
      const added = fields
        .filter((f) => f.path.length > 0)
        .map((f) => ({
          name: dottedPath(f.path),
          message: f.message,
          value: snapshot(valueAt(values, f.path)),
        }));
      serverErrors.current = [...kept, ...added];
    },
    [form],
  );
  const restoreServerErrors = useCallback(() => {
    const values = form.getValues();
    for (const e of serverErrors.current) {
      const name = e.name as Path<Values>;
      const unchanged = snapshot(valueAt(values, e.name.split('.'))) === e.value;
      if (unchanged && form.getFieldState(name).error === undefined) {
        form.setError(name, { type: 'server', message: e.message });
      }
    }
  }, [form]);

  // The errors of a re-rendered post, shown once, after the inputs are registered.
  const shownHydrated = useRef(false);
  useEffect(() => {
    if (shownHydrated.current || !hydrated) return;
    shownHydrated.current = true;
    setFieldErrors(form, hydrated.fields);
    remember(hydrated.fields);
  }, [form, hydrated, remember]);

  const fetchSchema = options.fetchSchema ?? hasDynamicChoices(givenSpec.fields);
  useEffect(() => {
    if (!fetchSchema) return;
    let current = true;
    client.call<FormSpec>(`${givenSpec.name}.schema`, {}).then(
      (fresh) => {
        if (current) setSpec(fresh);
      },
      // The spec given still works: its choices are merely those of build time.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, fetchSchema, givenSpec.name]);

  const { onSuccess, onError } = options;
  const name = givenSpec.name;
  const send = useCallback(
    async (values: Values): Promise<void> => {
      setSubmitting(true);
      setError(undefined);
      try {
        const output = specRef.current.multipart
          ? await client.callMultipart<Output>(`${name}.submit`, multipartBody(values))
          : await client.call<Output>(`${name}.submit`, values);
        setResult(output);
        onSuccess?.(output, values);
      } catch (e) {
        const failure = isMizanError(e)
          ? e
          : new MizanError({ code: 'network_error', message: 'the submit failed', cause: e });
        if (failure.code === 'validation_failed') {
          setFieldErrors(form, failure.fields);
          remember(failure.fields);
        }
        setResult(undefined);
        setError(failure);
        onError?.(failure, values);
      } finally {
        setSubmitting(false);
      }
    },
    [client, form, name, onError, onSuccess, remember],
  );

  const submit = useMemo(
    () => form.handleSubmit(send, restoreServerErrors),
    [form, send, restoreServerErrors],
  );

  const reset = useCallback(
    (values?: DefaultValues<Values>) => {
      form.reset(values ?? startValues);
      serverErrors.current = [];
      setResult(undefined);
      setError(undefined);
    },
    [form, startValues],
  );

  const validateOnServer = useCallback(
    async (field?: string): Promise<MizanFieldError[]> => {
      const answer = await client.call<{ fields: MizanFieldError[] }>(
        `${name}.validate`,
        describedValues(form.getValues()) as Record<string, unknown>,
      );
      const under = (path: readonly (string | number)[]): boolean => {
        if (field === undefined) return true;
        const dotted = dottedPath(path);
        return dotted === field || dotted.startsWith(`${field}.`);
      };
      const fields = answer.fields.filter((f) => under(f.path));
      if (field === undefined) form.clearErrors();
      else form.clearErrors(field as Path<Values>);
      setFieldErrors(form, fields);
      remember(fields, field);
      return fields;
    },
    [client, form, name, remember],
  );

  return { form, spec, submit, submitting, result, error, reset, validateOnServer };
}
