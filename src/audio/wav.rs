//! WAV input and output (hound), with validation that names the problem.

use std::path::{Path, PathBuf};

use super::Audio;

/// Why a WAV file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a readable WAV file: {message} (convert it with e.g. `sox in.mp3 -r 16000 -c 1 out.wav`)")]
    Format { path: PathBuf, message: String },
    #[error("{path} contains no audio (zero samples)")]
    Empty { path: PathBuf },
    #[error("{path} is {minutes:.1} minutes long, more than the {max_minutes} minutes viva transcribes at once; split it (e.g. `sox in.wav part.wav trim 0 {max_minutes}:00 : newfile : restart`) or raise --max-minutes")]
    TooLong {
        path: PathBuf,
        minutes: f64,
        max_minutes: u32,
    },
    #[error("{path}: {message}")]
    Resample { path: PathBuf, message: String },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// Reads a WAV of any common format (8/16/24/32-bit integer or 32-bit float,
/// any channel count and rate) as mono at its own sample rate.
pub fn read(path: &Path) -> Result<Audio, WavError> {
    let format_err = |e: hound::Error| match e {
        hound::Error::IoError(source) if source.kind() == std::io::ErrorKind::NotFound => {
            WavError::Open {
                path: path.to_path_buf(),
                source,
            }
        }
        other => WavError::Format {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    };
    let mut reader = hound::WavReader::open(path).map_err(format_err)?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(format_err)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(format_err)?
        }
    };
    if interleaved.is_empty() {
        return Err(WavError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mono = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32)
        .collect();
    Ok(Audio::new(mono, spec.sample_rate))
}

/// A WAV's duration in seconds, from its header alone (nothing is decoded,
/// so a two-hour file costs nothing to check).
pub fn duration_s(path: &Path) -> Result<f64, WavError> {
    let reader = hound::WavReader::open(path).map_err(|e| match e {
        hound::Error::IoError(source) => WavError::Open {
            path: path.to_path_buf(),
            source,
        },
        other => WavError::Format {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    })?;
    let rate = f64::from(reader.spec().sample_rate.max(1));
    Ok(f64::from(reader.duration()) / rate)
}

/// Refuses a recording longer than `max_minutes` before decoding it.
pub fn check_length(path: &Path, max_minutes: u32) -> Result<(), WavError> {
    let minutes = duration_s(path)? / 60.0;
    if minutes > f64::from(max_minutes) {
        return Err(WavError::TooLong {
            path: path.to_path_buf(),
            minutes,
            max_minutes,
        });
    }
    Ok(())
}

/// Reads a WAV and converts it to 16 kHz mono for speech recognition.
pub fn read_for_stt(path: &Path) -> Result<Audio, WavError> {
    let audio = read(path)?;
    audio
        .resampled(crate::stt::SAMPLE_RATE)
        .map_err(|e| WavError::Resample {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// Writes mono 16-bit PCM.
pub fn write(path: &Path, audio: &Audio) -> Result<(), WavError> {
    let werr = |e: hound::Error| WavError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: audio.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(werr)?;
    for s in &audio.samples {
        w.write_sample((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)
            .map_err(werr)?;
    }
    w.finalize().map_err(werr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_48k_is_read_as_mono_and_resampled() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&p, spec).unwrap();
        for i in 0..48_000 {
            let v = ((i as f32 / 48.0).sin() * 10_000.0) as i16;
            w.write_sample(v).unwrap();
            w.write_sample(v).unwrap();
        }
        w.finalize().unwrap();
        let a = read_for_stt(&p).unwrap();
        assert_eq!(a.sample_rate, 16_000);
        assert_eq!(a.samples.len(), 16_000);
    }

    #[test]
    fn empty_and_garbage_files_get_specific_errors() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("g.wav");
        std::fs::write(&garbage, b"this is not audio").unwrap();
        assert!(matches!(read(&garbage), Err(WavError::Format { .. })));

        let empty = dir.path().join("e.wav");
        write(&empty, &Audio::new(vec![], 16_000)).unwrap();
        assert!(matches!(read(&empty), Err(WavError::Empty { .. })));

        let missing = dir.path().join("missing.wav");
        assert!(matches!(read(&missing), Err(WavError::Open { .. })));
    }
}
