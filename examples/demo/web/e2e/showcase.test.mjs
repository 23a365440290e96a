// End to end: the demo explains itself. Each section states what Mizan did, read live from the
// page's request log, and the log panel shows every request the client made; this checks both
// against what the browser really sent, then takes screenshots (wide and phone width).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { demoAndBrowser, root } from './harness.mjs';

const WAIT_MS = 15_000;
const TEST_TIMEOUT = { timeout: 120_000 };
/** Where the screenshots go: build output, never committed. */
const SHOTS = process.env.MIZAN_SCREENSHOT_DIR ?? join(root, 'target', 'e2e-screenshots');

const GREET_ADA = '/context/greet?p=%7B%22name%22%3A%22Ada%22%7D';

/** The width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Resolves once `check()` holds; fails with `message()` after {@link WAIT_MS}. */
async function until(check, message) {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    assert.ok(Date.now() < deadline, message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the demo as a showcase', () => {
  const session = demoAndBrowser();

  /** A fresh browser context on the demo's page, with every request and answer recorded. */
  async function open(viewport) {
    const context = await session.browser.newContext({ viewport });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const sent = [];
    page.on('request', (request) => sent.push(`${request.method()} ${new URL(request.url()).pathname}`));
    // The statuses on the wire, from the browser's raw network events: a revalidation's `304`
    // shows only there, where `fetch` and Playwright's responses see the stored `200`. The raw
    // event may come before or after the request's own, so the two are joined when asked.
    const urls = new Map();
    const statuses = new Map();
    const devtools = await context.newCDPSession(page);
    devtools.on('Network.requestWillBeSent', ({ requestId, request }) => urls.set(requestId, request.url));
    devtools.on('Network.responseReceivedExtraInfo', ({ requestId, statusCode }) => statuses.set(requestId, statusCode));
    const answered = () => [...statuses].map(([id, status]) => ({ url: urls.get(id), status }));
    await devtools.send('Network.enable');
    await page.goto(`${session.demo.base}/`);
    await page.getByTestId('current-user').filter({ hasText: 'Not signed in' }).waitFor();
    await page.getByTestId('greeting').filter({ hasText: 'Hello, Ada!' }).waitFor();
    return { context, page, sent, answered };
  }

  /** The log panel's row of the newest request to `path` (below `/api/mizan`) with `status`. */
  const row = (page, path, status) =>
    page.locator(`[data-testid="logged-request"][data-path="${path}"][data-status="${status}"]`).first();

  test('each section shows what Mizan did, and the log panel proves it', TEST_TIMEOUT, async () => {
    const { context, page, sent, answered } = await open({ width: 1280, height: 900 });

    // The current user came with the page: no request for it, and the section and the log agree.
    await page.getByTestId('current-user-requests').filter({ hasText: /^0$/ }).waitFor();
    assert.equal(await page.locator('[data-testid="logged-request"][data-path^="/context/current_user"]').count(), 0);
    assert.deepEqual(sent.filter((request) => request.includes('/context/current_user')), []);

    // Greet: a canonical GET, logged with its status; read again, the browser revalidates and the
    // server answers 304 (which `fetch` alone would show as 200).
    await row(page, GREET_ADA, '200').waitFor();
    assert.equal(await page.getByTestId('greet-url').innerText(), `/api/mizan${GREET_ADA}`);
    await page.getByRole('button', { name: 'Read again' }).click();
    await page.getByTestId('greet-status').filter({ hasText: '304 Not Modified' }).waitFor();
    await row(page, GREET_ADA, '304').waitFor();
    // The browser's own record of it may arrive a moment after the page's.
    await until(
      () => answered().some(({ url, status }) => url?.endsWith(GREET_ADA) && status === 304),
      () => `the server answered 304: ${JSON.stringify(answered().filter(({ url }) => url?.includes('/context/greet')))}`,
    );

    // Three calls in one click: one POST /batch carrying all three, and no single call.
    const before = sent.length;
    await page.getByRole('button', { name: 'Echo 3 times at once' }).click();
    await page.getByTestId('batch-result').filter({ hasText: /3 calls in 1 request · POST \/batch carrying 3 calls → 200/ }).waitFor();
    const batch = page.locator('[data-testid="logged-request"][data-method="POST"][data-path="/batch"]');
    assert.equal(await batch.count(), 1);
    assert.equal(await batch.getAttribute('data-calls'), '3');
    assert.equal(await batch.getAttribute('data-status'), '200');
    await batch.filter({ hasText: '3 calls: echo, echo, echo' }).waitFor();
    const echoes = sent.slice(before).filter((request) => request.startsWith('POST /api/mizan/'));
    assert.deepEqual(echoes, ['POST /api/mizan/batch'], 'the browser sent the three calls as one request');

    // The staff-only call, refused: 401 for nobody, 403 for a signed-in user who is not staff.
    await page.getByRole('button', { name: 'Load server stats' }).click();
    await page.getByTestId('admin-status').filter({ hasText: /^401$/ }).waitFor();
    assert.equal(await page.getByTestId('admin-code').innerText(), 'unauthenticated');
    await row(page, '/call/admin.stats', '401').filter({ hasText: 'unauthenticated' }).waitFor();

    await page.getByRole('button', { name: 'Sign in as ada' }).click();
    await page.getByTestId('current-user').filter({ hasText: 'Signed in as ada@example.com' }).waitFor();
    // The sign-in changed the session: current_user was read once, and the section says so.
    // The sign-in changed the session, so current_user was read again (told by the sign-in's purge
    // and by the page): the section counts exactly the reads the log shows.
    await page.getByTestId('current-user-facts').filter({ hasText: 'read again after the session changed' }).waitFor();
    await page.waitForLoadState('networkidle');
    const reads = page.locator('[data-testid="logged-request"][data-path="/context/current_user"]');
    assert.ok((await reads.count()) >= 1);
    assert.equal(await page.getByTestId('current-user-requests').innerText(), String(await reads.count()));
    await page.getByRole('button', { name: 'Load server stats' }).click();
    await page.getByTestId('admin-status').filter({ hasText: /^403$/ }).waitFor();
    assert.equal(await page.getByTestId('admin-code').innerText(), 'forbidden');
    await row(page, '/call/admin.stats', '403').filter({ hasText: 'forbidden' }).waitFor();

    // Notes: the server cache's verdict, from X-Mizan-Cache-Status, and a write's purge.
    await page.getByTestId('notes-cache-status').filter({ hasText: /^(hit|miss)$/ }).waitFor();
    await page.getByLabel('note text').fill('from the showcase');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('notes-list').getByText('from the showcase').waitFor();
    await page.getByTestId('notes-purged').filter({ hasText: 'notes:main' }).waitFor();

    // Every POST carried the CSRF header, as the account section reports.
    const posts = await page.locator('[data-testid="logged-request"][data-method="POST"]').count();
    await page.getByTestId('account-facts').filter({ hasText: `POSTs in the log with it: ${posts} of ${posts}` }).waitFor();

    // From the top, where the sticky log panel sits beside the first sections.
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(SHOTS, { recursive: true });
    const wide = join(SHOTS, 'showcase-wide.png');
    await page.screenshot({ path: wide, fullPage: true });
    const bytes = readFileSync(wide);
    const size = pngSize(bytes);
    assert.equal(size.width, 1280);
    assert.ok(size.height >= 900, `a full page: ${size.height} px high`);
    // A blank or unstyled page compresses to a few kilobytes; the styled one is far larger.
    assert.ok(bytes.length > 60_000, `the screenshot has content: ${bytes.length} bytes`);
    console.log(`screenshot: ${wide} (${size.width}×${size.height}, ${bytes.length} bytes)`);
    await context.close();
  });

  test('the log keeps the newest 60 requests', TEST_TIMEOUT, async () => {
    const { context, page, sent } = await open({ width: 1280, height: 900 });
    // 70 clicks, each in a tick of its own: 70 batches, more than the log keeps.
    const before = sent.length;
    await page.evaluate(async () => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Echo 3 times at once');
      for (let i = 0; i < 70; i++) {
        button.click();
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    });
    await until(
      () => sent.slice(before).filter((request) => request === 'POST /api/mizan/batch').length === 70,
      () => `70 batches sent: ${sent.slice(before).join(', ')}`,
    );
    const rows = page.locator('[data-testid="logged-request"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="logged-request"][data-status="…"]').length === 0);
    assert.equal(await rows.count(), 60);
    assert.equal(await rows.first().getAttribute('data-path'), '/batch');
    await context.close();
  });

  test('the page fits a phone screen', TEST_TIMEOUT, async () => {
    const { context, page } = await open({ width: 390, height: 844 });
    await page.getByTestId('request-log').locator('[data-testid="logged-request"]').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing is wider than the screen (${overflow} px too wide)`);
    mkdirSync(SHOTS, { recursive: true });
    const phone = join(SHOTS, 'showcase-phone.png');
    await page.screenshot({ path: phone, fullPage: true });
    const bytes = readFileSync(phone);
    assert.equal(pngSize(bytes).width, 390);
    assert.ok(bytes.length > 30_000, `the screenshot has content: ${bytes.length} bytes`);
    console.log(`screenshot: ${phone} (${bytes.length} bytes)`);
    await context.close();
  });
});
