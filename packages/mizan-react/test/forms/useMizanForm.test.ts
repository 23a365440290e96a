// useMizanForm: client checks, submits (JSON and multipart), server errors, reset, hydration,
// server-side validation and dynamic choices.
import { act, fireEvent, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeServer, json, protocolError } from '../helpers.js';
import { byId, renderForm } from './setup.js';
import { field, form, signup, upload } from './specs.js';

const submitButton = (container: HTMLElement) =>
  container.querySelector('button[type="submit"]') as HTMLButtonElement;

async function submit(container: HTMLElement): Promise<void> {
  await act(async () => {
    fireEvent.submit(container.querySelector('form') as HTMLFormElement);
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
}

function type(container: HTMLElement, id: string, value: string): void {
  fireEvent.change(byId(container, id), { target: { value } });
}

function fillSignup(container: HTMLElement): void {
  type(container, 'mizan-signup-name', 'Ada');
  type(container, 'mizan-signup-email', 'ada@example.com');
  fireEvent.click(byId(container, 'mizan-signup-terms'));
}

describe('useMizanForm', () => {
  it('starts from the spec and refuses bad values in the browser with the server messages, sending nothing', async () => {
    const server = fakeServer(() => json({ id: 1 }));
    const { container, api } = renderForm(signup, server);
    expect(api().form.getValues()).toEqual({ name: '', email: '', age: null, terms: false, plan: 'free' });
    type(container, 'mizan-signup-name', 'A');
    type(container, 'mizan-signup-email', 'ada@');
    type(container, 'mizan-signup-age', '12');
    await submit(container);
    expect(server.mock).not.toHaveBeenCalled();
    expect(byId(container, 'mizan-signup-name-error').textContent).toBe(
      'Ensure this value has at least 2 characters.',
    );
    expect(byId(container, 'mizan-signup-email-error').textContent).toBe('Enter a valid email address.');
    expect(byId(container, 'mizan-signup-age-error').textContent).toBe(
      'Ensure this value is greater than or equal to 18.',
    );
    expect(byId(container, 'mizan-signup-terms-error').textContent).toBe('This field is required.');
    expect(api().form.getValues('age')).toBe(12);
  });

  it('submits JSON to <name>.submit and keeps the output', async () => {
    const server = fakeServer(() => json({ id: 7 }));
    const onSuccess = vi.fn();
    const { container, api } = renderForm(signup, server, { onSuccess });
    fillSignup(container);
    await submit(container);
    expect(server.seen).toHaveLength(1);
    const [req] = server.seen;
    expect(req?.url).toBe('/api/mizan/call/signup.submit');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      age: null,
      terms: true,
      plan: 'free',
    });
    expect(api().result).toEqual({ id: 7 });
    expect(api().error).toBeUndefined();
    expect(onSuccess).toHaveBeenCalledWith({ id: 7 }, expect.objectContaining({ name: 'Ada' }));
  });

  it('puts validation_failed fields on the fields and [] above the form, keeping the values', async () => {
    const server = fakeServer(() =>
      protocolError('validation_failed', 422, {
        fields: [
          { path: ['email'], message: 'This email is already registered.' },
          { path: [], message: 'Sign-ups are closed today.' },
        ],
      }),
    );
    const { container, api } = renderForm(signup, server);
    fillSignup(container);
    await submit(container);
    expect(byId(container, 'mizan-signup-email-error').textContent).toBe('This email is already registered.');
    const email = byId(container, 'mizan-signup-email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.getAttribute('aria-describedby')).toBe('mizan-signup-email-error');
    expect(email.value).toBe('ada@example.com');
    expect(byId(container, 'mizan-form-signup-errors').textContent).toBe('Sign-ups are closed today.');
    expect(api().error?.code).toBe('validation_failed');
    expect(api().result).toBeUndefined();
    expect(api().submitting).toBe(false);
    expect(api().form.getValues('name')).toBe('Ada');
  });

  it('reports other failures in error, and submitting while the call is on its way', async () => {
    let answer: (r: Response) => void = () => undefined;
    const server = fakeServer(() => new Promise<Response>((resolve) => (answer = resolve)));
    const { container, api } = renderForm(signup, server);
    fillSignup(container);
    await submit(container);
    expect(api().submitting).toBe(true);
    expect(submitButton(container).disabled).toBe(true);
    await act(async () => {
      answer(protocolError('forbidden', 403));
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    expect(api().submitting).toBe(false);
    expect(api().error?.code).toBe('forbidden');
  });

  it('resets to the starting values without errors, result or error', async () => {
    const server = fakeServer(() => protocolError('validation_failed', 422, { fields: [{ path: ['name'], message: 'Taken.' }] }));
    const { container, api } = renderForm(signup, server, { defaultValues: { name: 'Bob' } });
    expect(byId(container, 'mizan-signup-name').value).toBe('Bob');
    fillSignup(container);
    await submit(container);
    expect(api().error).toBeDefined();
    act(() => api().reset());
    expect(byId(container, 'mizan-signup-name').value).toBe('Bob');
    expect(api().form.getValues('terms')).toBe(false);
    expect(api().error).toBeUndefined();
    expect(container.querySelector('.mizan-error')).toBeNull();
  });

  it('sends a form with files as multipart: __values first without the files, then one part per file by dotted path', async () => {
    const server = fakeServer(() => json('ok'));
    const { container, api } = renderForm(upload, server);
    type(container, 'mizan-upload-title', 'Holiday');
    type(container, 'mizan-upload-address-city', 'Oslo');
    const photo = new File(['png!'], 'me.png', { type: 'image/png' });
    fireEvent.change(byId(container, 'mizan-upload-photo'), { target: { files: [photo] } });
    fireEvent.click(container.querySelector('.mizan-rows > button') as HTMLButtonElement);
    const scan = new File(['%PDF'], 'scan.pdf', { type: 'application/pdf' });
    fireEvent.change(byId(container, 'mizan-upload-extra-0-scan'), { target: { files: [scan] } });
    await submit(container);
    expect(api().error).toBeUndefined();
    const [req] = server.seen;
    expect(req?.url).toBe('/api/mizan/call/upload.submit');
    expect(req?.headers['content-type']).toBeUndefined();
    expect(req?.headers['x-mizan-csrf']).toBe('1');
    const parts = [...(req?.form?.entries() ?? [])];
    expect(parts.map(([name]) => name)).toEqual(['__values', 'photo', 'extra.0.scan']);
    expect(JSON.parse(parts[0]?.[1] as string)).toEqual({
      title: 'Holiday',
      address: { city: 'Oslo' },
      extra: [{}],
    });
    expect((parts[1]?.[1] as File).name).toBe('me.png');
    expect((parts[2]?.[1] as File).type).toBe('application/pdf');
  });

  it('checks files in the browser before sending', async () => {
    const server = fakeServer(() => json('ok'));
    const { container } = renderForm(upload, server);
    type(container, 'mizan-upload-title', 'Holiday');
    type(container, 'mizan-upload-address-city', 'Oslo');
    const big = new File(['x'.repeat(11)], 'big.png', { type: 'image/png' });
    fireEvent.change(byId(container, 'mizan-upload-photo'), { target: { files: [big] } });
    await submit(container);
    expect(server.mock).not.toHaveBeenCalled();
    expect(byId(container, 'mizan-upload-photo-error').textContent).toBe('Ensure this file is at most 10 bytes.');
  });

  it('starts from the hydrated post of a page the server re-rendered, with its errors', async () => {
    const server = fakeServer(() => json('ok'));
    const { container } = renderForm(signup, server, {}, {
      contexts: {},
      forms: {
        signup: {
          values: { name: 'Ada', email: 'taken@example.com', terms: true },
          fields: [
            { path: ['email'], message: 'This email is already registered.' },
            { path: [], message: 'Your form expired. Please submit it again.' },
          ],
        },
      },
    });
    await waitFor(() => expect(container.querySelector('.mizan-form-errors')).not.toBeNull());
    expect(byId(container, 'mizan-signup-email').value).toBe('taken@example.com');
    expect(byId(container, 'mizan-signup-terms').checked).toBe(true);
    expect(byId(container, 'mizan-signup-plan-0').checked).toBe(true);
    expect(byId(container, 'mizan-signup-email-error').textContent).toBe('This email is already registered.');
    expect(byId(container, 'mizan-form-signup-errors').textContent).toBe('Your form expired. Please submit it again.');
  });

  it('asks <name>.validate about one field, with files described, and merges only its errors', async () => {
    const server = fakeServer(() =>
      json({
        fields: [
          { path: ['title'], message: 'Title taken.' },
          { path: ['address', 'city'], message: 'We do not ship there.' },
        ],
      }),
    );
    const { container, api } = renderForm(upload, server);
    type(container, 'mizan-upload-title', 'Holiday');
    const photo = new File(['png!'], 'me.png', { type: 'image/png' });
    fireEvent.change(byId(container, 'mizan-upload-photo'), { target: { files: [photo] } });
    let got: unknown;
    await act(async () => {
      got = await api().validateOnServer('address');
    });
    expect(got).toEqual([{ path: ['address', 'city'], message: 'We do not ship there.' }]);
    const [req] = server.seen;
    expect(req?.url).toBe('/api/mizan/call/upload.validate');
    expect(JSON.parse(req?.body ?? '')).toMatchObject({
      title: 'Holiday',
      photo: { name: 'me.png', size: 4, type: 'image/png' },
    });
    expect(byId(container, 'mizan-upload-address-city-error').textContent).toBe('We do not ship there.');
    expect(container.querySelector('[id="mizan-upload-title-error"]')).toBeNull();
    await act(async () => {
      await api().validateOnServer();
    });
    expect(byId(container, 'mizan-upload-title-error').textContent).toBe('Title taken.');
  });

  it('keeps a server error through a submit that fails in the browser, until its value changes', async () => {
    const server = fakeServer(() =>
      json({ fields: [{ path: ['email'], message: 'This email is already registered.' }] }),
    );
    const { container, api } = renderForm(signup, server);
    type(container, 'mizan-signup-name', 'Ada');
    type(container, 'mizan-signup-email', 'taken@example.com');
    await act(async () => {
      await api().validateOnServer('email');
    });
    expect(byId(container, 'mizan-signup-email-error').textContent).toBe('This email is already registered.');
    // The terms are not ticked: the browser refuses the submit and shows its own error too.
    await submit(container);
    expect(byId(container, 'mizan-signup-terms-error').textContent).toBe('This field is required.');
    expect(byId(container, 'mizan-signup-email-error').textContent).toBe('This email is already registered.');
    type(container, 'mizan-signup-email', 'free@example.com');
    await submit(container);
    expect(container.querySelector('[id="mizan-signup-email-error"]')).toBeNull();
    expect(server.seen).toHaveLength(1);
  });

  it('fetches <name>.schema for dynamic choices and checks against the current ones', async () => {
    const dynamic = form('pick', [field('city', 'choice', { dynamic_choices: true, choices: [] })]);
    const fresh = form('pick', [
      field('city', 'choice', { dynamic_choices: true, choices: [{ value: 'osl', label: 'Oslo' }] }),
    ]);
    const server = fakeServer((req) => (req.url.endsWith('pick.schema') ? json(fresh) : json('ok')));
    const { container, api } = renderForm(dynamic, server);
    await waitFor(() => expect(container.querySelectorAll('option')).toHaveLength(2));
    expect(server.seen[0]?.url).toBe('/api/mizan/call/pick.schema');
    fireEvent.change(byId(container, 'mizan-pick-city', ), { target: { value: 'osl' } });
    await submit(container);
    expect(api().result).toBe('ok');
    expect(JSON.parse(server.seen[1]?.body ?? '')).toEqual({ city: 'osl' });
  });
});
