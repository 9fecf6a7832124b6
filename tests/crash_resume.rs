//! Crash safety: a real `viva text` process (LLM judge) is killed with
//! SIGKILL at random moments mid-interview (after an answer, before the
//! end); every time, the journal loads and verifies (a torn last line is
//! reported, never dropped silently), and
//! `viva resume` finishes the interview from the last complete turn with
//! every answer recorded exactly once and a sealed record.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const ANSWERS: &[&str] = &[
    "GET and POST on /users, and a JWT bearer token checked in middleware.",
    "Status codes 200, 201, 404.",
    "I would hash passwords with md5.",
    "Use an index on the email column and check the plan with EXPLAIN.",
    "I would retry the call a few times.",
    "end the interview",
];

fn script(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("answers.txt");
    std::fs::write(&p, ANSWERS.join("\n---\n")).unwrap();
    p
}

fn run(args: &[&str]) -> (i32, String, String) {
    let ran = run_viva(args, None, &[]);
    (ran.code, ran.stdout, ran.stderr)
}

/// Resumes `session` (killed mid-interview) and checks the finished record.
fn resume_and_check(session: &Path, script: &Path) {
    let (code, _, stderr) = run(&[
        "resume",
        session.to_str().unwrap(),
        "--script",
        script.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = run(&["verify", session.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("sealed files intact"), "{stdout}");
    // Every answer exactly once, in order, up to where the interview ended.
    let said = candidate_texts(session);
    assert!(!said.is_empty());
    assert_eq!(
        said,
        ANSWERS[..said.len()],
        "answers lost, repeated or reordered"
    );
    let journal = std::fs::read_to_string(session.join("journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"event\":\"end\""),
        "the interview did not end"
    );
    let transcript = std::fs::read_to_string(session.join("transcript.md")).unwrap();
    for a in &said {
        assert!(
            transcript.contains(a.as_str()),
            "{a} missing from the transcript"
        );
    }
}

#[test]
fn kill_9_at_random_moments_then_resume() {
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path());
    // Random delays (printed, and settable for a replay).
    let delays: Vec<u64> = match std::env::var("VIVA_CRASH_DELAYS_MS") {
        Ok(v) => v.split(',').filter_map(|d| d.trim().parse().ok()).collect(),
        Err(_) => {
            let mut x = Instant::now().elapsed().as_nanos() as u64
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64;
            (0..3)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    1500 + (x >> 33) % 6000
                })
                .collect()
        }
    };
    eprintln!("kill delays (ms): {delays:?} (replay with VIVA_CRASH_DELAYS_MS)");
    for (i, delay) in delays.iter().enumerate() {
        let session = dir.path().join(format!("s{i}"));
        let mut child = Command::new(viva_bin())
            .args([
                "text",
                "--script",
                script.to_str().unwrap(),
                "--seed",
                "5",
                "--session-dir",
                session.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill mid-interview: after answer i+1 is journaled and before the
        // end, plus the random delay's jitter — so resume is always what is
        // exercised, never a finished or not-yet-started record.
        let journal = session.join("journal.jsonl");
        let wanted = i + 1;
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = std::fs::read_to_string(&journal).unwrap_or_default();
            let answers = text.matches("\"event\":\"candidate\"").count();
            assert!(
                !text.contains("\"event\":\"end\""),
                "the interview ended before the kill (answer {wanted} awaited)"
            );
            if answers >= wanted || Instant::now() > deadline {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("viva text exited ({status}) before answer {wanted}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(delay % 400));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let text = std::fs::read_to_string(&journal).unwrap_or_default();
        assert!(
            !text.contains("\"event\":\"end\""),
            "delay {delay} ms: the kill landed after the end; lower the jitter"
        );
        // The journal loads whatever the moment was.
        let (code, stdout, stderr) = run(&["verify", session.to_str().unwrap()]);
        assert!(
            code == 0 || stderr.contains("torn by a crash"),
            "delay {delay} ms: {stdout}{stderr}"
        );
        resume_and_check(&session, &script);
    }
}

#[test]
fn a_torn_last_line_is_reported_and_the_session_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path());
    let session = dir.path().join("s");
    // A complete run, then cut it back into the middle of an entry.
    let (code, _, stderr) = run(&[
        "text",
        "--judge",
        "rubric",
        "--script",
        script.to_str().unwrap(),
        "--session-dir",
        session.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let journal = session.join("journal.jsonl");
    let original_answers = candidate_texts(&session);
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let third_answer = lines
        .iter()
        .position(|l| l.contains("\"event\":\"candidate\"") && l.contains("md5"))
        .unwrap();
    let mut cut = lines[..third_answer].join("\n");
    cut.push('\n');
    cut.push_str(&lines[third_answer][..40]);
    std::fs::write(&journal, &cut).unwrap();
    for f in [
        "transcript.md",
        "transcript.json",
        "scorecard.md",
        "scorecard.json",
    ] {
        std::fs::remove_file(session.join(f)).unwrap();
    }
    let (code, _, stderr) = run(&["verify", session.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains(&format!("line {} ", third_answer + 1)),
        "{stderr}"
    );
    let (code, _, stderr) = run(&[
        "resume",
        session.to_str().unwrap(),
        "--judge",
        "rubric",
        "--script",
        script.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("torn by the crash"), "{stderr}");
    assert!(session
        .join(format!("journal.torn-line-{}", third_answer + 1))
        .is_file());
    assert_eq!(candidate_texts(&session), original_answers);
    let (code, stdout, _) = run(&["verify", session.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    // An altered record is not resumed.
    let edited = std::fs::read_to_string(&journal)
        .unwrap()
        .replacen("md5", "bcrypt", 1);
    std::fs::write(&journal, edited).unwrap();
    let (code, _, stderr) = run(&["resume", session.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("does not verify"), "{stderr}");
}

#[test]
fn a_site_key_signature_catches_a_rewritten_or_cut_record() {
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path());
    let key = dir.path().join("site.key");
    let (code, stdout, stderr) = run(&["keygen", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("site.pub"), "{stdout}");
    let public = dir.path().join("site.pub");
    let session = dir.path().join("s");
    let (code, _, stderr) = run(&[
        "text",
        "--judge",
        "rubric",
        "--script",
        script.to_str().unwrap(),
        "--sign-key",
        key.to_str().unwrap(),
        "--session-dir",
        session.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let verify = |public: &Path| {
        run(&[
            "verify",
            session.to_str().unwrap(),
            "--public-key",
            public.to_str().unwrap(),
        ])
    };
    let (code, stdout, stderr) = verify(&public);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("OK signed by the site key"), "{stdout}");
    // Another site's key does not vouch for it.
    let other = dir.path().join("other.key");
    run(&["keygen", other.to_str().unwrap()]);
    let (code, _, stderr) = verify(&dir.path().join("other.pub"));
    assert_ne!(code, 0);
    assert!(stderr.contains("not by the key given"), "{stderr}");
    // Cutting the tail leaves a valid chain, but not the signed one.
    let journal = session.join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&journal, lines[..lines.len() - 3].join("\n") + "\n").unwrap();
    let (code, _, stderr) = verify(&public);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("entries were cut or added after signing"),
        "{stderr}"
    );
}
