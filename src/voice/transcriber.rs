//! Transcription of a turn while it is being spoken: pieces cut at pauses
//! go to the Whisper worker on a background thread as soon as they exist,
//! and the audio since the last cut is transcribed speculatively at every
//! short pause, so at the end of the turn the transcript is usually ready.

use std::collections::HashSet;
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::stt::{SpeechToText, SttError, SAMPLE_RATE};

pub use crate::stt::audio_ctx_for;

/// Whether Whisper's output is a non-speech annotation or a known
/// hallucination on near-silence rather than words the candidate said.
pub fn is_non_speech(text: &str, speech_ms: f64) -> bool {
    let kept = strip_annotations(text);
    let words: String = kept
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        return true;
    }
    // Whisper's favourite inventions on a breath or a click.
    const PHANTOMS: &[&str] = &[
        "thank you",
        "thanks for watching",
        "thank you for watching",
        "you",
        "bye",
        "so",
        "okay",
    ];
    speech_ms < 1200.0 && PHANTOMS.contains(&words.as_str())
}

/// Removes Whisper's repetition loops (tiny models fall into them on a
/// quiet tail): a sentence of three words or more said again straight after
/// itself is kept once, and so is a cut-off repeat of it at the end.
pub fn collapse_repeats(text: &str) -> String {
    let sentences = crate::voice::speaker::sentences(text);
    let mut out: Vec<String> = Vec::new();
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    };
    let count = sentences.len();
    for (i, s) in sentences.into_iter().enumerate() {
        let repeated = out.last().is_some_and(|last| {
            let (last, this) = (norm(last), norm(&s));
            let long_enough = s.split_whitespace().count() >= 3;
            let cut_off_repeat = i + 1 == count && last.starts_with(this.trim_end());
            long_enough && (last == this || cut_off_repeat)
        });
        if !repeated {
            out.push(s);
        }
    }
    out.join(" ")
}

/// Removes Whisper's non-speech annotations (`[BLANK_AUDIO]`, `(coughs)`,
/// `*laughs*`, `♪`) from a transcript.
pub fn strip_annotations(text: &str) -> String {
    let mut kept = String::new();
    let mut depth = 0i32;
    let mut starred = false;
    for c in text.chars() {
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth = (depth - 1).max(0),
            '*' | '♪' => starred = !starred,
            _ if depth == 0 && !starred => kept.push(c),
            _ => {}
        }
    }
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Faster than anyone speaks (words per second); more means a loop.
const MAX_WORDS_PER_S: f64 = 4.5;

/// Transcribes one piece the fast way (encoder context trimmed to the
/// audio). Trimmed contexts sometimes send tiny models into a repetition
/// loop: exact repeats are collapsed, and text still longer than anyone
/// could say in the time is transcribed again with the full 30 s window.
pub fn transcribe_piece(
    stt: &mut dyn SpeechToText,
    pcm: &[f32],
    prompt: &str,
) -> Result<String, SttError> {
    let seconds = pcm.len() as f64 / f64::from(SAMPLE_RATE);
    let fast = crate::stt::speech_options(pcm.len(), Some(prompt.to_string()));
    let text = collapse_repeats(&strip_annotations(&stt.transcribe(pcm, &fast)?.text));
    let words = text.split_whitespace().count() as f64;
    if words <= 2.0 + seconds * MAX_WORDS_PER_S {
        return Ok(text);
    }
    tracing::info!(words, seconds, %text, "repetition loop; transcribing the piece again with the full window");
    let full = crate::stt::TranscribeOptions {
        audio_ctx: 0,
        single_segment: false,
        ..fast
    };
    Ok(collapse_repeats(&strip_annotations(
        &stt.transcribe(pcm, &full)?.text,
    )))
}

/// One transcribed piece of a turn.
#[derive(Debug, Clone)]
pub struct Piece {
    pub text: String,
    pub audio_ms: f64,
    pub elapsed_ms: f64,
    /// Set for a speculative transcription (see [`Transcriber::speculate`]).
    pub speculation: Option<u64>,
    /// A superseded speculation the worker did not run.
    pub skipped: bool,
}

struct Job {
    pcm: Vec<f32>,
    speculation: Option<u64>,
}

/// A Whisper worker on its own thread, fed pieces of the current turn.
///
/// Two kinds of work: *segments* (final pieces cut at pauses, transcribed in
/// order), and *speculations*: at a short pause the audio since the last
/// segment is transcribed in case the pause turns out to be the end of the
/// turn. The end-of-turn silence is longer than the transcription, so when
/// the turn does end its transcript is usually ready. A newer speculation
/// supersedes older ones, which the worker then skips.
pub struct Transcriber {
    jobs: Option<Sender<Job>>,
    results: Receiver<Result<Piece, SttError>>,
    pending: usize,
    next_speculation: u64,
    cancelled: Arc<Mutex<HashSet<u64>>>,
    thread: Option<JoinHandle<()>>,
}

