//! Password hashing with Argon2id, off the async runtime and a few at a time.
//!
//! Each hash takes about 19 MiB and tens of milliseconds of one core (the argon2 crate's
//! defaults, OWASP's recommendation: m = 19456 KiB, t = 2, p = 1). Hashes run on a few threads of
//! their own, one per core, and the rest wait in a bounded queue. Not on Tokio's blocking pool:
//! it would run hundreds at once under a sign-in flood, and each of its many threads would keep
//! its own 19 MiB in the allocator after its hash (the demo's memory grew by 170 MiB over a few
//! dozen sign-ins that way); a fixed thread reuses its block.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use std::cell::RefCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use crate::AccountsError;

/// Hashes and verifies passwords on the hashing threads, at most one per core at a time.
#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    pool: &'static Pool,
}

impl Default for Hasher {
    fn default() -> Self {
        Self { pool: Pool::get() }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The process's hashing threads, and the queue in front of them.
#[derive(Debug)]
struct Pool {
    jobs: Mutex<Sender<Job>>,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Pool {
    fn get() -> &'static Pool {
        static POOL: OnceLock<Pool> = OnceLock::new();
        POOL.get_or_init(|| {
            let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
            let (jobs, queue) = channel::<Job>();
            let queue = Arc::new(Mutex::new(queue));
            for n in 0..threads {
                let queue = Arc::clone(&queue);
                let spawned = std::thread::Builder::new()
                    .name(format!("mizan-hash-{n}"))
                    .spawn(move || {
                        loop {
                            let job = queue
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .recv();
                            match job {
                                // A panicking hash fails its own request only.
                                Ok(job) => {
                                    let _ =
                                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                                }
                                Err(_) => return,
                            }
                        }
                    });
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "mizan-accounts: a hashing thread did not start");
                }
            }
            Pool {
                jobs: Mutex::new(jobs),
                permits: Arc::new(Semaphore::new(threads)),
                // A second's worth of sign-ins per core can wait; more are refused at once.
                max_waiting: 64 * threads,
                waiting: AtomicUsize::new(0),
            }
        })
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
                Some(hash) => verify_now(&password, &hash),
                None => {
                    let dummy = PasswordHash::new(dummy_hash())
                        .unwrap_or_else(|e| unreachable!("the dummy hash parses: {e}"));
                    let _ = verify_now(&password, &dummy);
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
        let pool = self.pool;
        if pool.waiting.fetch_add(1, Ordering::AcqRel) >= pool.max_waiting {
            pool.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(AccountsError::Busy);
        }
        let permit = pool.permits.acquire().await;
        pool.waiting.fetch_sub(1, Ordering::AcqRel);
        let _permit = permit.map_err(|e| AccountsError::Hashing(e.to_string()))?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        pool.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .map_err(|_| AccountsError::Hashing("the hashing threads are gone".to_owned()))?;
        answered
            .await
            .map_err(|_| AccountsError::Hashing("a hash panicked".to_owned()))
    }
}

/// The Argon2 memory of this hashing thread, reused from one hash to the next: allocating and
/// freeing 19 MiB per hash left the allocator holding hundreds of MiB after a few dozen hashes.
fn with_memory<T>(blocks: usize, run: impl FnOnce(&mut [Block]) -> T) -> T {
    thread_local! {
        static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        run(&mut memory[..blocks])
    })
}

/// The raw Argon2 output of `password` with `salt` under `argon2`'s parameters, `len` bytes.
fn raw_hash(argon2: &Argon2<'_>, password: &[u8], salt: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; len];
    with_memory(argon2.params().block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt, &mut out, memory)
    })
    .ok()?;
    Some(out)
}

fn hash_now(password: &str) -> Result<String, AccountsError> {
    let failed = |e: &dyn std::fmt::Display| AccountsError::Hashing(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(|e| failed(&e))?;
    let argon2 = Argon2::default();
    let raw = raw_hash(
        &argon2,
        password.as_bytes(),
        salt_raw,
        Params::DEFAULT_OUTPUT_LEN,
    )
    .ok_or_else(|| failed(&"argon2 refused its own parameters"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&raw).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, in constant time; `false` for a string
/// that is not an Argon2 hash this module can check.
fn verify_now(password: &str, stored: &PasswordHash<'_>) -> bool {
    let Some(expected) = stored.hash else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(stored.algorithm),
        Params::try_from(stored),
    ) else {
        return false;
    };
    // A stored hash asking for more memory than the defaults is not one of ours.
    if params.m_cost() > Params::DEFAULT_M_COST * 4 {
        return false;
    }
    let version = stored
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let Some(salt) = stored.salt else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params);
    raw_hash(&argon2, password.as_bytes(), salt_raw, expected.len())
        .is_some_and(|actual| bool::from(actual.as_slice().ct_eq(expected.as_bytes())))
}

/// A hash of a random password with the real parameters, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_now(&crate::session::random_base64url::<24>())
            .unwrap_or_else(|e| panic!("argon2 with its default parameters hashes: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_agree_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_now("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        let theirs = Argon2::default()
            .hash_password(b"battery staple", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_now(
            "battery staple",
            &PasswordHash::new(&theirs).unwrap()
        ));
        assert!(!verify_now(
            "battery stapler",
            &PasswordHash::new(&theirs).unwrap()
        ));
    }

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
