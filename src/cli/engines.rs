//! One diagnostic command per engine: `transcribe`, `say`, `ask`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use viva::llm::{ChatMessage, ChatRole, GenerateOptions, Llm, LlmConfig};
use viva::models::{resolve, Role};
use viva::stt::{SpeechToText, SttWorker, TranscribeOptions, WorkerConfig};
use viva::tts::{PiperTts, TtsConfig};

#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// WAV file (any sample rate, channel count, 8–32-bit int or float).
    pub file: PathBuf,
    /// Whisper model: a ggml file path or a manifest name (default: the manifest's).
    #[arg(long, value_name = "PATH|NAME")]
    pub model: Option<String>,
    /// Language code (default en; "auto" lets a multilingual model detect it).
    #[arg(long, default_value = "en")]
    pub language: String,
    /// Text that biases recognition toward a vocabulary.
    #[arg(long)]
    pub prompt: Option<String>,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON with segments and timings.
    #[arg(long)]
    pub json: bool,
    /// Longest recording accepted, in minutes (checked from the header; the
    /// Decode like the spoken interview does: the encoder context trimmed to
    /// the audio's length, one segment, a token budget (faster on short audio).
    #[arg(long)]
    pub fast: bool,
    /// Whisper worker takes up to 10 minutes per request).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_minutes: u32,
}

#[derive(Debug, Args)]
pub struct SayArgs {
    /// Text to speak.
    pub text: String,
    /// Write a WAV file instead of playing it.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Piper voice: an .onnx path or a manifest name.
    #[arg(long, value_name = "PATH|NAME")]
    pub voice: Option<String>,
    /// Speaking rate (1.0 = the voice's own, 1.2 = 20% faster).
    #[arg(long, default_value_t = 1.0)]
    pub rate: f32,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The user's message.
    pub prompt: String,
    /// System message.
    #[arg(long)]
    pub system: Option<String>,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,
    /// Sampling temperature (0 = greedy, repeatable).
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Print JSON with timings instead of streaming text.
    #[arg(long)]
    pub json: bool,
}

/// LLM options shared by every command that runs the model.
#[derive(Debug, Clone, Args)]
pub struct LlmArgs {
    /// LLM: a GGUF path or a manifest name (default: the manifest's).
    #[arg(long = "llm-model", value_name = "PATH|NAME", env = "VIVA_LLM_MODEL")]
    pub model: Option<String>,
    /// CPU threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Context window in tokens.
    #[arg(long, default_value_t = 4096)]
    pub ctx_size: u32,
    /// Layers to offload to the GPU (builds with --features cuda/vulkan/metal).
    #[arg(long, default_value_t = 0)]
    pub gpu_layers: u32,
}

impl LlmArgs {
    pub fn config(&self, models_dir: &Path) -> anyhow::Result<LlmConfig> {
        let model = resolve(models_dir, Role::Llm, self.model.as_deref())?;
        let mut cfg = LlmConfig::new(model);
        if let Some(t) = self.threads {
            cfg.threads = t;
        }
        cfg.ctx_size = self.ctx_size;
        cfg.gpu_layers = self.gpu_layers;
        Ok(cfg)
    }
}

pub fn transcribe(args: TranscribeArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    viva::audio::wav::check_length(&args.file, args.max_minutes)?;
    let audio = viva::audio::wav::read_for_stt(&args.file)?;
    let model = resolve(models_dir, Role::Stt, args.model.as_deref())?;
    let threads = args.threads.unwrap_or_else(viva::llm::default_threads);
    let mut worker = SttWorker::start(WorkerConfig::new(model, threads)?)?;
    let options = if args.fast {
        TranscribeOptions {
            language: (args.language != "auto").then(|| args.language.clone()),
            ..viva::stt::speech_options(audio.samples.len(), args.prompt.clone())
        }
    } else {
        TranscribeOptions {
            language: (args.language != "auto").then(|| args.language.clone()),
            initial_prompt: args.prompt.clone(),
            ..Default::default()
        }
    };
    let t = worker.transcribe(&audio.samples, &options)?;
    if args.json {
        let load_ms = worker.info().map(|i| i.load_ms).unwrap_or(0);
        let out = serde_json::json!({
            "text": t.text,
            "segments": t.segments,
            "audio_ms": t.audio_ms,
            "engine_ms": t.engine_ms,
            "total_ms": t.total_ms,
            "real_time_factor": t.real_time_factor(),
            "model_load_ms": load_ms,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("{}", t.text);
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolves the Piper voice and the runtime, then loads them.
pub fn load_tts(
    models_dir: &Path,
    voice: Option<&str>,
    rate: f32,
    threads: Option<usize>,
) -> anyhow::Result<PiperTts> {
    let voice = resolve(models_dir, Role::Tts, voice)?;
    let runtime = resolve(models_dir, Role::Runtime, None)?;
    let mut cfg = TtsConfig::new(voice, runtime, models_dir);
    cfg.rate = rate;
    if let Some(t) = threads {
        cfg.threads = t;
    }
    Ok(PiperTts::load(&cfg)?)
}

pub fn say(args: SayArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let mut tts = load_tts(models_dir, args.voice.as_deref(), args.rate, args.threads)?;
    let (audio, stats) = tts.synthesize(&args.text)?;
    match args.out {
        Some(out) => {
            viva::audio::wav::write(&out, &audio)?;
            eprintln!(
                "wrote {} ({:.2} s of audio in {:.0} ms, real-time factor {:.3})",
                out.display(),
                stats.audio_ms / 1000.0,
                stats.elapsed_ms,
                stats.real_time_factor()
            );
        }
        None => viva::audio::playback::play_blocking(&audio)
            .context("cannot play audio (no sound card? use --out FILE.wav)")?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn ask(args: AskArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let mut llm = Llm::load(args.llm.config(models_dir)?)?;
    let mut messages = Vec::new();
    if let Some(system) = &args.system {
        messages.push(ChatMessage::new(ChatRole::System, system.clone()));
    }
    messages.push(ChatMessage::new(ChatRole::User, args.prompt.clone()));
    let prompt = llm.render_chat(&messages)?;
    let options = GenerateOptions {
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        ..Default::default()
    };
    let stream = !args.json;
    let mut stdout = std::io::stdout();
    let generation = llm.generate(&prompt, &options, |piece| {
        if stream {
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        }
        true
    })?;
    if args.json {
        let out = serde_json::json!({
            "text": generation.text.trim(),
            "prompt_tokens": generation.prompt_tokens,
            "generated_tokens": generation.generated_tokens,
            "prompt_ms": generation.prompt_ms,
            "generate_ms": generation.generate_ms,
            "first_token_ms": generation.first_token_ms,
            "prompt_tokens_per_s": generation.prompt_tokens_per_s(),
            "generate_tokens_per_s": generation.generate_tokens_per_s(),
            "model_load_ms": llm.load_ms(),
            "chat_template": llm.template().kind(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}
