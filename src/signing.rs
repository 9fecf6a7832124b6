//! Optional site-key signatures over a sealed session record (ed25519,
//! offline). The hash chain shows that entries were not edited one by one;
//! a signature over the final chain head shows that nobody without the
//! site's key rewrote the whole record or cut its tail.
//!
//! Key files are hex: the secret key (32 bytes, created 0600 by
//! `viva keygen`) and the public key (`.pub`), which reviewers use with
//! `viva verify --public-key`.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Signature file written next to the journal.
pub const SIGNATURE_FILE: &str = "signature.json";

/// Signing and checking failures.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("cannot read key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a {expected} (expected 64 hex characters; create keys with `viva keygen`)"
    )]
    BadKey {
        path: PathBuf,
        expected: &'static str,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no randomness for a new key: {0}")]
    Random(std::io::Error),
    #[error("{path} is not a signature file: {message}")]
    BadSignatureFile { path: PathBuf, message: String },
    #[error("the record was signed over chain head {signed}, but the journal ends at {actual} (entries were cut or added after signing)")]
    HeadMismatch { signed: String, actual: String },
    #[error("the record was signed by key {signer}, not by the key given ({expected})")]
    WrongKey { signer: String, expected: String },
    #[error("the signature does not match the record (forged or corrupted)")]
    Invalid,
}

/// What `signature.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordSignature {
    pub algorithm: String,
    pub chain_head: String,
    pub public_key: String,
    pub signature: String,
}

fn read_hex32(path: &Path, expected: &'static str) -> Result<[u8; 32], SigningError> {
    let text = std::fs::read_to_string(path).map_err(|source| SigningError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = || SigningError::BadKey {
        path: path.to_path_buf(),
        expected,
    };
    let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

/// Loads a secret key written by [`generate`].
pub fn load_signing_key(path: &Path) -> Result<SigningKey, SigningError> {
    Ok(SigningKey::from_bytes(&read_hex32(
        path,
        "secret ed25519 key",
    )?))
}

/// Loads a public key (`.pub`).
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, SigningError> {
    VerifyingKey::from_bytes(&read_hex32(path, "public ed25519 key")?).map_err(|_| {
        SigningError::BadKey {
            path: path.to_path_buf(),
            expected: "public ed25519 key",
        }
    })
}

/// Creates a key pair: `path` (secret, 0600) and `path.pub`. Returns the
/// public key's path.
pub fn generate(path: &Path) -> Result<PathBuf, SigningError> {
    let mut seed = [0u8; 32];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").map_err(SigningError::Random)?,
        &mut seed,
    )
    .map_err(SigningError::Random)?;
    let key = SigningKey::from_bytes(&seed);
    let werr = |source| SigningError::Write {
        path: path.to_path_buf(),
        source,
    };
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(path).map_err(werr)?;
        std::io::Write::write_all(&mut f, format!("{}\n", hex::encode(seed)).as_bytes())
            .map_err(werr)?;
    }
    let public = path.with_extension("pub");
    std::fs::write(
        &public,
        format!("{}\n", hex::encode(key.verifying_key().as_bytes())),
    )
    .map_err(|source| SigningError::Write {
        path: public.clone(),
        source,
    })?;
    Ok(public)
}

/// Signs a record's final chain head.
pub fn sign(key: &SigningKey, chain_head: &str) -> RecordSignature {
    RecordSignature {
        algorithm: "ed25519".into(),
        chain_head: chain_head.to_string(),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        signature: hex::encode(key.sign(chain_head.as_bytes()).to_bytes()),
    }
}

/// Checks `sig` against the journal's actual head and the trusted key.
pub fn check(
    sig: &RecordSignature,
    actual_head: &str,
    trusted: &VerifyingKey,
) -> Result<(), SigningError> {
    let expected = hex::encode(trusted.as_bytes());
    if sig.public_key != expected {
        return Err(SigningError::WrongKey {
            signer: sig.public_key.clone(),
            expected,
        });
    }
    if sig.chain_head != actual_head {
        return Err(SigningError::HeadMismatch {
            signed: sig.chain_head.clone(),
            actual: actual_head.to_string(),
        });
    }
    let bytes: [u8; 64] = hex::decode(&sig.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SigningError::Invalid)?;
    trusted
        .verify(sig.chain_head.as_bytes(), &Signature::from_bytes(&bytes))
        .map_err(|_| SigningError::Invalid)
}

/// Reads `signature.json` from a session directory, if there is one.
pub fn read_signature(dir: &Path) -> Result<Option<RecordSignature>, SigningError> {
    let path = dir.join(SIGNATURE_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| SigningError::BadSignatureFile {
                    path,
                    message: e.to_string(),
                })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SigningError::Read { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_check_and_every_way_to_fail() {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("site.key");
        let public = generate(&key_path).unwrap();
        let key = load_signing_key(&key_path).unwrap();
        let trusted = load_verifying_key(&public).unwrap();
        let head = "ab".repeat(32);
        let sig = sign(&key, &head);
        check(&sig, &head, &trusted).unwrap();
        assert!(matches!(
            check(&sig, &"cd".repeat(32), &trusted),
            Err(SigningError::HeadMismatch { .. })
        ));
        let other = generate(&dir.path().join("other.key")).unwrap();
        let other = load_verifying_key(&other).unwrap();
        assert!(matches!(
            check(&sig, &head, &other),
            Err(SigningError::WrongKey { .. })
        ));
        let mut forged = sig.clone();
        forged.chain_head = "cd".repeat(32);
        assert!(matches!(
            check(&forged, &"cd".repeat(32), &trusted),
            Err(SigningError::Invalid)
        ));
        // Keys are never overwritten, and the secret is owner-only.
        assert!(generate(&key_path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
        std::fs::write(dir.path().join("bad.pub"), "zz").unwrap();
        assert!(matches!(
            load_verifying_key(&dir.path().join("bad.pub")),
            Err(SigningError::BadKey { .. })
        ));
    }
}
