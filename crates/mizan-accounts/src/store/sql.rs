//! [`UserStore`] on SQL, through sqlx's `Any` driver: one code path for SQLite and PostgreSQL.

use std::time::Duration;

use mizan::BoxFuture;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use super::migrations::{MIGRATIONS, migrator};
use super::{NewUser, UserRecord, UserStore};
use crate::AccountsError;

/// How long a request waits for a database connection before it is answered
/// `503 unavailable` (§2.14.3).
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The user store on SQLite or PostgreSQL, chosen by the URL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    sqlite: bool,
}

const USER_COLUMNS: &str = "id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at";

impl SqlStore {
    /// Opens the database at `url` and brings its schema up to date:
    ///
    /// - `sqlite://<path>` (relative to the working directory) or `sqlite:///<absolute path>`: the
    ///   file is created when it does not exist (feature `sqlite`, on by default);
    /// - `postgres://user@host:port/database` (feature `postgres`).
    ///
    /// A migration that fails is rolled back and the store does not open.
    pub async fn connect(url: &str) -> Result<Self, AccountsError> {
        Self::connect_migrating(url, MIGRATIONS).await
    }

    pub(crate) async fn connect_migrating(
        url: &str,
        migrations: &'static [(i64, &'static str, &'static str)],
    ) -> Result<Self, AccountsError> {
        sqlx::any::install_default_drivers();
        let (url, connections) = if url.starts_with("sqlite:") {
            (sqlite_url(url), 4)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (url.to_owned(), 8)
        } else {
            return Err(AccountsError::UnsupportedUrl(url.to_owned()));
        };
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            // Each connection to an in-memory SQLite database has a database of its own.
            .max_connections(if in_memory { 1 } else { connections })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if sqlite {
                        // Readers never wait for the writer; sqlx leaves the journal as it finds it.
                        sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
                            .execute(&mut *connection)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| match e {
                sqlx::Error::Configuration(_) => AccountsError::UnsupportedUrl(url.clone()),
                other => AccountsError::from(other),
            })?;
        // On a connection of its own, closed if a migration fails: PostgreSQL's migration lock
        // would otherwise go back to the pool with it and hang the next run.
        let mut connection = pool.acquire().await?;
        if let Err(e) = migrator(migrations).run(&mut *connection).await {
            connection.close_on_drop();
            return Err(e.into());
        }
        drop(connection);
        Ok(Self { pool, sqlite })
    }

    /// The connection pool, for applications that keep their own tables in the same database.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection; later calls fail with [`AccountsError::Unavailable`].
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The longest a store operation may take: past it the database counts as unreachable
/// (`503 unavailable`), even when a connection was open but no answer comes back (a network that
/// drops packets), which the pool's acquire timeout alone would not catch.
pub(crate) const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

fn timed<'a, T: 'a>(
    operation: impl Future<Output = Result<T, AccountsError>> + Send + 'a,
) -> BoxFuture<'a, Result<T, AccountsError>> {
    Box::pin(async move {
        tokio::time::timeout(OPERATION_TIMEOUT, operation)
            .await
            .unwrap_or_else(|_| {
                Err(AccountsError::Unavailable(sqlx::Error::Io(
                    std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the database did not answer within 5 s",
                    ),
                )))
            })
    })
}

/// A SQLite URL that creates its file: `mode=rwc` unless the URL sets a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
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
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("no randomness for a user id: {e}"));
    mizan_core::base64url::encode(&bytes)
}

fn is_unique_violation_on(e: &sqlx::Error, column: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation()
        && (db.message().contains(column) || db.constraint().is_some_and(|c| c.contains(column))))
}

impl SqlStore {
    /// A transaction that holds the write lock from its start on SQLite, where a transaction
    /// that reads first and writes later fails when another writer came between.
    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        if self.sqlite {
            self.pool.begin_with("BEGIN IMMEDIATE").await
        } else {
            self.pool.begin().await
        }
    }

    async fn find_user(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<UserRecord>, AccountsError> {
        let sql = match column {
            "email" => {
                "SELECT id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at FROM mizan_users WHERE email = $1"
            }
            _ => {
                "SELECT id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at FROM mizan_users WHERE id = $1"
            }
        };
        debug_assert!(sql.starts_with(&format!("SELECT {USER_COLUMNS}")));
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
        timed(self.find_user("email", email))
    }

    fn user_by_id<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, AccountsError>> {
        timed(self.find_user("id", id))
    }

    fn list_users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>, AccountsError>> {
        timed(async move {
            let rows = sqlx::query(
                "SELECT id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at FROM mizan_users ORDER BY email",
            )
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
            let row = sqlx::query(
                "SELECT u.id, u.email, u.username, u.password_hash, u.is_active, u.is_staff, u.is_superuser, u.created_at, u.credentials_changed_at \
                 FROM mizan_sessions s JOIN mizan_users u ON u.id = s.user_id \
                 WHERE s.id = $1 AND s.expires_at > $2 AND u.is_active = 1",
            )
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
            let row = sqlx::query(
                "UPDATE mizan_users SET password_hash = $2, credentials_changed_at = $3 WHERE id = $1 AND is_active = 1 \
                 RETURNING id, email, username, password_hash, is_active, is_staff, is_superuser, created_at, credentials_changed_at",
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    const BROKEN: &[(i64, &str, &str)] = &[
        MIGRATIONS[0],
        (
            2,
            "half a migration",
            "CREATE TABLE mizan_half (x BIGINT NOT NULL); INSERT INTO mizan_half VALUES (1); INSERT INTO mizan_half VALUES (NULL);",
        ),
    ];

    async fn table_exists(store: &SqlStore, table: &str) -> bool {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(store.pool())
            .await
            .is_ok()
    }

    async fn schema_url() -> (String, String) {
        let base = std::env::var("MIZAN_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        sqlx::any::install_default_drivers();
        let admin = AnyPool::connect(&base).await.expect("PostgreSQL answers");
        let schema = format!(
            "mizan_unit_{}_{}",
            std::process::id(),
            new_id().to_lowercase().replace(['-', '_'], "")
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        (
            format!("{base}?options=-c%20search_path%3D{schema}"),
            schema,
        )
    }

    #[tokio::test]
    async fn a_failed_migration_leaves_the_database_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}/m.sqlite3", dir.path().display());
        let (postgres, schema) = schema_url().await;
        for url in [sqlite, postgres] {
            let error = SqlStore::connect_migrating(&url, BROKEN).await.unwrap_err();
            assert!(
                matches!(error, AccountsError::Migration(_)),
                "{url}: {error}"
            );
            // Bounded: a migration lock left behind would hang here.
            let store = tokio::time::timeout(Duration::from_secs(20), SqlStore::connect(&url))
                .await
                .expect("the next start does not hang")
                .unwrap();
            assert!(table_exists(&store, "mizan_users").await, "{url}");
            assert!(
                !table_exists(&store, "mizan_half").await,
                "{url}: rolled back"
            );
            store.close().await;
        }
        let admin = AnyPool::connect("postgres://postgres@127.0.0.1:5432/test")
            .await
            .unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await;
    }

    #[test]
    fn sqlite_urls_create_their_file_unless_told_otherwise() {
        assert_eq!(sqlite_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            sqlite_url("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(sqlite_url("sqlite::memory:"), "sqlite::memory:");
    }
}
