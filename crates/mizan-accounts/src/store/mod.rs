//! The user store: users, sessions and reset tokens, behind [`UserStore`], with one SQL
//! implementation ([`SqlStore`]) for the embedded SQLite default and for PostgreSQL.

mod migrations;
mod sql;

use mizan::BoxFuture;
use serde::Serialize;

pub use migrations::MIGRATIONS;
pub use sql::SqlStore;

use crate::AccountsError;

/// One user as the store holds it.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    /// The user's id: the `sub` of their tokens.
    pub id: String,
    /// The normalized email: the login name.
    pub email: String,
    /// The optional public name.
    pub username: Option<String>,
    /// The Argon2id PHC string, or `None` for a user who cannot sign in with a password.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Whether the user may sign in; a deactivated user authenticates nobody.
    pub active: bool,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser.
    pub superuser: bool,
    /// When the user was created, in seconds since the Unix epoch.
    pub created_at: i64,
    /// When the password last changed: tokens issued before it are revoked (§2.14.3).
    pub credentials_changed_at: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("username", &self.username)
            .field("active", &self.active)
            .field("staff", &self.staff)
            .field("superuser", &self.superuser)
            .finish_non_exhaustive()
    }
}

/// A user to create.
#[derive(Clone, Default)]
pub struct NewUser {
    /// The id; `None` picks a random one.
    pub id: Option<String>,
    /// The normalized email.
    pub email: String,
    /// The optional username.
    pub username: Option<String>,
    /// The password's hash, or `None` for a user who cannot sign in with a password.
    pub password_hash: Option<String>,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser.
    pub superuser: bool,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("staff", &self.staff)
            .field("superuser", &self.superuser)
            .finish_non_exhaustive()
    }
}

/// Where users, sessions and reset tokens live. Secrets reach it only as digests.
///
/// [`SqlStore`] implements it on SQLite and PostgreSQL; another implementation (a different
/// database, a directory service) can take its place in [`AccountsBuilder::store`](crate::AccountsBuilder::store).
/// Every method is one atomic step: a failure leaves the store as it was.
pub trait UserStore: Send + Sync + 'static {
    /// Creates `user`: [`AccountsError::UsernameTaken`] when the username is taken, whether or
    /// not the email is (so the answer says nothing about the email); else `Ok(None)` when the
    /// email is taken. Nothing is written in either case.
    fn create_user(
        &self,
        user: NewUser,
        now: i64,
    ) -> BoxFuture<'_, Result<Option<UserRecord>, AccountsError>>;

    /// The user with this normalized email.
    fn user_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>>;

    /// The user with this id.
    fn user_by_id<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>>;

    /// Every user, by email.
    fn list_users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>, AccountsError>>;

    /// Sets the user's password hash and `credentials_changed_at`, and ends their sessions and
    /// reset tokens; `false` when there is no such user.
    fn set_password<'a>(
        &'a self,
        user_id: &'a str,
        password_hash: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>>;

    /// Activates or deactivates the user and sets `credentials_changed_at` to `now` (deactivating
    /// also ends their sessions and reset tokens, and no token issued before survives a later
    /// reactivation); `false` when there is no such user.
    fn set_active<'a>(
        &'a self,
        user_id: &'a str,
        active: bool,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>>;

    /// Sets the user's staff and superuser flags and `credentials_changed_at` to `now`, so tokens
    /// that carry the old flags (and the old `pk`) are revoked; `false` when there is no such user.
    fn set_roles<'a>(
        &'a self,
        user_id: &'a str,
        staff: bool,
        superuser: bool,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>>;

    /// Stores a session (by its digest) for the user until `expires_at`, and removes expired
    /// sessions and reset tokens.
    fn create_session<'a>(
        &'a self,
        digest: &'a str,
        user_id: &'a str,
        now: i64,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<(), AccountsError>>;

    /// The active user of the live session with this digest.
    fn session_user<'a>(
        &'a self,
        digest: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>>;

    /// Ends the session with this digest, if there is one.
    fn delete_session<'a>(&'a self, digest: &'a str) -> BoxFuture<'a, Result<(), AccountsError>>;

    /// Stores a reset token (by its digest) for the user until `expires_at`.
    fn create_reset<'a>(
        &'a self,
        digest: &'a str,
        user_id: &'a str,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<(), AccountsError>>;

    /// Uses up the live reset token with this digest and, in the same transaction, sets its
    /// active user's password as [`set_password`](Self::set_password) does; the user, or `None`
    /// when the token is unknown, used, expired or its user inactive (nothing is written).
    fn reset_password<'a>(
        &'a self,
        digest: &'a str,
        password_hash: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>>;
}
