// The forms mizan-codegen generates (crates/mizan-codegen/tests/golden/forms/, a golden file of
// the generator): they must type-check against this package's public API, with values and
// outputs typed from the spec and the manifest, and work at run time.
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ContactFormSchema,
  contactFormSpec,
  orderFormFormSpec,
  useContactForm,
  useOrderFormForm,
  type ContactFormValues,
  type OrderFormFormValues,
  type Ticket,
} from '../../../crates/mizan-codegen/tests/golden/forms/index.js';
import { MizanClient, MizanProvider, checkForm } from '../src/index.js';
import { fakeServer, json } from './helpers.js';

describe('generated forms', () => {
  it('type the values from the spec', () => {
    expectTypeOf<ContactFormValues['topic']>().toEqualTypeOf<'sales' | 'support' | 'press'>();
    expectTypeOf<ContactFormValues['channels']>().toEqualTypeOf<('email' | 'phone')[] | null | undefined>();
    expectTypeOf<ContactFormValues['age']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<OrderFormFormValues['store']>().toEqualTypeOf<string>();
    expectTypeOf<OrderFormFormValues['receipt']>().toEqualTypeOf<File>();
    expectTypeOf<OrderFormFormValues['items'][number]['photo']>().toEqualTypeOf<File | null | undefined>();
    expectTypeOf<OrderFormFormValues['address']['street']>().toEqualTypeOf<string>();
    expect(contactFormSpec.fields.map((f) => f.kind)).toContain('datetime');
    expect(orderFormFormSpec.multipart).toBe(true);
  });

  it('check with the server messages through the generated Zod schema', () => {
    const result = ContactFormSchema.safeParse({ name: 'A', email: 'x', topic: 'sales', message: '<b>', terms: true });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['name', 'Ensure this value has at least 2 characters.'],
      ['email', 'Enter a valid email address.'],
      ['message', 'No angle brackets.'],
    ]);
    expect(checkForm(orderFormFormSpec, { address: { street: 'Main' }, store: 'osl', items: [] })).toEqual([
      { path: ['items'], message: 'Ensure there are at least 1 rows.' },
      { path: ['receipt'], message: 'This field is required.' },
    ]);
  });

  it('hook up to <name>.submit with the output type of the manifest', async () => {
    const server = fakeServer((req) => (req.url.endsWith('.schema') ? json(orderFormFormSpec) : json({ id: 3, queue: 'sales' })));
    const client = new MizanClient({ fetch: server.fetch, batch: false });
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(MizanProvider, { client, queryClient: new QueryClient(), children });
    const { result } = renderHook(() => ({ contact: useContactForm(), order: useOrderFormForm() }), { wrapper });
    expectTypeOf(result.current.contact.result).toEqualTypeOf<Ticket | undefined>();
    expectTypeOf(result.current.order.result).toEqualTypeOf<string | undefined>();
    expect(result.current.contact.form.getValues('topic')).toBe('support');
    const form = result.current.contact.form;
    act(() => {
      form.setValue('name', 'Ada');
      form.setValue('email', 'ada@example.com');
      form.setValue('message', 'Hello');
      form.setValue('terms', true);
    });
    await act(() => result.current.contact.submit());
    expect(result.current.contact.result).toEqual({ id: 3, queue: 'sales' });
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/mizan/call/order_form.schema',
      '/api/mizan/call/contact.submit',
    ]);
  });
});
