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

/**
 * One field per failing path, in the order of the issues; the first issue on a path wins.
 * @internal
 */
export function fieldsFromIssues(issues: readonly IssueLike[]): MizanFieldError[] {
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
    } else {
      add(path, issue.message);
    }
  }
  return fields;
}
