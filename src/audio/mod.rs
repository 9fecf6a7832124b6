//! Audio: the in-memory clip type, WAV files, resampling and devices.

pub mod devices;
pub mod playback;
pub mod vad;
pub mod wav;

use rubato::{FftFixedIn, Resampler};

/// Mono PCM in `[-1, 1]` at a sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
}

/// Audio processing failures.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot resample from {from} Hz to {to} Hz: {message}")]
    Resample { from: u32, to: u32, message: String },
}

impl Audio {
    pub fn new(samples: Vec<f32>, sample_rate: u32) -> Self {
        Self {
            samples,
            sample_rate,
        }
    }

    pub fn duration_ms(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 * 1000.0 / f64::from(self.sample_rate)
    }

    /// Resampled copy at `rate` (rubato's FFT resampler; identity if equal).
    pub fn resampled(&self, rate: u32) -> Result<Audio, AudioError> {
        if rate == self.sample_rate || self.samples.is_empty() {
            return Ok(Audio::new(self.samples.clone(), rate));
        }
        let err = |e: &dyn std::fmt::Display| AudioError::Resample {
            from: self.sample_rate,
            to: rate,
            message: e.to_string(),
        };
        let chunk = 1024;
        let mut resampler =
            FftFixedIn::<f32>::new(self.sample_rate as usize, rate as usize, chunk, 2, 1)
                .map_err(|e| err(&e))?;
        let delay = resampler.output_delay();
        let expected =
            (self.samples.len() as u64 * u64::from(rate) / u64::from(self.sample_rate)) as usize;
        let mut out = Vec::with_capacity(expected + delay + chunk);
        let mut pos = 0;
        while pos + chunk <= self.samples.len() {
            let block = resampler
                .process(&[&self.samples[pos..pos + chunk]], None)
                .map_err(|e| err(&e))?;
            out.extend_from_slice(&block[0]);
            pos += chunk;
        }
        if pos < self.samples.len() {
            let block = resampler
                .process_partial(Some(&[&self.samples[pos..]]), None)
                .map_err(|e| err(&e))?;
            out.extend_from_slice(&block[0]);
        }
        // Flush the resampler's delay line.
        while out.len() < expected + delay {
            let block = resampler
                .process_partial::<&[f32]>(None, None)
                .map_err(|e| err(&e))?;
            if block[0].is_empty() {
                break;
            }
            out.extend_from_slice(&block[0]);
        }
        let end = (delay + expected).min(out.len());
        Ok(Audio::new(out[delay.min(end)..end].to_vec(), rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, secs: f32) -> Audio {
        let n = (rate as f32 * secs) as usize;
        Audio::new(
            (0..n)
                .map(|i| (i as f32 * hz * std::f32::consts::TAU / rate as f32).sin() * 0.5)
                .collect(),
            rate,
        )
    }

    #[test]
    fn resampling_keeps_duration_and_pitch() {
        let a = tone(44_100, 440.0, 1.0);
        let b = a.resampled(16_000).unwrap();
        assert_eq!(b.samples.len(), 16_000);
        // Count zero crossings: 440 Hz → ~880 per second.
        let crossings = b
            .samples
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        assert!((870..=890).contains(&crossings), "{crossings}");
    }

    #[test]
    fn same_rate_is_identity() {
        let a = tone(16_000, 200.0, 0.1);
        assert_eq!(a.resampled(16_000).unwrap(), a);
    }
}
