//! Stored passwords: salted SHA-256 (ring, already built for TLS), never the clear text. One
//! round of a fast hash is a deliberate choice: every Basic-authenticated request checks a
//! password, tests send thousands, and what this protects is a state file on a test machine
//! (written 0600), not a credential store facing offline attacks at scale.

use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

/// A salted hash of one password, as kept in the store and its file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PasswordHash {
    /// 16 random bytes, hex.
    salt: String,
    /// SHA-256 of salt ‖ password, hex.
    sha256: String,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    pub fn new(password: &str) -> Self {
        let salt = hex(&random_bytes::<16>());
        let sha256 = hash(&salt, password);
        Self { salt, sha256 }
    }

    /// Whether `password` is the one hashed here (compared in constant time).
    pub fn matches(&self, password: &str) -> bool {
        let candidate = hash(&self.salt, password);
        let (a, b) = (candidate.as_bytes(), self.sha256.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn hash(salt: &str, password: &str) -> String {
    let mut input = Vec::with_capacity(salt.len() + password.len());
    input.extend_from_slice(salt.as_bytes());
    input.extend_from_slice(password.as_bytes());
    hex(digest(&SHA256, &input).as_ref())
}

/// SHA-256 of a text, hex: the form `ACL SETUSER … #<hash>` takes a Redis password in, so a
/// database's passwords reach its redis-server without being stored in clear.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(digest(&SHA256, text.as_bytes()).as_ref())
}

/// `N` bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // The OS source failing is not something a simulator can work around; the process would
    // have no secure randomness at all.
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system's random source works");
    out
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_matches_its_password_only_and_hides_it() {
        let h = PasswordHash::new("s3cret");
        assert!(h.matches("s3cret"));
        assert!(!h.matches("s3cret "));
        assert!(!h.matches(""));
        let again = PasswordHash::new("s3cret");
        assert_ne!(h, again, "every hash has its own salt");
        let stored = serde_json::to_string(&h).expect("serialises");
        assert!(!stored.contains("s3cret"), "{stored}");
        assert_eq!(format!("{h:?}"), "PasswordHash(..)");
    }
}
