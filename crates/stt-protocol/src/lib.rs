//! Wire protocol between `viva` and `viva-stt-worker`.
//!
//! whisper.cpp (via whisper-rs) and llama.cpp (via llama-cpp-2) each vendor a
//! different ggml, which cannot be linked into one process. Whisper therefore
//! runs in its own worker process, spoken to over its stdin/stdout:
//!
//! * Every message is one line of JSON (UTF-8, `\n`-terminated).
//! * A [`Request::Transcribe`] line is followed by exactly `samples × 4` bytes:
//!   the audio as little-endian `f32` PCM, mono, 16 kHz, in `[-1, 1]`.
//! * The worker answers each request with exactly one [`Response`] line, in
//!   order. At start-up, before any request, it sends [`Response::Ready`] (or
//!   [`Response::Error`] and exits non-zero if the model cannot be loaded).
//! * The worker's stderr carries human-readable logs only.
//!
//! The worker is started as `viva-stt-worker --model PATH [--threads N]`.

use std::io::{BufRead, Read, Write};

use serde::{Deserialize, Serialize};

/// Sample rate of the PCM the worker accepts.
pub const SAMPLE_RATE: u32 = 16_000;

/// Longest audio one request may carry (10 minutes); longer audio must be
/// segmented by the caller.
pub const MAX_SAMPLES: usize = SAMPLE_RATE as usize * 600;

/// Options of one transcription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TranscribeOptions {
    /// ISO language code; `None` lets a multilingual model detect it.
    #[serde(default)]
    pub language: Option<String>,
    /// Text that biases decoding toward a vocabulary (Whisper's "initial prompt").
    #[serde(default)]
    pub initial_prompt: Option<String>,
    /// Encoder audio context (0 = full 30 s window). Smaller is faster on short audio.
    #[serde(default)]
    pub audio_ctx: u32,
    /// Decoding threads (0 = the worker's default).
    #[serde(default)]
    pub threads: u32,
    /// Decode the audio as one segment without timestamps (faster on
    /// short audio, and no segment-level repetition loops).
    #[serde(default)]
    pub single_segment: bool,
    /// Most tokens to decode (0 = no limit); bounds hallucinated repetition.
    #[serde(default)]
    pub max_tokens: u32,
}

/// A request from `viva` to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Transcribe the `samples` f32 values that follow this line.
    Transcribe {
        id: u64,
        samples: usize,
        #[serde(default)]
        options: TranscribeOptions,
    },
    /// Liveness check; answered with [`Response::Pong`].
    Ping { id: u64 },
    /// Exit cleanly.
    Shutdown,
}

/// One timed piece of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

/// A response from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The model is loaded; requests may follow.
    Ready {
        model: String,
        load_ms: u64,
        system_info: String,
    },
    /// The result of a [`Request::Transcribe`].
    Transcript {
        id: u64,
        text: String,
        segments: Vec<Segment>,
        audio_ms: u64,
        elapsed_ms: u64,
    },
    /// Answer to [`Request::Ping`].
    Pong { id: u64 },
    /// A request failed (`id` set) or the worker cannot start (`id` absent).
    Error {
        #[serde(default)]
        id: Option<u64>,
        message: String,
    },
}

/// Protocol-level failures.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("the peer closed the pipe")]
    Closed,
    #[error("pipe I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("malformed message {line:?}: {message}")]
    Malformed { line: String, message: String },
    #[error("a request carries {0} samples, more than the {MAX_SAMPLES} allowed")]
    TooLong(usize),
}

/// Writes one JSON line.
pub fn write_message<T: Serialize>(w: &mut impl Write, msg: &T) -> Result<(), ProtocolError> {
    let mut line = serde_json::to_vec(msg).map_err(|e| ProtocolError::Malformed {
        line: String::new(),
        message: e.to_string(),
    })?;
    line.push(b'\n');
    w.write_all(&line)?;
    Ok(())
}

/// Reads one JSON line; `Closed` at end of stream.
pub fn read_message<T: for<'de> Deserialize<'de>>(
    r: &mut impl BufRead,
) -> Result<T, ProtocolError> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(ProtocolError::Closed);
    }
    serde_json::from_str(line.trim_end()).map_err(|e| ProtocolError::Malformed {
        line: line.trim_end().chars().take(200).collect(),
        message: e.to_string(),
    })
}

/// Writes a transcription request and its PCM payload, then flushes.
pub fn write_transcribe(
    w: &mut impl Write,
    id: u64,
    pcm: &[f32],
    options: &TranscribeOptions,
) -> Result<(), ProtocolError> {
    if pcm.len() > MAX_SAMPLES {
        return Err(ProtocolError::TooLong(pcm.len()));
    }
    write_message(
        w,
        &Request::Transcribe {
            id,
            samples: pcm.len(),
            options: options.clone(),
        },
    )?;
    let mut bytes = Vec::with_capacity(pcm.len() * 4);
    for s in pcm {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    w.write_all(&bytes)?;
    w.flush()?;
    Ok(())
}

/// Reads the PCM payload that follows a transcription request.
pub fn read_pcm(r: &mut impl Read, samples: usize) -> Result<Vec<f32>, ProtocolError> {
    if samples > MAX_SAMPLES {
        return Err(ProtocolError::TooLong(samples));
    }
    let mut bytes = vec![0u8; samples * 4];
    r.read_exact(&mut bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ProtocolError::Closed,
        _ => ProtocolError::Io(e),
    })?;
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn transcribe_request_round_trips_with_payload() {
        let pcm = vec![0.0, 0.5, -1.0];
        let opts = TranscribeOptions {
            language: Some("en".into()),
            ..Default::default()
        };
        let mut buf = Vec::new();
        write_transcribe(&mut buf, 7, &pcm, &opts).unwrap();
        let mut r = Cursor::new(buf);
        let req: Request = read_message(&mut r).unwrap();
        let Request::Transcribe {
            id,
            samples,
            options,
        } = req
        else {
            panic!("wrong request {req:?}");
        };
        assert_eq!((id, samples, options), (7, 3, opts));
        assert_eq!(read_pcm(&mut r, samples).unwrap(), pcm);
    }

    #[test]
    fn truncated_payload_reads_as_closed() {
        let mut r = Cursor::new(vec![0u8; 5]);
        assert!(matches!(read_pcm(&mut r, 2), Err(ProtocolError::Closed)));
    }

    #[test]
    fn garbage_line_is_malformed_not_a_panic() {
        let mut r = Cursor::new(b"{not json\n".to_vec());
        assert!(matches!(
            read_message::<Response>(&mut r),
            Err(ProtocolError::Malformed { .. })
        ));
    }

    #[test]
    fn oversized_request_is_refused() {
        let mut r = Cursor::new(Vec::new());
        assert!(matches!(
            read_pcm(&mut r, MAX_SAMPLES + 1),
            Err(ProtocolError::TooLong(_))
        ));
    }
}
