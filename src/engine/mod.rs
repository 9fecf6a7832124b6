//! The interview engine: persona data, transcript normalisation, the
//! security review, the rubric, the interview state machine and the
//! scorecard.

pub mod clarification;
pub mod detectors;
pub mod interview;
pub mod language;
pub mod normalize;
pub mod patterns;
pub mod persona;
pub mod rubric;
pub mod scorecard;
pub mod security;
pub mod template;

pub use interview::{EndReason, EngineEvent, Interview, Step, Turn};
pub use persona::Persona;
pub use rubric::{judge, Judgment, Verdict};
