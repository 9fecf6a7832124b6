//! Quantizes a whisper.cpp ggml model (f16) to Q8_0, the way whisper.cpp's
//! own `quantize` tool does: every 2-D f16 tensor becomes Q8_0 blocks (32
//! weights, one f16 scale + 32 signed bytes); 1-D tensors, the f32
//! positional embeddings and the 3-D convolution kernels stay as they are;
//! the header's `ftype` becomes `GGML_QNT_VERSION * 1000 + 7`.
//!
//! The file layout is read from the ggml stream itself (magic, 11 hyper-
//! parameters, mel filters, vocabulary, then tensors), so any f16 whisper.cpp
//! model works, not only the ones Viva converts.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use half::f16;

const GGML_MAGIC: u32 = 0x6767_6d6c;
const GGML_QNT_VERSION: i32 = 2;
const GGML_QNT_VERSION_FACTOR: i32 = 1000;
const FTYPE_F16: i32 = 1;
const FTYPE_MOSTLY_Q8_0: i32 = 7;
const TYPE_F32: i32 = 0;
const TYPE_F16: i32 = 1;
const TYPE_Q8_0: i32 = 8;
const QK8_0: usize = 32;

/// Why a model could not be quantized.
#[derive(Debug, thiserror::Error)]
pub enum QuantizeError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a whisper.cpp ggml model (magic {found:#010x}, expected {GGML_MAGIC:#010x})"
    )]
    NotGgml { path: PathBuf, found: u32 },
    #[error("{path} is already quantized or not f16 (ftype {found}, expected {FTYPE_F16}); quantize the f16 model")]
    NotF16 { path: PathBuf, found: i32 },
    #[error("{path}: tensor {name} has a row of {row} values, not a multiple of {QK8_0}")]
    RowSize {
        path: PathBuf,
        name: String,
        row: usize,
    },
    #[error("{path}: malformed tensor header ({message})")]
    Malformed { path: PathBuf, message: String },
}

/// Counts of what was converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantizeReport {
    pub tensors: usize,
    pub quantized: usize,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

/// One block of Q8_0, bit-exact with ggml's `quantize_row_q8_0_ref`.
fn quantize_block(values: &[f32], out: &mut Vec<u8>) {
    let amax = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
    for v in values {
        // C's roundf: halves away from zero, like Rust's f32::round.
        out.push((v * id).round() as i8 as u8);
    }
}

struct Reader<R> {
    inner: R,
    path: PathBuf,
    /// Bytes left in the file: a header that claims more is malformed (and
    /// is never allocated).
    remaining: u64,
}

impl<R: Read> Reader<R> {
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, QuantizeError> {
        if n as u64 > self.remaining {
            return Err(QuantizeError::Malformed {
                path: self.path.clone(),
                message: format!(
                    "a field of {n} bytes where only {} are left in the file",
                    self.remaining
                ),
            });
        }
        self.remaining -= n as u64;
        let mut buf = vec![0; n];
        self.inner
            .read_exact(&mut buf)
            .map_err(|source| QuantizeError::Read {
                path: self.path.clone(),
                source,
            })?;
        Ok(buf)
    }

