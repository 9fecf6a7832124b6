//! `viva text`, `viva evaluate` and `viva interview` as a user runs them:
//! real binary, real persona files, session record on disk.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

fn viva(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let ran = run_viva(args, stdin, &[]);
    (ran.code, ran.stdout, ran.stderr)
}

#[test]
fn scripted_json_interview_writes_the_whole_record() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("answers.jsonl");
    std::fs::write(
        &script,
        concat!(
            r#"{"answer": "Resources are /users, /posts and /posts/{id}/comments. GET reads, POST creates with 201, DELETE returns 204, errors use 400 and 404 status codes, and a JWT bearer token is checked in middleware.", "elapsed_s": 240}"#, "\n",
            r#"{"answer": "query = \"SELECT id FROM users WHERE email = '\" + email + \"'\" and I store the password with md5.", "elapsed_s": 200}"#, "\n",
            r#"{"answer": "end the interview", "elapsed_s": 30}"#, "\n",
        ),
    )
    .unwrap();
    let session = dir.path().join("session");
    let (code, stdout, stderr) = viva(
        &[
            "text",
            "--script",
            script.to_str().unwrap(),
            "--json",
            "--session-dir",
            session.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verdicts: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "verdict")
        .map(|e| e["judgment"]["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, vec!["correct", "security_vulnerability"]);
    assert!(events
        .iter()
        .any(|e| e["event"] == "end" && e["reason"] == "candidate_ended"));
    let card = events.iter().find(|e| e["event"] == "scorecard").unwrap();
    assert_eq!(card["scorecard"]["dimensions"].as_array().unwrap().len(), 5);
    for f in [
        "journal.jsonl",
        "transcript.md",
        "transcript.json",
        "scorecard.json",
        "scorecard.md",
    ] {
        let p = session.join(f);
        assert!(p.is_file(), "{f} missing");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o077,
                0,
                "{f} must be owner-only"
            );
        }
    }
    // The journal is one JSON object per line, chained by hash.
    let journal = std::fs::read_to_string(session.join("journal.jsonl")).unwrap();
    let mut prev = "0".repeat(64);
    for line in journal.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["prev"].as_str().unwrap(), prev);
        prev = v["hash"].as_str().unwrap().to_string();
    }
    assert!(journal.contains("\"event\":\"candidate\""));
    let md = std::fs::read_to_string(session.join("scorecard.md")).unwrap();
    assert!(
        md.contains("Security Awareness") && md.contains("turn 2"),
        "{md}"
    );
}

