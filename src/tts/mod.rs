//! Text-to-speech with Piper voices on ONNX Runtime: espeak-ng phonemes
//! (espeak-rs), Piper's phoneme ids, one VITS inference per sentence. The
//! voice configuration is parsed with piper-rs's types; the ids are built
//! here because piper-rs 0.2 leaves out the pad after the start symbol
//! (`^ p _ …` instead of Piper's `^ _ p _ …`), which makes the voice swallow
//! the first sound of a sentence: Whisper heard "Passwords" after "Security
//! vulnerability." in 0 of 8 syntheses with piper-rs's ids, 8 of 8 with these.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ort::value::Tensor;
use piper_rs::ModelConfig;

use crate::audio::Audio;
use crate::onnx_runtime;
pub use crate::onnx_runtime::OrtLibraryError;

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
    session: ort::session::Session,
    config: ModelConfig,
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
        onnx_runtime::init(&config.onnxruntime)?;

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

        let rate = if config.rate > 0.0 { config.rate } else { 1.0 };
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(voice = %config.voice.display(), load_ms, sample_rate, "Piper voice loaded");
        Ok(Self {
            session,
            config: model_config,
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
        let phonemes = espeak_rs::text_to_phonemes(text, &self.config.espeak.voice, None)
            .map_err(|e| TtsError::Synthesis(format!("phonemization failed: {e}")))?
            .join(" ");
        let ids = phoneme_ids(&self.config, &phonemes);
        let samples = self.infer(ids)?;
        let audio = Audio::new(samples, self.sample_rate);
        let stats = SynthesisStats {
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            audio_ms: audio.duration_ms(),
        };
        Ok((audio, stats))
    }
}

/// Piper's phoneme ids, as piper-phonemize builds them: start, pad, then
/// every phoneme followed by a pad, then end. Unknown phonemes are skipped.
pub fn phoneme_ids(config: &ModelConfig, phonemes: &str) -> Vec<i64> {
    let map = &config.phoneme_id_map;
    let id = |c: char| map.get(&c).and_then(|v| v.first()).copied();
    let pad = id('_').unwrap_or(0);
    let mut ids = Vec::with_capacity(phonemes.len() * 2 + 3);
    ids.push(id('^').unwrap_or(1));
    ids.push(pad);
    for c in phonemes.chars() {
        if let Some(i) = id(c) {
            ids.push(i);
            ids.push(pad);
        }
    }
    ids.push(id('$').unwrap_or(2));
    ids
}

impl PiperTts {
    fn infer(&mut self, ids: Vec<i64>) -> Result<Vec<f32>, TtsError> {
        let err = |e: ort::Error| TtsError::Synthesis(e.to_string());
        let n = ids.len();
        let inf = &self.config.inference;
        let input =
            Tensor::<i64>::from_array(([1usize, n], ids.into_boxed_slice())).map_err(err)?;
        let lengths = Tensor::<i64>::from_array(([1usize], vec![n as i64].into_boxed_slice()))
            .map_err(err)?;
        let scales = Tensor::<f32>::from_array((
            [3usize],
            vec![inf.noise_scale, self.length_scale, inf.noise_w].into_boxed_slice(),
        ))
        .map_err(err)?;
        let outputs = if self.config.num_speakers > 1 {
            let sid = Tensor::<i64>::from_array(([1usize], vec![0i64].into_boxed_slice()))
                .map_err(err)?;
            self.session
                .run(ort::inputs![input, lengths, scales, sid])
                .map_err(err)?
        } else {
            self.session
                .run(ort::inputs![input, lengths, scales])
                .map_err(err)?
        };
        let (_, audio) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
        Ok(audio.to_vec())
    }
}

#[cfg(test)]
mod phoneme_tests {
    use super::*;

    #[test]
    fn ids_follow_piper_phonemize() {
        let config: ModelConfig = serde_json::from_str(
            r#"{"audio":{"sample_rate":22050},"espeak":{"voice":"en-us"},
                "inference":{"noise_scale":0.667,"length_scale":1,"noise_w":0.8},
                "num_speakers":1,"speaker_id_map":{},
                "phoneme_id_map":{"_":[0],"^":[1],"$":[2],"a":[14],"b":[15]}}"#,
        )
        .unwrap();
        assert_eq!(phoneme_ids(&config, "ab?"), vec![1, 0, 14, 0, 15, 0, 2]);
    }
}
