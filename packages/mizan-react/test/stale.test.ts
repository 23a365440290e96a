import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanError,
  MizanProvider,
  SCHEMA_HEADER,
  useMizanCall,
  useMizanContext,
  useMizanStaleClient,
} from '../src/index.js';
import { callServer, fakeServer, json, protocolError } from './helpers.js';

const OLD = 'AAAAAAAAAAAAAAAAAAAAAA';

// A server after a deploy that changed `rename` only (spec §2.7): a call that names an old hash of
// it is 409 stale_client; `echo` is unchanged and answers.
const deployed = (fn: string): unknown =>
  fn === 'rename' ? protocolError('stale_client', 409) : { fn };

describe('schema hashes (spec §2.7)', () => {
  it('sends the hash as X-Mizan-Schema on calls and context reads, and not when absent', async () => {
    const server = fakeServer(() => json('ok'));
    const client = new MizanClient({ fetch: server.fetch, batch: false });
    await client.call('echo', {}, OLD);
    await client.context('greet', { name: 'Ada' }, 0, undefined, OLD);
    await client.call('echo', {});
    await client.context('greet', {});
    expect(server.seen.map((s) => s.headers[SCHEMA_HEADER])).toEqual([
      OLD,
      OLD,
      undefined,
      undefined,
    ]);
    expect(SCHEMA_HEADER).toBe('x-mizan-schema');
  });

  it('puts each call’s hash in its batch item as "schema", and sends no batch header', async () => {
    const server = callServer((fn) => ({ fn }));
    const client = new MizanClient({ fetch: server.fetch });
    await Promise.all([client.call('echo', { text: 'a' }, OLD), client.call('add', { a: 1 })]);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.body).toBe(
      `{"calls":[{"fn":"echo","schema":"${OLD}","params":{"text":"a"}},{"fn":"add","params":{"a":1}}]}`,
    );
    expect(server.seen[0]?.headers[SCHEMA_HEADER]).toBeUndefined();
  });
});

describe('a stale client', () => {
  it('fails only the changed function, with isStaleClient, and tells onStaleClient once', async () => {
    const onStaleClient = vi.fn();
    const server = callServer(deployed);
    const client = new MizanClient({ fetch: server.fetch, onStaleClient });
    const listener = vi.fn();
    client.subscribeStale(listener);
    expect(client.isStale).toBe(false);
    const results = await Promise.allSettled([
      client.call('echo', {}, OLD),
      client.call('rename', {}, OLD),
      client.call('rename', {}, OLD),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { fn: 'echo' } });
    const error = (results[1] as PromiseRejectedResult).reason as MizanError;
    expect(error).toBeInstanceOf(MizanError);
    expect(error.isStaleClient).toBe(true);
    expect(error.status).toBe(409);
    expect(results[2]).toMatchObject({ status: 'rejected' });
    await expect(client.call('rename', {}, OLD)).rejects.toMatchObject({ code: 'stale_client' });
    expect(client.isStale).toBe(true);
    expect(onStaleClient).toHaveBeenCalledTimes(1);
    expect(onStaleClient).toHaveBeenCalledWith(error);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(new MizanError({ code: 'conflict', message: 'x' }).isStaleClient).toBe(false);
  });

  it('a context read that is stale marks the client too', async () => {
    const server = fakeServer(() => protocolError('stale_client', 409));
    const client = new MizanClient({ fetch: server.fetch });
    await expect(client.context('greet', {}, 0, undefined, OLD)).rejects.toMatchObject({
      isStaleClient: true,
    });
    expect(client.isStale).toBe(true);
  });

  it('useMizanStaleClient turns true when a hook’s call is stale, for a reload banner', async () => {
    const server = callServer(deployed);
    const client = new MizanClient({ fetch: server.fetch });
    const queryClient = new QueryClient();
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(MizanProvider, { client, queryClient, children });
    const { result } = renderHook(
      () => ({
        stale: useMizanStaleClient(),
        rename: useMizanCall<Record<string, never>, unknown>('rename', z.strictObject({}), {
          schemaHash: OLD,
        }),
      }),
      { wrapper },
    );
    expect(result.current.stale).toBe(false);
    await act(async () => {
      await result.current.rename.mutateAsync({}).catch(() => undefined);
    });
    await waitFor(() => expect(result.current.stale).toBe(true));
    expect(result.current.rename.error?.isStaleClient).toBe(true);
  });

  it('a context hook passes its hash and does not retry a stale answer', async () => {
    const server = fakeServer(() => protocolError('stale_client', 409));
    const client = new MizanClient({ fetch: server.fetch });
    const queryClient = new QueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(MizanProvider, { client, queryClient, children });
    const { result } = renderHook(
      () => useMizanContext('greet', {}, z.strictObject({}), { schemaHash: OLD }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.headers[SCHEMA_HEADER]).toBe(OLD);
  });
});
