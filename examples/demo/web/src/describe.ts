import { isMizanError } from 'mizan-react';

/** An error as the demo shows it: `<status> <code>: <message>` for a Mizan error. */
export function describe(error: unknown): string {
  return isMizanError(error) ? `${error.status} ${error.code}: ${error.message}` : String(error);
}
