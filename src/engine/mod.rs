//! The interview engine: persona data, detectors, rubric, the interview
//! state machine and the scorecard.

pub mod detectors;
pub mod interview;
pub mod patterns;
pub mod persona;
pub mod rubric;
pub mod scorecard;

pub use interview::{EndReason, EngineEvent, Interview, Step, Turn};
pub use persona::Persona;
pub use rubric::{judge, Judgment, Verdict};
