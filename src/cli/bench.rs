//! `viva bench`: speed of each engine on this machine, printed as numbers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use viva::llm::{ChatMessage, ChatRole, GenerateOptions, Llm};
use viva::models::{resolve, Role};
use viva::stt::{SpeechToText, SttWorker, TranscribeOptions, WorkerConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Llm,
    Stt,
    Tts,
    All,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which engine.
    #[arg(value_enum, default_value = "all")]
    pub engine: Engine,
    #[command(flatten)]
    pub llm: super::engines::LlmArgs,
    /// WAV for the STT benchmark (default: ../shared/fixtures/jfk.wav).
    #[arg(long)]
    pub wav: Option<PathBuf>,
    /// Repetitions per measurement.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn bench_llm(args: &BenchArgs, models_dir: &Path) -> anyhow::Result<()> {
    let cfg = args.llm.config(models_dir)?;
    let threads = cfg.threads;
    let mut llm = Llm::load(cfg)?;
    println!(
        "llm  model load {:.0} ms, threads {threads}, ctx {}",
        llm.load_ms(),
        llm.ctx_size()
    );
    let persona = viva::engine::Persona::load("backend-engineer")?;
    let system = format!(
        "You are {}. {} Rules: {}",
        persona.position,
        persona.mission,
        persona.rules.never.join("; ")
    );
    let turn = |answer: &str| {
        vec![
            ChatMessage::new(ChatRole::System, system.clone()),
            ChatMessage::new(
                ChatRole::User,
                format!("Candidate answer: {answer}\nGive a one-sentence verdict."),
            ),
        ]
    };
    let gen = GenerateOptions {
        max_tokens: 64,
        ..Default::default()
    };
    let mut pp = Vec::new();
    let mut tg = Vec::new();
    let mut ttft_uncached = Vec::new();
    let mut ttft_cached = Vec::new();
    for i in 0..args.runs {
        llm.clear_cache();
        let p = llm.render_chat(&turn(&format!(
            "I would use Redis with a sliding window, run {i}."
        )))?;
        let g = llm.generate(&p, &gen, |_| true)?;
        pp.push(g.prompt_tokens_per_s());
        tg.push(g.generate_tokens_per_s());
        ttft_uncached.push(g.first_token_ms);
        let p2 = llm.render_chat(&turn(&format!(
            "I hash passwords with bcrypt, attempt {i}."
        )))?;
        let g2 = llm.generate(&p2, &gen, |_| true)?;
        tg.push(g2.generate_tokens_per_s());
        ttft_cached.push(g2.first_token_ms);
    }
    println!(
        "llm  prompt {:.0} tok/s, generation {:.1} tok/s",
        median(pp),
        median(tg)
    );
    println!(
        "llm  time to first token: {:.0} ms uncached, {:.0} ms with the persona prefix cached",
        median(ttft_uncached),
        median(ttft_cached)
    );
    Ok(())
}

fn bench_stt(args: &BenchArgs, models_dir: &Path) -> anyhow::Result<()> {
    let wav = args
        .wav
        .clone()
        .unwrap_or_else(|| viva::paths::models_dir().join("../../shared/fixtures/jfk.wav"));
    let audio = viva::audio::wav::read_for_stt(&wav)?;
    for name in ["whisper-tiny.en", "whisper-base"] {
        let Ok(model) = resolve(models_dir, Role::Stt, Some(name)) else {
            println!("stt  {name}: not installed");
            continue;
        };
        let started = Instant::now();
        let mut w = SttWorker::start(WorkerConfig::new(model, viva::llm::default_threads())?)?;
        let load = started.elapsed().as_secs_f64() * 1000.0;
        let opts = TranscribeOptions {
            language: Some("en".into()),
            ..Default::default()
        };
        let mut totals = Vec::new();
        let mut text = String::new();
        for _ in 0..args.runs {
            let t = w.transcribe(&audio.samples, &opts)?;
            totals.push(t.total_ms as f64);
            text = t.text;
        }
        let ms = median(totals);
        println!(
            "stt  {name}: worker start + load {load:.0} ms, {:.1} s audio in {ms:.0} ms, RTF {:.3}, WER vs reference {:.3}",
            audio.duration_ms() / 1000.0,
            ms / audio.duration_ms(),
            viva::wer::word_error_rate("And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.", &text)
        );
    }
    Ok(())
}

fn bench_tts(args: &BenchArgs, models_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut tts = super::engines::load_tts(models_dir, None, 1.0, None)?;
    println!(
        "tts  voice load {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let _ = tts.synthesize("Warm up.")?;
    let mut rtf = Vec::new();
    let mut first = Vec::new();
    for _ in 0..args.runs {
        let (_, s) = tts.synthesize("Incorrect.")?;
        first.push(s.elapsed_ms);
        let (_, s) = tts.synthesize("Security vulnerability. Never concatenate user input into SQL. Use parameterized queries. Next question.")?;
        rtf.push(s.real_time_factor());
    }
    println!(
        "tts  RTF {:.3} (sentence), short opening word synthesized in {:.0} ms",
        median(rtf),
        median(first)
    );
    Ok(())
}

pub fn run(args: BenchArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let all = args.engine == Engine::All;
    if all || args.engine == Engine::Llm {
        bench_llm(&args, models_dir)?;
    }
    if all || args.engine == Engine::Stt {
        bench_stt(&args, models_dir)?;
    }
    if all || args.engine == Engine::Tts {
        bench_tts(&args, models_dir)?;
    }
    println!("peak RSS {:.0} MB", peak_rss_mb());
    Ok(ExitCode::SUCCESS)
}
