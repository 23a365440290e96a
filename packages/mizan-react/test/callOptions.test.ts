// The mutation options of useMizanCall: TanStack's callbacks run with the call's input, output,
// error and onMutate result, on success, on a server error and on input refused before sending;
// the mutation function stays Mizan's.
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MizanClient, MizanError, MizanProvider, useMizanCall } from '../src/index.js';
import { fakeServer, json, protocolError, type FakeServer } from './helpers.js';

const EchoInput = z.strictObject({ text: z.string().min(1) });
type EchoInput = z.infer<typeof EchoInput>;
interface EchoOutput {
  message: string;
}

function setup(server: FakeServer, queryClient = new QueryClient()) {
  const client = new MizanClient({ fetch: server.fetch, liveInvalidation: false });
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, children });
  return { queryClient, wrapper };
}

/** Every callback, logging what it got. */
function recorder() {
  const log: unknown[][] = [];
  return {
    log,
    options: {
      onMutate: (input: EchoInput) => {
        log.push(['onMutate', input]);
        return { rollback: input.text };
      },
      onSuccess: (output: EchoOutput, input: EchoInput, context: { rollback: string }) => {
        log.push(['onSuccess', output, input, context]);
      },
      onError: (error: MizanError, input: EchoInput, context: { rollback: string } | undefined) => {
        log.push(['onError', error.code, input, context]);
      },
      onSettled: (
        output: EchoOutput | undefined,
        error: MizanError | null,
        input: EchoInput,
        context: { rollback: string } | undefined,
      ) => {
        log.push(['onSettled', output, error?.code ?? null, input, context]);
      },
      meta: { form: 'echo' },
    },
  };
}

describe('useMizanCall options', () => {
  it('run onMutate, onSuccess and onSettled with the input, output and context', async () => {
    const server = fakeServer(() => json({ message: 'hi' }));
    const { wrapper } = setup(server);
    const { log, options } = recorder();
    const { result } = renderHook(
      () => useMizanCall<EchoInput, EchoOutput, { rollback: string }>('echo', EchoInput, options),
      { wrapper },
    );
    await act(() => result.current.mutateAsync({ text: 'hi' }));
    expect(log).toEqual([
      ['onMutate', { text: 'hi' }],
      ['onSuccess', { message: 'hi' }, { text: 'hi' }, { rollback: 'hi' }],
      ['onSettled', { message: 'hi' }, null, { text: 'hi' }, { rollback: 'hi' }],
    ]);
    expect(server.seen).toHaveLength(1);
  });

  it('run onError and onSettled with the server’s error', async () => {
    const server = fakeServer(() => protocolError('forbidden', 403));
    const { wrapper } = setup(server);
    const { log, options } = recorder();
    const { result } = renderHook(
      () => useMizanCall<EchoInput, EchoOutput, { rollback: string }>('echo', EchoInput, options),
      { wrapper },
    );
    await act(() => result.current.mutateAsync({ text: 'hi' }).catch(() => {}));
    expect(log).toEqual([
      ['onMutate', { text: 'hi' }],
      ['onError', 'forbidden', { text: 'hi' }, { rollback: 'hi' }],
      ['onSettled', undefined, 'forbidden', { text: 'hi' }, { rollback: 'hi' }],
    ]);
  });

  it('run onError with validation_failed for input refused before sending', async () => {
    const server = fakeServer(() => json({ message: 'never' }));
    const { wrapper } = setup(server);
    const { log, options } = recorder();
    const { result } = renderHook(
      () => useMizanCall<EchoInput, EchoOutput, { rollback: string }>('echo', EchoInput, options),
      { wrapper },
    );
    await act(() => result.current.mutateAsync({ text: '' }).catch(() => {}));
    expect(log.map((entry) => entry.slice(0, 2))).toEqual([
      ['onMutate', { text: '' }],
      ['onError', 'validation_failed'],
      ['onSettled', undefined],
    ]);
    await waitFor(() => expect(result.current.error).toBeInstanceOf(MizanError));
    expect(server.mock).not.toHaveBeenCalled();
  });

  it('meta is the mutation’s meta, and a mutationFn from plain JavaScript is ignored', async () => {
    const server = fakeServer(() => json({ message: 'from the server' }));
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(
      () =>
        useMizanCall<EchoInput, EchoOutput>('echo', EchoInput, {
          meta: { form: 'echo' },
          mutationFn: async () => ({ message: 'sneaky' }),
        } as never),
      { wrapper },
    );
    await expect(act(() => result.current.mutateAsync({ text: 'hi' }))).resolves.toEqual({
      message: 'from the server',
    });
    expect(queryClient.getMutationCache().getAll()[0]?.meta).toEqual({ form: 'echo' });
  });

  it('callbacks left out keep the QueryClient’s defaults', async () => {
    const server = fakeServer(() => protocolError('forbidden', 403));
    const seen: string[] = [];
    const queryClient = new QueryClient({
      defaultOptions: { mutations: { onError: (error) => seen.push((error as MizanError).code) } },
    });
    const { wrapper } = setup(server, queryClient);
    const { result } = renderHook(
      () => useMizanCall<EchoInput, EchoOutput>('echo', EchoInput, { onError: undefined }),
      { wrapper },
    );
    await act(() => result.current.mutateAsync({ text: 'hi' }).catch(() => {}));
    expect(seen).toEqual(['forbidden']);
  });
});
