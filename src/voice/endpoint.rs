//! Turn-taking: decides from per-frame speech probabilities when the
//! candidate started and finished an answer. Candidates pause to think, so
//! only a silence longer than `end_silence_ms` ends a turn; long answers are
//! cut into segments at shorter pauses so they can be transcribed while the
//! candidate is still speaking.

use crate::audio::vad::{FRAME, FRAME_MS};

/// How turns begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum TurnMode {
    /// The VAD hears speech start and a long enough silence end the turn.
    Vad,
    /// The candidate presses Enter to start and again to finish.
    PushToTalk,
}

/// Endpointing parameters.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EndpointConfig {
    pub mode: TurnMode,
    /// Speech probability at or above which a frame is speech.
    pub threshold: f32,
    /// Silence that ends a turn (the candidate's thinking pauses are shorter).
    pub end_silence_ms: f64,
    /// Less voiced audio than this is a cough or a click, not a turn.
    pub min_speech_ms: f64,
    /// The longest one answer may run before the turn is closed.
    pub max_turn_s: f64,
    /// Audio kept from before speech was detected (word onsets).
    pub pre_roll_ms: f64,
    /// Once this much audio is buffered, a pause cuts a segment for early
    /// transcription. Short, so that by the time the end-of-turn silence has
    /// passed, everything said is already transcribed.
    pub segment_after_s: f64,
    /// The pause that cuts a segment or starts a speculative transcription
    /// (well under `end_silence_ms`).
    pub segment_pause_ms: f64,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            mode: TurnMode::Vad,
            threshold: 0.5,
            end_silence_ms: 1000.0,
            min_speech_ms: 250.0,
            max_turn_s: 180.0,
            pre_roll_ms: 192.0,
            segment_after_s: 6.0,
            segment_pause_ms: 288.0,
        }
    }
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnEnd {
    Silence,
    MaxLength,
    PushToTalk,
}

/// What the endpointer decided after a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointEvent {
    /// Speech began (a turn is open).
    SpeechStarted,
    /// A finished stretch of a still-open turn: transcribe it now.
    Segment(Vec<f32>),
    /// A short pause: the audio since the last segment, worth transcribing
    /// in case the turn ends here.
    Pause(Vec<f32>),
    /// Speech went on after a [`EndpointEvent::Pause`].
    Resumed,
    /// The turn is over; `tail` is the audio not yet handed out as a segment.
    TurnEnded {
        tail: Vec<f32>,
        reason: TurnEnd,
        /// Voiced audio in the whole turn.
        speech_ms: f64,
        /// Audio of the whole turn, pauses included.
        turn_ms: f64,
        /// No speech since the last `Pause`: its audio is the whole tail.
        tail_speculated: bool,
    },
    /// What sounded like speech was too short to be an answer; dropped.
    Discarded { speech_ms: f64 },
}

/// The endpointing state machine; feed it one 512-sample frame at a time.
pub struct Endpointer {
    config: EndpointConfig,
    pre_roll: std::collections::VecDeque<Vec<f32>>,
    open: bool,
    ptt_held: bool,
    buffer: Vec<f32>,
    silence_frames: usize,
    speech_frames: usize,
    turn_frames: usize,
    /// Voiced frames in `buffer` (since the last segment was cut).
    buffer_speech_frames: usize,
    /// A `Pause` was emitted and no speech came after it.
    paused: bool,
    last_voiced: bool,
}

fn frames(ms: f64) -> usize {
    (ms / FRAME_MS).ceil().max(1.0) as usize
}

impl Endpointer {
    pub fn new(config: EndpointConfig) -> Self {
        Self {
            config,
            pre_roll: Default::default(),
            open: false,
            ptt_held: false,
            buffer: Vec::new(),
            silence_frames: 0,
            speech_frames: 0,
            turn_frames: 0,
            buffer_speech_frames: 0,
            paused: false,
            last_voiced: false,
        }
    }

    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Whether a turn is open (speech was heard and has not ended).
    pub fn in_turn(&self) -> bool {
        self.open
    }

    /// Whether the last frame was speech.
    pub fn hearing_speech(&self) -> bool {
        self.last_voiced
    }

    /// Voiced audio of the open turn so far.
    pub fn speech_ms(&self) -> f64 {
        self.speech_frames as f64 * FRAME_MS
    }

    /// Forgets any open turn (e.g. audio heard while the interviewer spoke).
    pub fn reset(&mut self) {
        self.pre_roll.clear();
        self.open = false;
        self.ptt_held = false;
        self.buffer.clear();
        self.silence_frames = 0;
        self.speech_frames = 0;
        self.turn_frames = 0;
        self.buffer_speech_frames = 0;
        self.paused = false;
        self.last_voiced = false;
    }

