//! The stable error codes of Layer 1 (`spec/PROTOCOL.md` §1.7).

use std::fmt;

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// Every Layer 1 failure, by its stable wire code.
        ///
        /// Each operation has its own error type (for example [`crate::CanonicalError`]); all of
        /// them map to one of these codes through their `code()` method.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of the specification's table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire and in the test vectors.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    /// Input bytes are not valid UTF-8.
    InvalidUtf8 => "invalid_utf8",
    /// Input is not RFC 8259 JSON text.
    InvalidJson => "invalid_json",
    /// `NaN`, `Infinity` or `-Infinity`.
    NonFiniteNumber => "non_finite_number",
    /// A number with a fraction or an exponent.
    FloatNotAllowed => "float_not_allowed",
    /// An integer outside `-(2^53-1) ..= 2^53-1`.
    IntegerOutOfRange => "integer_out_of_range",
    /// A surrogate code point that is not part of a pair.
    LoneSurrogate => "lone_surrogate",
    /// An object key that appears twice.
    DuplicateKey => "duplicate_key",
    /// Containers nested deeper than the limit.
    DepthExceeded => "depth_exceeded",
    /// A value that JSON cannot represent.
    UnsupportedValue => "unsupported_value",
    /// A root secret shorter than 32 bytes.
    SecretTooShort => "secret_too_short",
    /// A function name that breaks the naming rule.
    InvalidFunctionName => "invalid_function_name",
    /// Cache-key params that are not a JSON object.
    ParamsNotObject => "params_not_object",
    /// An empty permission key.
    InvalidPermissionKey => "invalid_permission_key",
    /// A `rev` outside `0 ..= 2^53-1`.
    InvalidRev => "invalid_rev",
    /// A user id that is empty or longer than 256 bytes.
    InvalidUserId => "invalid_user_id",
    /// A key id that breaks the `kid` rule.
    InvalidKid => "invalid_kid",
    /// Two keyring entries with the same key id.
    DuplicateKid => "duplicate_kid",
    /// A keyring without entries, or whose primary is not among them.
    EmptyKeyring => "empty_keyring",
    /// Claims that cannot be signed.
    InvalidClaims => "invalid_claims",
    /// A token over 4096 bytes.
    TokenTooLarge => "token_too_large",
    /// A token that is not four `.`-separated segments.
    MalformedToken => "malformed_token",
    /// A token whose first segment is not `mwt1`.
    UnsupportedVersion => "unsupported_version",
    /// A key id that is not in the keyring.
    UnknownKid => "unknown_kid",
    /// A payload or tag that is not strict base64url.
    InvalidEncoding => "invalid_encoding",
    /// A tag that is not 32 bytes.
    InvalidTagLength => "invalid_tag_length",
    /// A tag that does not match.
    BadSignature => "bad_signature",
    /// A payload that is not a canonical claims object.
    MalformedPayload => "malformed_payload",
    /// The `iss` claim is not the expected issuer.
    WrongIssuer => "wrong_issuer",
    /// The `aud` claim is not the expected audience.
    WrongAudience => "wrong_audience",
    /// The token has expired.
    Expired => "expired",
    /// The token's `nbf` lies in the future.
    NotYetValid => "not_yet_valid",
    /// The token's `iat` lies in the future.
    IssuedInFuture => "issued_in_future",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{s}"
            );
        }
        assert_eq!(seen.len(), 32);
    }

    #[test]
    fn spec_table_lists_every_code() {
        let spec = include_str!("../../../spec/PROTOCOL.md");
        for code in ErrorCode::ALL {
            assert!(
                spec.contains(&format!("| `{code}` |")),
                "{code} missing from spec §1.7"
            );
        }
    }
}
