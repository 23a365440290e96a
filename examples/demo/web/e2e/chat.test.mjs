// End to end: the demo's chat (spec §2.15) in headless Debian Chromium. Two pages chat in a room;
// a third page in another room hears nothing of it; a staff room refuses an anonymous page; and a
// message announced by a server function (`chat.announce`, staff) reaches both pages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoAndBrowser } from './harness.mjs';

const WAIT_MS = 15_000;
const TEST_TIMEOUT = { timeout: 120_000 };

describe('chat', () => {
  const session = demoAndBrowser();

  /** A fresh browser context (own cookies) on the demo's page, in `room`, connected. */
  async function openRoom(room) {
    const context = await session.browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    await page.goto(`${session.demo.base}/`);
    if (room !== 'lobby') await page.getByLabel('chat room').fill(room);
    // The status of this room's subscription (the lobby's shows first, until the room changes).
    await page
      .locator(`[data-testid="chat-status"][data-room="${room}"]`)
      .filter({ hasText: room.startsWith('staff-') ? /unauthenticated/ : 'connected' })
      .waitFor();
    return page;
  }

  async function say(page, text) {
    await page.getByLabel('chat message').fill(text);
    await page.getByRole('button', { name: 'Say' }).click();
    // The field empties once the server acknowledged the message.
    await page.waitForFunction(() => document.querySelector('[aria-label="chat message"]')?.value === '');
  }

  const log = (page) => page.getByTestId('chat-log');

  test('two pages chat, a third room hears nothing', TEST_TIMEOUT, async () => {
    const ada = await openRoom('lobby');
    const grace = await openRoom('lobby');
    const elsewhere = await openRoom('elsewhere');

    await say(ada, 'hello from the first page');
    await log(grace).getByText('hello from the first page').waitFor();
    await log(ada).getByText('hello from the first page').waitFor();

    await say(grace, 'and back from the second');
    await log(ada).getByText('and back from the second').waitFor();
    assert.match(await log(ada).innerText(), /guest: hello from the first page\s+guest: and back from the second/);

    // Nothing crosses rooms.
    await say(elsewhere, 'only here');
    await log(elsewhere).getByText('only here').waitFor();
    assert.doesNotMatch(await log(ada).innerText(), /only here/);
    assert.doesNotMatch(await log(elsewhere).innerText(), /hello from the first page/);

    // Signing in (a new session cookie) moves the page to a new socket that carries it: the next
    // line is the user's, and the room goes on without a gap.
    await ada.getByRole('button', { name: 'Sign in as ada' }).click();
    await ada.getByTestId('current-user').filter({ hasText: 'Signed in as ada' }).waitFor();
    await ada.locator('[data-testid="chat-status"][data-room="lobby"]').filter({ hasText: 'connected' }).waitFor();
    await say(ada, 'signed in now');
    await log(grace).getByText('signed in now').waitFor();
    assert.match(await log(grace).innerText(), /ada: signed in now/);

    // The longest line the channel accepts (500 characters) goes through.
    await ada.getByLabel('chat message').fill('x'.repeat(500));
    await ada.getByRole('button', { name: 'Say' }).click();
    await log(grace).getByText('x'.repeat(500)).waitFor();
  });

  test('a staff room refuses an anonymous page; an announcement reaches the room', TEST_TIMEOUT, async () => {
    const page = await openRoom('staff-only');
    assert.match(await page.getByTestId('chat-status').innerText(), /401 unauthenticated/);

    const listener = await openRoom('announcements');
    // A staff session signs in through the demo's development call, then announces.
    const signIn = await fetch(`${session.demo.base}/api/mizan/call/demo.sign_in`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'grace' }),
    });
    assert.equal(signIn.status, 200);
    const { token } = await signIn.json();
    const announce = await fetch(`${session.demo.base}/api/mizan/call/chat.announce`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.token}` },
      body: JSON.stringify({ room: 'announcements', text: 'the server speaks' }),
    });
    assert.equal(announce.status, 200, await announce.text());
    await log(listener).getByText('the server speaks').waitFor();
    assert.match(await log(listener).innerText(), /system: the server speaks/);
  });
});