    /// Push-to-talk: the key was pressed. Returns the event it causes.
    pub fn push_to_talk(&mut self) -> Option<EndpointEvent> {
        if self.ptt_held {
            self.ptt_held = false;
            return Some(self.close(TurnEnd::PushToTalk));
        }
        self.reset();
        self.ptt_held = true;
        self.open = true;
        Some(EndpointEvent::SpeechStarted)
    }

    fn close(&mut self, reason: TurnEnd) -> EndpointEvent {
        let speech_ms = self.speech_ms();
        let turn_ms = self.turn_frames as f64 * FRAME_MS;
        let tail_speculated = self.paused;
        let mut tail = std::mem::take(&mut self.buffer);
        if self.buffer_speech_frames == 0 {
            // Everything said was already handed out in segments.
            tail.clear();
        }
        // Keep a little of the trailing silence: Whisper needs no more.
        let keep_silence = frames(self.config.pre_roll_ms.max(160.0));
        if self.silence_frames > keep_silence {
            let cut = (self.silence_frames - keep_silence) * FRAME;
            tail.truncate(tail.len().saturating_sub(cut));
        }
        self.reset();
        if speech_ms < self.config.min_speech_ms {
            return EndpointEvent::Discarded { speech_ms };
        }
        EndpointEvent::TurnEnded {
            tail,
            reason,
            speech_ms,
            turn_ms,
            tail_speculated: tail_speculated && reason == TurnEnd::Silence,
        }
    }

