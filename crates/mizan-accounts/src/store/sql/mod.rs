//! [`UserStore`] on SQL, through sqlx's `Any` driver: one code path for SQLite and PostgreSQL.
//! This module opens the database (pool, SQLite's journal, migrations, time limits); `queries`
//! holds the store's operations.

mod queries;

use std::time::Duration;

use mizan::BoxFuture;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use super::migrations::{MIGRATIONS, migrator};
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
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
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
