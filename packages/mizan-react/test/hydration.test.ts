import { afterEach, describe, expect, it } from 'vitest';
import { HYDRATION_ELEMENT_ID, readHydration } from '../src/index.js';

function embed(text: string): void {
  const script = document.createElement('script');
  script.type = 'application/json';
  script.id = HYDRATION_ELEMENT_ID;
  script.textContent = text;
  document.body.append(script);
}

afterEach(() => {
  document.getElementById(HYDRATION_ELEMENT_ID)?.remove();
});

describe('readHydration', () => {
  it('reads <script type="application/json" id="mizan-hydration">', () => {
    expect(HYDRATION_ELEMENT_ID).toBe('mizan-hydration');
    embed('{"contexts":{"current_user":{"id":"42","name":"Ada \\u003c3"},"flags":null}}');
    expect(readHydration()).toEqual({
      contexts: { current_user: { id: '42', name: 'Ada <3' }, flags: null },
    });
  });

  it('reads from the document it is given', () => {
    const doc = document.implementation.createHTMLDocument('page');
    doc.body.innerHTML = `<script type="application/json" id="mizan-hydration">{"contexts":{"a":1}}</script>`;
    expect(readHydration(doc)).toEqual({ contexts: { a: 1 } });
    expect(readHydration()).toBeUndefined();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['invalid JSON', '{"contexts":'],
    ['no contexts', '{"other":{}}'],
    ['contexts not an object', '{"contexts":[1]}'],
    ['not an object', '[]'],
  ])('is undefined when %s, without throwing', (_, text) => {
    if (text !== undefined) embed(text);
    expect(readHydration()).toBeUndefined();
  });
});
