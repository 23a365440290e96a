// Compile-time proof that the generated client is type safe: every `@ts-expect-error` below must
// be an error, or `tsc` fails ("unused directive"), so this file fails if the types loosen.
import type { QueryClient } from '@tanstack/react-query';
import { createElement } from 'react';
import {
  EchoInputSchema,
  GreetProvider,
  useAdminStats,
  useCurrentUser,
  useEcho,
  useGreet,
  useGreetQuery,
  type EchoInput,
  type EchoOutput,
  type GreetOutput,
} from './mizan';

export function callsAreTyped(): void {
  const echo = useEcho();
  echo.mutate({ text: 'hi' });
  // @ts-expect-error: the parameter is `text`, not `message`
  echo.mutate({ message: 'hi' });
  // @ts-expect-error: `text` is a string
  echo.mutate({ text: 42 });
  // @ts-expect-error: `text` is required
  echo.mutate({});
  const output: EchoOutput | undefined = echo.data;
  if (output) {
    // 64-bit integers arrive as decimal strings (spec §2.9), so no digit is lost.
    const count: string = output.count;
    // @ts-expect-error: `count` is a u64, which is a string on the wire, not a number
    const asNumber: number = output.count;
    // @ts-expect-error: the output has no `missing` field
    void output.missing;
    void count;
    void asNumber;
  }
  useAdminStats().mutate({});
}

export function contextsAreTyped(): void {
  const user = useCurrentUser();
  if (user.data) {
    const staff: boolean = user.data.staff;
    // @ts-expect-error: `id` may be null
    const id: string = user.data.id;
    void staff;
    void id;
  }
  useGreetQuery({ name: 'Ada' });
  // @ts-expect-error: the greet param is `name`
  useGreetQuery({ who: 'Ada' });
  const greeting: GreetOutput | undefined = useGreet().data;
  // @ts-expect-error: a greeting has `text`, not `greeting`
  void greeting?.greeting;
  createElement(GreetProvider, { name: 'Ada' });
  // @ts-expect-error: the provider needs `name`
  createElement(GreetProvider, {});
}

export function schemasMatchTypes(queryClient: QueryClient): void {
  const parsed: EchoInput = EchoInputSchema.parse({ text: 'x' });
  void parsed;
  void queryClient;
}
