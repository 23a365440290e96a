/**
 * Mizan Layer 1 for TypeScript: canonical JSON, derived keys, cache keys, permission keys and the
 * Mizan Web Token, on Web Crypto alone; plus the framework-free parts of Layer 2, the canonical
 * context query and the protocol's error table. The normative description is `spec/PROTOCOL.md`;
 * the Rust crate `mizan-core` implements the same bytes, pinned by the shared test vectors.
 * @packageDocumentation
 */

export { CORE_ERROR_CODES, MizanCoreError, isMizanCoreError, type CoreErrorCode } from './errors.js';
export {
  MAX_DEPTH,
  canonicalize,
  canonicalizeBytes,
  canonicalizeText,
  type JsonValue,
} from './canonical.js';
export { parseStrict } from './parse.js';
export { base64urlDecode, base64urlEncode } from './base64url.js';
export { fromHex, toHex } from './hex.js';
export { KEY_PURPOSES, MIN_SECRET_BYTES, deriveKey, type KeyPurpose } from './keys.js';
export { CacheKeyDeriver, MAX_FUNCTION_NAME_BYTES, isValidFunctionName } from './cacheKey.js';
export { MAX_USER_ID_BYTES, PermissionKeyDeriver, type PermissionScope } from './permissionKey.js';
export type { MwtClaims } from './claims.js';
export {
  DEFAULT_SKEW_SECONDS,
  Keyring,
  MAX_TOKEN_BYTES,
  isValidKid,
  type KeyringEntry,
  type KeyringOptions,
  type SignOptions,
  type VerifyOptions,
} from './mwt.js';
export {
  PROTOCOL_ERROR_CODES,
  PROTOCOL_ERROR_STATUS,
  type ProtocolErrorCode,
} from './protocolErrors.js';
export {
  ContextQueryError,
  contextUrl,
  decodeContextQuery,
  encodeCanonicalContextQuery,
  encodeContextQuery,
  percentEncode,
  type ContextQueryErrorCode,
  type ContextQueryErrorDetails,
  type DecodedContextQuery,
} from './contextQuery.js';
