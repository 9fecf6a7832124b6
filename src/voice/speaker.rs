//! The interviewer's voice: a thread that owns the Piper voice and the
//! output, synthesizes each turn sentence by sentence and queues every
//! sentence as soon as it exists, so the first words play while the rest is
//! still being synthesized (or, for the opening word, still being written
//! by the LLM).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::sink::{AudioSink, SinkError};
use crate::audio::Audio;
use crate::tts::PiperTts;

/// Splits text into sentences at `.`, `?` or `!` followed by a space.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '?' | '!') && chars.peek().is_none_or(|n| n.is_whitespace()) {
            let s = current.trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            current.clear();
        }
    }
    let s = current.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
    out
}

/// Silence after each sentence, as Piper puts between sentences itself.
const SENTENCE_SILENCE_S: f64 = 0.2;

enum Command {
    Say { turn: usize, text: String },
    End { turn: usize },
    Stop,
}

/// What happened to one interviewer turn's audio.
#[derive(Debug, Clone)]
pub struct TurnAudio {
    pub turn: usize,
    /// When the first sample was handed to the output.
    pub first_audio: Option<Instant>,
    /// When the last sample had been played (or written).
    pub last_audio: Instant,
    /// Audio produced, in ms.
    pub audio_ms: f64,
    /// Time spent synthesizing, in ms.
    pub synth_ms: f64,
    /// Stopped by barge-in.
    pub interrupted: bool,
    /// The sentences the candidate actually heard (all, unless interrupted).
    pub heard: Vec<String>,
    /// The WAV written for this turn (--audio-out).
    pub file: Option<PathBuf>,
    /// The turn's audio, when the session keeps audio.
    pub audio: Option<Audio>,
}

/// Reports from the speaker thread.
#[derive(Debug)]
pub enum SpeakerEvent {
    FirstAudio { turn: usize, at: Instant },
    Finished(TurnAudio),
    Failed { turn: usize, message: String },
}

/// Handle to the speaker thread.
pub struct Speaker {
    commands: Option<Sender<Command>>,
    pub events: Receiver<SpeakerEvent>,
    thread: Option<JoinHandle<()>>,
    /// Turns said but not yet finished.
    open_turns: usize,
}

/// A sink constructor run on the speaker thread (device streams need not be `Send`).
pub type SinkFactory = Box<dyn FnOnce() -> Result<Box<dyn AudioSink>, SinkError> + Send>;

struct Current {
    turn: usize,
    first_audio: Option<Instant>,
    audio_ms: f64,
    synth_ms: f64,
    /// Each sentence and the audio time (ms) at which it ends.
    spoken: Vec<(String, f64)>,
    playback_started: Option<Instant>,
    samples: Vec<f32>,
    rate: u32,
}

impl Current {
    fn new(turn: usize, rate: u32) -> Self {
        Self {
            turn,
            first_audio: None,
            audio_ms: 0.0,
            synth_ms: 0.0,
            spoken: Vec::new(),
            playback_started: None,
            samples: Vec::new(),
            rate,
        }
    }
}

