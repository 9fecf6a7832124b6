//! Speech-to-text. Whisper runs in a supervised worker process
//! ([`worker::SttWorker`]); the rest of Viva sees the [`SpeechToText`] trait.

pub mod worker;

pub use stt_protocol::{Segment, TranscribeOptions, SAMPLE_RATE};
pub use worker::{SttError, SttWorker, WorkerConfig};

/// A finished transcription.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Transcript {
    pub text: String,
    pub segments: Vec<Segment>,
    /// Length of the audio.
    pub audio_ms: u64,
    /// Time the engine spent on it.
    pub engine_ms: u64,
    /// Time from request to answer, including the process hop.
    pub total_ms: u64,
}

impl Transcript {
    /// Real-time factor: processing time over audio time (lower is faster).
    pub fn real_time_factor(&self) -> f64 {
        if self.audio_ms == 0 {
            return 0.0;
        }
        self.total_ms as f64 / self.audio_ms as f64
    }
}

/// A speech-to-text engine fed 16 kHz mono PCM.
pub trait SpeechToText: Send {
    /// Transcribes `pcm` (16 kHz mono, `[-1, 1]`).
    fn transcribe(
        &mut self,
        pcm: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Transcript, SttError>;
}

/// Encoder frames per second of audio (Whisper: 1500 per 30 s window).
const ENCODER_FRAMES_PER_S: f64 = 50.0;
/// Frames added to a trimmed context: without a margin whisper.cpp's decoder
/// tends to drop the last word.
const AUDIO_CTX_MARGIN: u32 = 128;

/// Whisper's audio context for `samples` of audio: just enough encoder
/// frames, so 3 s of audio does not pay for a 30 s window. 0 = full window.
pub fn audio_ctx_for(samples: usize) -> u32 {
    let seconds = samples as f64 / f64::from(SAMPLE_RATE);
    let frames = (seconds * ENCODER_FRAMES_PER_S).ceil() as u32 + AUDIO_CTX_MARGIN;
    // Multiples of 64 keep the encoder's matrix shapes friendly.
    let frames = frames.div_ceil(64) * 64;
    if frames >= 1500 {
        0
    } else {
        frames
    }
}

/// Options for one spoken answer (or a piece of it) of `samples` samples:
/// English, the vocabulary prompt, the encoder context trimmed to the audio,
/// one segment without timestamps, and a token budget that stops
/// repetition loops (speech runs at about 3–4 tokens a second).
pub fn speech_options(samples: usize, prompt: Option<String>) -> TranscribeOptions {
    let seconds = samples as f64 / f64::from(SAMPLE_RATE);
    TranscribeOptions {
        language: Some("en".into()),
        initial_prompt: prompt.filter(|p| !p.is_empty()),
        audio_ctx: audio_ctx_for(samples),
        threads: 0,
        single_segment: seconds <= 30.0,
        max_tokens: (seconds * 8.0).ceil() as u32 + 32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_context_is_trimmed_for_short_audio() {
        assert_eq!(audio_ctx_for(16_000 * 3), 320);
        assert_eq!(audio_ctx_for(16_000 * 11), 704);
        assert_eq!(audio_ctx_for(16_000 * 29), 0);
        assert_eq!(audio_ctx_for(0), 128);
    }

    #[test]
    fn speech_options_bound_the_work() {
        let o = speech_options(16_000 * 5, Some(String::new()));
        assert_eq!(o.initial_prompt, None);
        assert!(o.single_segment);
        assert_eq!(o.max_tokens, 72);
        assert_eq!(o.audio_ctx, 384);
    }
}
