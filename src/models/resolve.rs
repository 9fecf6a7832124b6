//! Turning a user's model choice (a path, a manifest name, or nothing) into a
//! file on disk, with an error that says how to fix a missing default.

use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ManifestError, Role};
use super::verify::{FileStatus, VerifyCache};

/// Why a model could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{path} does not exist: pass the path of a {role} model file, or one of the manifest names (`viva models list`)")]
    NotFound { path: PathBuf, role: Role },
    #[error("the manifest has no default {0} model")]
    NoDefault(Role),
    #[error("model `{name}` ({path}) is {status}: run `scripts/setup` (or `viva models install --from DIR` with the downloaded files) to install it")]
    NotInstalled {
        name: String,
        path: PathBuf,
        status: FileStatus,
    },
}

/// Resolves `choice` for `role` in `models_dir`: an existing path is used as
/// is (any compatible model works); a manifest name or no choice selects a
/// manifest entry, whose file must be installed and verified.
pub fn resolve(
    models_dir: &Path,
    role: Role,
    choice: Option<&str>,
) -> Result<PathBuf, ResolveError> {
    if let Some(choice) = choice {
        let as_path = PathBuf::from(choice);
        if as_path.is_file() {
            return Ok(as_path);
        }
        let manifest = Manifest::load(models_dir)?;
        if let Some(entry) = manifest.find(choice).or_else(|| manifest.by_file(choice)) {
            return check_installed(models_dir, entry);
        }
        return Err(ResolveError::NotFound {
            path: as_path,
            role,
        });
    }
    let manifest = Manifest::load(models_dir)?;
    let entry = manifest
        .default_for(role)
        .ok_or(ResolveError::NoDefault(role))?;
    check_installed(models_dir, entry)
}

fn check_installed(models_dir: &Path, entry: &super::ModelEntry) -> Result<PathBuf, ResolveError> {
    let mut cache = VerifyCache::open(models_dir);
    let status = cache.check(models_dir, entry, false);
    cache.save();
    let path = models_dir.join(&entry.file);
    if status.is_ok() {
        Ok(path)
    } else {
        Err(ResolveError::NotInstalled {
            name: entry.name.clone(),
            path,
            status,
        })
    }
}
