//! `viva bench`: speed of each engine on this machine, printed as numbers.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use viva::engine::Verdict;
use viva::grader::{GraderOptions, LlmJudge};
use viva::llm::Llm;
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
    /// Prompt tokens of the raw throughput test (llama-bench's -p).
    #[arg(long, default_value_t = 128)]
    pub n_prompt: usize,
    /// Generated tokens of the raw throughput test (llama-bench's -n).
    #[arg(long, default_value_t = 64)]
    pub n_gen: usize,
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
        "llm  model {}, load {:.0} ms, threads {threads}, ctx {}, chat template {}",
        llm.config().model.display(),
        llm.load_ms(),
        llm.ctx_size(),
        llm.template().kind()
    );
    // Raw throughput, measured the way llama-bench does (scripts/bench-llm-vs-llama-cpp).
    let _ = llm.throughput(16, 4)?;
    let mut pp = Vec::new();
    let mut tg = Vec::new();
    for _ in 0..args.runs {
        let (p, t) = llm.throughput(args.n_prompt, args.n_gen)?;
        pp.push(p);
        tg.push(t);
    }
    println!(
        "llm  pp{} {:.1} tok/s, tg{} {:.1} tok/s (median of {})",
        args.n_prompt,
        median(pp),
        args.n_gen,
        median(tg),
        args.runs
    );

    // A typical grader turn, uncached and with the persona prefix cached.
    let persona = viva::engine::Persona::load("backend-engineer")?;
    let mut judge = LlmJudge::new(llm, GraderOptions::default());
    let q = persona
        .question("q1")
        .ok_or_else(|| anyhow::anyhow!("persona backend-engineer has no q1"))?;
    let choices = [Verdict::Incomplete, Verdict::Incorrect];
    let mut uncached = Vec::new();
    let mut cached = Vec::new();
    for i in 0..args.runs {
        let answer =
            format!("I would count requests per user in Redis and reject the extra ones, run {i}.");
        let rubric = viva::engine::judge(&persona, q, &answer);
        judge.model_mut().clear_cache();
        judge.opinion(&persona, q, &answer, &rubric, &choices, 0.0, &mut |_| {})?;
        uncached.extend(judge.stats().last.clone());
        let answer = format!("A token bucket per API key, stored in Redis, attempt {i}.");
        let rubric = viva::engine::judge(&persona, q, &answer);
        judge.opinion(&persona, q, &answer, &rubric, &choices, 0.0, &mut |_| {})?;
        cached.extend(judge.stats().last.clone());
    }
    let med = |v: &[viva::grader::GenerationTimes],
               f: fn(&viva::grader::GenerationTimes) -> f64| {
        median(v.iter().map(f).collect())
    };
    println!(
        "llm  grader turn, first token: {:.0} ms uncached ({:.0} prompt tokens), {:.0} ms with the persona prefix cached ({:.0} of {:.0} tokens cached)",
        med(&uncached, |t| t.first_token_ms),
        med(&uncached, |t| t.prompt_tokens as f64),
        med(&cached, |t| t.first_token_ms),
        med(&cached, |t| t.cached_tokens as f64),
        med(&cached, |t| t.prompt_tokens as f64),
    );
    println!(
        "llm  grader turn (cached): verdict known {:.0} ms, judgment complete {:.0} ms ({:.0} tokens)",
        med(&cached, |t| t.verdict_ms),
        med(&cached, |t| t.total_ms),
        med(&cached, |t| t.generated_tokens as f64),
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
