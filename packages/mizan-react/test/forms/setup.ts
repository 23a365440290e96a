// Rendering helpers of the form tests: a provider around a form, and a fake server for forms.
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createElement, type ReactElement } from 'react';
import {
  MizanClient,
  MizanForm,
  MizanProvider,
  useMizanForm,
  type FormSpec,
  type HydrationPayload,
  type MizanFormApi,
  type UseMizanFormOptions,
} from '../../src/index.js';
import type { FakeServer } from '../helpers.js';

/** What `renderForm` gives: the rendered page and the hook's latest result. */
export interface Rendered {
  container: HTMLElement;
  api: () => MizanFormApi<Record<string, unknown>, unknown>;
}

/** Renders `<MizanForm>` for `spec` on a client that talks to `server`. */
export function renderForm(
  spec: FormSpec,
  server: FakeServer,
  options: UseMizanFormOptions<Record<string, unknown>, unknown> = {},
  hydration?: HydrationPayload,
): Rendered {
  const client = new MizanClient({ fetch: server.fetch, batch: false });
  const queryClient = new QueryClient();
  let latest: MizanFormApi<Record<string, unknown>, unknown> | undefined;
  function Form(): ReactElement {
    const api = useMizanForm<Record<string, unknown>, unknown>(spec, options);
    latest = api;
    return createElement(MizanForm, { form: api, submitLabel: 'Send' });
  }
  const view = render(
    createElement(MizanProvider, { client, queryClient, hydration, children: createElement(Form) }),
  );
  return {
    container: view.container,
    api: () => {
      if (!latest) throw new Error('not rendered');
      return latest;
    },
  };
}

/** The element with `id`, or a failure naming it. */
export function byId<T extends HTMLElement = HTMLInputElement>(container: HTMLElement, id: string): T {
  const found = container.querySelector(`[id="${id}"]`);
  if (!found) throw new Error(`no #${id}`);
  return found as T;
}
