// No answer crosses a permission key: random users with random levels read random contexts and
// params, interleaved with purges and time passing; every answer a caller gets is one the origin
// computed for that caller's permission key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANON, AUTHED, STAFF, get, pks, setup, token, waiter } from './helpers.js';

const SUPER = await pks.permissionKey({ kind: 'superuser' });
const USER_KEY = await pks.permissionKey({ kind: 'user', userId: 'u7' });

type Who = 'anonymous' | 'cookie' | 'user' | 'staff' | 'superuser' | 'subless' | 'peruser';
const WHO: readonly Who[] = ['anonymous', 'cookie', 'user', 'staff', 'superuser', 'subless', 'peruser'];

async function headersOf(who: Who, id: number): Promise<{ headers: Record<string, string>; pk: string | undefined }> {
  switch (who) {
    case 'anonymous':
      return { headers: {}, pk: ANON };
    case 'cookie':
      return { headers: { cookie: 'mizan_token=x' }, pk: undefined };
    case 'user':
      return { headers: { authorization: `Bearer ${await token({ pk: AUTHED, sub: `u${id}` })}` }, pk: AUTHED };
    case 'staff':
      return { headers: { authorization: `Bearer ${await token({ pk: STAFF, sub: `s${id}`, staff: true })}` }, pk: STAFF };
    case 'superuser':
      return { headers: { authorization: `Bearer ${await token({ pk: SUPER, sub: `r${id}`, superuser: true })}` }, pk: SUPER };
    case 'subless':
      return { headers: { authorization: `Bearer ${await token({ pk: AUTHED })}` }, pk: AUTHED };
    case 'peruser':
      return { headers: { authorization: `Bearer ${await token({ pk: USER_KEY, sub: 'u7' })}` }, pk: USER_KEY };
  }
}

const step = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
    kind: fc.constant('read' as const),
    who: fc.constantFrom(...WHO),
    id: fc.integer({ min: 0, max: 3 }),
      fn: fc.constantFrom('greet', 'board', 'staff_board', 'members'),
      name: fc.constantFrom('Ada', 'Grace'),
    rev: fc.constantFrom(0, 0, 0, 3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('write' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120_000 }) }) },
);

describe('no answer crosses a permission key', () => {
  it('holds for random callers, reads, writes and clocks', async () => {
    let totalHits = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 60 }), async (steps) => {
        const { edge, origin, time } = setup();
        const ctx = waiter();
        let hits = 0;
        for (const s of steps) {
          if (s.kind === 'tick') {
            time.advance(s.ms);
            continue;
          }
          if (s.kind === 'write') {
            await (await edge(new Request('https://edge.test/api/mizan/call/post_note', { method: 'POST', body: '{}' }))).text();
            continue;
          }
          const { headers, pk } = await headersOf(s.who, s.id);
          const params = s.fn === 'greet' ? `?p=${encodeURIComponent(JSON.stringify({ name: s.name }))}` : '';
          const revPart = s.rev === 0 ? '' : `${params === '' ? '?' : '&'}rev=${s.rev}`;
          const response = await edge(get(`/context/${s.fn}${params}${revPart}`, headers), ctx);
          await ctx.settle();
          if (response.status !== 200) {
            // Only the server refuses callers; the edge never serves them a stored answer.
            expect(response.headers.get('x-mizan-edge')).toBe('bypass');
            continue;
          }
          const body = JSON.parse(await response.text());
          const expectedPk = s.fn === 'greet' || s.fn === 'members' ? ANON : (pk ?? ANON);
          expect(body.pk).toBe(expectedPk);
          if (response.headers.get('x-mizan-edge') !== 'miss') hits++;
          // A served answer of the notes is never older than the last write, which purged it.
          const notes = s.fn === 'board' || s.fn === 'staff_board';
          if (notes && response.headers.get('x-mizan-edge') === 'hit') expect(body.v).toBe(origin.version.n);
        }
        totalHits += hits;
      }),
      { numRuns: 40 },
    );
    // The property means something only if answers were served from the cache.
    expect(totalHits).toBeGreaterThan(100);
  });
});
