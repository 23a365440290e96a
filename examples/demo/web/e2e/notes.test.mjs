// End to end: the demo's notes board (spec §2.16) in headless Debian Chromium. Two pages show one
// board; the first adds a note and shows it at once, refetched with the rev its call issued
// (`&rev=` in the URL, so no cache on the way answers with the board from before the write); the
// second shows it without a reload or polling, told over its socket (live invalidation).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoAndBrowser } from './harness.mjs';

const WAIT_MS = 15_000;
const TEST_TIMEOUT = { timeout: 120_000 };

describe('notes', () => {
  const session = demoAndBrowser();

  /** A fresh browser context on the demo's page, showing `board`, with every request recorded. */
  async function openBoard(board) {
    const context = await session.browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${session.demo.base}/`);
    await page.getByLabel('notes board').fill(board);
    await page.locator(`[data-testid="notes-list"][data-board="${board}"][data-loaded="true"]`).waitFor({ state: 'attached' });
    return { page, requests };
  }

  const notesOf = (page) => page.getByTestId('notes-list');
  const reads = (requests, board) =>
    requests.filter((url) => {
      const { pathname, searchParams } = new URL(url);
      return pathname === '/api/mizan/context/notes' && JSON.parse(searchParams.get('p') ?? '{}').board === board;
    });

  test('a note added on one page shows at once there, with a rev, and live on the other', TEST_TIMEOUT, async () => {
    const board = `e2e-${Date.now()}`;
    const a = await openBoard(board);
    const b = await openBoard(board);
    assert.equal(reads(a.requests, board).length, 1);
    // Let page B's socket send its watch (debounced) before the write.
    await b.page.waitForTimeout(500);
    const bReadsBefore = reads(b.requests, board).length;

    await a.page.getByLabel('note text').fill('buy milk');
    await a.page.getByRole('button', { name: 'Add note' }).click();
    await notesOf(a.page).getByText('buy milk').waitFor();
    const aReads = reads(a.requests, board);
    assert.ok(aReads.length >= 2, `page A read the board again: ${aReads.join(' ')}`);
    assert.match(aReads.at(-1), /[?&]rev=\d+/, 'page A refetched with the rev its call issued');

    // Page B made no call: a read of the board with a rev can only come from the purge its socket
    // heard. It shows the note without a reload.
    await notesOf(b.page).getByText('buy milk').waitFor();
    const bReads = reads(b.requests, board).slice(bReadsBefore);
    assert.ok(
      bReads.some((url) => /[?&]rev=\d+/.test(url)),
      `page B read the board again with the purge's rev: ${bReads.join(' ')}`,
    );
    assert.equal(b.requests.filter((url) => new URL(url).pathname === '/').length, 1, 'page B never reloaded');

    // Another board is not concerned.
    const other = await openBoard(`${board}-other`);
    assert.doesNotMatch(await notesOf(other.page).innerText(), /buy milk/);
  });
});
