import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validationError } from '../src/errors.js';
import { fieldsFromIssues } from '../src/issues.js';

describe('fields from Zod issues', () => {
  it('reports unknown members at their own paths, once per path', () => {
    const schema = z.strictObject({
      title: z.string().max(3).regex(/^[a-z]+$/u),
      address: z.strictObject({ zip: z.string() }),
    });
    const result = schema.safeParse({ title: 'ABCDE', address: { zip: '1', city: 'x' }, extra: 1 });
    expect(result.success).toBe(false);
    const fields = fieldsFromIssues(result.error!.issues);
    expect(fields.map((f) => f.path)).toEqual([['title'], ['address', 'city'], ['extra']]);
    expect(fields[1]!.message).toBe('unknown field');
    expect(fields[2]!.message).toBe('unknown parameter');
  });

  it('counts fields, not issues, in the message', () => {
    const err = validationError([
      { path: ['a'], message: 'too long' },
      { path: ['a'], message: 'bad pattern' },
    ]);
    expect(err.message).toBe('1 parameter is invalid');
    expect(err.fields).toEqual([{ path: ['a'], message: 'too long' }]);
  });
});
