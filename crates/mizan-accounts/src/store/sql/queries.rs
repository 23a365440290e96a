//! The store's operations on SQL: [`UserStore`] for [`SqlStore`].

use mizan::BoxFuture;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlStore, timed};
use crate::AccountsError;
use crate::store::{NewUser, UserRecord, UserStore};

/// The columns of a [`UserRecord`], in the order [`user`] reads them, for `concat!` into queries
/// (sqlx takes static SQL text only).
macro_rules! user_columns {
    () => {
        "id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at"
    };
}

fn user(row: &AnyRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get::<i64, _>("is_active")? != 0,
        staff: row.try_get::<i64, _>("is_staff")? != 0,
        superuser: row.try_get::<i64, _>("is_superuser")? != 0,
        created_at: row.try_get("created_at")?,
        credentials_changed_at: row.try_get("credentials_changed_at")?,
    })
}

/// A random user id: 16 bytes, base64url.
fn new_id() -> String {
    crate::session::random_base64url::<16>()
}

fn is_unique_violation_on(e: &sqlx::Error, column: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation()
        && (db.message().contains(column) || db.constraint().is_some_and(|c| c.contains(column))))
}

const USER_BY_EMAIL: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM mizan_users WHERE email = $1"
);
const USER_BY_ID: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM mizan_users WHERE id = $1"
);

impl SqlStore {
    /// The user `sql` (one of [`USER_BY_EMAIL`], [`USER_BY_ID`]) finds by `value`.
    async fn find_user(
        &self,
        sql: &'static str,
        value: &str,
    ) -> Result<Option<UserRecord>, AccountsError> {
        let row = sqlx::query(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user).transpose()?)
    }

    async fn end_credentials(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        user_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM mizan_sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM mizan_password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl UserStore for SqlStore {
    fn create_user(
        &self,
        new: NewUser,
        now: i64,
    ) -> BoxFuture<'_, Result<Option<UserRecord>, AccountsError>> {
        timed(async move {
            let id = new.id.clone().unwrap_or_else(new_id);
            let mut tx = self.begin().await?;
            // The username first, whatever the email: a taken username must not tell whether the
            // email has an account (§2.14.7).
            if let Some(username) = &new.username {
                let taken = sqlx::query("SELECT id FROM mizan_users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(AccountsError::UsernameTaken);
                }
            }
            let inserted = sqlx::query(
                "INSERT INTO mizan_users (id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $7) ON CONFLICT (email) DO NOTHING",
            )
            .bind(&id)
            .bind(&new.email)
            .bind(new.username.clone())
            .bind(new.password_hash.clone())
            .bind(i64::from(new.staff))
            .bind(i64::from(new.superuser))
            .bind(now)
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(done) if done.rows_affected() == 0 => Ok(None),
                Ok(_) => {
                    tx.commit().await?;
                    Ok(Some(UserRecord {
                        id,
                        email: new.email,
                        username: new.username,
                        password_hash: new.password_hash,
                        active: true,
                        staff: new.staff,
                        superuser: new.superuser,
                        created_at: now,
                        credentials_changed_at: now,
                    }))
                }
                Err(e) if is_unique_violation_on(&e, "username") => {
                    Err(AccountsError::UsernameTaken)
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn user_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>> {
        timed(self.find_user(USER_BY_EMAIL, email))
    }

    fn user_by_id<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>> {
        timed(self.find_user(USER_BY_ID, id))
    }

    fn list_users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>, AccountsError>> {
        timed(async move {
            let rows = sqlx::query(concat!(
                "SELECT ",
                user_columns!(),
                " FROM mizan_users ORDER BY email"
            ))
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.iter().map(user).collect::<Result<_, _>>()?)
        })
    }

    fn set_password<'a>(
        &'a self,
        user_id: &'a str,
        password_hash: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>> {
        timed(async move {
            let mut tx = self.begin().await?;
            let updated = sqlx::query(
                "UPDATE mizan_users SET password_hash = $2, credentials_changed_at = $3 WHERE id = $1",
            )
            .bind(user_id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Ok(false);
            }
            Self::end_credentials(&mut tx, user_id).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn set_active<'a>(
        &'a self,
        user_id: &'a str,
        active: bool,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>> {
        timed(async move {
            let mut tx = self.begin().await?;
            let updated = sqlx::query(
                "UPDATE mizan_users SET is_active = $2, credentials_changed_at = $3 WHERE id = $1",
            )
            .bind(user_id)
            .bind(i64::from(active))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Ok(false);
            }
            if !active {
                Self::end_credentials(&mut tx, user_id).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    fn set_roles<'a>(
        &'a self,
        user_id: &'a str,
        staff: bool,
        superuser: bool,
        now: i64,
    ) -> BoxFuture<'a, Result<bool, AccountsError>> {
        timed(async move {
            let updated = sqlx::query(
                "UPDATE mizan_users SET is_staff = $2, is_superuser = $3, credentials_changed_at = $4 WHERE id = $1",
            )
            .bind(user_id)
            .bind(i64::from(staff))
            .bind(i64::from(superuser))
            .bind(now)
            .execute(&self.pool)
            .await?;
            Ok(updated.rows_affected() > 0)
        })
    }

    fn create_session<'a>(
        &'a self,
        digest: &'a str,
        user_id: &'a str,
        now: i64,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<(), AccountsError>> {
        timed(async move {
            let mut tx = self.begin().await?;
            // Sign-ins sweep what has expired, so the tables hold live rows only.
            sqlx::query("DELETE FROM mizan_sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM mizan_password_resets WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO mizan_sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(digest)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn session_user<'a>(
        &'a self,
        digest: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>> {
        timed(async move {
            let row = sqlx::query(concat!(
                "SELECT ",
                user_columns!(),
                " FROM mizan_users WHERE is_active = 1 AND id = \
                     (SELECT user_id FROM mizan_sessions WHERE id = $1 AND expires_at > $2)"
            ))
            .bind(digest)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.as_ref().map(user).transpose()?)
        })
    }

    fn delete_session<'a>(&'a self, digest: &'a str) -> BoxFuture<'a, Result<(), AccountsError>> {
        timed(async move {
            sqlx::query("DELETE FROM mizan_sessions WHERE id = $1")
                .bind(digest)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }

    fn create_reset<'a>(
        &'a self,
        digest: &'a str,
        user_id: &'a str,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<(), AccountsError>> {
        timed(async move {
            sqlx::query(
                "INSERT INTO mizan_password_resets (id, user_id, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(digest)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn reset_password<'a>(
        &'a self,
        digest: &'a str,
        password_hash: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>> {
        timed(async move {
            let mut tx = self.begin().await?;
            // Deleting the row is what uses the token up: of two concurrent resets, one deletes it.
            let owner = sqlx::query(
                "DELETE FROM mizan_password_resets WHERE id = $1 AND expires_at > $2 RETURNING user_id",
            )
            .bind(digest)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(owner) = owner else { return Ok(None) };
            let user_id: String = owner.try_get("user_id")?;
            let row = sqlx::query(concat!(
                "UPDATE mizan_users SET password_hash = $2, credentials_changed_at = $3 \
                     WHERE id = $1 AND is_active = 1 RETURNING ",
                user_columns!()
            ))
            .bind(&user_id)
            .bind(password_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let record = user(&row)?;
            Self::end_credentials(&mut tx, &user_id).await?;
            tx.commit().await?;
            Ok(Some(record))
        })
    }
}
