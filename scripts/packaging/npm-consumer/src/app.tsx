// An application's code against the packed mizan-ts and mizan-react, as a user writes it: the
// provider with the application's own QueryClient (two copies of @tanstack/query-core would make
// it a different class and fail here), hooks in the generated client's style, and mizan-ts.
import { QueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import {
  createMizanClient,
  isMizanError,
  MizanProvider,
  readHydration,
  useMizanCall,
  useMizanContext,
  type MizanError,
} from 'mizan-react';
import { canonicalizeText, encodeCanonicalContextQuery } from 'mizan-ts';
import type { ReactElement } from 'react';
import { z } from 'zod';

type GreetInput = {
  name: string;
};
type Greeting = {
  text: string;
};
type EchoInput = {
  text: string;
};
type Echo = {
  message: string;
  count: number;
};

const GreetInputSchema: z.ZodType<GreetInput> = z.object({ name: z.string() }).strict();
const EchoInputSchema: z.ZodType<EchoInput> = z.object({ text: z.string().max(80) }).strict();

export function useGreetQuery(params: GreetInput): UseQueryResult<Greeting, MizanError> {
  return useMizanContext<GreetInput, Greeting>('greet', params, GreetInputSchema, { rev: 0 });
}

export function useEcho(): UseMutationResult<Echo, MizanError, EchoInput> {
  return useMizanCall<EchoInput, Echo>('echo', EchoInputSchema);
}

function Greeting(): ReactElement {
  const greeting = useGreetQuery({ name: 'Ada' });
  const echo = useEcho();
  const text: string | undefined = greeting.data?.text;
  const count: number | undefined = echo.data?.count;
  const failure = greeting.error && isMizanError(greeting.error) ? greeting.error.code : null;
  return (
    <p onClick={() => echo.mutate({ text: 'hi' })}>
      {text ?? failure ?? 'Loading…'} {count ?? ''}
    </p>
  );
}

export function App(): ReactElement {
  const hydration = readHydration();
  return (
    <MizanProvider client={createMizanClient()} queryClient={new QueryClient()} {...(hydration ? { hydration } : {})}>
      <Greeting />
    </MizanProvider>
  );
}

export const canonicalParams: string = canonicalizeText('{"b":1,"a":[true,null]}');
export const query: string = encodeCanonicalContextQuery('{"name":"Ada"}', 0);
