//! Playing audio on the default output device (rodio).

use super::Audio;

/// Why audio could not be played.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error("no audio output device: {0}")]
    NoDevice(String),
}

/// Plays `audio` on the default output and waits until it has finished.
pub fn play_blocking(audio: &Audio) -> Result<(), PlaybackError> {
    let sink = rodio::DeviceSinkBuilder::open_default_sink()
        .map_err(|e| PlaybackError::NoDevice(e.to_string()))?;
    let player = rodio::Player::connect_new(sink.mixer());
    let channels =
        std::num::NonZeroU16::new(1).ok_or_else(|| PlaybackError::NoDevice("mono".into()))?;
    let rate = std::num::NonZeroU32::new(audio.sample_rate)
        .ok_or_else(|| PlaybackError::NoDevice("sample rate 0".into()))?;
    player.append(rodio::buffer::SamplesBuffer::new(
        channels,
        rate,
        audio.samples.clone(),
    ));
    player.sleep_until_end();
    Ok(())
}
