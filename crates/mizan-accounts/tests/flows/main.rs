//! The account flows end to end, through the real router, on SQLite and on PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod levels;
mod passwords;
mod sessions;
mod signup;
mod throttles;

/// The password every flow signs up with.
const PASSWORD: &str = "correct horse battery";
