import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MizanClient, MizanError, fieldsFromIssues } from '../src/index.js';
import { validate } from '../src/validate.js';
import { callServer, protocolError } from './helpers.js';

describe('failures of the app’s own options', () => {
  it('a headers() that throws fails each call as network_error, batched or not', async () => {
    const server = callServer((fn) => ({ fn }));
    const headers = (): Record<string, string> => {
      throw new Error('storage blocked');
    };
    for (const batch of [true, false]) {
      const client = new MizanClient({ fetch: server.fetch, headers, batch });
      const results = await Promise.allSettled([
        client.call('a', {}),
        client.call('b', {}),
        client.context('c', {}),
      ]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason = (result as PromiseRejectedResult).reason as MizanError;
        expect(reason).toBeInstanceOf(MizanError);
        expect(reason.code).toBe('network_error');
      }
    }
    expect(server.seen).toHaveLength(0);
  });

  it('an onStaleClient that throws neither hides the stale state nor replaces the error', async () => {
    const server = callServer(() => protocolError('stale_client', 409));
    const thrown: unknown[] = [];
    const onError = (e: unknown) => thrown.push(e);
    process.on('uncaughtException', onError);
    try {
      const client = new MizanClient({
        fetch: server.fetch,
        onStaleClient: () => {
          throw new Error('banner bug');
        },
      });
      const listener = vi.fn();
      client.subscribeStale(listener);
      await expect(client.call('x', {}, 'AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({
        code: 'stale_client',
      });
      expect(client.isStale).toBe(true);
      expect(listener).toHaveBeenCalledTimes(1);
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 0));
      process.off('uncaughtException', onError);
    }
  });

  it('an app header named in another case replaces the client’s, never doubles it', async () => {
    const server = callServer((fn) => ({ fn }));
    const client = new MizanClient({
      fetch: server.fetch,
      batch: false,
      headers: () => ({ 'Content-Type': 'application/json', 'X-Mizan-CSRF': 'from-app' }),
    });
    await client.call('a', {});
    expect(server.seen[0]?.headers).toEqual({
      'content-type': 'application/json',
      'x-mizan-csrf': '1',
    });
  });
});

describe('field errors as the server gives them (spec §2.6)', () => {
  const schema = z.strictObject({
    name: z.string(),
    address: z.strictObject({ zip: z.string() }),
  });

  it('a missing member has the server’s message at each depth', () => {
    let error: unknown;
    try {
      validate(schema, { address: {} });
    } catch (e) {
      error = e;
    }
    expect((error as MizanError).fields).toEqual([
      { path: ['name'], message: 'missing required parameter' },
      { path: ['address', 'zip'], message: 'missing required field' },
    ]);
  });

  it('a member of the wrong type keeps the schema’s own message', () => {
    const result = schema.safeParse({ name: 5, address: { zip: 'x' } });
    expect(result.success).toBe(false);
    const fields = fieldsFromIssues(result.success ? [] : result.error.issues, {
      name: 5,
      address: { zip: 'x' },
    });
    expect(fields).toHaveLength(1);
    expect(fields[0]?.path).toEqual(['name']);
    expect(fields[0]?.message).not.toMatch(/missing/);
  });
});
