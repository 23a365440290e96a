//! Emails, passwords and usernames: their rules (§2.14.1) and the param types that carry them,
//! whose schemas make the server and the generated Zod enforce the same rules.

use mizan_core::form::{EMAIL_PATTERN, email_matches};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use std::borrow::Cow;

use crate::AccountsError;

/// The longest valid email, after normalization.
pub const MAX_EMAIL_CHARS: usize = 254;
/// The shortest valid password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest valid password, in characters: long enough for any passphrase, short enough that
/// hashing it costs the same as hashing a short one.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// The longest valid username.
pub const MAX_USERNAME_CHARS: usize = 150;
const USERNAME_PATTERN: &str = "^[A-Za-z0-9.@+_-]+$";

/// The normalized form of `email` (surrounding whitespace removed, ASCII letters lowercased), if
/// it is a valid login name (§2.14.1).
pub fn normalize_email(email: &str) -> Result<String, AccountsError> {
    let normalized = email.trim().to_ascii_lowercase();
    if normalized.chars().count() <= MAX_EMAIL_CHARS && email_matches(&normalized) {
        Ok(normalized)
    } else {
        Err(AccountsError::InvalidEmail)
    }
}

/// Whether `password` has an acceptable length (§2.14.1). It is never trimmed.
pub fn check_password(password: &str) -> Result<(), AccountsError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        Ok(())
    } else {
        Err(AccountsError::InvalidPassword)
    }
}

/// The normalized form of `username` (ASCII letters lowercased, so `Eve` and `eve` are one name),
/// if it is 1 to 150 characters from `A-Z a-z 0-9 . _ @ + -`.
pub fn normalize_username(username: &str) -> Result<String, AccountsError> {
    let valid = !username.is_empty()
        && username.len() <= MAX_USERNAME_CHARS
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b));
    if valid {
        Ok(username.to_ascii_lowercase())
    } else {
        Err(AccountsError::InvalidUsername)
    }
}

/// An email param: at most 254 characters matching the email pattern of §2.13.2.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Email(pub String);

impl JsonSchema for Email {
    fn schema_name() -> Cow<'static, str> {
        "Email".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "email",
            "maxLength": MAX_EMAIL_CHARS,
            "pattern": EMAIL_PATTERN,
        })
    }
}

/// A password param: 8 to 1024 characters, taken as sent.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl JsonSchema for Password {
    fn schema_name() -> Cow<'static, str> {
        "Password".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "password",
            "minLength": MIN_PASSWORD_CHARS,
            "maxLength": MAX_PASSWORD_CHARS,
        })
    }
}

/// A username param: 1 to 150 characters from `A-Z a-z 0-9 . _ @ + -`.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Username(pub String);

impl JsonSchema for Username {
    fn schema_name() -> Cow<'static, str> {
        "Username".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_USERNAME_CHARS,
            "pattern": USERNAME_PATTERN,
        })
    }
}

/// A reset token param, as a reset mail carries it: 1 to 64 characters (real ones have 43).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(inline)]
pub struct ResetToken(#[schemars(length(min = 1, max = 64))] pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased_in_ascii_only() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.org",
            "a b@x.org",
            "ada@exa mple.org",
            "ädä@x.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@x.org", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"é".repeat(1024)).is_ok());
        assert!(check_password(&"é".repeat(1025)).is_err());
        assert!(check_password("        ").is_ok(), "never trimmed");
    }

    #[test]
    fn usernames_use_a_small_alphabet() {
        assert_eq!(
            normalize_username("Ada.L+1@x_y-Z").unwrap(),
            "ada.l+1@x_y-z"
        );
        for bad in ["", "a b", "ada!", "ädä"] {
            assert!(normalize_username(bad).is_err(), "{bad:?}");
        }
        assert!(normalize_username(&"a".repeat(151)).is_err());
    }
}
