//! The demo's fixture users: `ada` (a user), `grace` (staff) and `root` (a superuser).
//!
//! Tests, the hostile-input corpus and the spec conformance checker sign tokens for them with the
//! demo's secret, and `main` prints tokens for `ada` and `grace`. The accounts module checks every
//! bearer token against its store (spec §2.14.3), so these users must exist, with these ids, in
//! whatever database the demo opens. They have no password: nobody signs in as them with
//! `auth.login`, only with a token or, in development mode, `demo.sign_in`.

use mizan_accounts::{Accounts, NewUser};

/// A user the demo creates on start when it is missing.
#[derive(Debug, Clone, Copy)]
pub struct FixtureUser {
    /// The id: the `sub` of the tokens signed for this user.
    pub id: &'static str,
    /// The email, normalized.
    pub email: &'static str,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser.
    pub superuser: bool,
}

/// The fixture users.
pub const FIXTURE_USERS: [FixtureUser; 3] = [
    FixtureUser {
        id: "ada",
        email: "ada@example.com",
        staff: false,
        superuser: false,
    },
    FixtureUser {
        id: "grace",
        email: "grace@example.com",
        staff: true,
        superuser: false,
    },
    FixtureUser {
        id: "root",
        email: "root@example.com",
        staff: false,
        superuser: true,
    },
];

/// Why the demo's accounts could not be set up.
#[derive(Debug)]
pub enum SetupError {
    /// The database could not be opened or migrated, or it failed.
    Store(mizan_accounts::AccountsError),
    /// Another user already has the fixture user's email, so the fixture user cannot be created.
    EmailTaken {
        /// The fixture user's id.
        id: &'static str,
        /// The email another user has.
        email: &'static str,
    },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(e) => e.fmt(f),
            Self::EmailTaken { id, email } => write!(
                f,
                "the fixture user {id:?} cannot be created: another user of this database has {email}"
            ),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            Self::EmailTaken { .. } => None,
        }
    }
}

/// Creates each fixture user that does not exist yet; existing ones are left as they are.
///
/// They are created as of the Unix epoch: a token issued before a user's credentials time is
/// revoked (§2.14.3), and the tests sign tokens for these users at any time, also before this
/// process started (the corpus's "expired but within the clock skew" token was issued two hours
/// ago).
pub async fn ensure_fixture_users(accounts: &Accounts) -> Result<(), SetupError> {
    let store = accounts.store();
    for fixture in FIXTURE_USERS {
        if store
            .user_by_id(fixture.id)
            .await
            .map_err(SetupError::Store)?
            .is_some()
        {
            continue;
        }
        let user = NewUser {
            id: Some(fixture.id.to_owned()),
            email: fixture.email.to_owned(),
            staff: fixture.staff,
            superuser: fixture.superuser,
            ..NewUser::default()
        };
        let created = store
            .create_user(user, 0)
            .await
            .map_err(SetupError::Store)?;
        if created.is_none() {
            return Err(SetupError::EmailTaken {
                id: fixture.id,
                email: fixture.email,
            });
        }
    }
    Ok(())
}
