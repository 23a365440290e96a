// Derived keys, cache keys and permission keys (spec §1.2-§1.4), checked against node:crypto.
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asyncCodeOf as codeOf } from './helpers.js';
import {
  CacheKeyDeriver,
  MizanCoreError,
  PermissionKeyDeriver,
  deriveKey,
  isValidFunctionName,
  toHex,
  type PermissionScope,
} from '../src/index.js';

const secret = new Uint8Array(32).map((_, i) => i * 7 + 1);


function referenceKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'mizan.v1', `mizan.v1.${purpose}`, 32));
}

function referenceHmac(purpose: string, message: string): string {
  return createHmac('sha256', referenceKey(purpose)).update(message, 'utf8').digest('hex');
}

describe('deriveKey', () => {
  it.each(['token', 'cache', 'permission'] as const)('matches node HKDF for %s', async (purpose) => {
    expect(toHex(await deriveKey(secret, purpose))).toBe(referenceKey(purpose).toString('hex'));
  });

  it('accepts a secret of exactly 32 bytes, also as a view into a larger buffer', async () => {
    const big = new Uint8Array(40);
    big.set(secret, 8);
    expect(await deriveKey(big.subarray(8), 'cache')).toEqual(await deriveKey(secret, 'cache'));
  });

  it('does not change the caller\'s secret', async () => {
    const copy = secret.slice();
    await deriveKey(copy, 'token');
    expect(copy).toEqual(secret);
  });

  it.each([
    ['31 bytes', new Uint8Array(31)],
    ['empty', new Uint8Array(0)],
    ['not bytes', 'a'.repeat(64)],
    ['array of numbers', Array.from({ length: 32 }, () => 1)],
  ])('rejects a secret that is %s', async (_, bad) => {
    expect(await codeOf(() => deriveKey(bad as Uint8Array, 'token'))).toBe('secret_too_short');
    expect(await codeOf(() => CacheKeyDeriver.create(bad as Uint8Array))).toBe('secret_too_short');
    expect(await codeOf(() => PermissionKeyDeriver.create(bad as Uint8Array))).toBe('secret_too_short');
  });

  it('rejects an unknown purpose', async () => {
    expect(await codeOf(() => deriveKey(secret, 'other' as 'token'))).toBe('unsupported_value');
  });
});

