//! Helpers shared by the integration tests: real models from the manifest,
//! real fixtures from ../shared.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use viva::models::{resolve, Role};

pub const JFK_TEXT: &str = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn models_dir() -> PathBuf {
    repo().join("models")
}

/// `../shared/fixtures/NAME` next to the checkout.
pub fn fixture(name: &str) -> PathBuf {
    let p = repo().join("..").join("shared").join("fixtures").join(name);
    assert!(
        p.is_file(),
        "fixture {} missing (tests expect ../shared beside the checkout)",
        p.display()
    );
    p
}

/// A default model's path; panics with the fix if `scripts/setup` was not run.
pub fn model(role: Role) -> PathBuf {
    resolve(&models_dir(), role, None)
        .unwrap_or_else(|e| panic!("{e} — run scripts/setup before the tests"))
}

pub fn model_named(name: &str) -> PathBuf {
    resolve(&models_dir(), Role::Stt, Some(name))
        .unwrap_or_else(|e| panic!("{e} — run scripts/setup before the tests"))
}

pub fn viva_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_viva"))
}
