// The edge as a Cloudflare Worker, for the workerd tests: its configuration comes from bindings,
// its cache is workerd's own `caches.default`.
import { fromHex } from 'mizan-ts';
import { createEdgeHandler, type EdgeHandler } from '../../src/index.js';

interface Env {
  ORIGIN: string;
  SECRET: string;
  KID: string;
  ISSUER: string;
  AUDIENCE: string;
  MANIFEST: string;
}

let edge: EdgeHandler | undefined;

export default {
  fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    edge ??= createEdgeHandler({
      origin: env.ORIGIN,
      secret: env.SECRET,
      keyring: { primary: env.KID, keys: [{ kid: env.KID, secret: fromHex(env.SECRET) }] },
      validation: { issuer: env.ISSUER, audience: env.AUDIENCE },
      manifest: JSON.parse(env.MANIFEST),
    });
    return edge(request, ctx);
  },
};
