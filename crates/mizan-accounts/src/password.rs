//! Password hashing with Argon2id, off the async runtime and a few at a time.
//!
//! Each hash takes about 19 MiB and tens of milliseconds of one core (the argon2 crate's
//! defaults, OWASP's recommendation: m = 19456 KiB, t = 2, p = 1). Tokio's blocking pool would run
//! hundreds at once under a sign-in flood, so a semaphore lets as many run as there are cores and
//! queues the rest.

use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::AccountsError;

/// Hashes and verifies passwords on the blocking pool, at most one per core at a time.
#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    permits: Arc<Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }
}

impl Hasher {
    /// The PHC string of `password` with a fresh salt.
    pub(crate) async fn hash(&self, password: &str) -> Result<String, AccountsError> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `stored`. A user without a usable hash (`None`, or a string
    /// that is not a PHC hash) is checked against a dummy hash of the same cost, so that the
    /// answer takes the same time either way (§2.14.7), and never matches.
    pub(crate) async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<bool, AccountsError> {
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run(move || {
            let parsed = stored.as_deref().and_then(|s| PasswordHash::new(s).ok());
            match parsed {
                Some(hash) => Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok(),
                None => {
                    let dummy = PasswordHash::new(dummy_hash())
                        .unwrap_or_else(|e| unreachable!("the dummy hash parses: {e}"));
                    let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
                    false
                }
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountsError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AccountsError::Hashing(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AccountsError::Hashing(e.to_string()))
    }
}

fn hash_now(password: &str) -> Result<String, AccountsError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccountsError::Hashing(e.to_string()))
}

/// A hash of a random password with the real parameters, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).unwrap_or_else(|e| panic!("no randomness: {e}"));
        hash_now(&mizan_core::base64url::encode(&random))
            .unwrap_or_else(|e| panic!("argon2 with its default parameters hashes: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = Hasher::default();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse!", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse", None).await.unwrap());
        assert!(!hasher.verify("x", Some("not a phc string")).await.unwrap());
    }
}