describe('CacheKeyDeriver', () => {
  const ck = CacheKeyDeriver.create(secret);

  it('hashes the five-element array of §1.3', async () => {
    const key = await (await ck).derive('echo', { text: 'hi' }, 'p', 0);
    expect(key).toBe(referenceHmac('cache', '["mizan.ck.v1","echo",{"text":"hi"},"p",0]'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('defaults rev to 0 and writes -0 as 0', async () => {
    const d = await ck;
    const zero = await d.derive('f', {}, 'p', 0);
    expect(await d.derive('f', {}, 'p')).toBe(zero);
    expect(await d.derive('f', {}, 'p', -0)).toBe(zero);
    expect(await d.derive('f', {}, 'p', Number.MAX_SAFE_INTEGER)).toBe(
      referenceHmac('cache', '["mizan.ck.v1","f",{},"p",9007199254740991]'),
    );
  });

  it('escapes pk and keeps params canonical', async () => {
    const d = await ck;
    expect(await d.derive('a.b_1', { z: undefined, b: [1], a: 'é' }, 'p"\\', 3)).toBe(
      referenceHmac('cache', '["mizan.ck.v1","a.b_1",{"a":"é","b":[1]},"p\\"\\\\",3]'),
    );
  });

  it('applies the depth limit to params alone', async () => {
    const d = await ck;
    let deep: unknown = {};
    for (let i = 1; i < 32; i++) deep = { a: deep };
    expect(await d.derive('f', deep, 'p')).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeOf(() => d.derive('f', { a: deep }, 'p'))).toBe('depth_exceeded');
  });

  it.each([
    ['', false],
    ['a', true],
    ['_', true],
    ['A9_.b', true],
    ['a.', false],
    ['.a', false],
    ['a..b', false],
    ['9a', false],
    ['a.9', false],
    ['a-b', false],
    ['é', false],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    [`${'a'.repeat(63)}.${'b'.repeat(64)}`, true],
  ] as const)('function name %j valid: %s', async (fn, valid) => {
    expect(isValidFunctionName(fn)).toBe(valid);
    const code = await codeOf(() => ck.then((d) => d.derive(fn, {}, 'p')));
    expect(code).toBe(valid ? undefined : 'invalid_function_name');
  });

  it.each([
    ['array', []],
    ['null', null],
    ['string', 'x'],
    ['number', 1],
    ['undefined', undefined],
    ['Map', new Map()],
    ['Date', new Date(0)],
  ])('params %s -> params_not_object', async (_, params) => {
    expect(await codeOf(async () => (await ck).derive('f', params, 'p'))).toBe('params_not_object');
  });

  it('reports canonical errors inside params', async () => {
    const d = await ck;
    expect(await codeOf(() => d.derive('f', { x: 1.5 }, 'p'))).toBe('float_not_allowed');
    expect(await codeOf(() => d.derive('f', { x: () => 1 }, 'p'))).toBe('unsupported_value');
    expect(await codeOf(() => d.derive('f', { x: '\ud800' }, 'p'))).toBe('lone_surrogate');
  });

  it('checks pk and rev', async () => {
    const d = await ck;
    expect(await codeOf(() => d.derive('f', {}, ''))).toBe('invalid_permission_key');
    expect(await codeOf(() => d.derive('f', {}, 5 as unknown as string))).toBe('invalid_permission_key');
    expect(await codeOf(() => d.derive('f', {}, '\udc00'))).toBe('lone_surrogate');
    for (const rev of [-1, 1.5, 2 ** 53, Number.NaN, Infinity, '1', 1n]) {
      expect(await codeOf(() => d.derive('f', {}, 'p', rev as number))).toBe('invalid_rev');
    }
  });

  it('checks fn, params shape, pk, rev, then the canonical form of params, as Rust does', async () => {
    const d = await ck;
    expect(await codeOf(() => d.derive('', [], '', -1))).toBe('invalid_function_name');
    expect(await codeOf(() => d.derive('f', [], '', -1))).toBe('params_not_object');
    expect(await codeOf(() => d.derive('f', { x: 1.5 }, '', -1))).toBe('invalid_permission_key');
    expect(await codeOf(() => d.derive('f', { x: 1.5 }, 'p', -1))).toBe('invalid_rev');
    expect(await codeOf(() => d.derive('f', { x: 1.5 }, '\ud800', 0))).toBe('float_not_allowed');
  });

  it('rejects a hostile proxy with a code', async () => {
    const d = await ck;
    const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } });
    expect(await codeOf(() => d.derive('f', hostile, 'p'))).toBe('unsupported_value');
  });
});

describe('PermissionKeyDeriver', () => {
  const pks = PermissionKeyDeriver.create(secret);
  const pkRef = (descriptor: string) => referenceHmac('permission', descriptor).slice(0, 32);

  it.each(['anonymous', 'authenticated', 'staff', 'superuser'] as const)('%s', async (kind) => {
    expect(await (await pks).permissionKey({ kind })).toBe(pkRef(`["mizan.pk.v1","${kind}"]`));
  });

  it.each(['42', 'ada@example.com', 'über 😀', 'q"\\\n', 'x'.repeat(256), 'é'.repeat(128)])(
    'user %j',
    async (userId) => {
      expect(await (await pks).permissionKey({ kind: 'user', userId })).toBe(
        pkRef(`["mizan.pk.v1","user",${JSON.stringify(userId)}]`),
      );
    },
  );

  it.each([
    ['empty', ''],
    ['257 bytes', 'x'.repeat(257)],
    ['257 bytes of two-byte characters', `${'é'.repeat(128)}x`],
    ['a number', 42],
    ['missing', undefined],
  ])('user id %s -> invalid_user_id', async (_, userId) => {
    const scope = { kind: 'user', userId } as PermissionScope;
    expect(await codeOf(async () => (await pks).permissionKey(scope))).toBe('invalid_user_id');
  });

  it('rejects a lone surrogate in a user id', async () => {
    expect(await codeOf(async () => (await pks).permissionKey({ kind: 'user', userId: 'a\ud800' }))).toBe(
      'lone_surrogate',
    );
  });

  it.each([['unknown kind', { kind: 'admin' }], ['null', null], ['string', 'staff'], ['prototype kind', { kind: 'toString' }]])(
    'scope %s -> unsupported_value',
    async (_, scope) => {
      expect(await codeOf(async () => (await pks).permissionKey(scope as PermissionScope))).toBe('unsupported_value');
    },
  );
});
