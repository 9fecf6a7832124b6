//! The three real engines on the real default models: LLM (llama.cpp),
//! Whisper (through its worker process) and Piper.

mod common;

use std::time::Duration;

use common::*;
use viva::llm::{ChatMessage, ChatRole, GenerateOptions, Llm, LlmConfig};
use viva::models::Role;
use viva::stt::{SpeechToText, SttWorker, TranscribeOptions, WorkerConfig};
use viva::tts::{PiperTts, TtsConfig};
use viva::wer::word_error_rate;

fn english() -> TranscribeOptions {
    TranscribeOptions {
        language: Some("en".into()),
        ..Default::default()
    }
}

fn stt_worker(model: std::path::PathBuf) -> SttWorker {
    SttWorker::start(WorkerConfig::new(model, 2).expect("worker binary")).expect("worker starts")
}

fn load_tts() -> PiperTts {
    let cfg = TtsConfig::new(model(Role::Tts), model(Role::Runtime), &models_dir());
    PiperTts::load(&cfg).expect("Piper voice loads")
}

#[test]
fn llm_answers_a_chat_templated_prompt() {
    let mut llm = Llm::load(LlmConfig::new(model(Role::Llm))).expect("LLM loads");
    assert_eq!(
        llm.template().kind(),
        "model",
        "SmolLM2 ships a chat template"
    );
    let prompt = llm
        .render_chat(&[
            ChatMessage::new(ChatRole::System, "Answer with one word."),
            ChatMessage::new(ChatRole::User, "What is the capital of France?"),
        ])
        .unwrap();
    assert!(prompt.contains("<|im_start|>assistant"), "{prompt}");
    let out = llm
        .generate(&prompt, &GenerateOptions::default(), |_| true)
        .unwrap();
    assert!(out.text.contains("Paris"), "{:?}", out.text);
    assert!(out.generated_tokens > 0 && out.generated_tokens < 256);
}

#[test]
fn llm_reuses_the_cached_prompt_prefix() {
    let mut llm = Llm::load(LlmConfig::new(model(Role::Llm))).unwrap();
    let system = "You are a strict interviewer. ".repeat(20);
    let turn = |q: &str| {
        vec![
            ChatMessage::new(ChatRole::System, system.clone()),
            ChatMessage::new(ChatRole::User, q.to_string()),
        ]
    };
    let opts = GenerateOptions {
        max_tokens: 4,
        ..Default::default()
    };
    let first = llm.render_chat(&turn("What is REST?")).unwrap();
    let a = llm.generate(&first, &opts, |_| true).unwrap();
    assert_eq!(a.cached_tokens, 0);
    let second = llm.render_chat(&turn("What is an index?")).unwrap();
    let b = llm.generate(&second, &opts, |_| true).unwrap();
    assert!(
        b.cached_tokens > 100,
        "the system prompt should come from the cache, got {} of {}",
        b.cached_tokens,
        b.prompt_tokens
    );
}

#[test]
fn whisper_worker_transcribes_jfk() {
    let audio = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let mut stt = stt_worker(model(Role::Stt));
    let t = stt.transcribe(&audio.samples, &english()).unwrap();
    let wer = word_error_rate(JFK_TEXT, &t.text);
    assert!(wer <= 0.10, "WER {wer:.3}: {:?}", t.text);
    assert_eq!(t.audio_ms, 11_000);
    assert!(!t.segments.is_empty());
}

#[test]
fn whisper_base_converted_from_two_wheels_transcribes_jfk() {
    let audio = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let mut stt = stt_worker(model_named("whisper-base"));
    let t = stt.transcribe(&audio.samples, &english()).unwrap();
    let wer = word_error_rate(JFK_TEXT, &t.text);
    assert!(wer <= 0.10, "WER {wer:.3}: {:?}", t.text);
}

#[test]
fn piper_speech_transcribes_back() {
    let sentence = "Design a database schema for an online store with products, users and orders.";
    let mut tts = load_tts();
    let (audio, stats) = tts.synthesize(sentence).unwrap();
    assert!(audio.duration_ms() > 2000.0, "{} ms", audio.duration_ms());
    assert!(stats.elapsed_ms > 0.0);
    let pcm = audio.resampled(16_000).unwrap();
    let mut stt = stt_worker(model(Role::Stt));
    let t = stt.transcribe(&pcm.samples, &english()).unwrap();
    let wer = word_error_rate(sentence, &t.text);
    assert!(wer <= 0.15, "WER {wer:.3}: {:?}", t.text);
}

#[test]
fn llm_and_stt_run_at_the_same_time() {
    let audio = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let stt_model = model(Role::Stt);
    let transcriber = std::thread::spawn(move || {
        let mut stt = stt_worker(stt_model);
        (0..2)
            .map(|_| stt.transcribe(&audio.samples, &english()).unwrap().text)
            .collect::<Vec<_>>()
    });
    let mut llm = Llm::load(LlmConfig::new(model(Role::Llm))).unwrap();
    let prompt = llm
        .render_chat(&[ChatMessage::new(ChatRole::User, "Name one HTTP method.")])
        .unwrap();
    let mut answers = Vec::new();
    while !transcriber.is_finished() || answers.is_empty() {
        let g = llm
            .generate(
                &prompt,
                &GenerateOptions {
                    max_tokens: 24,
                    ..Default::default()
                },
                |_| true,
            )
            .unwrap();
        answers.push(g.text);
    }
    let texts = transcriber.join().unwrap();
    for t in &texts {
        assert!(word_error_rate(JFK_TEXT, t) <= 0.10, "{t:?}");
    }
    assert!(
        answers.len() >= 2,
        "the LLM should have generated while Whisper ran"
    );
    let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    assert!(
        answers
            .iter()
            .all(|a| methods.iter().any(|m| a.contains(m))),
        "{answers:?}"
    );
}

#[test]
fn a_killed_worker_is_restarted_and_the_turn_is_not_lost() {
    let audio = viva::audio::wav::read_for_stt(&fixture("jfk.wav")).unwrap();
    let mut stt = stt_worker(model(Role::Stt));
    let first_pid = stt.pid().unwrap();
    // Kill it while it is transcribing.
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        std::process::Command::new("kill")
            .args(["-9", &first_pid.to_string()])
            .status()
            .unwrap()
    });
    let t = stt.transcribe(&audio.samples, &english()).unwrap();
    assert!(killer.join().unwrap().success());
    assert!(word_error_rate(JFK_TEXT, &t.text) <= 0.10, "{:?}", t.text);
    assert_eq!(stt.restarts(), 1);
    assert_ne!(stt.pid(), Some(first_pid));
    // And the new worker keeps serving.
    stt.ping().unwrap();
}
