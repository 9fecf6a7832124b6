//! Slaney-style mel filter bank, computed exactly as `librosa.filters.mel`
//! (the source of Whisper's `mel_filters.npz`), so converted models carry the
//! same filter values as upstream whisper.cpp files, bit for bit.

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (log_step() * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// Returns `n_mels` rows of `n_fft / 2 + 1` weights, row-major, for a signal
/// sampled at `sample_rate` Hz (fmin 0, fmax Nyquist, Slaney normalisation).
pub fn mel_filters(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_freqs = n_fft / 2 + 1;
    let sr = f64::from(sample_rate);
    // numpy.fft.rfftfreq(n_fft, d=1/sr)
    let val = 1.0 / (n_fft as f64 * (1.0 / sr));
    let fft_freqs: Vec<f64> = (0..n_freqs).map(|i| i as f64 * val).collect();
    // numpy.linspace(hz_to_mel(0), hz_to_mel(sr/2), n_mels + 2), then back to Hz
    let max_mel = hz_to_mel(sr / 2.0);
    let n_points = n_mels + 2;
    let step = max_mel / (n_points - 1) as f64;
    let mel_f: Vec<f64> = (0..n_points)
        .map(|i| {
            let mel = if i == n_points - 1 {
                max_mel
            } else {
                i as f64 * step
            };
            mel_to_hz(mel)
        })
        .collect();
    let fdiff: Vec<f64> = mel_f.windows(2).map(|w| w[1] - w[0]).collect();
    let mut weights = vec![0f32; n_mels * n_freqs];
    for i in 0..n_mels {
        let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for (j, &f) in fft_freqs.iter().enumerate() {
            let lower = -(mel_f[i] - f) / fdiff[i];
            let upper = (mel_f[i + 2] - f) / fdiff[i + 1];
            // librosa stores the triangle in float32, then scales in float64.
            // Entry (0, 0) is +0.0 here, as in the 2022 `mel_filters.npz` the
            // published whisper.cpp files were built from (the 2023 file
            // regenerated for large-v3 has -0.0 there).
            let w = 0f64.max(lower.min(upper)) as f32;
            weights[i * n_freqs + j] = (f64::from(w) * enorm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_have_whisper_shape_and_slaney_area() {
        let w = mel_filters(16_000, 400, 80);
        assert_eq!(w.len(), 80 * 201);
        // Every filter is a non-negative triangle with a non-zero peak.
        for row in w.chunks(201) {
            assert!(row.iter().all(|&x| x >= 0.0));
            assert!(row.iter().any(|&x| x > 0.0));
        }
        // Slaney normalisation: peak height is 2 / bandwidth, so the first
        // (narrowest) filter is tallest.
        let peak = |r: &[f32]| r.iter().cloned().fold(0f32, f32::max);
        assert!(peak(&w[..201]) > peak(&w[79 * 201..]));
    }
}
