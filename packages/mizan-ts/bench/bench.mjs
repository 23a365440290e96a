// Throughput of the hot paths against dist/, each next to a raw Web Crypto HMAC over the same
// bytes, so that the table shows what this package adds on top of the HMAC itself.
// Run with `npm run bench` (builds first). Bounded to about 5 seconds.
import { CacheKeyDeriver, Keyring, canonicalize, deriveKey } from '../dist/index.js';

const subtle = globalThis.crypto.subtle;
// Thread-pool scheduling makes single runs of async Web Crypto noisy, so each pair is measured in
// short interleaved rounds (ours, baseline, ours, ...) and the median round is reported.
const ROUND_MS = Number(process.env.MIZAN_BENCH_ROUND_MS ?? 140);
const ROUNDS = Number(process.env.MIZAN_BENCH_ROUNDS ?? 5);
const WARMUP_OPS = 300;

/** Runs `op` sequentially for about `ms` milliseconds; returns operations per second. */
async function round(op, ms) {
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 25; i++) await op();
    ops += 25;
  }
  return (ops * 1000) / (performance.now() - start);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function hmacKey(rootSecret, purpose) {
  const raw = await deriveKey(rootSecret, purpose);
  return subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const secret = new Uint8Array(32).map((_, i) => i);
const encoder = new TextEncoder();

// Cache keys: params under 100 bytes, as a typical context call.
const params = { id: 42, q: 'hello world', page: 3, tags: ['a', 'b'], draft: false };
const paramsText = canonicalize(params);
if (encoder.encode(paramsText).length >= 100) throw new Error('params must stay under 100 bytes');
const pk = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ck = await CacheKeyDeriver.create(secret);
const ckMessage = encoder.encode(`["mizan.ck.v1","search.items",${paramsText},"${pk}",7]`);
const ckRaw = await hmacKey(secret, 'cache');

// Tokens.
const ring = await Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret }] });
const now = 1_800_000_000;
const claims = { iss: 'https://app.test', aud: 'edge', iat: now, exp: now + 900, pk, sub: '42', staff: true };
const token = await ring.sign(claims);
const signedPart = encoder.encode(token.slice(0, token.lastIndexOf('.')));
const tag = new Uint8Array(await subtle.sign('HMAC', await hmacKey(secret, 'token'), signedPart));
const tokenRaw = await hmacKey(secret, 'token');
const verifyOptions = { issuer: claims.iss, audience: claims.aud, now };

const rows = [];
async function pair(name, op, baselineName, baseline) {
  for (let i = 0; i < WARMUP_OPS; i++) {
    await op();
    await baseline();
  }
  const ours = [];
  const base = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await round(op, ROUND_MS));
    base.push(await round(baseline, ROUND_MS));
  }
  rows.push({ name, ops: median(ours), baselineName, base: median(base) });
}

const started = performance.now();
await pair(
  `cache key (params ${paramsText.length} B)`,
  () => ck.derive('search.items', params, pk, 7),
  'subtle.sign HMAC, same bytes',
  () => subtle.sign('HMAC', ckRaw, ckMessage),
);
await pair(
  `MWT sign (${token.length} B token)`,
  () => ring.sign(claims),
  'subtle.sign HMAC, same bytes',
  () => subtle.sign('HMAC', tokenRaw, signedPart),
);
await pair(
  'MWT verify',
  () => ring.verify(token, verifyOptions),
  'subtle.verify HMAC, same bytes',
  () => subtle.verify('HMAC', tokenRaw, tag, signedPart),
);
const elapsed = (performance.now() - started) / 1000;

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table = [
  ['operation', 'ops/s', 'µs/op', 'baseline', 'baseline ops/s', 'baseline µs/op', 'ratio'],
  ...rows.map((r) => [
    r.name,
    fmt(r.ops),
    fmt(1e6 / r.ops, 2),
    r.baselineName,
    fmt(r.base),
    fmt(1e6 / r.base, 2),
    `${fmt(r.base / r.ops, 2)}x`,
  ]),
];
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
const line = (row) => `| ${row.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
console.log(
  `mizan-ts bench, Node ${process.versions.node}: sequential awaits, median of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`,
);
console.log(line(table[0]));
console.log(`|${widths.map((w, c) => (c === 0 || c === 3 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
console.log(`ratio = time per operation / time of the raw HMAC baseline (1.00x = no overhead); ${fmt(elapsed, 1)} s total`);
// The same targets as the Rust side (`cargo bench -p mizan-benches --bench core`), as time ratios
// to the raw HMAC of the same bytes.
const targets = [
  ['cache key', rows[0], 3],
  ['MWT sign', rows[1], 5],
  ['MWT verify', rows[2], 6],
];
console.log(
  `targets: ${targets
    .map(([name, r, max]) => {
      const ratio = r.base / r.ops;
      return `${name} <= ${max}x: ${fmt(ratio, 2)}x (${ratio <= max ? 'met' : 'MISSED'})`;
    })
    .join('; ')}`,
);
