// What the browser tests share: the demo server on a free loopback port and a database of its own,
// and Debian's Chromium (never a downloaded one). Not a test file itself: `node --test e2e/` runs
// only `*.test.mjs`.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before } from 'node:test';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('../../../../', import.meta.url));
// Where `cargo build -p mizan-demo` put the binary: `MIZAN_DEMO_BIN`, else cargo's target folder
// (`CARGO_TARGET_DIR`, relative to the repository like cargo's own reading of it here).
const targetDir = process.env.CARGO_TARGET_DIR ?? 'target';
export const binary =
  process.env.MIZAN_DEMO_BIN ?? join(isAbsolute(targetDir) ? targetDir : join(root, targetDir), 'debug/mizan-demo');
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

/** Debian's Chromium, headless, with the flags above (a fresh profile per browser context). */
export function launchChromium() {
  return chromium.launch({ executablePath, headless: true, args: flags, timeout: 30_000 });
}

/**
 * A demo and a Chromium for the tests of the enclosing `describe` (or file): both started in its
 * `before` and stopped in its `after`. The fields are set once `before` has run.
 */
export function demoAndBrowser() {
  const session = { demo: undefined, browser: undefined };
  before(async () => {
    session.demo = await startDemo();
    session.browser = await launchChromium();
  });
  after(async () => {
    await session.browser?.close();
    await session.demo?.stop();
  });
  return session;
}

/**
 * Starts the demo (`--dev`, public demo secret) on a free loopback port, in a fresh temporary
 * folder (its working directory), on `databaseUrl` or else on a new SQLite file in that folder:
 * never on the demo's default database. Resolves with the running process, its URL, and `stop()`,
 * which ends it and removes the folder.
 */
export function startDemo({ databaseUrl } = {}) {
  assert.ok(existsSync(binary), `build the demo first (cargo build -p mizan-demo): ${binary}`);
  const folder = mkdtempSync(join(tmpdir(), 'mizan-demo-e2e-'));
  const database = databaseUrl ?? `sqlite://${join(folder, 'demo.sqlite3')}`;
  const env = { ...process.env, MIZAN_DEMO_ADDR: '127.0.0.1:0' };
  delete env.MIZAN_SECRET;
  delete env.MIZAN_DATABASE_URL;
  const server = spawn(binary, ['--dev', '--database-url', database], {
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
        resolve({ server, base: match[1], stop });
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(folder, { recursive: true, force: true });
      reject(new Error(`the demo exited with ${code}`));
    });
  });
}

/** The PostgreSQL the tests use (trust auth, database `test`); `MIZAN_TEST_POSTGRES` to change. */
const postgres = process.env.MIZAN_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

function psql(sql) {
  try {
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', postgres, '-c', sql], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    throw new Error(
      `psql could not run ${JSON.stringify(sql)} on ${postgres} (bash scripts/services.sh starts PostgreSQL): ${e.stderr ?? e}`,
    );
  }
}

/**
 * A fresh schema in the test PostgreSQL: `url` selects it (its `search_path`), `drop()` removes it
 * and everything the demo created in it.
 */
export function createPostgresSchema() {
  const schema = `mizan_e2e_${process.pid}_${Date.now()}`;
  psql(`CREATE SCHEMA ${schema}`);
  const separator = postgres.includes('?') ? '&' : '?';
  return {
    url: `${postgres}${separator}options=-c%20search_path%3D${schema}`,
    drop: () => psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}
