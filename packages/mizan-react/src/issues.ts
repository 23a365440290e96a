/**
 * Zod issues turned into the `fields` of a `validation_failed` error, reported the way the
 * server reports the same input (spec/PROTOCOL.md §2.6): a member that names nothing is reported
 * at its own path (Zod reports `unrecognized_keys` at the object), and each path at most once.
 * @module
 */

import type { MizanFieldError } from './errors.js';

/** The part of a Zod issue the conversion reads. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly keys?: readonly string[];
}

const segment = (k: PropertyKey): string | number => (typeof k === 'symbol' ? String(k) : k);

/** Whether `input` holds an object at `path` that lacks the member `key`. */
function lacks(input: unknown, path: readonly (string | number)[], key: string | number): boolean {
  let at: unknown = input;
  for (const step of path) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<string | number, unknown>)[step];
  }
  return (
    typeof key === 'string' &&
    typeof at === 'object' &&
    at !== null &&
    !Array.isArray(at) &&
    !Object.prototype.hasOwnProperty.call(at, key)
  );
}

/**
 * One field per failing path, in the order of the issues; the first issue on a path wins. A
 * member that names nothing is reported at its own path (`unknown parameter` at the top level,
 * `unknown field` below); given the `input` that was parsed, a missing member gets the messages
 * the server gives (`missing required parameter`, `missing required field`, spec §2.6). For form
 * libraries that run the generated schemas themselves and want the server's field errors.
 */
export function fieldsFromIssues(issues: readonly IssueLike[], input?: unknown): MizanFieldError[] {
  const fields: MizanFieldError[] = [];
  const seen = new Set<string>();
  const add = (path: (string | number)[], message: string): void => {
    const key = JSON.stringify(path);
    if (seen.has(key)) return;
    seen.add(key);
    fields.push({ path, message });
  };
  for (const issue of issues) {
    const path = issue.path.map(segment);
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const message = path.length === 0 ? 'unknown parameter' : 'unknown field';
      for (const key of issue.keys) add([...path, key], message);
    } else if (
      issue.code === 'invalid_type' &&
      path.length > 0 &&
      lacks(input, path.slice(0, -1), path[path.length - 1] as string | number)
    ) {
      add(path, path.length === 1 ? 'missing required parameter' : 'missing required field');
    } else {
      add(path, issue.message);
    }
  }
  return fields;
}
