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

/// What a finished `viva` process left: exit code, stdout, stderr.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `viva ARGS` (stdin fed from `stdin`, extra environment `env`) to
/// the end; a panic in its output fails the test.
pub fn run_viva(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &Path)]) -> Ran {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(viva_bin());
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("viva starts");
    {
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(bytes) = stdin {
            input.write_all(bytes).expect("stdin takes the input");
        }
    }
    let out = child.wait_with_output().expect("viva finishes");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "viva panicked: {stderr}");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    }
}

/// Speaks `text` into the WAV file `out` with `viva say` (Piper).
pub fn say(text: &str, out: &Path) {
    let ran = run_viva(&["say", text, "--out", &out.to_string_lossy()], None, &[]);
    assert_eq!(ran.code, 0, "viva say failed: {}", ran.stderr);
}

/// A session's journal, one JSON value per complete line (a torn last
/// line, or a missing journal, reads as fewer events).
pub fn journal(session: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(session.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The candidate's answers as journaled, in order.
pub fn candidate_texts(session: &Path) -> Vec<String> {
    journal(session)
        .iter()
        .filter(|e| e["event"] == "candidate")
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect()
}