impl Speaker {
    /// Starts the thread. `keep_audio`: return each turn's samples.
    pub fn start(
        mut tts: PiperTts,
        make_sink: SinkFactory,
        keep_audio: bool,
        speech: crate::engine::persona::Speech,
    ) -> Result<Self, SinkError> {
        let (commands, rx) = channel::<Command>();
        let (events_tx, events) = channel();
        let (ready_tx, ready_rx) = channel();
        let thread = std::thread::Builder::new()
            .name("viva-speaker".into())
            .spawn(move || {
                let mut sink = match make_sink() {
                    Ok(s) => {
                        let _ = ready_tx.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                run(&mut tts, sink.as_mut(), rx, events_tx, keep_audio, &speech);
            })
            .map_err(|e| SinkError::NoDevice {
                device: None,
                message: format!("cannot start the speaker thread: {e}"),
            })?;
        ready_rx.recv().map_err(|_| SinkError::NoDevice {
            device: None,
            message: "the speaker thread stopped".into(),
        })??;
        Ok(Self {
            commands: Some(commands),
            events,
            thread: Some(thread),
            open_turns: 0,
        })
    }

    fn send(&self, c: Command) {
        if let Some(tx) = &self.commands {
            let _ = tx.send(c);
        }
    }

    /// Speaks (part of) an interviewer turn; more parts may follow.
    pub fn say(&self, turn: usize, text: &str) {
        self.send(Command::Say {
            turn,
            text: text.to_string(),
        });
    }

    /// The turn's text is complete.
    pub fn end(&mut self, turn: usize) {
        self.open_turns += 1;
        self.send(Command::End { turn });
    }

    /// Barge-in: stop speaking now.
    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    /// Whether ended turns are still being spoken.
    pub fn busy(&self) -> bool {
        self.open_turns > 0
    }

    /// Records that a turn finished (the caller saw its `Finished` event).
    pub fn finished_one(&mut self) {
        self.open_turns = self.open_turns.saturating_sub(1);
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    tts: &mut PiperTts,
    sink: &mut dyn AudioSink,
    rx: Receiver<Command>,
    events: Sender<SpeakerEvent>,
    keep_audio: bool,
    speech: &crate::engine::persona::Speech,
) {
    let mut queue: VecDeque<Command> = VecDeque::new();
    let mut current: Option<Current> = None;
    loop {
        let cmd = match queue.pop_front() {
            Some(c) => c,
            None => match rx.recv() {
                Ok(c) => c,
                Err(_) => return,
            },
        };
        match cmd {
            Command::Stop => {
                if let Some(cur) = current.take() {
                    sink.stop();
                    let _ =
                        events.send(SpeakerEvent::Finished(finish(cur, sink, true, keep_audio)));
                }
                drop_interrupted(&rx, &mut queue, &events);
            }
            Command::Say { turn, text } => {
                if current.as_ref().is_none_or(|c| c.turn != turn) {
                    if let Err(e) = sink.begin(turn) {
                        let _ = events.send(SpeakerEvent::Failed {
                            turn,
                            message: e.to_string(),
                        });
                    }
                    current = Some(Current::new(turn, tts.sample_rate()));
                }
                let Some(cur) = current.as_mut() else {
                    continue;
                };
                let mut barged_in = false;
                for sentence in sentences(&text) {
                    // A barge-in between sentences stops synthesis too.
                    while let Ok(c) = rx.try_recv() {
                        barged_in |= matches!(c, Command::Stop);
                        queue.push_back(c);
                    }
                    if barged_in {
                        break;
                    }
                    // Identifiers are said as words: order_items → order items.
                    match tts.synthesize(&speech.respell(&sentence).replace('_', " ")) {
                        Ok((mut audio, stats)) => {
                            cur.synth_ms += stats.elapsed_ms;
                            // Piper's own pause between sentences (0.2 s).
                            let pause = (audio.sample_rate as f64 * SENTENCE_SILENCE_S) as usize;
                            audio.samples.extend(std::iter::repeat_n(0.0, pause));
                            if let Err(e) = sink.write(&audio) {
                                let _ = events.send(SpeakerEvent::Failed {
                                    turn,
                                    message: e.to_string(),
                                });
                            }
                            let now = Instant::now();
                            if cur.first_audio.is_none() {
                                cur.first_audio = Some(now);
                                cur.playback_started = Some(now);
                                let _ = events.send(SpeakerEvent::FirstAudio { turn, at: now });
                            }
                            cur.audio_ms += audio.duration_ms();
                            cur.spoken.push((sentence, cur.audio_ms));
                            if keep_audio {
                                cur.samples.extend_from_slice(&audio.samples);
                                cur.rate = audio.sample_rate;
                            }
                        }
                        Err(e) => {
                            let _ = events.send(SpeakerEvent::Failed {
                                turn,
                                message: e.to_string(),
                            });
                        }
                    }
                }
                if barged_in {
                    if let Some(cur) = current.take() {
                        sink.stop();
                        let _ = events
                            .send(SpeakerEvent::Finished(finish(cur, sink, true, keep_audio)));
                    }
                    drop_interrupted(&rx, &mut queue, &events);
                }
            }
            Command::End { turn } => {
                if current.as_ref().is_none_or(|c| c.turn != turn) {
                    // Nothing was said for this turn.
                    let _ = sink.begin(turn);
                    current = Some(Current::new(turn, tts.sample_rate()));
                }
                // Wait for playback to finish, still listening for a barge-in.
                let mut interrupted = false;
                while sink.playing() {
                    match rx.recv_timeout(Duration::from_millis(5)) {
                        Ok(Command::Stop) => {
                            sink.stop();
                            interrupted = true;
                            break;
                        }
                        Ok(other) => queue.push_back(other),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                if let Some(cur) = current.take() {
                    let _ = events.send(SpeakerEvent::Finished(finish(
                        cur,
                        sink,
                        interrupted,
                        keep_audio,
                    )));
                }
                if interrupted {
                    drop_interrupted(&rx, &mut queue, &events);
                }
            }
        }
    }
}

/// After a barge-in: everything already queued belonged to the interrupted
/// reply. Its sentences are dropped; its turns are reported as not heard.
fn drop_interrupted(
    rx: &Receiver<Command>,
    queue: &mut VecDeque<Command>,
    events: &Sender<SpeakerEvent>,
) {
    while let Ok(c) = rx.try_recv() {
        queue.push_back(c);
    }
    for c in queue.drain(..) {
        if let Command::End { turn } = c {
            let _ = events.send(SpeakerEvent::Finished(TurnAudio {
                turn,
                first_audio: None,
                last_audio: Instant::now(),
                audio_ms: 0.0,
                synth_ms: 0.0,
                interrupted: true,
                heard: Vec::new(),
                file: None,
                audio: None,
            }));
        }
    }
}

fn finish(
    cur: Current,
    sink: &mut dyn AudioSink,
    interrupted: bool,
    keep_audio: bool,
) -> TurnAudio {
    let now = Instant::now();
    let heard = if interrupted {
        // Sentences whose audio had fully played when playback stopped.
        let played_ms = cur
            .playback_started
            .map_or(0.0, |t| now.duration_since(t).as_secs_f64() * 1000.0);
        cur.spoken
            .iter()
            .filter(|(_, end_ms)| *end_ms <= played_ms)
            .map(|(s, _)| s.clone())
            .collect()
    } else {
        cur.spoken.iter().map(|(s, _)| s.clone()).collect()
    };
    let file = if interrupted {
        None
    } else {
        sink.end().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not write the interviewer's audio");
            None
        })
    };
    TurnAudio {
        turn: cur.turn,
        first_audio: cur.first_audio,
        last_audio: now,
        audio_ms: cur.audio_ms,
        synth_ms: cur.synth_ms,
        interrupted,
        heard,
        file,
        audio: keep_audio.then(|| Audio::new(cur.samples, cur.rate)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_template_sentences() {
        assert_eq!(
            sentences("Incorrect. Use an index. Correct approach: add one. Next question."),
            vec![
                "Incorrect.",
                "Use an index.",
                "Correct approach: add one.",
                "Next question."
            ]
        );
        assert_eq!(sentences("Version 2.5 is out"), vec!["Version 2.5 is out"]);
        assert_eq!(sentences("What is REST?"), vec!["What is REST?"]);
        assert!(sentences("  ").is_empty());
    }
}
