// End to end: the demo's contact form (spec §2.13) in headless Debian Chromium, with the React
// form (browser checks, server rules, files) and without JavaScript (the server's own HTML form).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemo, launchChromium } from './harness.mjs';

/** Every wait of a test is bounded by this; a whole test by `TEST_TIMEOUT`. */
const WAIT_MS = 10_000;
const TEST_TIMEOUT = { timeout: 60_000 };

const LIMIT = 65_536;
const TOO_BIG = Buffer.alloc(70 * 1024, 'a');
const MESSAGES = {
  nameTooShort: 'Ensure this value has at least 2 characters.',
  messageTooShort: 'Ensure this value has at least 10 characters.',
  required: 'This field is required.',
  blocked: 'This address is blocked.',
  fileTooBig: `Ensure this file is at most ${LIMIT} bytes.`,
};

let demo;
let base;
let browser;

before(async () => {
  demo = await startDemo();
  ({ base } = demo);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** A fresh browser context (own cookies), with every wait bounded. */
async function newContext(options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  return context;
}

/**
 * Records the calls the page makes to the contact form's functions: by URL (`/call/contact.x`)
 * or inside a `/batch` body, where batched calls are named.
 */
function recordContactCalls(page) {
  const calls = [];
  page.on('request', (request) => {
    if (!request.url().includes('/api/mizan/')) return;
    const body = request.postData() ?? '';
    for (const name of ['contact.submit', 'contact.validate']) {
      if (request.url().endsWith(`/call/${name}`) || body.includes(`"${name}"`)) calls.push(name);
    }
  });
  return calls;
}

/** Opens the React contact page and waits until React replaced the server's HTML form. */
async function openContactPage(context) {
  const page = await context.newPage();
  const calls = recordContactCalls(page);
  await page.goto(`${base}/contact`);
  await page.getByTestId('contact-page').waitFor();
  return { page, calls };
}

const errorOf = (page, field) => page.locator(`#mizan-contact-${field}-error`);

async function fillValid(page, overrides = {}) {
  const values = {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    topic: 'question',
    message: 'How do typed server functions work?',
    ...overrides,
  };
  await page.getByLabel('Your name').fill(values.name);
  await page.getByLabel('Email').fill(values.email);
  await page.getByLabel('Topic').selectOption(values.topic);
  await page.getByLabel('Message').fill(values.message);
}

test('React replaces the server-rendered form instead of doubling it', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page } = await openContactPage(context);
  assert.equal(await page.locator('form').count(), 1);
  // The server's HTML has a title inside the form and a CSRF field; the React form has neither.
  assert.equal(await page.locator('.mizan-form-title, input[name="__mizan_csrf"]').count(), 0);
  await page.getByRole('heading', { name: 'Contact us' }).waitFor();
  await context.close();
});

test('the browser refuses a short name with the server message, sending nothing', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page, calls } = await openContactPage(context);
  await page.getByLabel('Your name').fill('A');
  await page.getByRole('button', { name: 'Send' }).click();
  await errorOf(page, 'name').filter({ hasText: MESSAGES.nameTooShort }).waitFor();
  await errorOf(page, 'message').filter({ hasText: MESSAGES.required }).waitFor();
  assert.equal(await page.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(calls, [], 'no contact call left the browser');

  // Fixing the name clears its error as it is typed (the field was touched).
  await page.getByLabel('Your name').fill('Ada');
  await errorOf(page, 'name').waitFor({ state: 'detached' });
  await context.close();
});

test('the server-only rule on the email shows on blur and after a submit', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page, calls } = await openContactPage(context);
  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('x@blocked.example');
  await page.getByLabel('Topic').focus();
  await errorOf(page, 'email').filter({ hasText: MESSAGES.blocked }).waitFor();
  assert.deepEqual(calls, ['contact.validate'], 'the blur asked contact.validate, and did not submit');

  await fillValid(page, { email: 'x@blocked.example', topic: 'bug' });
  const answered = page.waitForResponse((r) => r.url().endsWith('/call/contact.submit'));
  await page.getByRole('button', { name: 'Send' }).click();
  assert.equal((await answered).status(), 422);
  await errorOf(page, 'email').filter({ hasText: MESSAGES.blocked }).waitFor();
  // The values stay as typed; no result is shown.
  assert.equal(await page.getByLabel('Email').inputValue(), 'x@blocked.example');
  assert.equal(await page.getByLabel('Your name').inputValue(), 'Ada Lovelace');
  assert.equal(await page.getByLabel('Topic').inputValue(), 'bug');
  assert.equal(await page.getByTestId('contact-result').count(), 0);
  await context.close();
});

test('an attachment over 65536 bytes is refused by the browser', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page, calls } = await openContactPage(context);
  await fillValid(page);
  await page.getByLabel('Attachment').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: TOO_BIG });
  await page.getByRole('button', { name: 'Send' }).click();
  await errorOf(page, 'attachment').filter({ hasText: MESSAGES.fileTooBig }).waitFor();
  // The email's blur may have asked contact.validate (which sees the file's size only); the file
  // itself never left.
  assert.deepEqual(calls.filter((name) => name === 'contact.submit'), [], 'nothing was submitted');
  await context.close();
});

