import { describe, expect, it } from 'vitest';
import { MIZAN_ERROR_CODES, MizanClient, MizanError, isMizanError } from '../src/index.js';
import { fakeServer, json, protocolError } from './helpers.js';

async function failure(response: Response | Error): Promise<MizanError> {
  const server = fakeServer(() => {
    if (response instanceof Error) throw response;
    return response;
  });
  const client = new MizanClient({ fetch: server.fetch });
  const error: unknown = await client.call('f', {}).then(
    () => expect.unreachable(),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MizanError);
  return error as MizanError;
}

describe('MIZAN_ERROR_CODES', () => {
  it('has the 19 codes of spec §2.6 then the two client codes', () => {
    expect(MIZAN_ERROR_CODES).toEqual([
      'malformed_json',
      'malformed_multipart',
      'non_canonical_query',
      'bad_request',
      'unauthenticated',
      'forbidden',
      'not_found',
      'method_not_allowed',
      'request_timeout',
      'conflict',
      'stale_client',
      'payload_too_large',
      'uri_too_long',
      'unsupported_media_type',
      'validation_failed',
      'rate_limited',
      'internal',
      'overloaded',
      'unavailable',
      'network_error',
      'invalid_response',
    ]);
  });
});

describe('errors from responses', () => {
  it('reads a protocol error body: code, message, status, fields, details', async () => {
    const fields = [
      { path: ['address', 'zip'], message: 'missing required parameter' },
      { path: ['tags', 1], message: 'invalid type: integer `2`, expected a string' },
    ];
    const e = await failure(
      json(
        {
          code: 'validation_failed',
          message: '2 parameters are invalid',
          status: 422,
          fields,
          details: { a: 1 },
        },
        422,
      ),
    );
    expect(e).toMatchObject({
      code: 'validation_failed',
      message: '2 parameters are invalid',
      status: 422,
      fields,
      details: { a: 1 },
    });
    expect(e.name).toBe('MizanError');
  });

  it('defaults fields to [] and details to undefined', async () => {
    const e = await failure(protocolError('unauthenticated', 401));
    expect(e.code).toBe('unauthenticated');
    expect(e.fields).toEqual([]);
    expect(e.details).toBeUndefined();
  });

  it('keeps a code it does not know', async () => {
    expect((await failure(protocolError('teapot', 418))).code).toBe('teapot');
  });

  it('a non-JSON 502 is invalid_response with the HTTP status', async () => {
    const e = await failure(new Response('<html>Bad Gateway</html>', { status: 502 }));
    expect(e).toMatchObject({ code: 'invalid_response', status: 502 });
  });

  it('JSON that is not the protocol shape is invalid_response', async () => {
    expect(await failure(json({ error: 'nope' }, 500))).toMatchObject({
      code: 'invalid_response',
      status: 500,
    });
    expect(
      await failure(
        json({ code: 'x', message: 'm', status: 400, fields: [{ path: [{}], message: 'm' }] }, 400),
      ),
    ).toMatchObject({ code: 'invalid_response', status: 400 });
  });

  it('a 200 whose body is not JSON is invalid_response', async () => {
    expect(await failure(new Response('', { status: 200 }))).toMatchObject({
      code: 'invalid_response',
      status: 200,
    });
  });

  it('a fetch that throws is network_error with status 0 and the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const e = await failure(cause);
    expect(e).toMatchObject({ code: 'network_error', status: 0 });
    expect(e.cause).toBe(cause);
  });

  it('a body that fails while being read is network_error', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    expect(await failure(new Response(body, { status: 200 }))).toMatchObject({
      code: 'network_error',
      status: 0,
    });
  });
});

describe('isMizanError', () => {
  it('accepts instances and look-alikes from another copy of the package', () => {
    expect(
      isMizanError(new MizanError({ code: 'internal', message: 'internal error', status: 500 })),
    ).toBe(true);
    const foreign = Object.assign(new Error('x'), {
      name: 'MizanError',
      code: 'internal',
      status: 500,
      fields: [],
    });
    expect(isMizanError(foreign)).toBe(true);
  });

  it('rejects everything else', () => {
    for (const v of [
      null,
      undefined,
      'MizanError',
      new Error('x'),
      { name: 'MizanError', code: 'x' },
    ]) {
      expect(isMizanError(v)).toBe(false);
    }
  });

  it('defaults status to 0', () => {
    expect(new MizanError({ code: 'network_error', message: 'm' }).status).toBe(0);
  });
});
