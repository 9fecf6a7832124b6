//! Text-to-speech with Piper voices (piper-rs on ONNX Runtime).

pub mod onnxruntime;

use std::path::{Path, PathBuf};
use std::time::Instant;

use piper_rs::{ModelConfig, Piper};

use crate::audio::Audio;
pub use onnxruntime::OrtLibraryError;

/// Where the voice and its runtime live.
#[derive(Debug, Clone)]
pub struct TtsConfig {
    /// The voice's `.onnx` file.
    pub voice: PathBuf,
    /// The voice's `.onnx.json` (default: the voice path + `.json`).
    pub voice_config: PathBuf,
    /// `libonnxruntime.so.1.24.x`.
    pub onnxruntime: PathBuf,
    /// Directory containing `espeak-ng-data/`.
    pub espeak_data_parent: Option<PathBuf>,
    /// ONNX Runtime intra-op threads.
    pub threads: usize,
    /// Speaking rate multiplier (1.0 = the voice's own; 1.2 = 20% faster).
    pub rate: f32,
}

impl TtsConfig {
    pub fn new(voice: PathBuf, onnxruntime: PathBuf, models_dir: &Path) -> Self {
        let mut cfg = voice.clone().into_os_string();
        cfg.push(".json");
        Self {
            voice_config: PathBuf::from(cfg),
            voice,
            onnxruntime,
            espeak_data_parent: crate::paths::espeak_data_parent(models_dir),
            threads: crate::llm::default_threads(),
            rate: 1.0,
        }
    }
}

/// Text-to-speech failures.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    #[error(transparent)]
    Runtime(#[from] OrtLibraryError),
    #[error("Piper voice {0} does not exist (run `scripts/setup`, or pass --voice PATH to a Piper .onnx voice)")]
    MissingVoice(PathBuf),
    #[error("Piper voice configuration {0} does not exist (a voice needs its .onnx.json next to the .onnx)")]
    MissingVoiceConfig(PathBuf),
    #[error("Piper voice configuration {path} is invalid: {message}")]
    BadVoiceConfig { path: PathBuf, message: String },
    #[error("cannot load Piper voice {path}: {message} (corrupt file? `viva models verify`)")]
    Load { path: PathBuf, message: String },
    #[error("espeak-ng data (espeak-ng-data/) not found: run `scripts/setup` or set PIPER_ESPEAKNG_DATA_DIRECTORY to the directory that contains it")]
    NoEspeakData,
    #[error("speech synthesis failed: {0}")]
    Synthesis(String),
}

/// Timing of one synthesis.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct SynthesisStats {
    pub elapsed_ms: f64,
    pub audio_ms: f64,
}

impl SynthesisStats {
    pub fn real_time_factor(&self) -> f64 {
        if self.audio_ms > 0.0 {
            self.elapsed_ms / self.audio_ms
        } else {
            0.0
        }
    }
}

/// A loaded Piper voice.
pub struct PiperTts {
    piper: Piper,
    sample_rate: u32,
    length_scale: f32,
    load_ms: f64,
}

impl PiperTts {
    /// Checks and loads ONNX Runtime, espeak-ng data and the voice.
    pub fn load(config: &TtsConfig) -> Result<Self, TtsError> {
        let started = Instant::now();
        if !config.voice.is_file() {
            return Err(TtsError::MissingVoice(config.voice.clone()));
        }
        if !config.voice_config.is_file() {
            return Err(TtsError::MissingVoiceConfig(config.voice_config.clone()));
        }
        let espeak = config
            .espeak_data_parent
            .clone()
            .ok_or(TtsError::NoEspeakData)?;
        // espeak-rs reads this variable when it first initialises espeak-ng.
        std::env::set_var("PIPER_ESPEAKNG_DATA_DIRECTORY", &espeak);
        onnxruntime::init(&config.onnxruntime)?;

        let text = std::fs::read_to_string(&config.voice_config).map_err(|e| {
            TtsError::BadVoiceConfig {
                path: config.voice_config.clone(),
                message: e.to_string(),
            }
        })?;
        let model_config: ModelConfig =
            serde_json::from_str(&text).map_err(|e| TtsError::BadVoiceConfig {
                path: config.voice_config.clone(),
                message: e.to_string(),
            })?;
        let sample_rate = model_config.audio.sample_rate;
        let base_length_scale = model_config.inference.length_scale;
        let load_err = |e: ort::Error| TtsError::Load {
            path: config.voice.clone(),
            message: e.to_string(),
        };
        let session = ort::session::Session::builder()
            .map_err(load_err)?
            .with_intra_threads(config.threads.max(1))
            .map_err(|e| load_err(e.into()))?
            .commit_from_file(&config.voice)
            .map_err(load_err)?;
        let piper = Piper::from_session(session, model_config);
        let rate = if config.rate > 0.0 { config.rate } else { 1.0 };
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(voice = %config.voice.display(), load_ms, sample_rate, "Piper voice loaded");
        Ok(Self {
            piper,
            sample_rate,
            length_scale: base_length_scale / rate,
            load_ms,
        })
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    /// Speaks `text`, returning mono audio at the voice's sample rate.
    pub fn synthesize(&mut self, text: &str) -> Result<(Audio, SynthesisStats), TtsError> {
        let started = Instant::now();
        let text = text.trim();
        if text.is_empty() {
            return Ok((
                Audio::new(Vec::new(), self.sample_rate),
                SynthesisStats {
                    elapsed_ms: 0.0,
                    audio_ms: 0.0,
                },
            ));
        }
        let (samples, rate) = self
            .piper
            .create(text, false, None, Some(self.length_scale), None, None)
            .map_err(|e| TtsError::Synthesis(e.to_string()))?;
        let audio = Audio::new(samples, rate);
        let stats = SynthesisStats {
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            audio_ms: audio.duration_ms(),
        };
        Ok((audio, stats))
    }
}
