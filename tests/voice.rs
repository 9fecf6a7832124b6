//! The spoken interview end to end from WAV files: real Silero VAD, real
//! Whisper (worker process), real LLM judge, real Piper. The candidate's
//! answers are synthesized once with Piper; the interviewer's WAVs are
//! transcribed back and compared with what the journal says was spoken.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use viva::audio::vad::{SileroVad, FRAME};
use viva::models::Role;
use viva::stt::{SpeechToText, SttWorker, WorkerConfig};

/// The answers, in order, and the verdict each must get.
const ANSWERS: &[(&str, Option<&str>)] = &[
    (
        "Users, posts and comments are nested resources, and the comments of a post live under that post. \
         I use GET to read, POST to create, PUT to update and DELETE to remove. \
         Create returns 201, a missing post returns 404 and bad input returns 400. \
         Every request carries a JWT bearer token for authentication.",
        Some("correct"),
    ),
    (
        "I would store the password in plain text in the users table so that support can read it.",
        Some("security_vulnerability"),
    ),
    ("I don't know.", Some("stuck")),
    ("End the interview.", None),
];

/// The candidate's answers as WAV files (synthesized once per test run).
fn answers_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for (i, (text, _)) in ANSWERS.iter().enumerate() {
            say(text, &dir.path().join(format!("{:02}.wav", i + 1)));
        }
        dir
    })
    .path()
}

fn run_interview(args: &[&str]) -> (std::process::Output, PathBuf, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let session = work.path().join("session");
    let out = Command::new(viva_bin())
        .arg("interview")
        .args(args)
        .arg("--session-dir")
        .arg(&session)
        .args(["--json", "--seed", "7"])
        .output()
        .unwrap();
    (out, session, work)
}

fn stt() -> SttWorker {
    SttWorker::start(WorkerConfig::new(model(Role::Stt), 2).unwrap()).unwrap()
}

