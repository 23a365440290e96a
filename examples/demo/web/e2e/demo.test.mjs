// End to end: the real demo server (Rust) and the built web app, in headless Debian Chromium.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { executablePath, flags, startDemo } from './harness.mjs';

let demo;
let base;
let context;
let profile;

before(async () => {
  demo = await startDemo();
  ({ base } = demo);
  profile = mkdtempSync(join(tmpdir(), 'mizan-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: flags,
  });
});

after(async () => {
  await context?.close();
  await demo?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens `path` and records every request the page makes. */
async function open(page, path) {
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(base + path);
  return requests;
}

const text = (page, id) => page.getByTestId(id);

test('the current user renders from the hydrated page without a request', async () => {
  const page = await context.newPage();
  const requests = await open(page, '/');
  await assert.doesNotReject(text(page, 'current-user').filter({ hasText: 'Not signed in' }).waitFor());
  await text(page, 'greeting').filter({ hasText: 'Hello, Ada!' }).waitFor();
  assert.deepEqual(requests.filter((url) => url.includes('/api/mizan/context/current_user')), []);
  await page.close();
});

test('echo, greet and the staff-only call work through the generated hooks', async () => {
  const page = await context.newPage();
  const requests = await open(page, '/');

  await page.getByLabel('echo text').fill('hello from chromium');
  await page.getByRole('button', { name: 'Send' }).click();
  await text(page, 'echo-result').filter({ hasText: /^hello from chromium \(#\d+\)$/ }).waitFor();

  await text(page, 'greeting').filter({ hasText: 'Hello, Ada!' }).waitFor();
  await page.getByLabel('name').fill('Grace');
  await text(page, 'greeting').filter({ hasText: 'Hello, Grace!' }).waitFor();
  assert.ok(
    requests.some((url) => url.endsWith('/api/mizan/context/greet?p=%7B%22name%22%3A%22Grace%22%7D')),
    'greet is read with its canonical URL',
  );
  await page.getByLabel('name').fill(' ');
  await text(page, 'greeting').filter({ hasText: '400 bad_request: tell me your name' }).waitFor();

  await page.getByRole('button', { name: 'Load server stats' }).click();
  await text(page, 'admin-result').filter({ hasText: /^401 unauthenticated.*\(sign in first\)$/ }).waitFor();
  await page.close();
});

test('the development sign-in starts a session: the user, the staff-only answer, log out', async () => {
  const page = await context.newPage();
  await open(page, '/');
  await page.getByRole('button', { name: 'Sign in as ada' }).click();
  await text(page, 'current-user').filter({ hasText: 'Signed in as ada@example.com' }).waitFor();
  // The session lives in an HttpOnly cookie the server set: page scripts cannot read it.
  assert.equal(await page.evaluate(() => document.cookie.includes('mizan_session')), false);
  const session = (await context.cookies()).find((cookie) => cookie.name === 'mizan_session');
  assert.ok(session, 'the server set the session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  await page.getByRole('button', { name: 'Load server stats' }).click();
  await text(page, 'admin-result').filter({ hasText: /^403 forbidden.*\(staff only\)$/ }).waitFor();

  await page.getByRole('button', { name: 'Sign in as grace (staff)' }).click();
  await text(page, 'current-user').filter({ hasText: 'Signed in as grace@example.com (staff)' }).waitFor();
  // A new user starts with no answer of the previous one's on screen.
  assert.equal(await text(page, 'admin-result').textContent(), '');
  await page.getByRole('button', { name: 'Load server stats' }).click();
  await text(page, 'admin-result').filter({ hasText: /^echoes: \d+$/ }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await text(page, 'current-user').filter({ hasText: 'Not signed in' }).waitFor();
  assert.equal((await context.cookies()).some((cookie) => cookie.name === 'mizan_session'), false);
  await page.close();
});
