//! Where the interviewer's voice goes: the speakers (rodio), a WAV file per
//! interviewer turn, or nowhere.

use std::path::{Path, PathBuf};

use crate::audio::Audio;

/// Why audio could not be played or written.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("no usable audio output device{}: {message} (see `viva devices`; --audio-out DIR writes WAV files instead)", .device.as_ref().map(|d| format!(" `{d}`")).unwrap_or_default())]
    NoDevice {
        device: Option<String>,
        message: String,
    },
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

/// A destination for synthesized speech, one interviewer turn at a time.
pub trait AudioSink {
    /// A new interviewer turn begins.
    fn begin(&mut self, turn: usize) -> Result<(), SinkError>;
    /// Queues audio; returns once it is queued (playback continues).
    fn write(&mut self, audio: &Audio) -> Result<(), SinkError>;
    /// Whether queued audio is still playing.
    fn playing(&self) -> bool {
        false
    }
    /// Stops playback at once (barge-in).
    fn stop(&mut self) {}
    /// The turn's audio is complete; returns the file written, if any.
    fn end(&mut self) -> Result<Option<PathBuf>, SinkError> {
        Ok(None)
    }
}

/// Discards audio (no output device, and no --audio-out).
pub struct NullSink;

impl AudioSink for NullSink {
    fn begin(&mut self, _turn: usize) -> Result<(), SinkError> {
        Ok(())
    }
    fn write(&mut self, _audio: &Audio) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Writes `interviewer-NNN.wav` per interviewer turn into a directory.
pub struct WavDirSink {
    dir: PathBuf,
    turn: usize,
    samples: Vec<f32>,
    rate: u32,
    lead_in: bool,
}

/// Silence at the start of each interviewer WAV.
const FILE_LEAD_IN_S: f64 = 0.3;

impl WavDirSink {
    pub fn new(dir: &Path) -> Result<Self, SinkError> {
        std::fs::create_dir_all(dir).map_err(|e| SinkError::Write {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            turn: 0,
            samples: Vec::new(),
            rate: 22_050,
            lead_in: true,
        })
    }
}

/// The file name of an interviewer turn's audio.
pub fn turn_file_name(turn: usize) -> String {
    format!("interviewer-{turn:03}.wav")
}

impl AudioSink for WavDirSink {
    fn begin(&mut self, turn: usize) -> Result<(), SinkError> {
        self.turn = turn;
        self.samples.clear();
        self.lead_in = true;
        Ok(())
    }

    fn write(&mut self, audio: &Audio) -> Result<(), SinkError> {
        self.rate = audio.sample_rate;
        if std::mem::take(&mut self.lead_in) {
            // A file starts with a breath of silence, as a recording does:
            // Whisper (and people) miss a first sound that starts at sample 0.
            let lead = (f64::from(audio.sample_rate) * FILE_LEAD_IN_S) as usize;
            self.samples.extend(std::iter::repeat_n(0.0, lead));
        }
        self.samples.extend_from_slice(&audio.samples);
        Ok(())
    }

    fn end(&mut self) -> Result<Option<PathBuf>, SinkError> {
        let path = self.dir.join(turn_file_name(self.turn));
        let audio = Audio::new(std::mem::take(&mut self.samples), self.rate);
        crate::audio::wav::write(&path, &audio).map_err(|e| SinkError::Write {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Some(path))
    }
}

/// Plays on an output device through rodio.
pub struct DeviceSink {
    // Field order: the player must be dropped before the device stream.
    player: rodio::Player,
    _device: rodio::stream::MixerDeviceSink,
}

impl DeviceSink {
    /// Opens the named output device (by `viva devices` name or id), or the default.
    pub fn open(device: Option<&str>) -> Result<Self, SinkError> {
        let no_device = |message: String| SinkError::NoDevice {
            device: device.map(str::to_string),
            message,
        };
        let builder = match device {
            Some(name) => {
                let dev = crate::audio::devices::find(name, false)
                    .ok_or_else(|| no_device("no output device has that name or id".into()))?;
                rodio::DeviceSinkBuilder::from_device(dev).map_err(|e| no_device(e.to_string()))?
            }
            None => rodio::DeviceSinkBuilder::from_default_device()
                .map_err(|e| no_device(e.to_string()))?,
        };
        let mut sink = builder
            .open_sink_or_fallback()
            .map_err(|e| no_device(e.to_string()))?;
        sink.log_on_drop(false);
        let player = rodio::Player::connect_new(sink.mixer());
        Ok(Self {
            player,
            _device: sink,
        })
    }
}

impl AudioSink for DeviceSink {
    fn begin(&mut self, _turn: usize) -> Result<(), SinkError> {
        self.player.play();
        Ok(())
    }

    fn write(&mut self, audio: &Audio) -> Result<(), SinkError> {
        let (Some(channels), Some(rate)) = (
            std::num::NonZeroU16::new(1),
            std::num::NonZeroU32::new(audio.sample_rate),
        ) else {
            return Ok(());
        };
        self.player.append(rodio::buffer::SamplesBuffer::new(
            channels,
            rate,
            audio.samples.clone(),
        ));
        Ok(())
    }

    fn playing(&self) -> bool {
        !self.player.empty()
    }

    fn stop(&mut self) {
        self.player.clear();
    }
}