    fn i32(&mut self) -> Result<i32, QuantizeError> {
        let b = self.bytes(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// `None` at a clean end of file (between tensors).
    fn i32_or_eof(&mut self) -> Result<Option<i32>, QuantizeError> {
        let mut b = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match self.inner.read(&mut b[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => {
                    return Err(QuantizeError::Malformed {
                        path: self.path.clone(),
                        message: "file ends inside a tensor header".into(),
                    })
                }
                Ok(n) => {
                    got += n;
                    self.remaining = self.remaining.saturating_sub(n as u64);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(QuantizeError::Read {
                        path: self.path.clone(),
                        source,
                    })
                }
            }
        }
        Ok(Some(i32::from_le_bytes(b)))
    }

    fn count(&mut self, what: &str) -> Result<usize, QuantizeError> {
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| QuantizeError::Malformed {
            path: self.path.clone(),
            message: format!("negative {what} ({v})"),
        })
    }

    /// `a * b * c…` or a malformed-header error when it does not fit.
    fn product(&self, factors: &[usize], what: &str) -> Result<usize, QuantizeError> {
        factors
            .iter()
            .try_fold(1usize, |acc, f| acc.checked_mul(*f))
            .ok_or_else(|| QuantizeError::Malformed {
                path: self.path.clone(),
                message: format!("{what} {factors:?} overflows"),
            })
    }
}

/// Quantizes `input` (f16 ggml) to Q8_0 at `output` (written via a temporary
/// file and renamed, so a failed run leaves nothing half-written).
pub fn quantize_q8_0(input: &Path, output: &Path) -> Result<QuantizeReport, QuantizeError> {
    let file = std::fs::File::open(input).map_err(|source| QuantizeError::Read {
        path: input.to_path_buf(),
        source,
    })?;
    let bytes_in = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 20, file),
        path: input.to_path_buf(),
        remaining: bytes_in,
    };
    let tmp = output.with_extension("part");
    let werr = |source| QuantizeError::Write {
        path: tmp.clone(),
        source,
    };
    let out_file = std::fs::File::create(&tmp).map_err(werr)?;
    let mut w = BufWriter::with_capacity(1 << 20, out_file);
    let result = (|| {
        let magic = r.i32()? as u32;
        if magic != GGML_MAGIC {
            return Err(QuantizeError::NotGgml {
                path: input.to_path_buf(),
                found: magic,
            });
        }
        let mut header = vec![magic as i32];
        for _ in 0..10 {
            header.push(r.i32()?);
        }
        let n_vocab = usize::try_from(header[1]).unwrap_or(0);
        let ftype = r.i32()?;
        if ftype != FTYPE_F16 {
            return Err(QuantizeError::NotF16 {
                path: input.to_path_buf(),
                found: ftype,
            });
        }
        header.push(GGML_QNT_VERSION * GGML_QNT_VERSION_FACTOR + FTYPE_MOSTLY_Q8_0);
        for v in &header {
            w.write_all(&v.to_le_bytes()).map_err(werr)?;
        }
        // Mel filters: n_mel, n_fft, then n_mel * n_fft f32.
        let n_mel = r.count("mel count")?;
        let n_fft = r.count("fft size")?;
        let filters = r.bytes(r.product(&[n_mel, n_fft, 4], "mel filter size")?)?;
        for v in [n_mel as i32, n_fft as i32] {
            w.write_all(&v.to_le_bytes()).map_err(werr)?;
        }
        w.write_all(&filters).map_err(werr)?;
        // Vocabulary: count, then (length, bytes) per token.
        let tokens = r.count("vocabulary size")?;
        if tokens != n_vocab {
            tracing::debug!(tokens, n_vocab, "vocabulary size differs from n_vocab");
        }
        w.write_all(&(tokens as i32).to_le_bytes()).map_err(werr)?;
        for _ in 0..tokens {
            let len = r.count("token length")?;
            let token = r.bytes(len)?;
            w.write_all(&(len as i32).to_le_bytes()).map_err(werr)?;
            w.write_all(&token).map_err(werr)?;
        }
        let mut report = QuantizeReport {
            tensors: 0,
            quantized: 0,
            bytes_in,
            bytes_out: 0,
        };
        while let Some(n_dims) = r.i32_or_eof()? {
            let name_len = r.count("tensor name length")?;
            let ttype = r.i32()?;
            if !(1..=4).contains(&n_dims) {
                return Err(QuantizeError::Malformed {
                    path: input.to_path_buf(),
                    message: format!("{n_dims} dimensions"),
                });
            }
            let mut ne = Vec::new();
            for _ in 0..n_dims {
                ne.push(r.count("dimension")?);
            }
            let name = String::from_utf8_lossy(&r.bytes(name_len)?).into_owned();
            let elements = r.product(&ne, "tensor shape")?;
            let element_bytes = match ttype {
                TYPE_F32 => 4,
                TYPE_F16 => 2,
                other => {
                    return Err(QuantizeError::Malformed {
                        path: input.to_path_buf(),
                        message: format!(
                            "tensor {name} has type {other}; only f32/f16 models can be quantized"
                        ),
                    })
                }
            };
            let data = r.bytes(r.product(&[elements, element_bytes], "tensor size")?)?;
            let quantize = n_dims == 2 && ttype == TYPE_F16;
            let out_type = if quantize { TYPE_Q8_0 } else { ttype };
            for v in [n_dims, name_len as i32, out_type] {
                w.write_all(&v.to_le_bytes()).map_err(werr)?;
            }
            for d in &ne {
                w.write_all(&(*d as i32).to_le_bytes()).map_err(werr)?;
            }
            w.write_all(name.as_bytes()).map_err(werr)?;
            if quantize {
                let row = ne[0];
                if row % QK8_0 != 0 {
                    return Err(QuantizeError::RowSize {
                        path: input.to_path_buf(),
                        name,
                        row,
                    });
                }
                let values: Vec<f32> = data
                    .chunks_exact(2)
                    .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect();
                let mut out = Vec::with_capacity(elements / QK8_0 * (2 + QK8_0));
                for block in values.chunks_exact(QK8_0) {
                    quantize_block(block, &mut out);
                }
                w.write_all(&out).map_err(werr)?;
                report.quantized += 1;
            } else {
                w.write_all(&data).map_err(werr)?;
            }
            report.tensors += 1;
        }
        w.flush().map_err(werr)?;
        Ok(report)
    })();
    drop(w);
    match result {
        Ok(mut report) => {
            std::fs::rename(&tmp, output).map_err(|source| QuantizeError::Write {
                path: output.to_path_buf(),
                source,
            })?;
            report.bytes_out = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_matches_ggml_reference() {
        // amax 2.54 → d = 0.02, values map to -127…127 exactly.
        let values: Vec<f32> = (0..32).map(|i| (i as f32 - 16.0) * 0.02 * 7.9375).collect();
        let mut out = Vec::new();
        quantize_block(&values, &mut out);
        assert_eq!(out.len(), 34);
        let d = f16::from_le_bytes([out[0], out[1]]).to_f32();
        for (v, q) in values.iter().zip(&out[2..]) {
            let back = f32::from(*q as i8) * d;
            assert!((back - v).abs() <= d * 0.6, "{v} → {back}");
        }
        assert_eq!(out[2] as i8, -127);
    }

    #[test]
    fn zero_block_has_zero_scale() {
        let mut out = Vec::new();
        quantize_block(&[0.0; 32], &mut out);
        assert!(out.iter().all(|b| *b == 0));
    }

    #[test]
    fn refuses_a_non_ggml_file() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("x.bin");
        std::fs::write(
            &input,
            b"GGUF0000000000000000000000000000000000000000000000",
        )
        .unwrap();
        let e = quantize_q8_0(&input, &dir.path().join("y.bin")).unwrap_err();
        assert!(matches!(e, QuantizeError::NotGgml { .. }), "{e}");
        assert!(!dir.path().join("y.bin").exists());
        assert!(!dir.path().join("y.part").exists());
    }
}
