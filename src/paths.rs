//! Where Viva finds its files: the models directory, the STT worker binary,
//! espeak-ng's data and the ONNX Runtime library.

use std::path::{Path, PathBuf};

/// Environment variable overriding the models directory.
pub const MODELS_DIR_ENV: &str = "VIVA_MODELS_DIR";
/// Environment variable overriding the STT worker binary.
pub const STT_WORKER_ENV: &str = "VIVA_STT_WORKER";
/// File name of the STT worker binary.
pub const STT_WORKER_NAME: &str = "viva-stt-worker";

/// Directories holding the running executable and its ancestors (the binary
/// lives in `target/release/` of a checkout, tests in `target/release/deps/`).
fn exe_ancestors() -> Vec<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .map(|e| e.ancestors().skip(1).map(Path::to_path_buf).collect())
        .unwrap_or_default()
}

/// The models directory: `$VIVA_MODELS_DIR`, else the `models/` (with a
/// `manifest.toml`) of the checkout the binary was built in, else `./models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(MODELS_DIR_ENV) {
        return PathBuf::from(dir);
    }
    for dir in exe_ancestors() {
        let candidate = dir.join("models");
        if candidate.join("manifest.toml").is_file() {
            return candidate;
        }
    }
    PathBuf::from("models")
}

/// The STT worker binary: `$VIVA_STT_WORKER`, else next to the running
/// executable (or one level up, for test binaries in `deps/`).
pub fn stt_worker_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(STT_WORKER_ENV) {
        return Some(PathBuf::from(p));
    }
    exe_ancestors()
        .into_iter()
        .take(2)
        .map(|d| d.join(STT_WORKER_NAME))
        .find(|p| p.is_file())
}

/// Directory that contains `espeak-ng-data/` (what espeak-ng calls its data
/// path): `$PIPER_ESPEAKNG_DATA_DIRECTORY`, the models directory, next to the
/// binary, or the system's copy.
pub fn espeak_data_parent(models_dir: &Path) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("PIPER_ESPEAKNG_DATA_DIRECTORY") {
        candidates.push(PathBuf::from(p));
    }
    candidates.push(models_dir.to_path_buf());
    candidates.extend(exe_ancestors().into_iter().take(2));
    candidates.push(PathBuf::from("/usr/lib/x86_64-linux-gnu"));
    candidates.push(PathBuf::from("/usr/lib/aarch64-linux-gnu"));
    candidates.push(PathBuf::from("/usr/share"));
    candidates
        .into_iter()
        .find(|d| d.join("espeak-ng-data").join("phontab").is_file())
}

/// Directories searched for `personas/NAME.toml`: `$VIVA_PERSONAS_DIR`, the
/// checkout the binary was built in, then `./personas`.
pub fn persona_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("VIVA_PERSONAS_DIR") {
        dirs.push(PathBuf::from(d));
    }
    for dir in exe_ancestors() {
        let candidate = dir.join("personas");
        if candidate.is_dir() && dir.join("models").join("manifest.toml").is_file() {
            dirs.push(candidate);
            break;
        }
    }
    dirs.push(PathBuf::from("personas"));
    dirs
}
