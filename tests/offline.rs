//! Offline, proved: the binaries link no network client, and a whole
//! scripted interview (LLM judge and Whisper worker included) behaves the
//! same inside a network namespace with nothing but a downed loopback.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Crates that would let a binary talk to a network: HTTP clients/servers,
/// TLS stacks, websockets, gRPC, DNS resolvers.
const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "h3",
    "ureq",
    "curl",
    "curl-sys",
    "isahc",
    "attohttpc",
    "surf",
    "minreq",
    "http-req",
    "native-tls",
    "openssl",
    "openssl-sys",
    "rustls",
    "tokio-rustls",
    "tokio-native-tls",
    "quinn",
    "tungstenite",
    "tokio-tungstenite",
    "tonic",
    "trust-dns-resolver",
    "hickory-resolver",
    "socket2",
    "mio",
];

/// The network crates among `cargo tree` lines (`name vX.Y.Z …`).
fn network_crates(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| NETWORK_CRATES.contains(name))
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_network_crate_check_can_fail() {
    let tree = "viva v0.1.0\nserde v1.0.0\nreqwest v0.12.4\nrustls v0.23.1 (*)\n";
    assert_eq!(network_crates(tree), ["reqwest", "rustls"]);
    assert!(network_crates("viva v0.1.0\nserde v1.0.0\n").is_empty());
}

#[test]
fn binaries_link_no_network_client() {
    // Normal dependencies only: build scripts (ort-sys's downloader) run at
    // build time and are not part of the binaries.
    let out = Command::new(env!("CARGO"))
        .current_dir(repo())
        .args([
            "tree",
            "-e",
            "normal",
            "--workspace",
            "--prefix",
            "none",
            "--offline",
            "--locked",
        ])
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tree.contains("llama-cpp-2"),
        "unexpected cargo tree output: {tree}"
    );
    let found = network_crates(&tree);
    assert!(
        found.is_empty(),
        "network crates linked into the binaries: {found:?}"
    );
}

/// Runs `viva ARGS` inside a new network namespace (only a downed loopback).
fn viva_without_network(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("unshare");
    // As root a plain network namespace; otherwise a user namespace too.
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    cmd.arg(if root { "-n" } else { "-rn" });
    cmd.arg(viva_bin()).args(args);
    cmd.output()
        .expect("unshare runs (util-linux, installed by scripts/setup)")
}

fn viva_here(args: &[&str]) -> std::process::Output {
    Command::new(viva_bin()).args(args).output().unwrap()
}

/// Interviewer turns and verdicts of a `--json` run.
fn conversation(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| match v["event"].as_str() {
            Some("interviewer") => Some(format!("say {}", v["text"])),
            Some("verdict") => Some(format!(
                "verdict {} {}",
                v["judgment"]["verdict"], v["judgment"]["score"]
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn an_interview_without_any_network_behaves_exactly_as_with_one() {
    // The namespace really has no usable interface.
    let probe = Command::new("unshare")
        .args(["-rn", "cat", "/proc/net/dev"])
        .output()
        .unwrap();
    let devs = String::from_utf8_lossy(&probe.stdout);
    assert!(
        devs.lines()
            .skip(2)
            .all(|l| l.trim_start().starts_with("lo:")),
        "{devs}"
    );

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("answers.txt");
    std::fs::write(
        &script,
        "I would count requests per user in Redis.\n---\nHash it with md5.\n---\nI would add an index on the email column and check the plan with EXPLAIN.\n---\nend the interview\n",
    )
    .unwrap();
    let run = |runner: fn(&[&str]) -> std::process::Output, session: &Path| {
        let out = runner(&[
            "text",
            "--script",
            script.to_str().unwrap(),
            "--json",
            "--seed",
            "11",
            "--session-dir",
            session.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains("LLM is unavailable"), "{stderr}");
        conversation(&out.stdout)
    };
    let online = run(viva_here, &dir.path().join("online"));
    let offline = run(viva_without_network, &dir.path().join("offline"));
    assert!(online.len() >= 6, "{online:?}");
    assert_eq!(online, offline);
    let journal = std::fs::read_to_string(dir.path().join("offline/journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"judge\":\"llm\""),
        "the LLM judged offline"
    );

    // Whisper, in its worker process, likewise.
    let jfk = fixture("jfk.wav");
    let here = viva_here(&["transcribe", jfk.to_str().unwrap()]);
    let there = viva_without_network(&["transcribe", jfk.to_str().unwrap()]);
    assert!(
        there.status.success(),
        "{}",
        String::from_utf8_lossy(&there.stderr)
    );
    assert_eq!(here.stdout, there.stdout);
    assert!(viva::wer::word_error_rate(JFK_TEXT, &String::from_utf8_lossy(&there.stdout)) <= 0.1);
}
