//! The spoken interview: candidate audio (microphone or WAV files) → Silero
//! VAD turn-taking → Whisper (segments transcribed while the candidate is
//! still talking) → interview engine + LLM → validator → Piper, sentence by
//! sentence, to the speakers or WAV files. Every turn's latency is journaled.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use viva::audio::vad::{SileroVad, FRAME};
use viva::audio::Audio;
use viva::engine::interview::{EndReason, Interview};
use viva::engine::Persona;
use viva::models::{resolve, Role};
use viva::session::Session;
use viva::stt::{SttWorker, WorkerConfig};
use viva::voice::{
    AudioInput, AudioSink, DeviceSink, EndpointConfig, EndpointEvent, Endpointer, FileInputConfig,
    Input, NullSink, Speaker, SpeakerEvent, Transcriber, TurnMode, WavDirSink,
};

use super::interview_cmd::{
    build_judge, close_record_on_interrupt, lock, Driver, Snapshot, TextArgs, VoiceOut,
};

/// Options of the spoken interview.
#[derive(Debug, Clone, Args)]
pub struct VoiceArgs {
    /// Candidate audio from WAV files instead of the microphone: one file
    /// per answer (repeat the flag, or give a directory of WAVs, played in
    /// name order, each after the interviewer has spoken), or a single file
    /// holding a whole recording with pauses.
    #[arg(long, value_name = "WAV|DIR")]
    pub audio_in: Vec<PathBuf>,
    /// How fast --audio-in plays: 1 = real time, 0 = as fast as possible.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR", value_parser = parse_speed)]
    pub audio_in_speed: f64,
    /// Write the interviewer's voice to DIR/interviewer-NNN.wav (one per
    /// turn) instead of the speakers.
    #[arg(long, value_name = "DIR")]
    pub audio_out: Option<PathBuf>,
    /// Microphone (name or id from `viva devices`; default: the system's).
    #[arg(long, value_name = "NAME")]
    pub input_device: Option<String>,
    /// Speakers (name or id from `viva devices`; default: the system's).
    #[arg(long, value_name = "NAME")]
    pub output_device: Option<String>,
    /// How the candidate's turn ends: `vad` (a pause) or `push-to-talk`
    /// (Enter to start, Enter to finish).
    #[arg(long, value_enum, default_value = "vad")]
    pub turn_mode: TurnMode,
    /// Silence that ends an answer, in ms (shorter pauses are thinking).
    #[arg(long, default_value_t = 1000.0, value_name = "MS")]
    pub end_silence_ms: f64,
    /// Longest single answer, in seconds.
    #[arg(long, default_value_t = 180.0, value_name = "S")]
    pub max_answer_s: f64,
    /// Let the candidate interrupt: speech while the interviewer talks
    /// stops playback. Use with headphones (otherwise the microphone hears
    /// the interviewer).
    #[arg(long)]
    pub barge_in: bool,
    /// Keep the candidate's and the interviewer's audio in the session
    /// record (audio/*.wav, hashed into the journal) for assessment review.
    #[arg(long)]
    pub keep_audio: bool,
    /// Whisper model (ggml path or manifest name; default: the manifest's).
    #[arg(long, value_name = "PATH|NAME")]
    pub stt_model: Option<String>,
    /// Piper voice (.onnx path or manifest name).
    #[arg(long, value_name = "PATH|NAME")]
    pub voice: Option<String>,
    /// Speaking rate (1.0 = the voice's own, 1.2 = 20% faster).
    #[arg(long, default_value_t = 1.0)]
    pub rate: f32,
    /// Silero VAD model (.onnx path or manifest name).
    #[arg(long, value_name = "PATH|NAME")]
    pub vad_model: Option<String>,
}