#[test]
fn a_spoken_interview_from_wav_files_gets_the_expected_verdicts_and_speaks_its_turns() {
    let answers = answers_dir();
    let work = tempfile::tempdir().unwrap();
    let out_dir = work.path().join("out");
    let (out, session, _keep) = run_interview(&[
        "--audio-in",
        answers.to_str().unwrap(),
        "--audio-out",
        out_dir.to_str().unwrap(),
        "--audio-in-speed",
        "0",
        "--keep-audio",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let entries = journal(&session);

    // What was heard, and how it was judged.
    let heard: Vec<&str> = entries
        .iter()
        .filter(|e| e["event"] == "candidate")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(heard.len(), ANSWERS.len(), "heard {heard:?}\n{stderr}");
    for (said, (text, _)) in heard.iter().zip(ANSWERS) {
        let wer = viva::wer::word_error_rate(text, said);
        assert!(wer <= 0.35, "WER {wer:.2}: said {text:?}, heard {said:?}");
    }
    let verdicts: Vec<&str> = entries
        .iter()
        .filter(|e| e["event"] == "verdict")
        .map(|e| e["judgment"]["verdict"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = ANSWERS.iter().filter_map(|(_, v)| *v).collect();
    assert_eq!(verdicts, expected, "heard {heard:?}");
    assert!(
        entries
            .iter()
            .any(|e| e["event"] == "end" && e["reason"] == "candidate_ended"),
        "the spoken 'End the interview.' must end it"
    );

    // Every interviewer turn was spoken into its own WAV, and says what the
    // journal says (transcribed back with Whisper, full window, told the
    // persona's vocabulary as any listener of this interview would know it).
    let mut whisper = stt();
    let vocabulary = viva::engine::Persona::load("backend-engineer")
        .unwrap()
        .speech_prompt();
    let turns: Vec<(u64, &str)> = entries
        .iter()
        .filter(|e| e["event"] == "interviewer")
        .map(|e| (e["turn"].as_u64().unwrap(), e["text"].as_str().unwrap()))
        .collect();
    assert!(turns.len() >= 6, "{turns:?}");
    let (mut errors, mut words) = (0.0, 0.0);
    let mut worst = (0.0, String::new());
    for (turn, text) in &turns {
        let wav = out_dir.join(viva::voice::sink::turn_file_name(*turn as usize));
        assert!(wav.is_file(), "{} missing", wav.display());
        let audio = viva::audio::wav::read_for_stt(&wav).unwrap();
        let back = whisper
            .transcribe(
                &audio.samples,
                &viva::stt::TranscribeOptions {
                    language: Some("en".into()),
                    initial_prompt: Some(vocabulary.clone()),
                    ..Default::default()
                },
            )
            .unwrap();
        let wer = viva::wer::word_error_rate(text, &back.text);
        let n = viva::wer::normalize_words(text).len() as f64;
        errors += wer * n;
        words += n;
        eprintln!("turn {turn}: WER {wer:.2}: {:?}", back.text);
        if wer > worst.0 {
            worst = (
                wer,
                format!("turn {turn}\n said  {text:?}\n heard {:?}", back.text),
            );
        }
    }
    // Piper's joe voice slurs a word now and then ("schema", "salt"), and its
    // sampler draws fresh noise on every run (VITS noise_scale; ONNX Runtime
    // gives no seed), so one turn may miss more on an unlucky draw (0.13-0.17
    // usually, 0.39 seen once for "Security vulnerability ... approach ...
    // salt"); the whole interview must stay intelligible.
    let total = errors / words;
    assert!(
        total <= 0.15,
        "interviewer audio WER {total:.3} over {words} words; worst {worst:?}"
    );
    assert!(
        worst.0 <= 0.45,
        "worst turn WER {:.2}: {}",
        worst.0,
        worst.1
    );

    // Each answer's latency is journaled, stage by stage, in order.
    let timings: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["event"] == "voice_timing")
        .map(|e| &e["timing"])
        .collect();
    assert_eq!(timings.len(), ANSWERS.len());
    for t in &timings {
        let ready = t["transcript_ready_ms"].as_f64().unwrap();
        let first = t["first_audio_ms"].as_f64().expect("first audio");
        let last = t["last_audio_ms"].as_f64().unwrap();
        assert!(t["speech_end_ms"].as_f64().unwrap() < 0.0);
        assert!(ready >= 0.0 && first >= ready && last >= first, "{t}");
        assert!(t["end_of_turn_unix_ms"].as_u64().unwrap() > 1_700_000_000_000);
    }

    // Kept audio is in the record, owner-only, and its hash is in the chain.
    let kept: Vec<&serde_json::Value> = entries.iter().filter_map(|e| e.get("kept")).collect();
    assert!(kept.len() >= ANSWERS.len() + turns.len() - 1, "{kept:?}");
    for k in kept {
        let file = session.join(k["file"].as_str().unwrap());
        assert_eq!(
            viva::models::verify::sha256_file(&file).unwrap(),
            k["sha256"].as_str().unwrap()
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    let verify = Command::new(viva_bin())
        .arg("verify")
        .arg(&session)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// 16 kHz mono samples of `seconds` of silence or white noise.
fn silence(seconds: f64) -> Vec<f32> {
    vec![0.0; (seconds * 16_000.0) as usize]
}

fn noise(seconds: f64, amplitude: f32) -> Vec<f32> {
    // xorshift: deterministic, no extra crate.
    let mut x: u32 = 0x1234_5678;
    (0..(seconds * 16_000.0) as usize)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect()
}

#[test]
fn one_long_recording_with_pauses_silence_and_noise_gives_only_the_spoken_turns() {
    // jfk.wav, then silence and hiss, then "End the interview." — one file.
    let jfk = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let end = {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("end.wav");
        say("End the interview.", &p);
        viva::audio::wav::read_for_stt(&p).unwrap()
    };
    let mut samples = silence(1.0);
    samples.extend(&jfk.samples);
    samples.extend(silence(4.0));
    samples.extend(noise(4.0, 0.05));
    samples.extend(silence(3.0));
    samples.extend(&end.samples);
    samples.extend(silence(2.0));
    let work = tempfile::tempdir().unwrap();
    let recording = work.path().join("recording.wav");
    viva::audio::wav::write(&recording, &viva::audio::Audio::new(samples, 16_000)).unwrap();

    let (out, session, _keep) = run_interview(&[
        "--audio-in",
        recording.to_str().unwrap(),
        "--audio-in-speed",
        "0",
        "--audio-out",
        work.path().join("out").to_str().unwrap(),
        "--judge",
        "rubric",
        // JFK pauses for a second and more between phrases.
        "--end-silence-ms",
        "1600",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let heard: Vec<String> = journal(&session)
        .iter()
        .filter(|e| e["event"] == "candidate")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(heard.len(), 2, "silence or noise became a turn: {heard:?}");
    let wer = viva::wer::word_error_rate(JFK_TEXT, &heard[0]);
    assert!(wer <= 0.10, "jfk WER {wer:.3}: {:?}", heard[0]);
    assert!(
        heard[1].to_lowercase().contains("end the interview"),
        "{heard:?}"
    );
}

#[test]
fn silero_vad_hears_speech_and_not_silence_or_noise() {
    let mut vad = SileroVad::load(&model(Role::Vad), &model(Role::Runtime)).unwrap();
    let jfk = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let voiced = |vad: &mut SileroVad, pcm: &[f32]| {
        vad.reset();
        let p = vad.probabilities(pcm).unwrap();
        p.iter().filter(|p| **p >= 0.5).count() as f64 / p.len() as f64
    };
    let speech = voiced(&mut vad, &jfk.samples);
    assert!(speech > 0.6, "jfk voiced fraction {speech:.2}");
    assert_eq!(voiced(&mut vad, &silence(3.0)), 0.0);
    let hiss = voiced(&mut vad, &noise(3.0, 0.05));
    assert!(hiss < 0.05, "white noise voiced fraction {hiss:.2}");
    assert!(matches!(
        vad.probability(&[0.0; FRAME - 1]),
        Err(viva::audio::vad::VadError::FrameSize { actual: 511 })
    ));
}

#[test]
fn the_persona_vocabulary_prompt_is_used_and_jfk_stays_accurate_with_it() {
    let persona = viva::engine::Persona::load("backend-engineer").unwrap();
    let prompt = persona.speech_prompt();
    assert!(
        prompt.contains("bcrypt") && prompt.contains("PostgreSQL"),
        "{prompt}"
    );
    let jfk = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let mut t = viva::voice::Transcriber::start(Box::new(stt()), prompt).unwrap();
    t.submit(jfk.samples.clone());
    let piece = loop {
        if let Some(r) = t.poll().pop() {
            break r.unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let wer = viva::wer::word_error_rate(JFK_TEXT, &piece.text);
    assert!(wer <= 0.10, "WER {wer:.3}: {:?}", piece.text);
}

#[test]
fn bad_voice_input_gets_clear_errors() {
    let work = tempfile::tempdir().unwrap();
    let garbage = work.path().join("garbage.wav");
    std::fs::write(&garbage, b"not a wav file at all").unwrap();
    let (out, _, _keep) =
        run_interview(&["--audio-in", garbage.to_str().unwrap(), "--judge", "rubric"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("garbage.wav"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let empty_dir = work.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let (out, _, _keep) = run_interview(&[
        "--audio-in",
        empty_dir.to_str().unwrap(),
        "--judge",
        "rubric",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no .wav files"));

    let (out, _, _keep) = run_interview(&[
        "--audio-in",
        answers_dir().to_str().unwrap(),
        "--vad-model",
        "/nonexistent/vad.onnx",
        "--judge",
        "rubric",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("vad.onnx"));
}
