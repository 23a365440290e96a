//! What can go wrong in the accounts module, and how each failure reaches a client.

use std::fmt;

/// A failure of the user store or of the accounts module's setup.
#[derive(Debug)]
#[non_exhaustive]
pub enum AccountsError {
    /// The database URL is not one the module can open (`sqlite:` or `postgres:`).
    UnsupportedUrl(String),
    /// The database did not answer in time, or the connection broke: retry later.
    Unavailable(sqlx::Error),
    /// A migration failed; the database is left as it was before it.
    Migration(sqlx::migrate::MigrateError),
    /// The email is not a valid login name (§2.14.1).
    InvalidEmail,
    /// The password is not 8 to 1024 characters (§2.14.1).
    InvalidPassword,
    /// The username is not 1 to 150 characters from `A-Z a-z 0-9 . _ @ + -`.
    InvalidUsername,
    /// Another user has this email.
    EmailTaken,
    /// Another user has this username.
    UsernameTaken,
    /// No user has this id or email.
    NoSuchUser(String),
    /// The password hash could not be computed (the hashing threads are gone, or a hash panicked).
    Hashing(String),
    /// Too many password checks are waiting already: retry shortly.
    Busy,
    /// Any other database failure.
    Database(sqlx::Error),
}

impl fmt::Display for AccountsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedUrl(url) => write!(
                f,
                "unsupported database URL {url:?}: use sqlite://<file> or postgres://<host>/<db> (with the matching Cargo feature)"
            ),
            Self::Unavailable(e) => write!(f, "the database did not answer: {e}"),
            Self::Migration(e) => {
                write!(f, "a migration failed and was rolled back: {e}")
            }
            Self::InvalidEmail => f.write_str("not a valid email address"),
            Self::InvalidPassword => f.write_str("a password has 8 to 1024 characters"),
            Self::InvalidUsername => {
                f.write_str("a username has 1 to 150 characters from letters, digits and . _ @ + -")
            }
            Self::EmailTaken => f.write_str("another user has this email"),
            Self::UsernameTaken => f.write_str("another user has this username"),
            Self::NoSuchUser(who) => write!(f, "no user {who:?}"),
            Self::Hashing(e) => write!(f, "the password could not be hashed: {e}"),
            Self::Busy => f.write_str("too many password checks are waiting; retry shortly"),
            Self::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for AccountsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unavailable(e) | Self::Database(e) => Some(e),
            Self::Migration(e) => Some(e),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for AccountsError {
    fn from(e: sqlx::Error) -> Self {
        if is_unavailable(&e) {
            Self::Unavailable(e)
        } else {
            Self::Database(e)
        }
    }
}

impl From<sqlx::migrate::MigrateError> for AccountsError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        match e {
            sqlx::migrate::MigrateError::Execute(inner) if is_unavailable(&inner) => {
                Self::Unavailable(inner)
            }
            other => Self::Migration(other),
        }
    }
}

/// Whether `e` says the database could not be reached, rather than that it refused a query.
fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    ) || matches!(e, sqlx::Error::Database(db) if db.code().as_deref().is_some_and(|c| {
        // PostgreSQL: the server is starting up or shutting down (class 57P), or the connection
        // failed (class 08). SQLite: the file is locked past the busy timeout.
        c.starts_with("57P") || c.starts_with("08") || c == "5" || c == "6"
    }))
}

impl AccountsError {
    /// The error a client sees for this failure: `unavailable` (503) when the database did not
    /// answer or too many password checks wait, `conflict` (409) for a taken username, `internal`
    /// (500, the cause logged) otherwise. A plain `?` in a server function would make every one
    /// of them `internal`: convert with `.map_err(AccountsError::into_mizan_error)?`.
    pub fn into_mizan_error(self) -> mizan::Error {
        match self {
            AccountsError::Unavailable(cause) => mizan::Error::unavailable(cause),
            AccountsError::Busy => mizan::Error::unavailable(AccountsError::Busy),
            AccountsError::UsernameTaken => mizan::Error::conflict("this username is taken")
                .with_details(serde_json::json!({"reason": "username_taken"})),
            other => mizan::Error::internal(other),
        }
    }
}
