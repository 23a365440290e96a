// Compile-time proof that the generated hooks (the demo's checked-in client) are typed end to end:
// `npm run typecheck` compiles this file, and every `@ts-expect-error` must be an error or tsc
// fails ("unused directive"), so the file fails if the types loosen. Nothing here runs.
import type { QueryClient } from '@tanstack/react-query';
import { expectTypeOf } from 'vitest';
import {
  currentUserQueryKey,
  greetQueryKey,
  invalidateCurrentUser,
  invalidateGreet,
  useAdminStats,
  useCurrentUser,
  useCurrentUserSuspense,
  useEcho,
  useGreet,
  useGreetQuery,
  useGreetSuspenseQuery,
  useOpsChannel,
  type CurrentUserOutput,
  type EchoInput,
  type EchoOutput,
  type GreetOutput,
} from '../../../examples/demo/web/src/mizan/index.js';
import type { MizanError } from '../src/index.js';

export function selectChangesTheDataType(): void {
  expectTypeOf(useGreetQuery({ name: 'Ada' }).data).toEqualTypeOf<GreetOutput | undefined>();
  expectTypeOf(
    useGreetQuery({ name: 'Ada' }, { select: (greeting) => greeting.text.length }).data,
  ).toEqualTypeOf<number | undefined>();
  expectTypeOf(useCurrentUser({ select: (user) => user.staff }).data).toEqualTypeOf<
    boolean | undefined
  >();
  expectTypeOf(useGreetQuery({ name: 'Ada' }).error).toEqualTypeOf<MizanError | null>();
  useGreetQuery(
    { name: 'Ada' },
    {
      select: (greeting) => {
        expectTypeOf(greeting).toEqualTypeOf<GreetOutput>();
        return greeting;
      },
    },
  );
  // The provider's hook is unchanged.
  expectTypeOf(useGreet().data).toEqualTypeOf<GreetOutput | undefined>();
}

export function otherOptionsAreTanStacks(): void {
  useGreetQuery(
    { name: 'Ada' },
    { enabled: false, staleTime: 60_000, meta: { screen: 'home' }, rev: 2 },
  );
  useGreetQuery({ name: 'Ada' }, { placeholderData: { text: '…' } });
  useGreetQuery({ name: 'Ada' }, { placeholderData: (previous) => previous });
  useGreetQuery({ name: 'Ada' }, { enabled: (query) => query.state.dataUpdateCount < 10 });
  useCurrentUser({ rev: 1, staleTime: 0 });
  useCurrentUser();
}

export function suspenseDataIsNeverUndefined(): void {
  expectTypeOf(useGreetSuspenseQuery({ name: 'Ada' }).data).toEqualTypeOf<GreetOutput>();
  expectTypeOf(
    useGreetSuspenseQuery({ name: 'Ada' }, { select: (greeting) => greeting.text }).data,
  ).toEqualTypeOf<string>();
  expectTypeOf(useCurrentUserSuspense().data).toEqualTypeOf<CurrentUserOutput>();
  expectTypeOf(useCurrentUserSuspense({ select: (user) => user.id }).data).toEqualTypeOf<
    string | null
  >();
  // @ts-expect-error: a suspense query always runs
  useGreetSuspenseQuery({ name: 'Ada' }, { enabled: false });
  // @ts-expect-error: a suspense query shows no placeholder
  useGreetSuspenseQuery({ name: 'Ada' }, { placeholderData: { text: '…' } });
  // @ts-expect-error: the greet param is `name`
  useGreetSuspenseQuery({ who: 'Ada' });
}

