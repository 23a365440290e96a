//! User administration: what the `mizan users` command and an application's own setup code run.

use std::sync::Arc;

use crate::credentials::{check_password, normalize_email, normalize_username};
use crate::password::Hasher;
use crate::store::{NewUser, SqlStore, UserRecord, UserStore};
use crate::{AccountsError, now_secs};

/// Creates, lists and changes users, on any [`UserStore`].
///
/// ```no_run
/// # async fn run() -> Result<(), mizan_accounts::AccountsError> {
/// let admin = mizan_accounts::Admin::connect("sqlite://app.sqlite3").await?;
/// let grace = admin.create_user("grace@example.com", Some("a long passphrase"), true, false).await?;
/// admin.deactivate(&grace.email).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Admin {
    store: Arc<dyn UserStore>,
    hasher: Hasher,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

impl Admin {
    pub(crate) fn new(store: Arc<dyn UserStore>, hasher: Hasher) -> Self {
        Self { store, hasher }
    }

    /// Administration of the SQL store at `url` (migrated first, like [`SqlStore::connect`]).
    pub async fn connect(url: &str) -> Result<Self, AccountsError> {
        let store = SqlStore::connect(url).await?;
        Ok(Self::new(Arc::new(store), Hasher::default()))
    }

    /// Creates an active user; `password` `None` makes one who cannot sign in with a password.
    pub async fn create_user(
        &self,
        email: &str,
        password: Option<&str>,
        staff: bool,
        superuser: bool,
    ) -> Result<UserRecord, AccountsError> {
        self.create(
            NewUser {
                email: email.to_owned(),
                staff,
                superuser,
                ..NewUser::default()
            },
            password,
        )
        .await
    }

    /// Creates `user` (its email normalized, its username checked) with `password` hashed.
    pub async fn create(
        &self,
        mut user: NewUser,
        password: Option<&str>,
    ) -> Result<UserRecord, AccountsError> {
        user.email = normalize_email(&user.email)?;
        if let Some(username) = &mut user.username {
            *username = normalize_username(username)?;
        }
        user.password_hash = match password {
            Some(password) => {
                check_password(password)?;
                Some(self.hasher.hash(password).await?)
            }
            None => None,
        };
        self.store
            .create_user(user, now_secs())
            .await?
            .ok_or(AccountsError::EmailTaken)
    }

    /// The user `who` names: an email (it contains `@`) or an id.
    pub async fn find(&self, who: &str) -> Result<UserRecord, AccountsError> {
        let found = if who.contains('@') {
            self.store.user_by_email(&normalize_email(who)?).await?
        } else {
            self.store.user_by_id(who).await?
        };
        found.ok_or_else(|| AccountsError::NoSuchUser(who.to_owned()))
    }

    /// Every user, by email.
    pub async fn list(&self) -> Result<Vec<UserRecord>, AccountsError> {
        self.store.list_users().await
    }

    /// Sets `who`'s password, ending their sessions and earlier tokens.
    pub async fn set_password(&self, who: &str, password: &str) -> Result<(), AccountsError> {
        check_password(password)?;
        let user = self.find(who).await?;
        let hash = self.hasher.hash(password).await?;
        if self
            .store
            .set_password(&user.id, &hash, crate::credentials_change_time())
            .await?
        {
            Ok(())
        } else {
            Err(AccountsError::NoSuchUser(who.to_owned()))
        }
    }

    /// Deactivates `who`: their sessions and tokens stop working at once.
    pub async fn deactivate(&self, who: &str) -> Result<(), AccountsError> {
        self.set_active(who, false).await
    }

    /// Reactivates `who`.
    pub async fn activate(&self, who: &str) -> Result<(), AccountsError> {
        self.set_active(who, true).await
    }

    async fn set_active(&self, who: &str, active: bool) -> Result<(), AccountsError> {
        let user = self.find(who).await?;
        let now = crate::credentials_change_time();
        if self.store.set_active(&user.id, active, now).await? {
            Ok(())
        } else {
            Err(AccountsError::NoSuchUser(who.to_owned()))
        }
    }

    /// Sets `who`'s staff and superuser flags.
    pub async fn set_roles(
        &self,
        who: &str,
        staff: bool,
        superuser: bool,
    ) -> Result<(), AccountsError> {
        let user = self.find(who).await?;
        let now = crate::credentials_change_time();
        if self
            .store
            .set_roles(&user.id, staff, superuser, now)
            .await?
        {
            Ok(())
        } else {
            Err(AccountsError::NoSuchUser(who.to_owned()))
        }
    }
}
