// Starts the real demo server (`cargo build -p mizan-demo`) on a free loopback port, on a fresh
// SQLite file, as examples/demo/web/e2e/harness.mjs does; and what an edge in front of it needs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Keyring, PermissionKeyDeriver, toHex, type MwtClaims } from 'mizan-ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const targetDir = process.env['CARGO_TARGET_DIR'] ?? 'target';
const binary =
  process.env['MIZAN_DEMO_BIN'] ??
  join(isAbsolute(targetDir) ? targetDir : join(root, targetDir), 'debug/mizan-demo');

/** The demo's public development secret (examples/demo/src/main.rs), used when MIZAN_SECRET is unset. */
export const DEMO_SECRET = new TextEncoder().encode('mizan demo secret: never deploy!');
export const DEMO_SECRET_HEX = toHex(DEMO_SECRET);
export const DEMO_KID = 'demo';
export const DEMO_ISSUER = 'mizan-demo';
export const DEMO_AUDIENCE = 'mizan-demo-web';

export const demoKeyring = await Keyring.create({ primary: DEMO_KID, keys: [{ kid: DEMO_KID, secret: DEMO_SECRET }] });
const pks = await PermissionKeyDeriver.create(DEMO_SECRET);
export const DEMO_PK = {
  anonymous: await pks.permissionKey({ kind: 'anonymous' }),
  authenticated: await pks.permissionKey({ kind: 'authenticated' }),
  staff: await pks.permissionKey({ kind: 'staff' }),
};

/** A token the demo accepts, as its issuers write them (spec §2.5). */
export async function demoToken(claims: Partial<MwtClaims> & { pk: string }, audience = DEMO_AUDIENCE): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return demoKeyring.sign({ iss: DEMO_ISSUER, aud: audience, iat: now, exp: now + 600, ...claims });
}

export interface Demo {
  base: string;
  stop: () => Promise<void>;
}

export function startDemo(): Promise<Demo> {
  if (!existsSync(binary)) throw new Error(`build the demo first (cargo build -p mizan-demo): ${binary}`);
  const folder = mkdtempSync(join(tmpdir(), 'mizan-edge-demo-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MIZAN_DEMO_ADDR: '127.0.0.1:0' };
  delete env['MIZAN_SECRET'];
  delete env['MIZAN_DATABASE_URL'];
  const server = spawn(binary, ['--dev', '--database-url', `sqlite://${join(folder, 'demo.sqlite3')}`], {
    cwd: folder,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill();
    await exited;
    rmSync(folder, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo did not start in 30 s')), 30_000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ base: match[1]!, stop });
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}`));
    });
  });
}
