//! The spoken interview's parts: candidate audio in (microphone or files),
//! turn-taking, streaming transcription, and the interviewer's voice out
//! (speakers or files). The loop that joins them to the interview engine is
//! `viva interview` (src/cli/voice_cmd.rs).

pub mod endpoint;
pub mod sink;
pub mod source;
pub mod speaker;
pub mod transcriber;

pub use endpoint::{EndpointConfig, EndpointEvent, Endpointer, TurnEnd, TurnMode};
pub use sink::{AudioSink, DeviceSink, NullSink, SinkError, WavDirSink};
pub use source::{AudioInput, FileInputConfig, Input, SourceError};
pub use speaker::{Speaker, SpeakerEvent, TurnAudio};
pub use transcriber::{audio_ctx_for, is_non_speech, Transcriber};
