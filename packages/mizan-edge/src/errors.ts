/**
 * The errors the edge answers itself, shaped as the server's (spec §2.6), and the one it throws
 * for a bad configuration.
 * @module
 */

import { PROTOCOL_ERROR_STATUS, type ProtocolErrorCode } from 'mizan-ts';

/** A configuration the edge cannot run with (a bad manifest, secret or base path). */
export class EdgeConfigError extends Error {
  /** @param message - what is wrong, for the operator. */
  constructor(message: string) {
    super(message);
    this.name = 'EdgeConfigError';
  }
}

/**
 * An error response as the server writes it (spec §2.6): `{code, details?, message, status}`,
 * `Content-Type: application/json`, `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`,
 * and `WWW-Authenticate: Bearer` on a `401` (spec §2.5).
 */
export function errorResponse(
  code: ProtocolErrorCode,
  message: string,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): Response {
  const status = PROTOCOL_ERROR_STATUS[code];
  // Members in the order the reference server writes them (sorted), so the bytes are the same.
  const body = details === undefined ? { code, message, status } : { code, details, message, status };
  const response = new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
  });
  if (code === 'unauthenticated') response.headers.set('www-authenticate', 'Bearer');
  return response;
}
