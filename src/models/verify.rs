//! Checksums of model files, with a cache so that repeated start-ups do not
//! re-hash hundreds of megabytes when nothing changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::ModelEntry;

/// State of one model file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Present and its sha256 matches the manifest.
    Verified,
    /// Not on disk.
    Missing,
    /// On disk with another size than the manifest says (truncated download?).
    WrongSize { expected: u64, actual: u64 },
    /// On disk with the right size but another sha256 (corrupt or replaced).
    WrongHash { expected: String, actual: String },
}

impl FileStatus {
    pub fn is_ok(&self) -> bool {
        matches!(self, FileStatus::Verified)
    }
}

impl std::fmt::Display for FileStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStatus::Verified => write!(f, "verified"),
            FileStatus::Missing => write!(f, "missing"),
            FileStatus::WrongSize { expected, actual } => {
                write!(f, "wrong size: {actual} bytes, expected {expected}")
            }
            FileStatus::WrongHash { expected, actual } => {
                write!(f, "corrupt: sha256 {actual}, expected {expected}")
            }
        }
    }
}

fn digest_file<D: Digest>(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = D::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    digest_file::<Sha256>(path)
}

/// sha1 of a file, hex (whisper.cpp publishes SHA1s of its ggml files).
pub fn sha1_file(path: &Path) -> std::io::Result<String> {
    digest_file::<sha1::Sha1>(path)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: u128,
    sha256: String,
}

/// Remembers (size, mtime) → sha256 of verified files in `.verified.json`.
#[derive(Debug)]
pub struct VerifyCache {
    path: PathBuf,
    stamps: BTreeMap<String, Stamp>,
}

fn size_and_mtime(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), mtime))
}

impl VerifyCache {
    /// Opens the cache of a models directory (an unreadable cache is empty).
    pub fn open(models_dir: &Path) -> Self {
        let path = models_dir.join(".verified.json");
        let stamps = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self { path, stamps }
    }

    /// Checks one manifest entry's file. `full` ignores the cache and re-hashes.
    pub fn check(&mut self, dir: &Path, entry: &ModelEntry, full: bool) -> FileStatus {
        let path = dir.join(&entry.file);
        let Some((size, mtime)) = size_and_mtime(&path) else {
            return FileStatus::Missing;
        };
        if size != entry.size {
            return FileStatus::WrongSize {
                expected: entry.size,
                actual: size,
            };
        }
        if !full {
            if let Some(s) = self.stamps.get(&entry.file) {
                if s.size == size && s.mtime_ns == mtime && entry.accepts(&s.sha256) {
                    return FileStatus::Verified;
                }
            }
        }
        let actual = match sha256_file(&path) {
            Ok(h) => h,
            Err(_) => return FileStatus::Missing,
        };
        if !entry.accepts(&actual) {
            self.stamps.remove(&entry.file);
            return FileStatus::WrongHash {
                expected: entry.sha256.clone(),
                actual,
            };
        }
        self.stamps.insert(
            entry.file.clone(),
            Stamp {
                size,
                mtime_ns: mtime,
                sha256: actual,
            },
        );
        FileStatus::Verified
    }

    /// Writes the cache back (best effort: a read-only models dir only loses speed).
    pub fn save(&self) {
        if let Ok(text) = serde_json::to_vec_pretty(&self.stamps) {
            let _ = std::fs::write(&self.path, text);
        }
    }
}