test('an attachment over 65536 bytes is refused by the server when the browser check is skipped', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page } = await openContactPage(context);
  // The multipart body the React form would send (§2.13.4), sent by hand past its checks.
  const answer = await page.evaluate(async (size) => {
    const body = new FormData();
    body.append(
      '__values',
      JSON.stringify({ name: 'Ada', email: 'ada@example.com', topic: 'bug', message: 'A file that is far too big.' }),
    );
    body.append('attachment', new Blob(['a'.repeat(size)], { type: 'text/plain' }), 'big.txt');
    const response = await fetch('/api/mizan/call/contact.submit', {
      method: 'POST',
      headers: { 'X-Mizan-CSRF': '1' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.json() };
  }, TOO_BIG.length);
  assert.equal(answer.status, 422);
  assert.equal(answer.body.code, 'validation_failed');
  assert.deepEqual(answer.body.fields, [{ path: ['attachment'], message: MESSAGES.fileTooBig }]);
  await context.close();
});

test('a valid message with a small file is received, with a submitting state', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const { page } = await openContactPage(context);
  // The submit is held at the network until the test has seen the submitting state.
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route('**/api/mizan/call/contact.submit', async (route) => {
    await released;
    await route.continue();
  });
  await fillValid(page, { name: 'Grace Hopper' });
  const note = Buffer.from('hello from chromium\n');
  await page.getByLabel('Attachment').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: note });
  await page.getByRole('button', { name: 'Send' }).click();
  const sending = page.getByRole('button', { name: 'Sending…' });
  await sending.waitFor();
  assert.equal(await sending.isDisabled(), true);
  release();
  await page
    .getByTestId('contact-result')
    .filter({
      hasText: new RegExp(
        `^Message #\\d+ received from Grace Hopper\\. Attachment: note\\.txt \\(${note.length} bytes\\)\\.$`,
      ),
    })
    .waitFor();
  await page.getByRole('button', { name: 'Send' }).waitFor();
  await context.close();
});

test('a post that failed before the script loaded comes back as the React form with its values and errors', TEST_TIMEOUT, async () => {
  const context = await newContext();
  const page = await context.newPage();
  // The first load runs without the app's script, as when someone submits before it arrives.
  let scriptsBlocked = 0;
  await page.route('**/assets/*.js', (route) => (scriptsBlocked++ === 0 ? route.abort() : route.continue()));
  await page.goto(`${base}/contact`);
  await page.locator('.mizan-form-title').filter({ hasText: 'Contact us' }).waitFor();
  await page.getByLabel('Your name').fill('A');
  await page.getByLabel('Email').fill('x@blocked.example');
  await page.getByLabel('Message').fill('short');
  await page.getByRole('button', { name: 'Submit' }).click();

  // The 422 page loads the script, and the React form starts from the hydrated post.
  await page.getByTestId('contact-page').waitFor();
  await page.waitForURL(`${base}/contact`);
  await errorOf(page, 'name').filter({ hasText: MESSAGES.nameTooShort }).waitFor();
  await errorOf(page, 'email').filter({ hasText: MESSAGES.blocked }).waitFor();
  await errorOf(page, 'topic').filter({ hasText: MESSAGES.required }).waitFor();
  await errorOf(page, 'message').filter({ hasText: MESSAGES.messageTooShort }).waitFor();
  assert.equal(await page.getByLabel('Your name').inputValue(), 'A');
  assert.equal(await page.getByLabel('Email').inputValue(), 'x@blocked.example');
  assert.equal(await page.getByLabel('Message').inputValue(), 'short');
  assert.equal(await page.locator('form').count(), 1);
  await context.close();
});

test('without JavaScript, the server form shows errors with the values kept, then redirects', TEST_TIMEOUT, async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/contact`);
  await page.locator('form#mizan-form-contact .mizan-form-title').filter({ hasText: 'Contact us' }).waitFor();
  assert.equal(await page.getByTestId('contact-page').count(), 0, 'React did not run');

  await page.getByLabel('Your name').fill('A');
  await page.getByLabel('Email').fill('x@blocked.example');
  await page.getByLabel('Topic').selectOption('praise');
  await page.getByLabel('Message').fill('short');
  await page.getByLabel('Attachment').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: TOO_BIG });
  const refused = page.waitForResponse((r) => r.url() === `${base}/api/mizan/form/contact`);
  await page.getByRole('button', { name: 'Submit' }).click();
  assert.equal((await refused).status(), 422);
  await page.waitForLoadState();

  await errorOf(page, 'name').filter({ hasText: MESSAGES.nameTooShort }).waitFor();
  await errorOf(page, 'email').filter({ hasText: MESSAGES.blocked }).waitFor();
  await errorOf(page, 'message').filter({ hasText: MESSAGES.messageTooShort }).waitFor();
  await errorOf(page, 'attachment').filter({ hasText: MESSAGES.fileTooBig }).waitFor();
  assert.equal(await page.getByLabel('Your name').inputValue(), 'A');
  assert.equal(await page.getByLabel('Email').inputValue(), 'x@blocked.example');
  assert.equal(await page.getByLabel('Topic').inputValue(), 'praise');
  assert.equal(await page.getByLabel('Message').inputValue(), 'short');

  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Message').fill('Written without any JavaScript.');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(`${base}/contact/thanks`);
  // The server puts the thanks in the page itself, so it reads the same with scripts off.
  await page.getByText('Your message was received. We will answer by email.').waitFor({ timeout: 10_000 });
  await context.close();
});