#[test]
fn plain_script_with_separators_and_a_second_persona() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("answers.txt");
    std::fs::write(
        &script,
        "SELECT customer_id, COUNT(*)\nFROM orders\nGROUP BY customer_id;\n---\nEvery insert and update must write the index too, and on a low selectivity column most rows match anyway.\n",
    )
    .unwrap();
    let persona = repo().join("tests/data/mini-sql.toml");
    let (code, stdout, stderr) = viva(
        &[
            "text",
            "--persona",
            persona.to_str().unwrap(),
            "--script",
            script.to_str().unwrap(),
            "--session-dir",
            dir.path().join("s").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Interviewer: This is a short SQL screen. First question. Write a query that counts orders per customer."), "{stdout}");
    assert!(
        stdout.contains("Interviewer: Correct. Explain when an index makes a query slower."),
        "{stdout}"
    );
    assert!(stdout.contains("The screen is over."), "{stdout}");
}

#[test]
fn interview_without_audio_devices_falls_back_to_text_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = viva(
        &[
            "interview",
            "--session-dir",
            dir.path().join("s").to_str().unwrap(),
        ],
        Some(b"I don't know.\n\nend the interview\n\n"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("text interview"), "{stderr}");
    assert!(
        stdout.contains("Interviewer: Moving on. Solution requires"),
        "{stdout}"
    );
    assert!(stdout.contains("The interview is over."), "{stdout}");
    assert!(dir.path().join("s/scorecard.json").is_file());
}

#[test]
fn evaluate_prints_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("a.txt");
    std::fs::write(&answer, "I hash passwords with bcrypt, validate the email format and return 409 when the unique email constraint finds a duplicate.").unwrap();
    let (code, stdout, stderr) = viva(
        &[
            "evaluate",
            "--question",
            "q2",
            "--answer-file",
            answer.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["verdict"], "correct");
    assert_eq!(v["score"], 100);
    assert!(v["utterance"].as_str().unwrap().starts_with("Correct. "));
    assert!(v["findings"].as_array().unwrap().is_empty());
    // From stdin, with a vulnerability.
    let (_, stdout, _) = viva(
        &[
            "evaluate",
            "--question",
            "q4",
            "--answer-file",
            "-",
            "--json",
        ],
        Some(b"SELECT * FROM orders JOIN products ON products.id = orders.product_id"),
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["verdict"], "incorrect");
    assert_eq!(v["findings"][0]["id"], "select_star");
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad_utf8 = dir.path().join("bad.txt");
    std::fs::write(&bad_utf8, [0x66, 0x6f, 0xff, 0xfe]).unwrap();
    let (code, _, stderr) = viva(
        &[
            "text",
            "--script",
            bad_utf8.to_str().unwrap(),
            "--session-dir",
            dir.path().join("s").to_str().unwrap(),
        ],
        None,
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("not UTF-8"), "{stderr}");

    let bad_jsonl = dir.path().join("bad.jsonl");
    std::fs::write(&bad_jsonl, "{\"answer\": \"x\"}\n{\"anser\": 1}\n").unwrap();
    let (code, _, stderr) = viva(&["text", "--script", bad_jsonl.to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(stderr.contains("line 2"), "{stderr}");

    let broken_persona = dir.path().join("broken.toml");
    std::fs::write(&broken_persona, "id = \"x\"\nname = [\n").unwrap();
    let (code, _, stderr) = viva(
        &["text", "--persona", broken_persona.to_str().unwrap()],
        None,
    );
    assert_ne!(code, 0);
    assert!(
        stderr.contains("broken.toml") && stderr.contains("line"),
        "{stderr}"
    );

    let (code, _, stderr) = viva(
        &["evaluate", "--question", "q99", "--answer-file", "-"],
        Some(b"x"),
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("no question `q99`"), "{stderr}");

    // An unwritable session directory.
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let file_in_the_way = ro.join("file");
    std::fs::write(&file_in_the_way, "x").unwrap();
    let (code, _, stderr) = viva(
        &[
            "text",
            "--session-dir",
            file_in_the_way.join("s").to_str().unwrap(),
        ],
        Some(b""),
    );
    assert_ne!(code, 0);
    assert!(stderr.contains("--session-dir"), "{stderr}");
}

#[test]
fn a_missing_llm_leaves_the_interview_on_the_rubric_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("a.txt");
    std::fs::write(
        &script,
        "I would count requests per user in Redis.\n---\nend the interview\n",
    )
    .unwrap();
    let session = dir.path().join("s");
    let (code, stdout, stderr) = viva(
        &[
            "text",
            "--script",
            script.to_str().unwrap(),
            "--llm-model",
            "/nonexistent/model.gguf",
            "--session-dir",
            session.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("deterministic rubric"), "{stderr}");
    assert!(stderr.contains("/nonexistent/model.gguf"), "{stderr}");
    assert!(stdout.contains("Interviewer:"));
    let journal = std::fs::read_to_string(session.join("journal.jsonl")).unwrap();
    let start: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(start["judge"]["judge"], "rubric");
    assert!(start["judge"]["llm_error"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
}

#[test]
fn the_llm_judge_streams_the_verdict_opening_and_journals_its_timing() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("a.txt");
    std::fs::write(
        &script,
        "GET and POST on /users, and a JWT bearer token checked in middleware.\n---\nend the interview\n",
    )
    .unwrap();
    let session = dir.path().join("s");
    let (code, stdout, stderr) = viva(
        &[
            "text",
            "--script",
            script.to_str().unwrap(),
            "--json",
            "--seed",
            "3",
            "--session-dir",
            session.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{stderr}");
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let opening = events
        .iter()
        .position(|e| e["event"] == "opening")
        .expect("an opening event");
    let said = events[opening..]
        .iter()
        .find(|e| e["event"] == "interviewer")
        .unwrap();
    let text = events[opening]["text"].as_str().unwrap();
    assert!(
        said["text"].as_str().unwrap().starts_with(text),
        "{said} vs {text}"
    );
    let journal = std::fs::read_to_string(session.join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"verdict_known_ms\""));
    assert!(
        journal.contains("\"judge\":{\"judge\":\"llm\""),
        "{journal}"
    );
}

#[test]
fn ctrl_c_writes_and_seals_the_record_so_far() {
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
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Resources are /users and /posts with GET and POST.\n\n")
        .unwrap();
    stdin.flush().unwrap();
    // Wait until the answer has been judged and journaled.
    let journal = session.join("journal.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_to_string(&journal)
        .is_ok_and(|j| j.contains("\"verdict\"") || j.contains("\"probe\""))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the answer was never judged"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let transcript = std::fs::read_to_string(session.join("transcript.md")).unwrap();
    assert!(transcript.contains("/users and /posts"), "{transcript}");
    assert!(session.join("scorecard.md").is_file());
    let verify = Command::new(viva_bin())
        .args(["verify", session.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{said}");
    assert!(said.contains("sealed files intact"), "{said}");
}
