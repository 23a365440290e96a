/**
 * The form spec of spec §2.13.1 as TypeScript types, mirroring the server's serde model
 * (`crates/mizan-core/src/form/mod.rs`): members the server leaves out when unset are optional
 * here, and a spec read from `<name>.schema` or the manifest fits these types as it is.
 * @module
 */

/** What a field holds (§2.13.1). */
export type FieldKind =
  | 'text'
  | 'email'
  | 'url'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'choice'
  | 'multichoice'
  | 'date'
  | 'time'
  | 'datetime'
  | 'group'
  | 'rows'
  | 'file';

/** One option of a `choice` or `multichoice` field. */
export interface Choice {
  /** What the values hold. */
  readonly value: string;
  /** What people see. */
  readonly label: string;
}

/** One field of a form, a group or a row (§2.13.1). */
export interface FieldSpec {
  /** Its key in the values object: `[A-Za-z_][A-Za-z0-9_]*`, unique among its siblings. */
  readonly name: string;
  /** What it holds. */
  readonly kind: FieldKind;
  /** A label for people. */
  readonly label: string;
  /** Whether a missing value is an error (see "missing" in §2.13.2). */
  readonly required: boolean;
  /** How to render it: the kind's default widget or one the form chose. */
  readonly widget: string;
  /** Help text. */
  readonly help?: string;
  /** Placeholder text. */
  readonly placeholder?: string;
  /** The value a new form starts with. */
  readonly initial?: unknown;
  /** `text`, `email`, `url`: fewest characters (Unicode code points). */
  readonly min_length?: number;
  /** `text`, `email`, `url`: most characters (Unicode code points). */
  readonly max_length?: number;
  /** `text`: a portable regex (§2.7.1) the whole value must match. */
  readonly pattern?: string;
  /** `text`: the message when `pattern` does not match. */
  readonly pattern_message?: string;
  /** The least value: a number (`integer`) or a string (`decimal`, dates and times). */
  readonly min?: number | string;
  /** The greatest value, as `min`. */
  readonly max?: number | string;
  /** `decimal`: most digits in all. */
  readonly max_digits?: number;
  /** `decimal`: most digits after the point. */
  readonly decimal_places?: number;
  /** `choice`, `multichoice`: the options. */
  readonly choices?: readonly Choice[];
  /** Whether the server computes the choices per request (`<name>.schema` has the current ones). */
  readonly dynamic_choices?: boolean;
  /** `multichoice`: fewest options; `rows`: fewest rows. */
  readonly min_items?: number;
  /** `multichoice`: most options; `rows`: most rows. */
  readonly max_items?: number;
  /** `group`, `rows`: the nested fields. */
  readonly fields?: readonly FieldSpec[];
  /** `file`: the most bytes. */
  readonly max_size?: number;
  /** `file`: the allowed media types, lowercase, `type/subtype` or `type/*`. */
  readonly accept?: readonly string[];
}

/** A form as `<name>.schema` answers it and the manifest lists it (§2.13.1). */
export interface FormSpec {
  /** The form's name; its functions are `<name>.schema`, `.validate` and `.submit`. */
  readonly name: string;
  /** A title for people. */
  readonly title: string;
  /** The fields, in display order. */
  readonly fields: readonly FieldSpec[];
  /** Where a successful post without JavaScript is sent (§2.13.5). */
  readonly redirect?: string;
  /** The path of the application's page that shows the form (§2.13.5). */
  readonly page?: string;
  /** Whether a field, at any depth, is a file: submits then go as `multipart/form-data`. */
  readonly multipart: boolean;
}

/**
 * A step of a field error's path: keys as strings, row and item indexes as numbers; the empty
 * path is the form as a whole.
 */
export type FieldPath = (string | number)[];

/** The dotted path of a field error (`items.0.qty`): the `name` attribute of its input. */
export function dottedPath(path: readonly (string | number)[]): string {
  return path.join('.');
}
