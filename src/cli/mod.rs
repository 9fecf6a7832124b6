//! Command-line interface: argument definitions and dispatch.

mod bench;
mod doctor;
mod engines;
mod interview_cmd;
mod models_cmd;
mod voice_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Viva — an offline voice technical interviewer. Everything runs on this
/// machine; nothing leaves the host.
#[derive(Debug, Parser)]
#[command(name = "viva", version, about, propagate_version = true)]
pub struct Cli {
    /// Models directory (default: the checkout's models/, or $VIVA_MODELS_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    /// More logs (-v info, -vv debug, -vvv trace, engines included); RUST_LOG/VIVA_LOG override.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, verify, install or convert model files.
    #[command(subcommand)]
    Models(models_cmd::ModelsCommand),
    /// Check this machine: CPU, threads, models, audio devices, GPU back-ends.
    Doctor,
    /// List audio input and output devices.
    Devices {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Transcribe a WAV file with Whisper (any rate, channels, sample format).
    Transcribe(engines::TranscribeArgs),
    /// Speak text with Piper, to a WAV file or the speakers.
    Say(engines::SayArgs),
    /// One LLM reply to a prompt, under the model's chat template.
    Ask(engines::AskArgs),
    /// Start an interview: spoken with audio devices, else in the terminal.
    Interview(InterviewArgs),
    /// A text interview in the terminal (or from a script with --script).
    Text(interview_cmd::TextArgs),
    /// Continue a crashed interview from its last complete turn.
    Resume(interview_cmd::ResumeArgs),
    /// Judge one answer to one question and print the verdict.
    Evaluate(interview_cmd::EvaluateArgs),
    /// Measure each engine's speed on this machine.
    Bench(bench::BenchArgs),
    /// Check a session's journal hash chain (detects edited, removed or reordered entries).
    Verify {
        /// The session directory (or its journal.jsonl).
        session: PathBuf,
        /// The site's public key: also check the record's signature.
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
    },
    /// Create a site key pair for signing session records (FILE, and FILE with the extension .pub).
    Keygen {
        /// Where to write the secret key (owner-only, never overwritten).
        file: PathBuf,
    },
}

/// `viva interview`: the text options plus the spoken interview's.
#[derive(Debug, clap::Args)]
pub struct InterviewArgs {
    #[command(flatten)]
    pub text: interview_cmd::TextArgs,
    #[command(flatten)]
    pub voice: voice_cmd::VoiceArgs,
}

/// Sets up `tracing`: warnings by default; engines' own logs only when asked.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn,llama_cpp_2=off,viva::stt::worker=off",
        1 => "info,llama_cpp_2=warn",
        2 => "debug,llama_cpp_2=info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIVA_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .init();
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let models_dir = cli
        .models_dir
        .clone()
        .unwrap_or_else(viva::paths::models_dir);
    match cli.command {
        Command::Models(cmd) => models_cmd::run(cmd, &models_dir),
        Command::Doctor => doctor::run(&models_dir),
        Command::Devices { json } => doctor::devices(json),
        Command::Transcribe(args) => engines::transcribe(args, &models_dir),
        Command::Say(args) => engines::say(args, &models_dir),
        Command::Ask(args) => engines::ask(args, &models_dir),
        Command::Interview(args) => interview_cmd::interview(args.text, args.voice, &models_dir),
        Command::Text(args) => interview_cmd::text(args, &models_dir),
        Command::Evaluate(args) => interview_cmd::evaluate(args, &models_dir),
        Command::Resume(args) => interview_cmd::resume(args, &models_dir),
        Command::Bench(args) => bench::run(args, &models_dir),
        Command::Keygen { file } => {
            let public = viva::signing::generate(&file)?;
            println!(
                "secret key {} (keep it on the assessment machine, owner-only)\npublic key {} (give it to reviewers: viva verify SESSION --public-key {})",
                file.display(),
                public.display(),
                public.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            session,
            public_key,
        } => {
            let journal = if session.is_dir() {
                session.join("journal.jsonl")
            } else {
                session
            };
            match viva::session::verify_journal(&journal) {
                Ok(check) => {
                    println!(
                        "OK {}: {} entries, chain head {}",
                        journal.display(),
                        check.entries,
                        check.head
                    );
                    match check.sealed_files {
                        Some(files) => println!("OK sealed files intact: {}", files.join(", ")),
                        None => println!(
                            "NOTE the record is not sealed: the session did not end normally (or its tail was removed)"
                        ),
                    }
                    let dir = journal.parent().unwrap_or(std::path::Path::new("."));
                    let signature = viva::signing::read_signature(dir)?;
                    match (signature, public_key) {
                        (Some(sig), Some(key)) => {
                            let trusted = viva::signing::load_verifying_key(&key)?;
                            match viva::signing::check(&sig, &check.head, &trusted) {
                                Ok(()) => println!("OK signed by the site key {}", sig.public_key),
                                Err(e) => {
                                    eprintln!("FAIL signature: {e}");
                                    return Ok(ExitCode::FAILURE);
                                }
                            }
                        }
                        (Some(sig), None) => println!(
                            "NOTE signed by key {} (pass --public-key to check it)",
                            sig.public_key
                        ),
                        (None, Some(_)) => {
                            eprintln!(
                                "FAIL the record is not signed ({} is missing)",
                                viva::signing::SIGNATURE_FILE
                            );
                            return Ok(ExitCode::FAILURE);
                        }
                        (None, None) => {}
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("FAIL {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