impl Transcriber {
    /// Starts the thread; `prompt` biases recognition (the persona's vocabulary).
    /// Fails when the operating system refuses a new thread: an interview
    /// that cannot transcribe must not start deaf.
    pub fn start(mut stt: Box<dyn SpeechToText>, prompt: String) -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let (result_tx, results) = channel();
        let cancelled: Arc<Mutex<HashSet<u64>>> = Arc::default();
        let skip = Arc::clone(&cancelled);
        let thread = std::thread::Builder::new()
            .name("viva-stt".into())
            .spawn(move || {
                for job in job_rx {
                    let started = Instant::now();
                    let audio_ms = job.pcm.len() as f64 * 1000.0 / f64::from(SAMPLE_RATE);
                    let void = job
                        .speculation
                        .is_some_and(|id| skip.lock().map(|mut c| c.remove(&id)).unwrap_or(false));
                    if void {
                        let skipped = Piece {
                            text: String::new(),
                            audio_ms,
                            elapsed_ms: 0.0,
                            speculation: job.speculation,
                            skipped: true,
                        };
                        if result_tx.send(Ok(skipped)).is_err() {
                            break;
                        }
                        continue;
                    }
                    // Only the persona's vocabulary as prompt: earlier words of
                    // the answer make Whisper repeat them on a quiet tail.
                    let result =
                        transcribe_piece(stt.as_mut(), &job.pcm, &prompt).map(|text| Piece {
                            text,
                            audio_ms,
                            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                            speculation: job.speculation,
                            skipped: false,
                        });
                    if result_tx.send(result).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            results,
            pending: 0,
            next_speculation: 0,
            cancelled,
            thread: Some(thread),
        })
    }

    fn queue(&mut self, job: Job) {
        if let Some(jobs) = &self.jobs {
            if jobs.send(job).is_ok() {
                self.pending += 1;
            }
        }
    }

    /// Queues a final piece of the current turn.
    pub fn submit(&mut self, pcm: Vec<f32>) {
        self.queue(Job {
            pcm,
            speculation: None,
        });
    }

    /// Queues a speculative transcription and returns its id.
    pub fn speculate(&mut self, pcm: Vec<f32>) -> u64 {
        self.next_speculation += 1;
        let id = self.next_speculation;
        self.queue(Job {
            pcm,
            speculation: Some(id),
        });
        id
    }

    /// Speech went on after the pause: the speculation is void (skipped if
    /// the worker has not started it).
    pub fn cancel_speculation(&mut self, id: u64) {
        if let Ok(mut c) = self.cancelled.lock() {
            c.insert(id);
        }
    }

    /// Jobs still queued or running.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Collects finished pieces without waiting.
    pub fn poll(&mut self) -> Vec<Result<Piece, SttError>> {
        let mut out = Vec::new();
        loop {
            match self.results.try_recv() {
                Ok(r) => {
                    self.pending = self.pending.saturating_sub(1);
                    out.push(r);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if self.pending > 0 {
                        self.pending = 0;
                        out.push(Err(SttError::Engine(
                            "the transcription thread stopped".into(),
                        )));
                    }
                    break;
                }
            }
        }
        out
    }
}

impl Drop for Transcriber {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetition_loops_are_collapsed() {
        let looped = "I would store it in plain text. I would store it in plain text. I would store it in plain text.";
        assert_eq!(collapse_repeats(looped), "I would store it in plain text.");
        let cut =
            "I would store it in plain text. I would store it in plain text. I would store it";
        assert_eq!(collapse_repeats(cut), "I would store it in plain text.");
        assert_eq!(
            collapse_repeats("No. No. Use bcrypt."),
            "No. No. Use bcrypt."
        );
        assert_eq!(
            collapse_repeats("A then B. B then A."),
            "A then B. B then A."
        );
    }

    #[test]
    fn annotations_and_phantoms_are_not_speech() {
        assert!(is_non_speech("[BLANK_AUDIO]", 3000.0));
        assert!(is_non_speech("(silence)", 3000.0));
        assert!(is_non_speech(" *coughs* ", 3000.0));
        assert!(is_non_speech("♪ music ♪", 3000.0));
        assert!(is_non_speech("...", 3000.0));
        assert!(is_non_speech("Thank you.", 400.0));
        assert!(!is_non_speech("Thank you.", 3000.0));
        assert!(!is_non_speech("I would use bcrypt.", 400.0));
        assert!(!is_non_speech("[laughs] I would use a JWT.", 3000.0));
        assert_eq!(
            strip_annotations("Use bcrypt. [BLANK_AUDIO] (coughs) *sigh* done"),
            "Use bcrypt. done"
        );
    }
}
