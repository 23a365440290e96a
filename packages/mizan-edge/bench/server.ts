// One server of scripts/bench-edge.sh, chosen by its first argument, on the port of its second:
//   bare    - a node:http handler writing the answer's bytes and headers directly;
//   adapter - the node:http to fetch adapter around a handler returning those bytes as a Response;
//   edge    - the same adapter around the edge, whose cache holds the answer (the hit path).
// Prints "ready" once it serves.
import { createServer } from 'node:http';
import { Keyring, PermissionKeyDeriver, fromHex } from 'mizan-ts';
import { createEdgeHandler } from '../src/index.js';
import { serve } from '../test/nodeAdapter.js';

const SECRET = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const PATH = '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D';
const BODY = '{"text":"Hello, Ada!"}';

const [mode = 'edge', portText = '0'] = process.argv.slice(2);
const port = Number(portText);

async function answerHeaders(): Promise<Record<string, string>> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(BODY)));
  return {
    'content-type': 'application/json',
    'cache-control': 'public, max-age=0, stale-while-revalidate=300',
    'cdn-cache-control': 'public, max-age=60, stale-while-revalidate=300',
    vary: 'Authorization, Cookie, X-Mizan-Schema',
    etag: `"${Buffer.from(digest).toString('base64url')}"`,
    'cache-tag': 'mizan:fn:greet,greetings',
    'x-mizan-cache-status': 'hit',
  };
}

async function main(): Promise<void> {
  const headers = await answerHeaders();
  if (mode === 'bare') {
    const bytes = Buffer.from(BODY);
    const server = createServer((_req, res) => {
      res.writeHead(200, { ...headers, 'content-length': String(bytes.byteLength) });
      res.end(bytes);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  } else if (mode === 'adapter') {
    await serve(async () => new Response(BODY, { status: 200, headers }), port);
  } else {
    const secret = fromHex(SECRET);
    const keyring = await Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret }] });
    const anonymous = await (await PermissionKeyDeriver.create(secret)).permissionKey({ kind: 'anonymous' });
    const edge = createEdgeHandler({
      origin: 'http://origin.invalid',
      secret,
      keyring,
      validation: { issuer: 'bench', audience: 'bench' },
      manifest: {
        protocol: 1,
        functions: [
          { name: 'greet', kind: 'context', auth: 'none', cache: { scope: 'public', max_age: 31_536_000, swr: 0, tags: ['greetings'] } },
        ],
      },
      // The origin answers once, for the first miss; every measured request is a hit.
      fetch: async () => new Response(BODY, { status: 200, headers: { ...headers, 'x-mizan-pk': anonymous } }),
    });
    const { url } = await serve(edge, port);
    const first = await fetch(`${url}${PATH}`);
    const second = await fetch(`${url}${PATH}`);
    await first.text();
    await second.text();
    if (second.headers.get('x-mizan-edge') !== 'hit') throw new Error('the edge did not keep the answer');
  }
  console.log('ready');
}

await main();
