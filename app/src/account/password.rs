//! Password hashing with Argon2id. Hashing is deliberately slow and memory hungry, so it runs
//! on blocking threads behind a gate sized to the cores: a flood of sign-ins queues briefly,
//! then is turned away (503 with Retry-After) instead of piling up threads and memory.

use super::AccountError;
use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Argon2,
};
use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// A PHC string (`$argon2id$v=19$...`) with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| HashError(err.to_string()))
}

/// Constant-time comparison against a stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A real hash to verify against when the email is unknown, so both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash("no account has this password").expect("hashing works"))
}

/// How many hashes may run at once, and how long a request waits for its turn.
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub concurrency: usize,
    pub wait: Duration,
}

impl Default for HashLimits {
    fn default() -> Self {
        Self {
            concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            wait: Duration::from_secs(2),
        }
    }
}

/// The gate every hash and verification of a request passes.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Hasher {
    pub fn new(limits: HashLimits) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            wait: limits.wait,
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, AccountError> {
        self.run(move || hash(&password)).await?.map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AccountError::Internal
        })
    }

    /// Whether `password` matches `stored`; without a stored hash it checks against a dummy
    /// one, so an unknown email costs the same as a wrong password.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, AccountError> {
        self.run(move || match stored {
            Some(stored) => verify(&password, &stored),
            None => {
                let _ = verify(&password, dummy_hash());
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                metrics::counter!("district_password_hashes_refused_total").increment(1);
                AccountError::Busy(self.wait.as_secs().max(1))
            })?
            .map_err(|_| AccountError::Internal)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|_| AccountError::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let first = hash("district-demo").unwrap();
        let second = hash("district-demo").unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify("district-demo", &first));
        assert!(!verify("district-dem0", &first));
        assert!(!verify("district-demo", "not a hash"));
    }

    #[tokio::test]
    async fn past_the_gate_a_hash_waits_then_is_refused() {
        let hasher = Hasher::new(HashLimits {
            concurrency: 1,
            wait: Duration::from_millis(1),
        });
        let held = hasher.permits.clone().acquire_owned().await.unwrap();
        let refused = hasher.hash("district-demo".into()).await;
        assert_eq!(refused, Err(AccountError::Busy(1)));
        drop(held);
        assert!(hasher.hash("district-demo".into()).await.is_ok());
    }
}
