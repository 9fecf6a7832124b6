//! Bad input never crashes or loses data: a full disk while journaling, an
//! unwritable session directory, invalid UTF-8 typed in, a two-hour
//! recording. Each gets a specific error (or is handled), and the record up
//! to that point stays intact.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

#[test]
fn a_full_disk_stops_with_a_clear_error_and_an_intact_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("tiny");
    std::fs::create_dir(&mnt).unwrap();
    let script = dir.path().join("answers.txt");
    let long = "I would validate the input and hash the password with bcrypt. ".repeat(20);
    let answers: Vec<String> = (0..40).map(|i| format!("{long} ({i})")).collect();
    std::fs::write(&script, answers.join("\n---\n")).unwrap();
    // A 32 KiB tmpfs in a private mount namespace: the journal fills it.
    let shell = format!(
        "mount -t tmpfs -o size=32k tmpfs {mnt} && {viva} text --judge rubric --script {script} --session-dir {mnt}/s; echo \"exit=$?\"; {viva} verify {mnt}/s",
        mnt = mnt.display(),
        viva = viva_bin().display(),
        script = script.display(),
    );
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", &shell])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("the journal up to this point is intact"),
        "{stderr}"
    );
    // What was journaled before the disk filled verifies.
    assert!(stdout.contains("OK "), "{stdout}\n{stderr}");
}

#[test]
fn an_unwritable_session_directory_is_refused_by_name() {
    let out = Command::new(viva_bin())
        .args([
            "text",
            "--judge",
            "rubric",
            "--session-dir",
            "/proc/viva-cannot/s",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr.contains("cannot create the session directory /proc/viva-cannot/s"),
        "{stderr}"
    );
    assert!(stderr.contains("--session-dir"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn invalid_utf8_typed_in_is_kept_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("s");
    let mut child = Command::new(viva_bin())
        .args([
            "text",
            "--judge",
            "rubric",
            "--session-dir",
            session.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"I would hash \xff\xfe passwords with bcrypt.\n\nend the interview\n\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let transcript = std::fs::read_to_string(session.join("transcript.md")).unwrap();
    assert!(
        transcript.contains("I would hash \u{fffd}\u{fffd} passwords with bcrypt."),
        "{transcript}"
    );
    // A file answer must be text: refused with the reason.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"\xff\xfe").unwrap();
    let out = Command::new(viva_bin())
        .args([
            "evaluate",
            "--judge",
            "rubric",
            "--question",
            "q1",
            "--answer-file",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}

#[test]
fn a_two_hour_recording_is_refused_from_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("two-hours.wav");
    // 2 h of 8 kHz 8-bit silence: 57.6 MB, written fast; only the header is read.
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 8,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for _ in 0..8000 * 7200 {
        w.write_sample(0i8).unwrap();
    }
    w.finalize().unwrap();
    let started = std::time::Instant::now();
    let out = Command::new(viva_bin())
        .args(["transcribe", wav.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr.contains("is 120.0 minutes long"), "{stderr}");
    assert!(stderr.contains("split it"), "{stderr}");
    eprintln!("refused in {:?}", started.elapsed());
}

#[test]
fn a_gguf_without_a_chat_template_falls_back_to_chatml() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(model(viva::models::Role::Llm)).unwrap();
    // Rename the metadata key (same length, so the GGUF stays valid).
    let key = b"tokenizer.chat_template";
    let at = original
        .windows(key.len())
        .position(|w| w == key)
        .expect("the model has a chat template");
    let mut patched = original;
    patched[at + key.len() - 1] = b'X';
    let gguf = dir.path().join("no-template.gguf");
    std::fs::write(&gguf, &patched).unwrap();
    let out = Command::new(viva_bin())
        .args([
            "ask",
            "Say hello.",
            "--max-tokens",
            "8",
            "--json",
            "--llm-model",
            gguf.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["chat_template"], "chatml-fallback");
}

#[test]
fn an_extreme_audio_in_speed_is_refused_before_anything_starts() {
    for speed in ["1e-300", "-1", "NaN", "inf", "1e9", "fast"] {
        let out = Command::new(viva_bin())
            .args([
                "interview",
                "--audio-in",
                "/nonexistent.wav",
                &format!("--audio-in-speed={speed}"),
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{speed}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains("--audio-in-speed"), "{speed}: {stderr}");
        assert!(
            stderr.contains("0.01 to 1000") || stderr.contains("not a number"),
            "{speed}: {stderr}"
        );
    }
}
