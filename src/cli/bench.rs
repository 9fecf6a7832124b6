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
    /// The spoken interview from WAV files, end of turn to first reply audio.
    Voice,
    /// Judgment on the labeled corpus: agreement, security recall, safe
    /// answers flagged, confusion and time per answer (rubric alone, and
    /// with the LLM when --with-llm is given).
    Judge,
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
    /// Judge benchmark: the labeled corpus, a *.jsonl file or a directory
    /// (default: tests/data/judge and tests/data/judge-holdout).
    #[arg(long, value_name = "PATH")]
    pub corpus: Vec<PathBuf>,
    /// Judge benchmark: also judge with the local LLM on top of the rubric.
    #[arg(long)]
    pub with_llm: bool,
    /// Judge benchmark: list every disagreement.
    #[arg(long)]
    pub misses: bool,
    /// Judge benchmark: the persona.
    #[arg(long, default_value = "backend-engineer")]
    pub persona: String,
}

fn bench_judge(args: &BenchArgs, models_dir: &Path) -> anyhow::Result<()> {
    use viva::engine::rubric::RubricJudge;
    use viva::evaluation;
    let persona = viva::engine::Persona::load(&args.persona)?;
    let corpora: Vec<PathBuf> = if args.corpus.is_empty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        vec![root.join("judge"), root.join("judge-holdout")]
    } else {
        args.corpus.clone()
    };
    for corpus in corpora {
        let cases = evaluation::load_corpus(&corpus)?;
        let name = corpus.display().to_string();
        let report = evaluation::run(&persona, &mut RubricJudge, &cases);
        print!(
            "{}",
            evaluation::render(&format!("rubric   {name}"), &report)
        );
        if args.misses {
            for o in report.disagreements() {
                let case = cases.iter().find(|c| c.id == o.id);
                println!(
                    "    miss {} {}: expected {} got {} {:?}\n      {}",
                    o.id,
                    o.question,
                    o.expected,
                    o.got,
                    o.findings,
                    case.map_or(String::new(), |c| c
                        .answer
                        .replace('\n', " ")
                        .chars()
                        .take(300)
                        .collect())
                );
            }
        }
        if args.with_llm {
            let cfg = args.llm.config(models_dir)?;
            let model = cfg.model.clone();
            let llm = Llm::load(cfg)?;
            let mut judge = LlmJudge::new(
                llm,
                GraderOptions {
                    seed: 7,
                    ..Default::default()
                },
            );
            judge.prime(&persona)?;
            let report = evaluation::run(&persona, &mut judge, &cases);
            print!(
                "{}",
                evaluation::render(&format!("rubric+llm ({}) {name}", model.display()), &report)
            );
            if args.misses {
                for o in report.disagreements() {
                    println!(
                        "    miss {} {}: expected {} got {}",
                        o.id, o.question, o.expected, o.got
                    );
                }
            }
        }
    }
    Ok(())
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

/// Spoken answers of the voice benchmark: short, medium and long, and one
/// past 30 s (reported apart). Plain technical prose, as candidates talk.
const VOICE_ANSWERS: &[&str] = &[
    "I would use a token bucket per API key.",
    "Hash the password with bcrypt and a per-user salt.",
    "I don't know this one.",
    "Use a composite index on user id and created at, and check the plan with explain analyze.",
    "I would put the jobs on a Redis backed queue like Sidekiq, retry failed jobs with exponential backoff, and move them to a dead letter queue after five attempts so that nothing is lost.",
    "Users, posts and comments are nested resources. GET reads, POST creates, PUT updates and DELETE removes. Create returns 201, a missing post returns 404, and bad input returns 400. Every request carries a JWT bearer token, which the middleware checks before the handler runs.",
    "For the schema I would have a users table, a products table and an orders table. Orders reference users with a foreign key. Because an order has many products, an order items table joins them, with the quantity and the price at the time of the order. I would index the foreign keys and the created at column, and wrap the checkout in a transaction so stock and orders stay consistent. For reporting I would add a read replica, and I would keep money as integer cents, never floats.",
];

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn children_peak_rss_mb() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    usage.ru_maxrss as f64 / 1024.0
}

