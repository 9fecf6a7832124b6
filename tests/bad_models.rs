//! Missing and corrupt model files give clear errors naming the file and the
//! fix, and a non-zero exit — never a panic.

mod common;

use std::process::Command;

use common::*;
use viva::llm::{Llm, LlmConfig, LlmError};
use viva::models::Role;
use viva::stt::{SttError, SttWorker, WorkerConfig};

fn run_with_models(args: &[&str], models_dir: Option<&std::path::Path>) -> (i32, String) {
    let env: Vec<(&str, &std::path::Path)> = models_dir
        .map(|d| ("VIVA_MODELS_DIR", d))
        .into_iter()
        .collect();
    let ran = common::run_viva(args, None, &env);
    (ran.code, ran.stderr)
}

#[test]
fn a_file_that_is_not_gguf_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("model.gguf");
    std::fs::write(&bad, b"<html>404 not found</html>").unwrap();
    let err = Llm::load(LlmConfig::new(bad.clone())).err().unwrap();
    assert!(matches!(err, LlmError::NotGguf { .. }), "{err}");
    let (code, stderr) =
        run_with_models(&["ask", "hi", "--llm-model", bad.to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("model.gguf") && stderr.contains("not a GGUF"),
        "{stderr}"
    );
}

#[test]
fn a_truncated_gguf_fails_to_load_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.gguf");
    let real = std::fs::read(model(Role::Llm)).unwrap();
    std::fs::write(&truncated, &real[..1 << 20]).unwrap();
    let err = Llm::load(LlmConfig::new(truncated.clone())).err().unwrap();
    assert!(matches!(err, LlmError::Load(_)), "{err}");
    assert!(err.to_string().contains("truncated.gguf"));
}

#[test]
fn a_corrupt_whisper_model_is_a_start_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ggml-bad.bin");
    std::fs::write(&bad, vec![7u8; 4096]).unwrap();
    let err = SttWorker::start(WorkerConfig::new(bad, 1).unwrap())
        .err()
        .unwrap();
    assert!(matches!(err, SttError::StartFailed(_)), "{err}");
    assert!(err.to_string().contains("ggml-bad.bin"), "{err}");
}

#[test]
fn missing_default_models_point_to_the_setup() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        models_dir().join("manifest.toml"),
        dir.path().join("manifest.toml"),
    )
    .unwrap();
    let jfk = fixture("jfk.wav");
    let (code, stderr) = run_with_models(&["transcribe", jfk.to_str().unwrap()], Some(dir.path()));
    assert_ne!(code, 0);
    assert!(
        stderr.contains("ggml-tiny.en-q8_0.bin") && stderr.contains("scripts/setup"),
        "{stderr}"
    );
    let (code, stderr) = run_with_models(&["say", "hello", "--out", "/dev/null"], Some(dir.path()));
    assert_ne!(code, 0);
    assert!(stderr.contains("scripts/setup"), "{stderr}");
}

#[test]
fn a_corrupted_default_model_is_detected_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        models_dir().join("manifest.toml"),
        dir.path().join("manifest.toml"),
    )
    .unwrap();
    // Right size, wrong bytes.
    let size = std::fs::metadata(models_dir().join("en_US-joe-medium.onnx.json"))
        .unwrap()
        .len();
    std::fs::write(
        dir.path().join("en_US-joe-medium.onnx.json"),
        vec![b' '; size as usize],
    )
    .unwrap();
    let (code, _) = run_with_models(&["models", "verify"], Some(dir.path()));
    assert_ne!(code, 0);
    let out = Command::new(viva_bin())
        .args(["models", "verify"])
        .env("VIVA_MODELS_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("corrupt: sha256"), "{stdout}");
}

#[test]
fn a_wav_that_is_not_audio_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("answer.wav");
    std::fs::write(&bad, b"RIFF....garbage").unwrap();
    let (code, stderr) = run_with_models(&["transcribe", bad.to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("answer.wav") && stderr.contains("not a readable WAV"),
        "{stderr}"
    );
}
