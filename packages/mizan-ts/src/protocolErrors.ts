/**
 * The error codes of Layer 2, the HTTP protocol (spec §2.6), with their HTTP statuses: the same
 * table as the Rust crates (`mizan_core::ProtocolErrorCode`, re-exported as `mizan::ErrorCode`),
 * pinned by `spec/vectors/errors.json`.
 * @module
 */

/**
 * Every protocol error code and its HTTP status, in the order of the table in spec §2.6. Kept as
 * data so that callers can enumerate the codes and {@link ProtocolErrorCode} cannot drift from
 * them.
 */
export const PROTOCOL_ERROR_STATUS = {
  malformed_json: 400,
  malformed_multipart: 400,
  non_canonical_query: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  stale_client: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal: 500,
  overloaded: 503,
  unavailable: 503,
} as const;

/** One protocol error code (spec §2.6). */
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_STATUS;

/** Every protocol error code, in table order. */
export const PROTOCOL_ERROR_CODES = /* @__PURE__ */ Object.keys(
  PROTOCOL_ERROR_STATUS,
) as readonly ProtocolErrorCode[];
