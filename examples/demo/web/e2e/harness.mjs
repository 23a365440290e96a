// What the browser tests share: the demo server on a free loopback port, and Debian's Chromium
// (never a downloaded one). Not a test file itself: `node --test e2e/` runs only `*.test.mjs`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const binary = process.env.MIZAN_DEMO_BIN ?? join(root, 'target/debug/mizan-demo');
export const executablePath = '/usr/bin/chromium';
export const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts the demo (`--dev`, public demo secret) on a free loopback port; resolves with the
 * running process and its URL.
 */
export function startDemo() {
  assert.ok(existsSync(binary), `build the demo first (cargo build -p mizan-demo): ${binary}`);
  const env = { ...process.env, MIZAN_DEMO_ADDR: '127.0.0.1:0' };
  delete env.MIZAN_SECRET;
  const server = spawn(binary, ['--dev'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo did not start in 30 s')), 30_000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ server, base: match[1] });
      }
    });
    server.on('exit', (code) => reject(new Error(`the demo exited with ${code}`)));
  });
}
