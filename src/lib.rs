//! Viva: an offline voice technical interviewer.
//!
//! The modules follow the pipeline:
//!
//! ```text
//! audio (mic, WAV) → stt (Whisper worker) → engine (persona, phases, rubric)
//!     → llm (llama.cpp) → validator (templates) → tts (Piper) → audio (speakers)
//! ```
//!
//! `models` provisions and verifies the model files, `paths` finds them.

pub mod audio;
pub mod engine;
pub mod evaluation;
pub mod grader;
pub mod llm;
pub mod models;
pub mod onnx_runtime;
pub mod paths;
pub mod script;
pub mod session;
pub mod signing;
pub mod stt;
pub mod tts;
pub mod validator;
pub mod voice;
pub mod wer;
