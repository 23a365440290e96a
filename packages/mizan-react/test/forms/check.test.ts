// @vitest-environment node
// checkForm against the rules of spec §2.13.2, one rule per test; the parity corpus
// (forms.vectors.test.ts) pins the same rules against the server.
import { describe, expect, it } from 'vitest';
import { checkForm, formSchema, type FieldSpec } from '../../src/index.js';
import { compareDecimals, decimalDigits, isDecimal } from '../../src/forms/decimal.js';
import { URL_PATTERN, EMAIL_PATTERN } from '../../src/forms/patterns.js';
import { isDate, isDatetime, isTime, normalizedTime } from '../../src/forms/temporal.js';
import { field, form } from './specs.js';

const one = (f: FieldSpec, value: unknown, mode?: 'validate' | 'submit_json') =>
  checkForm(form('f', [f]), { [f.name]: value }, mode);
const message = (f: FieldSpec, value: unknown, mode?: 'validate' | 'submit_json') =>
  one(f, value, mode)[0]?.message;

describe('checkForm', () => {
  it('reports unknown members at their own path, missing required fields, and non-objects at []', () => {
    const spec = form('f', [field('name', 'text'), field('note', 'text', { required: false })]);
    expect(checkForm(spec, { name: '', x: 1, y: undefined })).toEqual([
      { path: ['x'], message: 'Unknown field.' },
      { path: ['name'], message: 'This field is required.' },
    ]);
    expect(checkForm(spec, { name: 'Ada', note: '' })).toEqual([]);
    expect(checkForm(spec, [])).toEqual([{ path: [], message: 'Enter a valid value.' }]);
    expect(checkForm(spec, null)).toEqual([{ path: [], message: 'Enter a valid value.' }]);
  });

  it('counts as missing exactly what §2.13.2 lists', () => {
    expect(message(field('n', 'integer'), '')).toBe('Enter a whole number.');
    expect(message(field('d', 'decimal'), '')).toBe('This field is required.');
    expect(message(field('m', 'multichoice', { choices: [] }), [])).toBe('This field is required.');
    expect(message(field('r', 'rows', { fields: [] }), [])).toBeUndefined();
    expect(message(field('b', 'boolean'), false)).toBe('This field is required.');
    expect(message(field('b', 'boolean', { required: false }), false)).toBeUndefined();
    expect(one(field('g', 'group', { fields: [field('x', 'text')] }), {})).toEqual([
      { path: ['g', 'x'], message: 'This field is required.' },
    ]);
  });

  it('checks text lengths in code points, then the pattern with its message', () => {
    const name = field('s', 'text', { min_length: 2, max_length: 3, pattern: '[a-z😀]+', pattern_message: 'Lowercase.' });
    expect(message(name, '😀😀😀')).toBeUndefined();
    expect(message(name, '😀')).toBe('Ensure this value has at least 2 characters.');
    expect(message(name, 'abcd')).toBe('Ensure this value has at most 3 characters.');
    expect(message(name, 'AB')).toBe('Lowercase.');
    expect(message(field('s', 'text', { pattern: '[a-z]+' }), 'ab1')).toBe('Enter a valid value.');
    expect(message(field('s', 'text', { pattern: '(' }), 'x')).toBe('Enter a valid value.');
    expect(message(name, 3)).toBe('Enter a valid value.');
  });

  it('checks emails and URLs with the shared patterns', () => {
    const email = field('e', 'email');
    expect(message(email, 'ada@example.com')).toBeUndefined();
    expect(message(email, 'ada@')).toBe('Enter a valid email address.');
    expect(message(email, 5)).toBe('Enter a valid email address.');
    expect(message(email, `${'a'.repeat(250)}@b.co`)).toBe('Ensure this value has at most 254 characters.');
    const url = field('u', 'url');
    expect(message(url, 'HTTPS://example.com/a b')).toBe('Enter a valid URL.');
    expect(message(url, 'HtTpS://example.com/a?b#c')).toBeUndefined();
    expect(message(url, 'ftp://example.com')).toBe('Enter a valid URL.');
  });

  it('reads whitespace in URLs as the listed White_Space set, and the scheme as ASCII only', () => {
    expect(URL_PATTERN.test('https://a\u0085b')).toBe(false);
    expect(URL_PATTERN.test('https://a\ufeffb')).toBe(true);
    expect(URL_PATTERN.test('https://a\u3000b')).toBe(false);
    expect(URL_PATTERN.test('http://a/\u200a')).toBe(false);
    expect(URL_PATTERN.test('http://a/\u200b')).toBe(true);
    expect(URL_PATTERN.test('http\u017f://a')).toBe(false);
    expect(EMAIL_PATTERN.test('a@b-.c')).toBe(false);
  });

  it('checks integers: integral, within 2^53 − 1, then min and max as written', () => {
    const n = field('n', 'integer', { min: -5, max: 10 });
    expect(message(n, 3)).toBeUndefined();
    expect(message(n, 3.5)).toBe('Enter a whole number.');
    expect(message(n, '3')).toBe('Enter a whole number.');
    expect(message(n, -6)).toBe('Ensure this value is greater than or equal to -5.');
    expect(message(n, 11)).toBe('Ensure this value is less than or equal to 10.');
    expect(message(field('n', 'integer'), 2 ** 53)).toBe('Enter a whole number.');
    expect(message(field('n', 'integer'), -(2 ** 53 - 1))).toBeUndefined();
  });

  it('checks decimals exactly, digits first', () => {
    const d = field('d', 'decimal', { max_digits: 4, decimal_places: 2, min: '0.10', max: '99.5' });
    expect(message(d, '007.50')).toBeUndefined();
    expect(message(d, '1e3')).toBe('Enter a number.');
    expect(message(d, 1.5)).toBe('Enter a number.');
    expect(message(d, '123.45')).toBe('Ensure that there are no more than 4 digits in total.');
    expect(message(d, '1.234')).toBe('Ensure that there are no more than 2 decimal places.');
    expect(message(d, '0.09')).toBe('Ensure this value is greater than or equal to 0.10.');
    expect(message(d, '99.51')).toBe('Ensure this value is less than or equal to 99.5.');
    expect(isDecimal('-0')).toBe(true);
    for (const bad of ['', '-', '.5', '5.', '+1', ' 1', '1,5', '١']) expect(isDecimal(bad)).toBe(false);
    expect(decimalDigits('0.05')).toEqual({ total: 2, places: 2 });
    expect(compareDecimals('1.50', '1.5')).toBe(0);
    expect(compareDecimals('-0', '0.00')).toBe(0);
    expect(compareDecimals('-2', '-10')).toBeGreaterThan(0);
    expect(compareDecimals('10', '9.99')).toBeGreaterThan(0);
    expect(compareDecimals('-0.1', '0')).toBeLessThan(0);
  });

  it('checks booleans and choices', () => {
    expect(message(field('b', 'boolean'), 'on')).toBe('Enter a valid boolean.');
    const c = field('c', 'choice', { choices: [{ value: 'a', label: 'A' }] });
    expect(message(c, 'a')).toBeUndefined();
    expect(message(c, 'b')).toBe('Select a valid choice.');
    expect(message(c, 1)).toBe('Select a valid choice.');
  });

  it('checks multichoice counts, then each item at its index', () => {
    const m = field('m', 'multichoice', {
      min_items: 2,
      max_items: 3,
      choices: ['a', 'b', 'c', 'd'].map((value) => ({ value, label: value })),
    });
    expect(message(m, 'a')).toBe('Enter a list of values.');
    expect(message(m, ['a'])).toBe('Select at least 2 options.');
    expect(message(m, ['a', 'b', 'c', 'd'])).toBe('Select at most 3 options.');
    expect(one(m, ['a', 'x', 3])).toEqual([
      { path: ['m', 1], message: 'Select a valid choice.' },
      { path: ['m', 2], message: 'Select a valid choice.' },
    ]);
  });

  it('checks real dates and times, and their limits with HH:MM as HH:MM:00', () => {
    expect(isDate('2024-02-29') && isDate('2000-02-29')).toBe(true);
    for (const bad of ['2023-02-29', '1900-02-29', '0000-01-01', '2024-13-01', '2024-1-01', '２０２４-01-01']) {
      expect(isDate(bad)).toBe(false);
    }
    expect(isTime('23:59:59') && isTime('00:00')).toBe(true);
    for (const bad of ['24:00', '12:60', '12:00:60', '1:00']) expect(isTime(bad)).toBe(false);
    expect(isDatetime('2024-02-29T08:30')).toBe(true);
    expect(isDatetime('2024-02-29 08:30')).toBe(false);
    expect(normalizedTime('2024-01-01T08:30')).toBe('2024-01-01T08:30:00');
    const t = field('t', 'time', { min: '08:30', max: '17:00:00' });
    expect(message(t, '08:30:00')).toBeUndefined();
    expect(message(t, '08:29:59')).toBe('Ensure this value is on or after 08:30.');
    expect(message(t, '17:00:01')).toBe('Ensure this value is on or before 17:00:00.');
    expect(message(field('d', 'date'), '2023-02-29')).toBe('Enter a valid date.');
    expect(message(field('d', 'datetime'), '2023-02-28')).toBe('Enter a valid date and time.');
    expect(message(field('d', 'time'), 830)).toBe('Enter a valid time.');
  });

  it('checks groups and rows at their nested paths', () => {
    const rows = field('items', 'rows', { min_items: 1, max_items: 3, fields: [field('qty', 'integer')] });
    expect(message(rows, {})).toBe('Enter a list of values.');
    expect(message(rows, [])).toBe('Ensure there are at least 1 rows.');
    expect(message(rows, [{}, {}, {}, {}])).toBe('Ensure there are at most 3 rows.');
    expect(one(rows, [{ qty: 1 }, { qty: 'x', y: 1 }, 3])).toEqual([
      { path: ['items', 1, 'y'], message: 'Unknown field.' },
      { path: ['items', 1, 'qty'], message: 'Enter a whole number.' },
      { path: ['items', 2], message: 'Enter a valid value.' },
    ]);
    expect(message(field('g', 'group', { fields: [] }), [])).toBe('Enter a valid value.');
  });

  it('checks files from a description or a browser File, and refuses them in a JSON submit', () => {
    const f = field('cv', 'file', { max_size: 10, accept: ['image/*', 'application/pdf'] });
    expect(message(f, { name: 'a', size: 3, type: 'IMAGE/PNG; x=1' })).toBeUndefined();
    expect(message(f, { name: 'a', size: 3, type: 'image/' })).toBe('This file type is not allowed.');
    expect(message(f, { name: 'a', size: 11, type: 'image/png' })).toBe('Ensure this file is at most 10 bytes.');
    expect(message(f, { name: 'a', size: 3 })).toBe('Upload a valid file.');
    expect(message(f, { name: 'a', size: 3, type: 'x', more: 1 })).toBe('Upload a valid file.');
    expect(message(f, { name: 'a', size: -1, type: 'image/png' })).toBe('Upload a valid file.');
    expect(message(f, new File(['%PDF'], 'a.pdf', { type: 'application/pdf' }))).toBeUndefined();
    expect(message(f, new Blob(['x'.repeat(11)], { type: 'image/png' }))).toBe('Ensure this file is at most 10 bytes.');
    expect(message(f, new File(['x'], 'a.txt', { type: 'text/plain' }))).toBe('This file type is not allowed.');
    expect(message(f, { name: 'a', size: 3, type: 'image/png' }, 'submit_json')).toBe('Upload a valid file.');
    expect(one(field('cv', 'file', { required: false }), null, 'submit_json')).toEqual([]);
    // The essence: only spaces and tabs trimmed, only ASCII letters lowercased.
    const md = field('cv', 'file', { accept: ['text/markdown'] });
    expect(message(md, { name: 'a', size: 1, type: ' TEXT/Markdown\t; charset=utf-8' })).toBeUndefined();
    expect(message(md, { name: 'a', size: 1, type: 'text/markdown\u00a0' })).toBe('This file type is not allowed.');
    expect(message(md, { name: 'a', size: 1, type: 'text/mar\u212adown' })).toBe('This file type is not allowed.');
    // The size is a whole number as for integers.
    expect(message(md, { name: 'a', size: -0, type: 'text/markdown' })).toBeUndefined();
    expect(message(md, { name: 'a', size: 1.5, type: 'text/markdown' })).toBe('Upload a valid file.');
    expect(message(md, { name: 'a', size: 2 ** 53, type: 'text/markdown' })).toBe('Upload a valid file.');
  });
});

describe('formSchema', () => {
  it('refuses with the field errors of checkForm as Zod issues, and returns the values unchanged', () => {
    const spec = form('f', [field('name', 'text'), field('age', 'integer')]);
    const bad = formSchema(spec).safeParse({ name: '', age: 1.5, x: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['x'], 'Unknown field.'],
      [['name'], 'This field is required.'],
      [['age'], 'Enter a whole number.'],
    ]);
    const values = { name: 'Ada', age: 36 };
    expect(formSchema(spec).parse(values)).toEqual(values);
    const file = { f: { name: 'a', size: 1, type: 'x/y' } };
    const withFile = form('f', [field('f', 'file')]);
    expect(formSchema(withFile).safeParse(file).success).toBe(true);
    expect(formSchema(withFile, 'submit_json').safeParse(file).success).toBe(false);
  });
});
