// <MizanForm>: the widgets of spec §2.13.1, names = dotted paths, ids, ARIA, rows.
import { act, fireEvent } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeServer, json } from '../helpers.js';
import { byId, renderForm } from './setup.js';
import { field, form } from './specs.js';

const colors = ['red', 'green', 'blue'].map((value) => ({ value, label: value.toUpperCase() }));
const everything = form('all', [
  field('bio', 'text', { widget: 'textarea', help: 'About you', placeholder: 'Once…' }),
  field('secret', 'text', { widget: 'password' }),
  field('token', 'text', { widget: 'hidden', initial: 'abc' }),
  field('site', 'url', { required: false }),
  field('count', 'integer', { required: false }),
  field('price', 'decimal', { required: false }),
  field('day', 'date', { required: false }),
  field('at', 'time', { required: false }),
  field('when', 'datetime', { required: false }),
  field('size', 'choice', { choices: colors, required: false }),
  field('tags', 'multichoice', { choices: colors, required: false }),
  field('tones', 'multichoice', { choices: colors, widget: 'select-multiple', required: false }),
  field('address', 'group', { fields: [field('city', 'text', { required: false })] }),
  field('items', 'rows', {
    min_items: 1,
    max_items: 2,
    required: false,
    fields: [field('qty', 'integer', { required: false })],
  }),
  field('cv', 'file', { accept: ['application/pdf', 'image/*'], max_size: 100, required: false }),
]);

describe('MizanForm', () => {
  it('draws each widget of §2.13.1, named by dotted path, with the ids of the server HTML (mizan-<form>-<path joined by dashes>)', () => {
    const { container } = renderForm(everything, fakeServer());
    const form = container.querySelector('form') as HTMLFormElement;
    expect(form.id).toBe('mizan-form-all');
    expect(form.className).toBe('mizan-form');
    expect(form.noValidate).toBe(true);
    expect(form.getAttribute('enctype')).toBe('multipart/form-data');
    const bio = byId<HTMLTextAreaElement>(container, 'mizan-all-bio');
    expect(bio.tagName).toBe('TEXTAREA');
    expect(bio.placeholder).toBe('Once…');
    expect(bio.getAttribute('aria-describedby')).toBe('mizan-all-bio-help');
    expect(byId(container, 'mizan-all-bio-help').textContent).toBe('About you');
    expect(container.querySelector('label[for="mizan-all-bio"]')?.textContent).toBe('Bio');
    const kinds = Object.fromEntries(
      [...container.querySelectorAll('input, select, textarea')].map((el) => [
        el.getAttribute('name'),
        `${el.tagName.toLowerCase()}:${el.getAttribute('type') ?? ''}`,
      ]),
    );
    expect(kinds).toEqual({
      bio: 'textarea:',
      secret: 'input:password',
      token: 'input:hidden',
      site: 'input:url',
      count: 'input:number',
      price: 'input:text',
      day: 'input:date',
      at: 'input:time',
      when: 'input:datetime-local',
      size: 'select:',
      tags: 'input:checkbox',
      tones: 'select:',
      'address.city': 'input:text',
      'items.0.qty': 'input:number',
      cv: 'input:file',
    });
    expect(byId(container, 'mizan-all-price').inputMode).toBe('decimal');
    expect(byId(container, 'mizan-all-token').value).toBe('abc');
    expect(byId<HTMLSelectElement>(container, 'mizan-all-tones').multiple).toBe(true);
    expect(byId(container, 'mizan-all-cv').accept).toBe('application/pdf,image/*');
    expect(byId(container, 'mizan-all-address').tagName).toBe('FIELDSET');
    expect(container.querySelectorAll('input[name="tags"]')).toHaveLength(3);
    expect(byId(container, 'mizan-all-size').querySelectorAll('option')[0]?.value).toBe('');
  });

  it('keeps checkboxes of a multichoice as an array of values', () => {
    const { container, api } = renderForm(everything, fakeServer());
    fireEvent.click(byId(container, 'mizan-all-tags-2'));
    fireEvent.click(byId(container, 'mizan-all-tags-0'));
    expect(api().form.getValues('tags')).toEqual(['blue', 'red']);
    fireEvent.click(byId(container, 'mizan-all-tags-2'));
    expect(api().form.getValues('tags')).toEqual(['red']);
    expect(byId(container, 'mizan-all-tags-0').checked).toBe(true);
  });

  it('adds and removes rows within min_items and max_items, naming their inputs by index', () => {
    const { container, api } = renderForm(everything, fakeServer());
    const addButton = () =>
      [...container.querySelectorAll('.mizan-rows > button')].find((b) => b.textContent === 'Add') as HTMLButtonElement;
    // min_items rows to start with.
    expect(api().form.getValues('items')).toEqual([{ qty: null }]);
    fireEvent.click(addButton());
    expect(addButton().disabled).toBe(true);
    expect([...container.querySelectorAll('input[name^="items."]')].map((i) => i.getAttribute('name'))).toEqual([
      'items.0.qty',
      'items.1.qty',
    ]);
    expect(byId(container, 'mizan-all-items-1').tagName).toBe('FIELDSET');
    fireEvent.change(byId(container, 'mizan-all-items-1-qty'), { target: { value: '5' } });
    const removeButtons = () => container.querySelectorAll<HTMLButtonElement>('.mizan-row > button');
    fireEvent.click(removeButtons()[0] as HTMLButtonElement);
    expect(api().form.getValues('items')).toEqual([{ qty: 5 }]);
    expect(removeButtons()[0]?.disabled).toBe(true);
  });

  it('shows errors beside their fields with aria-invalid and aria-describedby, and the form error above', async () => {
    const server = fakeServer(() =>
      json(
        {
          code: 'validation_failed',
          message: '3 fields are invalid',
          status: 422,
          fields: [
            { path: ['bio'], message: 'Too dull.' },
            { path: ['items', 0, 'qty'], message: 'Out of stock.' },
            { path: [], message: 'Try later.' },
          ],
        },
        422,
      ),
    );
    const { container } = renderForm(everything, server);
    fireEvent.change(byId(container, 'mizan-all-bio'), { target: { value: 'Hello' } });
    fireEvent.change(byId(container, 'mizan-all-secret'), { target: { value: 'pw' } });
    await act(async () => {
      fireEvent.submit(container.querySelector('form') as HTMLFormElement);
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    expect(server.seen).toHaveLength(1);
    const bio = byId(container, 'mizan-all-bio');
    expect(bio.getAttribute('aria-invalid')).toBe('true');
    expect(bio.getAttribute('aria-describedby')).toBe('mizan-all-bio-help mizan-all-bio-error');
    expect(byId(container, 'mizan-all-bio-error').textContent).toBe('Too dull.');
    expect(byId(container, 'mizan-all-items-0-qty-error').textContent).toBe('Out of stock.');
    const formError = byId(container, 'mizan-form-all-errors');
    expect(formError.textContent).toBe('Try later.');
    expect(formError.compareDocumentPosition(bio) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(byId(container, 'mizan-all-secret').getAttribute('aria-invalid')).toBeNull();
  });
});
