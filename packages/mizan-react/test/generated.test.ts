// The shape of the code the Rust generator emits (crates/mizan-codegen, hooks.ts): it must
// type-check against this package's public API and work at run time.
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
function useEcho(): UseMutationResult<EchoOutput, MizanError, EchoInput> {
  return useMizanCall<EchoInput, EchoOutput>('echo', EchoInputSchema, {
    schemaHash: 'ujQ0bNlVGGCKOy6VX-CJfA',
  });
}
function useCurrentUser(options?: { rev?: number }): UseQueryResult<CurrentUserOutput, MizanError> {
  return useMizanContext<CurrentUserInput, CurrentUserOutput>(
    'current_user',
    {},
    CurrentUserInputSchema,
    {
      rev: options?.rev ?? 0,
      staleTime: Infinity,
      schemaHash: '_JiP_LEYdo6uN5OYfIn0ow',
    },
  );
}
function useGreetQuery(
  params: GreetInput,
  options?: { rev?: number },
): UseQueryResult<GreetOutput, MizanError> {
  return useMizanContext<GreetInput, GreetOutput>('greet', params, GreetInputSchema, {
    rev: options?.rev ?? 0,
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
