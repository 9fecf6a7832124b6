//! `viva-stt-worker`: Whisper speech-to-text in its own process.
//!
//! whisper.cpp and llama.cpp each vendor an incompatible ggml, so Whisper runs
//! here and `viva` talks to it over stdin/stdout with the protocol documented
//! in the `stt-protocol` crate. Logs go to stderr.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use stt_protocol::{
    read_message, read_pcm, write_message, Request, Response, Segment, SAMPLE_RATE,
};
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

struct Args {
    model: PathBuf,
    threads: i32,
}

fn parse_args() -> Result<Args> {
    let mut model = None;
    let mut threads = std::thread::available_parallelism()
        .map(|n| n.get() as i32)
        .unwrap_or(2);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--model" => model = it.next().map(PathBuf::from),
            "--threads" => {
                threads = it
                    .next()
                    .and_then(|t| t.parse().ok())
                    .context("--threads needs a number")?
            }
            "--help" | "-h" => {
                println!("usage: viva-stt-worker --model MODEL.bin [--threads N]\n\nSpeaks the stt-protocol on stdin/stdout; started by `viva`.");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (see --help)"),
        }
    }
    Ok(Args {
        model: model.context("--model PATH is required")?,
        threads,
    })
}

fn transcribe(
    ctx: &WhisperContext,
    default_threads: i32,
    pcm: &[f32],
    options: &stt_protocol::TranscribeOptions,
) -> Result<(String, Vec<Segment>)> {
    let mut state = ctx
        .create_state()
        .context("cannot create a Whisper state")?;
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    let threads = if options.threads > 0 {
        options.threads as i32
    } else {
        default_threads
    };
    params.set_n_threads(threads);
    params.set_language(options.language.as_deref());
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    params.set_suppress_blank(true);
    params.set_no_context(true);
    if let Some(prompt) = options.initial_prompt.as_deref().filter(|p| !p.is_empty()) {
        params.set_initial_prompt(prompt);
    }
    if options.audio_ctx > 0 {
        params.set_audio_ctx(options.audio_ctx as i32);
    }
    if options.single_segment {
        params.set_single_segment(true);
        params.set_no_timestamps(true);
    }
    if options.max_tokens > 0 {
        params.set_max_tokens(options.max_tokens as i32);
    }
    state
        .full(params, pcm)
        .context("whisper inference failed")?;
    let mut text = String::new();
    let mut segments = Vec::new();
    for seg in state.as_iter() {
        let piece = seg
            .to_str_lossy()
            .map(|s| s.into_owned())
            .unwrap_or_default();
        text.push_str(&piece);
        segments.push(Segment {
            // whisper.cpp timestamps are in centiseconds.
            start_ms: seg.start_timestamp().max(0) as u64 * 10,
            end_ms: seg.end_timestamp().max(0) as u64 * 10,
            text: piece.trim().to_string(),
        });
    }
    Ok((text.trim().to_string(), segments))
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIVA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    whisper_rs::install_logging_hooks();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            write_message(
                &mut out,
                &Response::Error {
                    id: None,
                    message: format!("{e:#}"),
                },
            )?;
            out.flush()?;
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let model_path = args.model.to_string_lossy().into_owned();
    let ctx = match WhisperContext::new_with_params(
        &model_path,
        WhisperContextParameters::default(),
    ) {
        Ok(ctx) => ctx,
        Err(e) => {
            let message = format!(
                "cannot load Whisper model {model_path}: {e} (is it a whisper.cpp ggml file? `viva models verify` checks it, `scripts/setup` re-installs it)"
            );
            write_message(&mut out, &Response::Error { id: None, message })?;
            out.flush()?;
            std::process::exit(2);
        }
    };
    write_message(
        &mut out,
        &Response::Ready {
            model: model_path,
            load_ms: started.elapsed().as_millis() as u64,
            system_info: whisper_rs::print_system_info().trim().to_string(),
        },
    )?;
    out.flush()?;

    let stdin = std::io::stdin();
    let mut input = BufReader::new(stdin.lock());
    loop {
        let request: Request = match read_message(&mut input) {
            Ok(r) => r,
            Err(stt_protocol::ProtocolError::Closed) => return Ok(()),
            Err(e) => {
                // A malformed line desynchronises the stream: report and exit.
                write_message(
                    &mut out,
                    &Response::Error {
                        id: None,
                        message: e.to_string(),
                    },
                )?;
                out.flush()?;
                std::process::exit(3);
            }
        };
        let response = match request {
            Request::Shutdown => return Ok(()),
            Request::Ping { id } => Response::Pong { id },
            Request::Transcribe {
                id,
                samples,
                options,
            } => {
                let pcm = match read_pcm(&mut input, samples) {
                    Ok(p) => p,
                    Err(stt_protocol::ProtocolError::Closed) => return Ok(()),
                    Err(e) => {
                        write_message(
                            &mut out,
                            &Response::Error {
                                id: Some(id),
                                message: e.to_string(),
                            },
                        )?;
                        out.flush()?;
                        std::process::exit(3);
                    }
                };
                let t0 = Instant::now();
                let audio_ms = pcm.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
                // whisper.cpp refuses input shorter than 1 s: pad with silence.
                let mut pcm = pcm;
                let min_len = SAMPLE_RATE as usize * 11 / 10;
                if pcm.len() < min_len {
                    pcm.resize(min_len, 0.0);
                }
                match transcribe(&ctx, args.threads, &pcm, &options) {
                    Ok((text, segments)) => Response::Transcript {
                        id,
                        text,
                        segments,
                        audio_ms,
                        elapsed_ms: t0.elapsed().as_millis() as u64,
                    },
                    Err(e) => Response::Error {
                        id: Some(id),
                        message: format!("{e:#}"),
                    },
                }
            }
        };
        write_message(&mut out, &response)?;
        out.flush()?;
    }
}