    /// Feeds one frame and its speech probability.
    pub fn push(&mut self, frame: &[f32], probability: f32) -> Option<EndpointEvent> {
        // Hysteresis: a frame stays speech until the probability falls well below.
        let voiced = if self.last_voiced {
            probability >= self.config.threshold - 0.15
        } else {
            probability >= self.config.threshold
        };
        self.last_voiced = voiced;
        if self.config.mode == TurnMode::PushToTalk {
            if !self.ptt_held {
                return None;
            }
            self.buffer.extend_from_slice(frame);
            self.turn_frames += 1;
            if voiced {
                self.speech_frames += 1;
                self.buffer_speech_frames += 1;
                self.silence_frames = 0;
            } else {
                self.silence_frames += 1;
            }
            if self.turn_frames >= frames(self.config.max_turn_s * 1000.0) {
                self.ptt_held = false;
                return Some(self.close(TurnEnd::MaxLength));
            }
            return None;
        }
        if !self.open {
            self.pre_roll.push_back(frame.to_vec());
            while self.pre_roll.len() > frames(self.config.pre_roll_ms) {
                self.pre_roll.pop_front();
            }
            if !voiced {
                return None;
            }
            self.open = true;
            for f in self.pre_roll.drain(..) {
                self.buffer.extend_from_slice(&f);
                self.turn_frames += 1;
            }
            self.speech_frames = 1;
            self.buffer_speech_frames = 1;
            self.silence_frames = 0;
            return Some(EndpointEvent::SpeechStarted);
        }
        self.buffer.extend_from_slice(frame);
        self.turn_frames += 1;
        let mut resumed = false;
        if voiced {
            self.speech_frames += 1;
            self.buffer_speech_frames += 1;
            self.silence_frames = 0;
            resumed = std::mem::take(&mut self.paused);
        } else {
            self.silence_frames += 1;
        }
        if self.silence_frames >= frames(self.config.end_silence_ms) {
            return Some(self.close(TurnEnd::Silence));
        }
        if self.turn_frames >= frames(self.config.max_turn_s * 1000.0) {
            return Some(self.close(TurnEnd::MaxLength));
        }
        let buffered_s = self.buffer.len() as f64 / 16_000.0;
        if self.buffer_speech_frames > 0
            && self.silence_frames == frames(self.config.segment_pause_ms)
        {
            if buffered_s >= self.config.segment_after_s {
                self.buffer_speech_frames = 0;
                return Some(EndpointEvent::Segment(std::mem::take(&mut self.buffer)));
            }
            self.paused = true;
            return Some(EndpointEvent::Pause(self.buffer.clone()));
        }
        if resumed {
            return Some(EndpointEvent::Resumed);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ep: &mut Endpointer, probs: &[f32]) -> Vec<EndpointEvent> {
        let frame = vec![0.1f32; FRAME];
        probs.iter().filter_map(|p| ep.push(&frame, *p)).collect()
    }

    fn ms(n: f64) -> usize {
        frames(n)
    }

    #[test]
    fn a_thinking_pause_does_not_end_the_turn() {
        let mut ep = Endpointer::new(EndpointConfig::default());
        let mut probs = vec![0.9; ms(1000.0)];
        probs.extend(vec![0.0; ms(700.0)]); // thinking
        probs.extend(vec![0.9; ms(1000.0)]);
        probs.extend(vec![0.0; ms(1000.0)]);
        let events = run(&mut ep, &probs);
        let ends: Vec<_> = events
            .iter()
            .filter(|e| matches!(e, EndpointEvent::TurnEnded { .. }))
            .collect();
        assert_eq!(ends.len(), 1, "{events:?}");
        assert!(matches!(events[0], EndpointEvent::SpeechStarted));
    }

    #[test]
    fn short_blips_are_discarded() {
        let mut ep = Endpointer::new(EndpointConfig::default());
        let mut probs = vec![0.0; 10];
        probs.extend(vec![0.9; 3]); // ~100 ms click
        probs.extend(vec![0.0; ms(1100.0)]);
        let events = run(&mut ep, &probs);
        assert!(events
            .iter()
            .any(|e| matches!(e, EndpointEvent::Discarded { .. })));
        assert!(!events
            .iter()
            .any(|e| matches!(e, EndpointEvent::TurnEnded { .. })));
    }

    #[test]
    fn silence_alone_opens_no_turn() {
        let mut ep = Endpointer::new(EndpointConfig::default());
        assert!(run(&mut ep, &[0.05; 500]).is_empty());
    }

    #[test]
    fn long_answers_are_cut_into_segments_at_pauses() {
        let mut ep = Endpointer::new(EndpointConfig::default());
        let mut probs = Vec::new();
        for _ in 0..4 {
            probs.extend(vec![0.9; ms(4000.0)]);
            probs.extend(vec![0.0; ms(400.0)]);
        }
        probs.extend(vec![0.0; ms(1000.0)]);
        let events = run(&mut ep, &probs);
        let segments = events
            .iter()
            .filter(|e| matches!(e, EndpointEvent::Segment(_)))
            .count();
        assert!(segments >= 1, "{segments}");
        // Nothing is lost: segments + tail cover the turn minus trimmed silence.
        let total: usize = events
            .iter()
            .map(|e| match e {
                EndpointEvent::Segment(s) => s.len(),
                EndpointEvent::TurnEnded { tail, .. } => tail.len(),
                _ => 0,
            })
            .sum();
        assert!(total >= ms(16000.0) * FRAME, "{total}");
    }

    #[test]
    fn a_pause_offers_the_tail_for_speculative_transcription() {
        let mut ep = Endpointer::new(EndpointConfig::default());
        let mut probs = vec![0.9; ms(1500.0)];
        probs.extend(vec![0.0; ms(400.0)]);
        probs.extend(vec![0.9; ms(800.0)]); // goes on: the speculation is void
        probs.extend(vec![0.0; ms(1100.0)]); // then really ends
        let events = run(&mut ep, &probs);
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                EndpointEvent::SpeechStarted => "start",
                EndpointEvent::Pause(_) => "pause",
                EndpointEvent::Resumed => "resumed",
                EndpointEvent::TurnEnded {
                    tail_speculated: true,
                    ..
                } => "end(speculated)",
                EndpointEvent::TurnEnded { .. } => "end",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["start", "pause", "resumed", "pause", "end(speculated)"]
        );
        // The last Pause carried the whole turn's audio.
        let last_pause = events
            .iter()
            .rev()
            .find_map(|e| match e {
                EndpointEvent::Pause(p) => Some(p.len()),
                _ => None,
            })
            .unwrap();
        assert!(last_pause >= ms(2300.0) * FRAME, "{last_pause}");
    }

    #[test]
    fn max_length_closes_the_turn() {
        let cfg = EndpointConfig {
            max_turn_s: 2.0,
            ..Default::default()
        };
        let mut ep = Endpointer::new(cfg);
        let events = run(&mut ep, &vec![0.9; ms(3000.0)]);
        assert!(events.iter().any(|e| matches!(
            e,
            EndpointEvent::TurnEnded {
                reason: TurnEnd::MaxLength,
                ..
            }
        )));
    }

    #[test]
    fn push_to_talk_ignores_silence_and_vad() {
        let cfg = EndpointConfig {
            mode: TurnMode::PushToTalk,
            ..Default::default()
        };
        let mut ep = Endpointer::new(cfg);
        assert!(run(&mut ep, &[0.9; 50]).is_empty(), "not held");
        assert_eq!(ep.push_to_talk(), Some(EndpointEvent::SpeechStarted));
        let mut probs = vec![0.9; 20];
        probs.extend(vec![0.0; ms(3000.0)]); // a long pause does not end it
        probs.extend(vec![0.9; 20]);
        assert!(run(&mut ep, &probs).is_empty());
        match ep.push_to_talk() {
            Some(EndpointEvent::TurnEnded { reason, .. }) => {
                assert_eq!(reason, TurnEnd::PushToTalk)
            }
            other => panic!("{other:?}"),
        }
    }
}