export function wrongParamsAndOptionsDoNotCompile(): void {
  // @ts-expect-error: the greet param is `name`
  useGreetQuery({ who: 'Ada' });
  // @ts-expect-error: `name` is a string
  useGreetQuery({ name: 1 });
  // @ts-expect-error: the key is Mizan's
  useGreetQuery({ name: 'Ada' }, { queryKey: ['greet'] });
  // @ts-expect-error: so is the fetch
  useGreetQuery({ name: 'Ada' }, { queryFn: async () => ({ text: 'fake' }) });
  // @ts-expect-error: and the retry policy
  useGreetQuery({ name: 'Ada' }, { retry: 10 });
  // @ts-expect-error: and the schema hash, the generator's
  useGreetQuery({ name: 'Ada' }, { schemaHash: 'AAAAAAAAAAAAAAAAAAAAAA' });
  // @ts-expect-error: misspelt
  useGreetQuery({ name: 'Ada' }, { enable: false });
  // @ts-expect-error: placeholder data has the output's type
  useGreetQuery({ name: 'Ada' }, { placeholderData: { greeting: '…' } });
  // @ts-expect-error: select gets the output, which has no `greeting`
  useGreetQuery({ name: 'Ada' }, { select: (greeting) => greeting.greeting });
  // @ts-expect-error: `rev` is a number
  useCurrentUser({ rev: '1' });
  // @ts-expect-error: a global context takes no params
  useCurrentUser({ name: 'Ada' }, {});
}

export function keysAndInvalidationAreTyped(queryClient: QueryClient): void {
  expectTypeOf(queryClient.getQueryData(greetQueryKey({ name: 'Ada' }))).toEqualTypeOf<
    GreetOutput | undefined
  >();
  expectTypeOf(queryClient.getQueryData(currentUserQueryKey())).toEqualTypeOf<
    CurrentUserOutput | undefined
  >();
  queryClient.setQueryData(greetQueryKey({ name: 'Ada' }), { text: 'Hi' });
  // @ts-expect-error: the data of greet is a Greeting
  queryClient.setQueryData(greetQueryKey({ name: 'Ada' }), { greeting: 'Hi' });
  void queryClient.invalidateQueries({ queryKey: greetQueryKey() });
  // @ts-expect-error: the greet param is `name`
  greetQueryKey({ who: 'Ada' });
  // @ts-expect-error: a global context has no params
  currentUserQueryKey({});
  expectTypeOf(invalidateGreet(queryClient, { name: 'Ada' })).toEqualTypeOf<Promise<void>>();
  void invalidateGreet(queryClient);
  // @ts-expect-error: the greet param is `name`
  void invalidateGreet(queryClient, { who: 'Ada' });
  expectTypeOf(invalidateCurrentUser(queryClient)).toEqualTypeOf<Promise<void>>();
  // @ts-expect-error: a global context has no params
  void invalidateCurrentUser(queryClient, {});
}

export function callbacksAreTypedWithTheCall(): void {
  const echo = useEcho({
    onMutate: (input) => {
      expectTypeOf(input).toEqualTypeOf<EchoInput>();
      return { startedAt: 1 };
    },
    onSuccess: (output, input, context) => {
      expectTypeOf(output).toEqualTypeOf<EchoOutput>();
      expectTypeOf(input).toEqualTypeOf<EchoInput>();
      expectTypeOf(context).toEqualTypeOf<{ startedAt: number }>();
    },
    onError: (error, _input, context) => {
      expectTypeOf(error).toEqualTypeOf<MizanError>();
      expectTypeOf(context).toEqualTypeOf<{ startedAt: number } | undefined>();
    },
    onSettled: (output, error) => {
      expectTypeOf(output).toEqualTypeOf<EchoOutput | undefined>();
      expectTypeOf(error).toEqualTypeOf<MizanError | null>();
    },
    meta: { form: 'echo' },
  });
  expectTypeOf(echo.data).toEqualTypeOf<EchoOutput | undefined>();
  echo.mutate({ text: 'hi' });
  // @ts-expect-error: the parameter is `text`
  echo.mutate({ message: 'hi' });
  // @ts-expect-error: the output has no `missing`
  useEcho({ onSuccess: (output) => output.missing });
  // @ts-expect-error: the mutation function is Mizan's
  useEcho({ mutationFn: async () => ({ count: '0', message: '' }) });
  // @ts-expect-error: a call is never retried
  useEcho({ retry: 3 });
  // No options, as before.
  useAdminStats().mutate({});
}

export function channelsWithoutIncomingHaveNoSend(): void {
  const ops = useOpsChannel({});
  // @ts-expect-error: subscribers do not send to `ops`
  void ops.send;
}
