//! The store's schema, as versioned migrations that run by themselves when the store opens.
//!
//! One SQL text serves SQLite and PostgreSQL (`TEXT` and `BIGINT` only, no generated ids), so
//! both databases hold the same schema. Flags are `BIGINT` 0 or 1: sqlx's `Any` driver cannot read
//! a SQLite `BOOLEAN` column (sqlx issue #2778). Each migration runs in a transaction: one that fails
//! leaves the database as it was, and the store does not open.

/// Every migration, in order: `(version, description, SQL)`. Never edit a released one; add the
/// next.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "users, sessions and password resets",
    "CREATE TABLE mizan_users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        username TEXT UNIQUE,
        password_hash TEXT,
        is_active BIGINT NOT NULL,
        is_staff BIGINT NOT NULL,
        is_superuser BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        credentials_changed_at BIGINT NOT NULL
    );
    CREATE TABLE mizan_sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES mizan_users (id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX mizan_sessions_user ON mizan_sessions (user_id);
    CREATE INDEX mizan_sessions_expiry ON mizan_sessions (expires_at);
    CREATE TABLE mizan_password_resets (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES mizan_users (id) ON DELETE CASCADE,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX mizan_password_resets_user ON mizan_password_resets (user_id);",
)];

/// A migrator for `migrations`.
pub(crate) fn migrator(
    migrations: &'static [(i64, &'static str, &'static str)],
) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}
