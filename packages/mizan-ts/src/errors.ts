/**
 * Every Layer 1 error code, in the order of the table in `spec/PROTOCOL.md` §1.7.
 *
 * The codes are the wire contract shared with the Rust implementation and the test vectors, so
 * they are kept as data: callers can enumerate them and the type below cannot drift from them.
 */
export const CORE_ERROR_CODES = [
  'invalid_utf8',
  'invalid_json',
  'non_finite_number',
  'float_not_allowed',
  'integer_out_of_range',
  'lone_surrogate',
  'duplicate_key',
  'depth_exceeded',
  'unsupported_value',
  'secret_too_short',
  'invalid_function_name',
  'params_not_object',
  'invalid_permission_key',
  'invalid_rev',
  'invalid_user_id',
  'invalid_kid',
  'duplicate_kid',
  'empty_keyring',
  'invalid_claims',
  'token_too_large',
  'malformed_token',
  'unsupported_version',
  'unknown_kid',
  'invalid_encoding',
  'invalid_tag_length',
  'bad_signature',
  'malformed_payload',
  'wrong_issuer',
  'wrong_audience',
  'expired',
  'not_yet_valid',
  'issued_in_future',
] as const;

/** One stable Layer 1 error code (spec §1.7). */
export type CoreErrorCode = (typeof CORE_ERROR_CODES)[number];

/**
 * The only error thrown by this package's public API.
 *
 * Callers branch on {@link MizanCoreError.code}, never on the message: the code is stable and
 * shared with the Rust implementation, the message is for humans and may change.
 */
export class MizanCoreError extends Error {
  /** The stable error code (spec §1.7). */
  readonly code: CoreErrorCode;

  /**
   * @param code - the stable code.
   * @param detail - a human-readable explanation; defaults to the code itself.
   * @param options - standard `ErrorOptions`, to keep the underlying `cause` when one exists.
   */
  constructor(code: CoreErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail === undefined ? code : `${code}: ${detail}`, options);
    this.name = 'MizanCoreError';
    this.code = code;
  }
}

/**
 * Whether `value` is a {@link MizanCoreError}.
 *
 * `instanceof` breaks when two copies of this package are loaded (bundlers, workspaces), so this
 * checks the shape as well.
 */
export function isMizanCoreError(value: unknown): value is MizanCoreError {
  if (value instanceof MizanCoreError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { name?: unknown; code?: unknown };
  return (
    v.name === 'MizanCoreError' &&
    typeof v.code === 'string' &&
    (CORE_ERROR_CODES as readonly string[]).includes(v.code)
  );
}

/** Throws a {@link MizanCoreError}; a function so that call sites stay one line. @internal */
export function fail(code: CoreErrorCode, detail?: string, cause?: unknown): never {
  throw new MizanCoreError(code, detail, cause === undefined ? undefined : { cause });
}
