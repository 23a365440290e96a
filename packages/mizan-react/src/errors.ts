/**
 * The one error type of the runtime: every rejected promise and every failed query carries a
 * {@link MizanError}, whether the server answered with a protocol error (spec §2.6), the network
 * failed, or the input was refused before any request was sent.
 * @module
 */

import { PROTOCOL_ERROR_CODES } from 'mizan-ts';
import { fieldsFromIssues, type IssueLike } from './issues.js';

/**
 * Every error code a {@link MizanError} may carry: the codes of spec §2.6, in the order of its
 * table (`PROTOCOL_ERROR_CODES` of `mizan-ts`, the one table shared with the server), then the two
 * that only the client produces (`network_error`, `invalid_response`).
 *
 * Kept as data so that callers can enumerate the codes and {@link MizanErrorCode} cannot drift
 * from them.
 */
export const MIZAN_ERROR_CODES = [
  ...PROTOCOL_ERROR_CODES,
  'network_error',
  'invalid_response',
] as const;

/** One known error code (see {@link MIZAN_ERROR_CODES}). */
export type MizanErrorCode = (typeof MIZAN_ERROR_CODES)[number];

/**
 * One failing value of a `validation_failed` error: the path from the params object to the value
 * (object keys and array indexes) and a message for people.
 */
export interface MizanFieldError {
  path: (string | number)[];
  message: string;
}

/** What a {@link MizanError} is made of; `status`, `fields` and `details` are optional. */
export interface MizanErrorInit {
  code: MizanErrorCode | (string & {});
  message: string;
  /** The HTTP status; `0` when no response was involved. Default `0`. */
  status?: number;
  fields?: MizanFieldError[];
  details?: unknown;
  cause?: unknown;
}

/**
 * An error from a Mizan call or context.
 *
 * Branch on {@link MizanError.code}, never on the message: codes are stable, messages are for
 * people and may change.
 */
export class MizanError extends Error {
  /**
   * A code of spec §2.6, `network_error` (the request never got an answer) or `invalid_response`
   * (the answer is not the protocol's shape). Typed open-ended so that a code added by a newer
   * server still type-checks.
   */
  readonly code: MizanErrorCode | (string & {});
  /**
   * The HTTP status of the response, or of the batch item. `0` for `network_error` and for input
   * refused on the client before sending.
   */
  readonly status: number;
  /** The failing fields of a `validation_failed` error; empty otherwise. */
  readonly fields: MizanFieldError[];
  /** Machine-readable details (such as `reason` for `malformed_json`), when the server sent any. */
  readonly details: unknown;

  /**
   * Whether the server runs another version of the function than this client was built against
   * (`stale_client`, spec §2.7): the page is out of date and reloading it fixes this.
   */
  get isStaleClient(): boolean {
    return this.code === 'stale_client';
  }

  /** @param init - the code, message and optional status, fields, details and cause. */
  constructor(init: MizanErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'MizanError';
    this.code = init.code;
    this.status = init.status ?? 0;
    this.fields = init.fields ?? [];
    this.details = init.details;
  }
}

/**
 * Whether `e` is a {@link MizanError}.
 *
 * `instanceof` fails when a bundle holds two copies of this package, so the shape is checked too.
 */
export function isMizanError(e: unknown): e is MizanError {
  if (e instanceof MizanError) return true;
  const v = e as Partial<MizanError> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.name === 'MizanError' &&
    typeof v.code === 'string' &&
    typeof v.status === 'number' &&
    Array.isArray(v.fields)
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A path element is an object key or an array index; anything else means the body is not ours.
function isPath(v: unknown): v is (string | number)[] {
  return Array.isArray(v) && v.every((k) => typeof k === 'string' || Number.isInteger(k));
}

function isFieldError(v: unknown): v is MizanFieldError {
  return isRecord(v) && isPath(v.path) && typeof v.message === 'string';
}

/**
 * The error for a response (or batch item) that is not the protocol's shape.
 * @internal
 */
export function invalidResponse(status: number, cause?: unknown): MizanError {
  return new MizanError({
    code: 'invalid_response',
    message: `invalid response from the server (HTTP ${status})`,
    status,
    cause,
  });
}

/**
 * Reads a protocol error object (spec §2.6). `code`, `message` and `status` must be there and
 * `fields`, when present, well formed; anything else is `invalid_response` with `httpStatus`,
 * because guessing at a foreign body (a proxy's HTML page, say) would invent a code.
 * @internal
 */
export function errorFromBody(body: unknown, httpStatus: number): MizanError {
  if (
    isRecord(body) &&
    typeof body.code === 'string' &&
    typeof body.message === 'string' &&
    typeof body.status === 'number' &&
    (body.fields === undefined || (Array.isArray(body.fields) && body.fields.every(isFieldError)))
  ) {
    return new MizanError({
      code: body.code,
      message: body.message,
      status: body.status,
      fields: body.fields as MizanFieldError[] | undefined,
      details: body.details,
    });
  }
  return invalidResponse(httpStatus);
}

/**
 * The `validation_failed` error for input refused on the client (status 0), from Zod-style issues,
 * with the fields the server would report for the same input (see `fieldsFromIssues`).
 * @internal
 */
export function validationError(issues: readonly IssueLike[], input?: unknown): MizanError {
  const fields = fieldsFromIssues(issues, input);
  const n = fields.length;
  return new MizanError({
    code: 'validation_failed',
    message: n === 1 ? '1 parameter is invalid' : `${n} parameters are invalid`,
    fields,
  });
}
