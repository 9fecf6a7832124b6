//! Loading ONNX Runtime (used by Piper TTS and the Silero VAD) from a known
//! file, with checks first. Its own module so that neither engine depends on
//! the other.
//!
//! `ort` is built with `load-dynamic`: nothing is downloaded at build time and
//! the shared library comes from the models directory (the PyPI
//! `onnxruntime` wheel's `libonnxruntime.so.1.24.x`). In ort 2.0.0-rc.12
//! `init_from` can hang forever on a missing or unusable library
//! (pykeio/ort#560), so the library is opened and checked here before ort
//! ever sees it.

use std::ffi::{c_char, CStr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The oldest ONNX Runtime that ort 2.0.0-rc.12 accepts.
pub const MIN_MINOR_VERSION: u32 = 24;

/// Why ONNX Runtime cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OrtLibraryError {
    #[error("ONNX Runtime library {0} does not exist (run `scripts/setup`, which installs it from the onnxruntime wheel)")]
    Missing(PathBuf),
    #[error("ONNX Runtime library {path} cannot be loaded: {message} (corrupt or for another platform: re-run `scripts/setup`)")]
    NotLoadable { path: PathBuf, message: String },
    #[error("{0} is not ONNX Runtime: it does not export OrtGetApiBase")]
    NoApiBase(PathBuf),
    #[error("ONNX Runtime {found} at {path} is too old: 1.{MIN_MINOR_VERSION} or newer is needed")]
    TooOld { path: PathBuf, found: String },
    #[error("initialising ONNX Runtime from {path} failed: {message}")]
    Init { path: PathBuf, message: String },
}

#[repr(C)]
struct OrtApiBase {
    get_api: unsafe extern "C" fn(u32) -> *const std::ffi::c_void,
    get_version_string: unsafe extern "C" fn() -> *const c_char,
}

/// Opens the library, finds `OrtGetApiBase` and returns its version string.
pub fn check_library(path: &Path) -> Result<String, OrtLibraryError> {
    if !path.is_file() {
        return Err(OrtLibraryError::Missing(path.to_path_buf()));
    }
    // SAFETY: loading ONNX Runtime runs its static initialisers, which is
    // what ort does too; the handle is dropped after the version check.
    let lib =
        unsafe { libloading::Library::new(path) }.map_err(|e| OrtLibraryError::NotLoadable {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime release.
    let getter: libloading::Symbol<unsafe extern "C" fn() -> *const OrtApiBase> =
        unsafe { lib.get(b"OrtGetApiBase\0") }
            .map_err(|_| OrtLibraryError::NoApiBase(path.to_path_buf()))?;
    // SAFETY: the function takes no argument and returns a static table.
    let base = unsafe { getter() };
    if base.is_null() {
        return Err(OrtLibraryError::NoApiBase(path.to_path_buf()));
    }
    // SAFETY: `base` is non-null and points to ONNX Runtime's static table;
    // the version string is a static NUL-terminated C string.
    let version = unsafe {
        let v = ((*base).get_version_string)();
        if v.is_null() {
            String::new()
        } else {
            CStr::from_ptr(v).to_string_lossy().into_owned()
        }
    };
    let mut parts = version.split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    if major < 1 || (major == 1 && minor < MIN_MINOR_VERSION) {
        return Err(OrtLibraryError::TooOld {
            path: path.to_path_buf(),
            found: version,
        });
    }
    Ok(version)
}

/// Checks the library and hands it to ort, once per process.
pub fn init(path: &Path) -> Result<String, OrtLibraryError> {
    static INIT: OnceLock<Result<String, OrtLibraryError>> = OnceLock::new();
    INIT.get_or_init(|| {
        let version = check_library(path)?;
        let builder = ort::init_from(path).map_err(|e| OrtLibraryError::Init {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        builder.with_name("viva").with_telemetry(false).commit();
        tracing::info!(path = %path.display(), %version, "ONNX Runtime loaded");
        Ok(version)
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_library_is_reported_not_hung() {
        let err = check_library(Path::new("/nonexistent/libonnxruntime.so")).unwrap_err();
        assert!(matches!(err, OrtLibraryError::Missing(_)));
    }

    #[test]
    fn a_text_file_is_not_loadable() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("libonnxruntime.so.1.24.2");
        std::fs::write(&fake, b"not a shared library").unwrap();
        let err = check_library(&fake).unwrap_err();
        assert!(matches!(err, OrtLibraryError::NotLoadable { .. }), "{err}");
        assert!(err.to_string().contains("scripts/setup"));
    }

    #[test]
    fn a_library_without_the_api_is_refused() {
        // libm is loadable but is not ONNX Runtime.
        let libm = [
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/x86_64-linux-gnu/libm.so.6",
            "/lib/aarch64-linux-gnu/libm.so.6",
        ]
        .iter()
        .map(Path::new)
        .find(|p| p.exists());
        if let Some(libm) = libm {
            let err = check_library(libm).unwrap_err();
            assert!(matches!(err, OrtLibraryError::NoApiBase(_)), "{err}");
        }
    }
}