fn bench_voice(args: &BenchArgs, models_dir: &Path) -> anyhow::Result<()> {
    let work = tempfile_dir()?;
    let mut tts = super::engines::load_tts(models_dir, None, 1.0, None)?;
    // One interview per three answers: the persona's first phase has four
    // fundamentals, and a candidate who misses them ends the interview.
    let mut batches: Vec<PathBuf> = Vec::new();
    let mut n = 0;
    for _ in 0..args.runs.max(1) {
        for text in VOICE_ANSWERS {
            if n % 3 == 0 {
                batches.push(work.join(format!("answers-{}", batches.len())));
                std::fs::create_dir_all(batches.last().map(PathBuf::as_path).unwrap_or(&work))?;
            }
            n += 1;
            let (audio, _) = tts.synthesize(text)?;
            let dir = batches.last().map(PathBuf::as_path).unwrap_or(&work);
            viva::audio::wav::write(&dir.join(format!("{n:03}.wav")), &audio)?;
        }
    }
    drop(tts);
    println!(
        "voice {n} spoken answers through `viva interview --audio-in` at real-time pace, {} interviews (LLM judge, default models); this takes a few minutes",
        batches.len()
    );
    let exe = std::env::current_exe()?;
    let mut entries: Vec<serde_json::Value> = Vec::new();
    for (i, answers) in batches.iter().enumerate() {
        let session = work.join(format!("session-{i}"));
        let status = std::process::Command::new(&exe)
            .arg("interview")
            .arg("--models-dir")
            .arg(models_dir)
            .arg("--audio-in")
            .arg(answers)
            .arg("--audio-out")
            .arg(work.join("out"))
            .arg("--session-dir")
            .arg(&session)
            .args(["--json", "--seed", "1"])
            .args([
                "--threads",
                &args
                    .llm
                    .threads
                    .unwrap_or_else(viva::llm::default_threads)
                    .to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        anyhow::ensure!(
            status.success(),
            "the benchmark interview failed ({status})"
        );
        let journal = std::fs::read_to_string(session.join("journal.jsonl"))?;
        entries.extend(journal.lines().filter_map(|l| serde_json::from_str(l).ok()));
    }
    let timings: Vec<serde_json::Value> = entries
        .iter()
        .filter(|e| e["event"] == "voice_timing")
        .map(|e| e["timing"].clone())
        .collect();
    let answered = entries.iter().filter(|e| e["event"] == "candidate").count();
    println!("voice {answered} answers heard");

    let get = |t: &serde_json::Value, k: &str| t[k].as_f64();
    let (short, long): (Vec<_>, Vec<_>) = timings
        .iter()
        .partition(|t| get(t, "answer_ms").unwrap_or(0.0) <= 30_000.0);
    let stage = |set: &[&serde_json::Value], k: &str| -> Vec<f64> {
        set.iter().filter_map(|t| get(t, k)).collect()
    };
    let line = |label: &str, v: Vec<f64>| {
        println!(
            "voice {label:<34} p50 {:>5.0} ms  p95 {:>5.0} ms  (n={})",
            percentile(&v, 0.5),
            percentile(&v, 0.95),
            v.len()
        )
    };
    // The silence window of turns that ended on silence (push-to-talk and
    // max-length turns wait through none).
    let end_silence = timings
        .iter()
        .filter(|t| t.get("end_reason").and_then(|r| r.as_str()) == Some("silence"))
        .find_map(|t| get(t, "speech_end_ms"))
        .map_or(0.0, |v| -v);
    println!(
        "voice end-of-turn silence the candidate waits through first: {end_silence:.0} ms (--end-silence-ms); times below count from the end-of-turn decision"
    );
    line("transcript ready", stage(&short, "transcript_ready_ms"));
    line("verdict known", stage(&short, "verdict_known_ms"));
    line("last reply audio out", stage(&short, "last_audio_ms"));
    let first = stage(&short, "first_audio_ms");
    println!(
        "first audio p50 {:.0} ms p95 {:.0} ms (answers up to 30 s, n={})",
        percentile(&first, 0.5),
        percentile(&first, 0.95),
        first.len()
    );
    if !long.is_empty() {
        line(
            "first audio, answers over 30 s",
            stage(&long, "first_audio_ms"),
        );
    }
    let sum = |k: &str| timings.iter().filter_map(|t| get(t, k)).sum::<f64>();
    println!(
        "voice STT real-time factor {:.3} (Whisper time {:.0} ms / answer audio {:.0} ms, speculative passes included); TTS real-time factor {:.3}",
        sum("stt_ms") / sum("answer_ms").max(1.0),
        sum("stt_ms"),
        sum("answer_ms"),
        sum("reply_synth_ms") / sum("reply_audio_ms").max(1.0),
    );
    println!(
        "voice peak RSS of the interview process {:.0} MB",
        children_peak_rss_mb()
    );
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("viva-bench-voice-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
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
    if args.engine == Engine::Voice {
        bench_voice(&args, models_dir)?;
    }
    if args.engine == Engine::Judge {
        bench_judge(&args, models_dir)?;
    }
    println!("peak RSS {:.0} MB", peak_rss_mb());
    Ok(ExitCode::SUCCESS)
}