/// Where each stage of one turn finished, relative to the end-of-turn decision.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TurnTiming {
    pub candidate_turn: usize,
    /// Wall clock of the end-of-turn decision (Unix ms).
    pub end_of_turn_unix_ms: u128,
    /// The candidate's last voiced audio (negative: before the decision; 0
    /// when the turn ended by push-to-talk or at the maximum length).
    pub speech_end_ms: f64,
    pub end_of_turn_ms: f64,
    pub transcript_ready_ms: f64,
    pub verdict_known_ms: Option<f64>,
    pub first_audio_ms: Option<f64>,
    pub last_audio_ms: Option<f64>,
    /// Audio of the answer, pauses included.
    pub answer_ms: f64,
    pub speech_ms: f64,
    /// Segments transcribed while the candidate was still speaking.
    pub early_segments: usize,
    pub end_reason: viva::voice::TurnEnd,
    /// Interviewer audio produced for the reply, and its synthesis time.
    pub reply_audio_ms: f64,
    pub reply_synth_ms: f64,
    /// Whisper time spent on this answer, and the answer's audio length.
    pub stt_ms: f64,
}

fn ms_since(t0: Instant, t: Instant) -> f64 {
    if t >= t0 {
        t.duration_since(t0).as_secs_f64() * 1000.0
    } else {
        -(t0.duration_since(t).as_secs_f64() * 1000.0)
    }
}

/// The WAV files of `--audio-in`, and whether they are one per answer.
/// `--audio-in-speed`: 0 (as fast as possible) or a factor of real time
/// from 0.01 to 1000.
fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text.parse().map_err(|_| {
        format!("{text:?} is not a number; give 1 for real time or 0 for as fast as possible")
    })?;
    if speed == 0.0 || (0.01..=1000.0).contains(&speed) {
        Ok(speed)
    } else {
        Err(format!(
            "{text} is out of range; give 0 (as fast as possible) or a factor from 0.01 to 1000 (1 = real time)"
        ))
    }
}

