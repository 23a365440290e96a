// The shape of the code the Rust generator emits (crates/mizan-codegen, hooks.ts), written out
// by hand: it must type-check against this package's public API and work at run time. The real
// generated hooks are tested in generatedHooks.test.ts.
import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanProvider,
  useMizanCall,
  useMizanContext,
  type MizanCallOptions,
  type MizanContextOptions,
  type MizanError,
} from '../src/index.js';
import { fakeServer, json } from './helpers.js';

// types.ts
type EchoInput = { text: string };
type EchoOutput = { message: string };
type CurrentUserInput = Record<string, never>;
type CurrentUserOutput = { id: string } | null;
type GreetInput = { name: string };
type GreetOutput = string;

// schemas.ts
const EchoInputSchema: z.ZodType<EchoInput> = z.strictObject({ text: z.string() });
const CurrentUserInputSchema: z.ZodType<CurrentUserInput> = z.strictObject({});
const GreetInputSchema: z.ZodType<GreetInput> = z.strictObject({ name: z.string() });

// hooks.ts
function useEcho<TContext = unknown>(
  options?: MizanCallOptions<EchoInput, EchoOutput, TContext>,
): UseMutationResult<EchoOutput, MizanError, EchoInput, TContext> {
  return useMizanCall<EchoInput, EchoOutput, TContext>('echo', EchoInputSchema, {
    ...options,
    schemaHash: 'ujQ0bNlVGGCKOy6VX-CJfA',
  });
}
function useCurrentUser<TData = CurrentUserOutput>(
  options?: MizanContextOptions<CurrentUserOutput, TData>,
): UseQueryResult<TData, MizanError> {
  return useMizanContext<CurrentUserInput, CurrentUserOutput, TData>(
    'current_user',
    {},
    CurrentUserInputSchema,
    {
      ...options,
      staleTime: options?.staleTime ?? Infinity,
      schemaHash: '_JiP_LEYdo6uN5OYfIn0ow',
    },
  );
}
function useGreetQuery<TData = GreetOutput>(
  params: GreetInput,
  options?: MizanContextOptions<GreetOutput, TData>,
): UseQueryResult<TData, MizanError> {
  return useMizanContext<GreetInput, GreetOutput, TData>('greet', params, GreetInputSchema, {
    ...options,
    schemaHash: 'kZ3gJr5mRyVf2u3RkmbkQw',
  });
}

describe('generated hooks', () => {
  it('work together on one client', async () => {
    const server = fakeServer((req) => {
      if (req.url.startsWith('/api/mizan/call/echo')) return json({ message: 'hi' });
      return json('Hello, Ada!');
    });
    const client = new MizanClient({ fetch: server.fetch });
    const queryClient = new QueryClient();
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(MizanProvider, {
        client,
        queryClient,
        hydration: { contexts: { current_user: null } },
        children,
      });
    const { result } = renderHook(
      () => ({ echo: useEcho(), user: useCurrentUser(), greet: useGreetQuery({ name: 'Ada' }) }),
      { wrapper },
    );
    expect(result.current.user.data).toBeNull();
    expect(result.current.user.isSuccess).toBe(true);
    await waitFor(() => expect(result.current.greet.data).toBe('Hello, Ada!'));
    await act(() => result.current.echo.mutateAsync({ text: 'hi' }));
    expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
      'POST /api/mizan/call/echo',
    ]);
    expect(server.seen.map((r) => r.headers['x-mizan-schema'])).toEqual([
      'kZ3gJr5mRyVf2u3RkmbkQw',
      'ujQ0bNlVGGCKOy6VX-CJfA',
    ]);
  });
});
