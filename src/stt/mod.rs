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
