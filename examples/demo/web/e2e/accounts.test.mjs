// End to end: the accounts module (spec §2.14) through the demo's account panel, in headless Debian
// Chromium, once on a fresh SQLite file and once on a fresh PostgreSQL schema: sign up, a wrong
// password, log in, the hydrated user after a reload, a staff-only call refused, log out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPostgresSchema, startDemo, launchChromium } from './harness.mjs';

/**
 * Every wait is bounded by this: a sign-up or a log-in hashes a password (Argon2id), which a debug
 * build does in about a second.
 */
const WAIT_MS = 15_000;
const TEST_TIMEOUT = { timeout: 120_000 };
const PASSWORD = 'correct horse battery staple';

const databases = [
  { name: 'SQLite', create: () => ({ url: undefined, drop: () => {} }) },
  { name: 'PostgreSQL', create: createPostgresSchema },
];

for (const { name, create } of databases) {
  describe(`accounts on ${name}`, () => {
    let database;
    let demo;
    let browser;

    before(async () => {
      database = create();
      demo = await startDemo({ databaseUrl: database.url });
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await demo?.stop();
      database?.drop();
    });

    /** A fresh browser (own cookies) on the demo's page, every wait bounded. */
    async function openPage() {
      const context = await browser.newContext();
      context.setDefaultTimeout(WAIT_MS);
      context.setDefaultNavigationTimeout(WAIT_MS);
      const page = await context.newPage();
      const userReads = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/mizan/context/current_user')) userReads.push(request.url());
      });
      await page.goto(`${demo.base}/`);
      return { context, page, userReads };
    }

    const currentUser = (page) => page.getByTestId('current-user');

    /** Logs in through the panel; resolves with the status of the server's answer. */
    async function logIn(page, email, password) {
      await page.getByLabel('Log in email').fill(email);
      await page.getByLabel('Log in password').fill(password);
      const answer = page.waitForResponse((response) => response.url().endsWith('/api/mizan/call/auth.login'));
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      return (await answer).status();
    }

    test('sign up, log in, see yourself after a reload, be refused staff, log out', TEST_TIMEOUT, async () => {
      const { context, page, userReads } = await openPage();
      const email = `e2e-${name.toLowerCase()}@example.com`;
      await currentUser(page).filter({ hasText: 'Not signed in' }).waitFor();

      await page.getByLabel('Sign up email').fill(email);
      await page.getByLabel('Sign up password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByTestId('signup-result').filter({ hasText: /^Your account is ready if this email was new/ }).waitFor();
      // Signing up does not sign in.
      assert.equal(await currentUser(page).textContent(), 'Not signed in');

      assert.equal(await logIn(page, email, PASSWORD), 200);
      await currentUser(page).filter({ hasText: `Signed in as ${email}` }).waitFor();
      assert.ok(userReads.length >= 1, 'the log-in refetched current_user');
      const session = (await context.cookies()).find((cookie) => cookie.name === 'mizan_session');
      assert.ok(session, 'the server set the session cookie');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      assert.equal(await page.evaluate(() => document.cookie.includes('mizan_session')), false);

      await page.getByRole('button', { name: 'Load server stats' }).click();
      await page.getByTestId('admin-result').filter({ hasText: /^403 forbidden: .*\(staff only\)$/ }).waitFor();

      // The page the server sends embeds who is signed in: no request for it after a reload.
      const readsBefore = userReads.length;
      await page.reload();
      await currentUser(page).filter({ hasText: `Signed in as ${email}` }).waitFor();
      assert.equal(userReads.length, readsBefore, 'current_user came with the page');

      await page.getByRole('button', { name: 'Log out' }).click();
      await currentUser(page).filter({ hasText: 'Not signed in' }).waitFor();
      assert.equal((await context.cookies()).some((cookie) => cookie.name === 'mizan_session'), false);
      await page.getByRole('button', { name: 'Load server stats' }).click();
      await page.getByTestId('admin-result').filter({ hasText: /^401 unauthenticated: .*\(sign in first\)$/ }).waitFor();
      await page.reload();
      await currentUser(page).filter({ hasText: 'Not signed in' }).waitFor();
      await context.close();
    });

    // After the test above, which created the account.
    test('a wrong password shows the error and signs nobody in', TEST_TIMEOUT, async () => {
      const { context, page } = await openPage();
      const wrong = '401 unauthenticated: wrong email or password';
      assert.equal(await logIn(page, `e2e-${name.toLowerCase()}@example.com`, 'not the password'), 401);
      await page.getByTestId('login-error').filter({ hasText: wrong }).waitFor();
      assert.equal(await currentUser(page).textContent(), 'Not signed in');
      // The same answer for an email without an account: nobody learns which emails have one.
      assert.equal(await logIn(page, `nobody-${name.toLowerCase()}@example.com`, 'not the password'), 401);
      await page.getByTestId('login-error').filter({ hasText: wrong }).waitFor();
      assert.equal((await context.cookies()).some((cookie) => cookie.name === 'mizan_session'), false);
      await context.close();
    });
  });
}