fn input_files(paths: &[PathBuf]) -> anyhow::Result<(Vec<PathBuf>, bool)> {
    if let [single] = paths {
        if single.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(single)
                .with_context(|| format!("cannot read --audio-in directory {}", single.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")))
                .collect();
            files.sort();
            anyhow::ensure!(
                !files.is_empty(),
                "--audio-in {} holds no .wav files",
                single.display()
            );
            return Ok((files, true));
        }
        return Ok((vec![single.clone()], false));
    }
    for p in paths {
        anyhow::ensure!(
            p.is_file(),
            "--audio-in {}: no such file (give WAV files, or one directory)",
            p.display()
        );
    }
    Ok((paths.to_vec(), true))
}

/// Everything the spoken interview runs on.
pub struct VoiceEngines {
    pub vad: SileroVad,
    pub transcriber: Transcriber,
    pub speaker: Speaker,
    pub input: AudioInput,
    pub description: serde_json::Value,
}

/// Loads VAD, Whisper, Piper and opens the audio input and output.
pub fn open_engines(
    voice: &VoiceArgs,
    persona: &Persona,
    models_dir: &Path,
) -> anyhow::Result<VoiceEngines> {
    // Candidate files first: a bad file is reported before any model loads.
    let file_input = if voice.audio_in.is_empty() {
        None
    } else {
        let (files, per_turn) = input_files(&voice.audio_in)?;
        let label = format!(
            "{} file(s){}",
            files.len(),
            if per_turn {
                ", one per answer"
            } else {
                ", one recording"
            }
        );
        let input = viva::voice::source::open_files(FileInputConfig {
            files,
            per_turn,
            speed: voice.audio_in_speed,
            trailing_silence_ms: voice.end_silence_ms + 500.0,
        })?;
        Some((input, label))
    };
    let runtime = resolve(models_dir, Role::Runtime, None)?;
    let vad_path = resolve(models_dir, Role::Vad, voice.vad_model.as_deref())?;
    let vad = SileroVad::load(&vad_path, &runtime)?;
    let stt_model = resolve(models_dir, Role::Stt, voice.stt_model.as_deref())?;
    let stt = SttWorker::start(WorkerConfig::new(
        stt_model.clone(),
        viva::llm::default_threads(),
    )?)?;
    let transcriber = Transcriber::start(Box::new(stt), persona.speech_prompt())
        .context("cannot start the transcription thread (out of threads or memory?); the interview cannot hear the candidate")?;
    let tts = super::engines::load_tts(models_dir, voice.voice.as_deref(), voice.rate, None)?;
    let voice_file = resolve(models_dir, Role::Tts, voice.voice.as_deref())?;
    let (make_sink, output): (viva::voice::speaker::SinkFactory, String) = match &voice.audio_out {
        Some(dir) => {
            let dir = dir.clone();
            let label = format!("files {}", dir.display());
            (
                Box::new(move || Ok(Box::new(WavDirSink::new(&dir)?) as Box<dyn AudioSink>)),
                label,
            )
        }
        None if voice.audio_in.is_empty() || viva::audio::devices::list().has_output() => {
            let device = voice.output_device.clone();
            let label = format!(
                "device {}",
                device.clone().unwrap_or_else(|| "default".into())
            );
            (
                Box::new(move || {
                    Ok(Box::new(DeviceSink::open(device.as_deref())?) as Box<dyn AudioSink>)
                }),
                label,
            )
        }
        None => {
            eprintln!("note: no output device and no --audio-out: the interviewer's voice is synthesized but not played");
            (
                Box::new(|| Ok(Box::new(NullSink) as Box<dyn AudioSink>)),
                "none".to_string(),
            )
        }
    };
    let speaker = Speaker::start(tts, make_sink, voice.keep_audio, persona.speech.clone())?;
    let (input, input_label) = match file_input {
        Some(opened) => opened,
        None => {
            let input = viva::voice::source::open_microphone(voice.input_device.as_deref())?;
            (
                input,
                format!(
                    "microphone {}",
                    voice
                        .input_device
                        .clone()
                        .unwrap_or_else(|| "default".into())
                ),
            )
        }
    };
    if voice.turn_mode == TurnMode::PushToTalk {
        input.keys_from_stdin();
    }
    let description = serde_json::json!({
        "stt_model": stt_model,
        "vad_model": vad_path,
        "voice": voice_file,
        "input": input_label,
        "output": output,
        "turn_mode": voice.turn_mode,
        "end_silence_ms": voice.end_silence_ms,
        "max_answer_s": voice.max_answer_s,
        "barge_in": voice.barge_in,
        "keep_audio": voice.keep_audio,
    });
    Ok(VoiceEngines {
        vad,
        transcriber,
        speaker,
        input,
        description,
    })
}

/// A finished answer waiting for the tail of its transcription.
struct EndedTurn {
    /// The speculation whose transcript is the turn's tail.
    speculation: Option<u64>,
    at: Instant,
    unix_ms: u128,
    clock_s: f64,
    speech_ms: f64,
    answer_ms: f64,
    reason: viva::voice::TurnEnd,
    early_segments: usize,
}

/// A reply being spoken, and the timing of the answer it replies to.
struct Reply {
    timing: TurnTiming,
    at: Instant,
}

/// Runs the spoken interview.
pub fn interview(args: TextArgs, voice: VoiceArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.script.is_none(),
        "--script is for the text interview; the spoken interview takes --audio-in WAV files"
    );
    let persona = Persona::load(&args.persona)?;
    let signer = args
        .sign_key
        .as_deref()
        .map(viva::signing::load_signing_key)
        .transpose()?;
    let engines = open_engines(&voice, &persona, models_dir)?;
    let session = Session::create(args.session_dir.clone())?;
    eprintln!("session record: {}", session.dir().display());
    let session = Arc::new(Mutex::new(session));
    let snapshot = Arc::new(Mutex::new(Snapshot::default()));
    close_record_on_interrupt(&session, &snapshot, &persona, signer.clone())?;
    let judge = build_judge(&args.judge, &persona, models_dir);
    let VoiceEngines {
        mut vad,
        mut transcriber,
        speaker,
        input,
        description,
    } = engines;
    let mut driver = Driver {
        interview: Interview::with_judge(&persona, judge.judge),
        signer,
        session,
        transcript: Vec::new(),
        snapshot,
        json: args.json,
        turn: 0,
        voice: Some(VoiceOut::new(speaker)),
    };
    driver.log(&serde_json::json!({
        "event": "session_start", "persona": persona.id, "persona_file": persona.source,
        "mode": "voice", "judge": judge.description, "voice": description,
    }))?;
    if !args.json {
        println!(
            "(Speak when the interviewer has finished; a pause of {:.1} s ends your answer. Say \"end the interview\" to stop.)",
            voice.end_silence_ms / 1000.0
        );
    }
    let audio_dir = voice
        .keep_audio
        .then(|| lock(&driver.session).dir().join("audio"));
    if let Some(dir) = &audio_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        restrict(dir, 0o700)?;
    }
    let step = driver.interview.start(0.0);
    driver.handle(step)?;

    let mut endpointer = Endpointer::new(EndpointConfig {
        mode: voice.turn_mode,
        end_silence_ms: voice.end_silence_ms,
        max_turn_s: voice.max_answer_s,
        ..Default::default()
    });
    let mut frames_seen: u64 = 0;
    let mut pieces: Vec<String> = Vec::new();
    // The open turn's latest speculation, and finished speculations that
    // still matter (the open turn's, or an ended turn's tail).
    let mut speculation: Option<u64> = None;
    let mut speculated: std::collections::HashMap<u64, String> = Default::default();
    let mut stt_ms = 0.0;
    let mut early_segments = 0;
    let mut ended: Option<EndedTurn> = None;
    let mut reply: Option<Reply> = None;
    let mut was_speaking = true;
    let mut input_ended = false;
    let mut barge_run = 0usize;
    let mut turn_audio: Vec<f32> = Vec::new();
    let mut candidate_turns = 0usize;
    let clock_s = |frames: u64| frames as f64 * FRAME as f64 / 16_000.0;

    loop {
        // 1. What the speaker did.
        let v = driver.voice.as_mut().context("voice output missing")?;
        let mut finished = Vec::new();
        while let Ok(ev) = v.speaker.events.try_recv() {
            match ev {
                SpeakerEvent::FirstAudio { at, .. } => {
                    if let Some(r) = reply.as_mut() {
                        r.timing.first_audio_ms.get_or_insert(ms_since(r.at, at));
                    }
                }
                SpeakerEvent::Finished(t) => {
                    v.speaker.finished_one();
                    finished.push(t);
                }
                SpeakerEvent::Failed { turn, message } => {
                    tracing::warn!(turn, %message, "speech output failed");
                    eprintln!("warning: the interviewer's voice failed at turn {turn}: {message}");
                }
            }
        }
        let speaking = v.speaker.busy();
        for t in finished {
            if let Some(r) = reply.as_mut() {
                r.timing.reply_audio_ms += t.audio_ms;
                r.timing.reply_synth_ms += t.synth_ms;
                r.timing.last_audio_ms = Some(ms_since(r.at, t.last_audio));
            }
            let mut entry = serde_json::json!({
                "event": "interviewer_audio", "turn": t.turn, "audio_ms": t.audio_ms,
                "synth_ms": t.synth_ms, "interrupted": t.interrupted,
            });
            if t.interrupted {
                entry["heard"] = serde_json::json!(t.heard.join(" "));
            }
            if let Some(f) = &t.file {
                entry["file"] = serde_json::json!(f);
            }
            if let (Some(dir), Some(audio)) = (&audio_dir, &t.audio) {
                entry["kept"] = keep_audio(dir, &format!("interviewer-{:03}.wav", t.turn), audio)?;
            }
            driver.log(&entry)?;
            if t.interrupted {
                driver.emit_json(serde_json::json!({"event": "barge_in", "turn": t.turn, "heard": t.heard.join(" ")}));
            }
        }
        if was_speaking && !speaking {
            // The reply is over: journal its timing, then listen.
            if let Some(r) = reply.take() {
                driver.log(&serde_json::json!({"event": "voice_timing", "timing": r.timing}))?;
                driver.emit_json(serde_json::json!({"event": "voice_timing", "timing": r.timing}));
            }
            if input.hears_playback {
                // What the microphone heard meanwhile was the interviewer.
                endpointer.reset();
                vad.reset();
            }
            input.listen();
        }
        was_speaking = speaking;
        if !speaking && (driver.interview.is_finished() || (input_ended && ended.is_none())) {
            break;
        }

        // 2. A finished answer whose transcription is complete goes to the engine.
        for r in transcriber.poll() {
            match r {
                Ok(p) if p.skipped => {}
                Ok(p) => {
                    stt_ms += p.elapsed_ms;
                    match p.speculation {
                        None => pieces.push(p.text),
                        Some(id)
                            if Some(id) == speculation
                                || ended.as_ref().is_some_and(|e| e.speculation == Some(id)) =>
                        {
                            speculated.insert(id, p.text);
                        }
                        Some(_) => {}
                    }
                }
                Err(e) => anyhow::bail!("speech recognition failed: {e} (the record so far is in the session directory)"),
            }
        }
        let transcript_complete = match &ended {
            Some(EndedTurn {
                speculation: Some(id),
                ..
            }) => speculated.contains_key(id),
            Some(_) => transcriber.pending() == 0,
            None => false,
        };
        if transcript_complete {
            if let Some(text) = ended
                .as_ref()
                .and_then(|e| e.speculation)
                .and_then(|id| speculated.remove(&id))
            {
                pieces.push(text);
            }
            if endpointer.in_turn() {
                // Speech resumed before the interviewer answered: same turn.
                ended = None;
            } else if let Some(e) = ended.take() {
                let text = pieces.join(" ").trim().to_string();
                pieces.clear();
                let transcript_ready = Instant::now();
                let audio = std::mem::take(&mut turn_audio);
                if viva::voice::is_non_speech(&text, e.speech_ms) {
                    tracing::info!(%text, speech_ms = e.speech_ms, "no words in the turn; not an answer");
                    driver.log(&serde_json::json!({"event": "no_speech", "heard": text, "speech_ms": e.speech_ms}))?;
                    stt_ms = 0.0;
                    early_segments = 0;
                    continue;
                }
                if !args.json {
                    println!("\nYou: {text}");
                }
                candidate_turns += 1;
                let candidate_turn = driver.turn + 1;
                if let Some(dir) = &audio_dir {
                    let kept = keep_audio(
                        dir,
                        &format!("candidate-{candidate_turn:03}.wav"),
                        &Audio::new(audio, 16_000),
                    )?;
                    driver.log(&serde_json::json!({"event": "candidate_audio", "turn": candidate_turn, "kept": kept}))?;
                }
                driver.candidate(&text, e.clock_s)?;
                let v = driver.voice.as_mut().context("voice output missing")?;
                let timing = TurnTiming {
                    candidate_turn,
                    end_of_turn_unix_ms: e.unix_ms,
                    // Only a silence-ended turn waited through a silence
                    // window; push-to-talk and max-length turns end at once.
                    speech_end_ms: match e.reason {
                        viva::voice::TurnEnd::Silence => -voice.end_silence_ms,
                        viva::voice::TurnEnd::MaxLength | viva::voice::TurnEnd::PushToTalk => 0.0,
                    },
                    end_of_turn_ms: 0.0,
                    transcript_ready_ms: ms_since(e.at, transcript_ready),
                    verdict_known_ms: v.verdict_known.take().map(|t| ms_since(e.at, t)),
                    first_audio_ms: None,
                    last_audio_ms: None,
                    answer_ms: e.answer_ms,
                    speech_ms: e.speech_ms,
                    early_segments: e.early_segments,
                    end_reason: e.reason,
                    reply_audio_ms: 0.0,
                    reply_synth_ms: 0.0,
                    stt_ms,
                };
                stt_ms = 0.0;
                early_segments = 0;
                reply = Some(Reply { timing, at: e.at });
                if !driver.interview.is_finished() || v.speaker.busy() {
                    was_speaking = true;
                }
                continue;
            }
        }

        // 3. The next piece of audio. Input faster than real time waits while
        // an answer is being processed or replied to, as a speaker would.
        if !input.realtime && (ended.is_some() || speaking) {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        let input_event = match input.frames.recv_timeout(Duration::from_millis(10)) {
            Ok(i) => i,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Input::Ended,
        };
        let event = match input_event {
            Input::Frame(frame) => {
                frames_seen += 1;
                let p = vad.probability(&frame)?;
                if speaking && input.hears_playback {
                    // The microphone hears the interviewer: only a barge-in counts.
                    if voice.barge_in && p >= 0.7 {
                        barge_run += 1;
                        if barge_run * 32 >= 250 {
                            tracing::info!("barge-in: the candidate spoke over the interviewer");
                            if let Some(v) = driver.voice.as_ref() {
                                v.speaker.stop();
                            }
                            barge_run = 0;
                        }
                    } else {
                        barge_run = 0;
                    }
                    continue;
                }
                if endpointer.in_turn() && audio_dir.is_some() {
                    turn_audio.extend_from_slice(&frame);
                }
                endpointer.push(&frame, p)
            }
            Input::Key => endpointer.push_to_talk(),
            Input::Ended => {
                input_ended = true;
                continue;
            }
            Input::Failed(message) => {
                anyhow::bail!("the microphone failed: {message} (the record so far is in the session directory)")
            }
        };
        match event {
            Some(EndpointEvent::SpeechStarted) => {
                tracing::debug!(at_s = clock_s(frames_seen), "speech started");
                driver.emit_json(
                    serde_json::json!({"event": "speech_started", "at_s": clock_s(frames_seen)}),
                );
            }
            Some(EndpointEvent::Segment(pcm)) => {
                early_segments += 1;
                if let Some(id) = speculation.take() {
                    transcriber.cancel_speculation(id);
                }
                transcriber.submit(pcm);
            }
            Some(EndpointEvent::Pause(pcm)) => {
                speculation = Some(transcriber.speculate(pcm));
            }
            Some(EndpointEvent::Resumed) => {
                if let Some(id) = speculation.take() {
                    transcriber.cancel_speculation(id);
                    speculated.remove(&id);
                }
            }
            Some(EndpointEvent::TurnEnded {
                tail,
                reason,
                speech_ms,
                turn_ms,
                tail_speculated,
            }) => {
                tracing::debug!(speech_ms, turn_ms, ?reason, tail_speculated, "turn ended");
                let mut tail_speculation = speculation.take();
                if !tail_speculated {
                    if let Some(id) = tail_speculation.take() {
                        transcriber.cancel_speculation(id);
                    }
                }
                if tail_speculation.is_none() && !tail.is_empty() {
                    transcriber.submit(tail);
                }
                let unix_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                ended = Some(EndedTurn {
                    speculation: tail_speculation,
                    at: Instant::now(),
                    unix_ms,
                    clock_s: clock_s(frames_seen),
                    speech_ms,
                    answer_ms: turn_ms,
                    reason,
                    early_segments,
                });
            }
            Some(EndpointEvent::Discarded { speech_ms }) => {
                tracing::debug!(speech_ms, "too short to be an answer");
                turn_audio.clear();
            }
            None => {}
        }
    }
    tracing::info!(candidate_turns, "spoken interview over");
    if !driver.interview.is_finished() {
        let step = driver.interview.finish(EndReason::Interrupted);
        driver.handle(step)?;
        wait_until_spoken(&mut driver);
    }
    driver.finish(EndReason::Interrupted)?;
    Ok(ExitCode::SUCCESS)
}

/// Lets the closing words play out before the record is sealed.
fn wait_until_spoken(driver: &mut Driver<'_>) {
    let Some(v) = driver.voice.as_mut() else {
        return;
    };
    let started = Instant::now();
    while v.speaker.busy() && started.elapsed() < Duration::from_secs(60) {
        if let Ok(SpeakerEvent::Finished(_)) =
            v.speaker.events.recv_timeout(Duration::from_millis(50))
        {
            v.speaker.finished_one();
        }
    }
}

/// Writes a kept audio file into the session and returns its journal entry.
fn keep_audio(dir: &Path, name: &str, audio: &Audio) -> anyhow::Result<serde_json::Value> {
    let path = dir.join(name);
    viva::audio::wav::write(&path, audio)?;
    restrict(&path, 0o600)?;
    let sha256 = viva::models::verify::sha256_file(&path)?;
    Ok(
        serde_json::json!({"file": format!("audio/{name}"), "sha256": sha256, "ms": audio.duration_ms()}),
    )
}

/// Owner-only permissions, like the rest of the session record.
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot restrict permissions of {}", path.display()))?;
    }
    Ok(())
}
