//! The spoken interview through the real audio stack: cpal and rodio on
//! ALSA's `default` device, routed by PulseAudio to virtual devices. The
//! candidate's answer is played into a virtual microphone (`paplay`), and
//! what Viva says is recorded from the virtual speaker (`parec`) and
//! transcribed back. No audio layer is mocked. The test runs its own
//! PulseAudio daemon in a private runtime directory and stops it by pid.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use viva::models::Role;
use viva::stt::{SpeechToText, SttWorker, WorkerConfig};

struct Pulse {
    runtime: tempfile::TempDir,
    pid: Option<i32>,
}

impl Pulse {
    fn start() -> Pulse {
        let runtime = tempfile::tempdir().unwrap();
        let status = Command::new("pulseaudio")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("HOME", runtime.path())
            .args([
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "-n",
                "--load=module-native-protocol-unix",
                "--load=module-null-sink sink_name=spk",
                "--load=module-null-sink sink_name=micsrc",
                "--load=module-remap-source source_name=mic master=micsrc.monitor",
            ])
            .status()
            .expect("pulseaudio is not installed: scripts/setup installs it (Debian package pulseaudio)");
        assert!(status.success(), "pulseaudio did not start");
        let mut pulse = Pulse { runtime, pid: None };
        let pid_file = pulse.runtime.path().join("pulse").join("pid");
        let started = Instant::now();
        while pulse.pid.is_none() && started.elapsed() < Duration::from_secs(10) {
            pulse.pid = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|p| p.trim().parse().ok());
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(pulse.pid.is_some(), "no pid file at {}", pid_file.display());
        for args in [["set-default-source", "mic"], ["set-default-sink", "spk"]] {
            let ok = pulse.cmd("pactl").args(args).status().unwrap();
            assert!(ok.success(), "pactl {args:?}");
        }
        pulse
    }

    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("HOME", self.runtime.path());
        c
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            // SAFETY: plain kill(2) of the daemon this test started.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
    }
}

/// Kills the interview if the test fails before it ends.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits until the journal has `n` finished interviewer turns.
fn wait_for_spoken_turns(session: &Path, n: usize, viva: &mut Child, log: &Path) {
    let started = Instant::now();
    loop {
        let spoken = journal(session)
            .iter()
            .filter(|e| e["event"] == "interviewer_audio")
            .count();
        if spoken >= n {
            return;
        }
        if let Ok(Some(status)) = viva.try_wait() {
            panic!(
                "viva exited early ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no {n} spoken turns after 2 minutes: {:?}\nlog: {}",
            journal(session),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_spoken_turn_through_cpal_and_rodio_on_virtual_pulseaudio_devices() {
    let pulse = Pulse::start();
    let work = tempfile::tempdir().unwrap();
    let dont_know = work.path().join("dont-know.wav");
    let end = work.path().join("end.wav");
    say("I don't know.", &dont_know);
    say("End the interview.", &end);

    // Record the virtual speaker for the whole session.
    let recording: PathBuf = work.path().join("speaker.wav");
    let mut parec = pulse
        .cmd("parec")
        .args([
            "-d",
            "spk.monitor",
            "--file-format=wav",
            "--rate=16000",
            "--channels=1",
        ])
        .arg(&recording)
        .spawn()
        .expect("parec (pulseaudio-utils) is missing: scripts/setup installs it");

    let devices = pulse
        .cmd(viva_bin().to_str().unwrap())
        .args(["devices", "--json"])
        .output()
        .unwrap();
    let devices: serde_json::Value = serde_json::from_slice(&devices.stdout).unwrap();
    let session = work.path().join("session");
    let log = work.path().join("viva.log");
    let viva = pulse
        .cmd(viva_bin().to_str().unwrap())
        .args(["interview", "--judge", "rubric", "--json", "--session-dir"])
        .arg(&session)
        .env("VIVA_LOG", "viva=debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // Killed if an assertion fails before the interview ends.
    let mut guard = KillOnDrop(Some(viva));

    // The opening is spoken; then the candidate answers into the microphone.
    wait_for_spoken_turns(&session, 1, guard.0.as_mut().unwrap(), &log);
    let played = pulse
        .cmd("paplay")
        .arg("--device=micsrc")
        .arg(&dont_know)
        .status()
        .unwrap();
    assert!(played.success());
    // "Moving on. …" and the next question are spoken.
    wait_for_spoken_turns(&session, 3, guard.0.as_mut().unwrap(), &log);
    let played = pulse
        .cmd("paplay")
        .arg("--device=micsrc")
        .arg(&end)
        .status()
        .unwrap();
    assert!(played.success());
    let out = guard.0.take().unwrap().wait_with_output().unwrap();
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(out.status.success(), "{stderr}\ndevices: {devices}");
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: stop the recorder started above.
    unsafe {
        libc::kill(parec.id() as i32, libc::SIGINT);
    }
    let _ = parec.wait();

    let events = journal(&session);
    let start = events
        .iter()
        .find(|e| e["event"] == "session_start")
        .unwrap();
    assert!(
        start["voice"]["input"]
            .as_str()
            .unwrap()
            .starts_with("microphone"),
        "{start}"
    );
    let heard: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "candidate")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(heard.len(), 2, "{heard:?}\n{stderr}");
    assert!(heard[0].to_lowercase().contains("know"), "{heard:?}");
    assert!(events
        .iter()
        .any(|e| e["event"] == "verdict" && e["judgment"]["verdict"] == "stuck"));

    // What came out of the virtual speaker is what the interviewer said.
    let audio = viva::audio::wav::read_for_stt(&recording).unwrap();
    assert!(
        audio.duration_ms() > 5_000.0,
        "{} ms recorded",
        audio.duration_ms()
    );
    let mut whisper = SttWorker::start(WorkerConfig::new(model(Role::Stt), 2).unwrap()).unwrap();
    let mut said = String::new();
    for chunk in audio.samples.chunks(16_000 * 25) {
        let t = whisper
            .transcribe(
                chunk,
                &viva::stt::TranscribeOptions {
                    language: Some("en".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        said.push_str(&t.text);
        said.push(' ');
    }
    let said = said.to_lowercase();
    assert!(said.contains("backend engineering interview"), "{said}");
    assert!(said.contains("moving on"), "{said}");
}
