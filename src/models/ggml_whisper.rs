//! CTranslate2 Whisper → whisper.cpp ggml converter.
//!
//! Produces exactly what whisper.cpp's `convert-pt-to-ggml.py` writes for the
//! original OpenAI checkpoint: the same header, Slaney mel filters, byte-level
//! vocabulary and tensors in the checkpoint's key order, f16 weights and f32
//! biases, norms and positional embeddings. For a float16 CTranslate2 model of
//! an official Whisper checkpoint the output is byte-identical to upstream.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use half::f16;

use super::ct2::{Ct2Dtype, Ct2Model, Ct2Variable};
use super::mel::mel_filters;

const GGML_MAGIC: u32 = 0x6767_6d6c;

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Read(#[from] super::ct2::Ct2Error),
    #[error(
        "{0} is a CTranslate2 model of spec `{1}`, not a Whisper model (WhisperSpec expected)"
    )]
    NotWhisper(PathBuf, String),
    #[error("the CTranslate2 model has no variable `{0}`; is it a complete Whisper model?")]
    Missing(String),
    #[error("variable `{name}` is stored as {dtype:?}; only float16/float32 Whisper models can be converted (re-export with `--quantization float16`)")]
    UnsupportedDtype { name: String, dtype: Ct2Dtype },
    #[error("variable `{name}` has shape {actual:?}, expected {expected:?}")]
    Shape {
        name: String,
        expected: Vec<usize>,
        actual: Vec<usize>,
    },
    #[error("vocabulary {path}: {what}")]
    Vocabulary { path: PathBuf, what: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Quantize(#[from] super::ggml_quantize::QuantizeError),
}

/// Whisper's dimensions as recorded in the ggml header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhisperHparams {
    pub n_vocab: usize,
    pub n_audio_ctx: usize,
    pub n_audio_state: usize,
    pub n_audio_head: usize,
    pub n_audio_layer: usize,
    pub n_text_ctx: usize,
    pub n_text_state: usize,
    pub n_text_head: usize,
    pub n_text_layer: usize,
    pub n_mels: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Out {
    F16,
    F32,
}

/// A tensor ready to be written: name, shape (PyTorch order), element type, values.
struct Tensor {
    name: String,
    shape: Vec<usize>,
    out: Out,
    values: Values,
}

enum Values {
    F16(Vec<f16>),
    F32(Vec<f32>),
}

fn to_values(name: &str, var: &Ct2Variable) -> Result<Values, ConvertError> {
    match var.dtype {
        Ct2Dtype::F16 => Ok(Values::F16(
            var.data
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]))
                .collect(),
        )),
        Ct2Dtype::F32 => Ok(Values::F32(
            var.data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )),
        dtype => Err(ConvertError::UnsupportedDtype {
            name: name.to_string(),
            dtype,
        }),
    }
}

impl Values {
    fn slice(&self, start: usize, end: usize) -> Values {
        match self {
            Values::F16(v) => Values::F16(v[start..end].to_vec()),
            Values::F32(v) => Values::F32(v[start..end].to_vec()),
        }
    }

    fn write(&self, out: Out, w: &mut impl Write) -> std::io::Result<()> {
        let mut buf = Vec::new();
        match (self, out) {
            (Values::F16(v), Out::F16) => v.iter().for_each(|x| buf.extend(x.to_le_bytes())),
            (Values::F16(v), Out::F32) => {
                v.iter().for_each(|x| buf.extend(x.to_f32().to_le_bytes()))
            }
            (Values::F32(v), Out::F16) => v
                .iter()
                .for_each(|x| buf.extend(f16::from_f32(*x).to_le_bytes())),
            (Values::F32(v), Out::F32) => v.iter().for_each(|x| buf.extend(x.to_le_bytes())),
        }
        w.write_all(&buf)
    }
}

struct Source<'a> {
    model: &'a Ct2Model,
    tensors: Vec<Tensor>,
}

impl Source<'_> {
    fn var(&self, name: &str) -> Result<&Ct2Variable, ConvertError> {
        self.model
            .get(name)
            .ok_or_else(|| ConvertError::Missing(name.to_string()))
    }

    fn scalar(&self, name: &str) -> Result<usize, ConvertError> {
        self.var(name)?
            .as_scalar_i64()
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| ConvertError::Missing(format!("{name} (integer)")))
    }

    /// Copies a whole CT2 variable under the OpenAI name.
    fn copy(&mut self, to: &str, from: &str, out: Out) -> Result<(), ConvertError> {
        let var = self.var(from)?;
        let values = to_values(from, var)?;
        let shape = var.dims.clone();
        self.tensors.push(Tensor {
            name: to.to_string(),
            shape,
            out,
            values,
        });
        Ok(())
    }

    /// Copies rows `part*rows .. (part+1)*rows` of a fused CT2 variable.
    fn copy_rows(
        &mut self,
        to: &str,
        from: &str,
        part: usize,
        rows: usize,
        out: Out,
    ) -> Result<(), ConvertError> {
        let var = self.var(from)?;
        let row_len: usize = var.dims.iter().skip(1).product();
        let first = var.dims.first().copied().unwrap_or(0);
        if first < (part + 1) * rows {
            return Err(ConvertError::Shape {
                name: from.to_string(),
                expected: vec![(part + 1) * rows],
                actual: var.dims.clone(),
            });
        }
        let values =
            to_values(from, var)?.slice(part * rows * row_len, (part + 1) * rows * row_len);
        let mut shape = var.dims.clone();
        shape[0] = rows;
        self.tensors.push(Tensor {
            name: to.to_string(),
            shape,
            out,
            values,
        });
        Ok(())
    }

    fn linear(&mut self, to: &str, from: &str, bias: bool) -> Result<(), ConvertError> {
        self.copy(&format!("{to}.weight"), &format!("{from}/weight"), Out::F16)?;
        if bias {
            self.copy(&format!("{to}.bias"), &format!("{from}/bias"), Out::F32)?;
        }
        Ok(())
    }

    fn layer_norm(&mut self, to: &str, from: &str) -> Result<(), ConvertError> {
        self.copy(&format!("{to}.weight"), &format!("{from}/gamma"), Out::F32)?;
        self.copy(&format!("{to}.bias"), &format!("{from}/beta"), Out::F32)
    }

    /// Self-attention: CT2 fuses q, k, v row-wise in `linear_0`.
    fn self_attention(&mut self, to: &str, from: &str, n: usize) -> Result<(), ConvertError> {
        let w = format!("{from}/linear_0/weight");
        let b = format!("{from}/linear_0/bias");
        self.copy_rows(&format!("{to}.query.weight"), &w, 0, n, Out::F16)?;
        self.copy_rows(&format!("{to}.query.bias"), &b, 0, n, Out::F32)?;
        self.copy_rows(&format!("{to}.key.weight"), &w, 1, n, Out::F16)?;
        self.copy_rows(&format!("{to}.value.weight"), &w, 2, n, Out::F16)?;
        self.copy_rows(&format!("{to}.value.bias"), &b, 2, n, Out::F32)?;
        self.linear(&format!("{to}.out"), &format!("{from}/linear_1"), true)
    }

    /// Cross-attention: query in `linear_0`, k and v fused in `linear_1`, out in `linear_2`.
    fn cross_attention(&mut self, to: &str, from: &str, n: usize) -> Result<(), ConvertError> {
        self.linear(&format!("{to}.query"), &format!("{from}/linear_0"), true)?;
        let w = format!("{from}/linear_1/weight");
        let b = format!("{from}/linear_1/bias");
        self.copy_rows(&format!("{to}.key.weight"), &w, 0, n, Out::F16)?;
        self.copy_rows(&format!("{to}.value.weight"), &w, 1, n, Out::F16)?;
        self.copy_rows(&format!("{to}.value.bias"), &b, 1, n, Out::F32)?;
        self.linear(&format!("{to}.out"), &format!("{from}/linear_2"), true)
    }

    fn mlp(&mut self, to: &str, from: &str) -> Result<(), ConvertError> {
        self.layer_norm(&format!("{to}.mlp_ln"), &format!("{from}/ffn/layer_norm"))?;
        self.linear(
            &format!("{to}.mlp.0"),
            &format!("{from}/ffn/linear_0"),
            true,
        )?;
        self.linear(
            &format!("{to}.mlp.2"),
            &format!("{from}/ffn/linear_1"),
            true,
        )
    }
}

fn count_layers(model: &Ct2Model, prefix: &str) -> usize {
    (0..)
        .take_while(|i| {
            model
                .variables
                .contains_key(&format!("{prefix}/layer_{i}/ffn/linear_0/weight"))
        })
        .count()
}

fn dims_of(model: &Ct2Model, name: &str) -> Result<Vec<usize>, ConvertError> {
    model
        .get(name)
        .map(|v| v.dims.clone())
        .ok_or_else(|| ConvertError::Missing(name.to_string()))
}

/// Reads Whisper's dimensions from a CTranslate2 model.
pub fn hparams(model: &Ct2Model) -> Result<WhisperHparams, ConvertError> {
    let src = Source {
        model,
        tensors: vec![],
    };
    let enc_pos = dims_of(model, "encoder/position_encodings/encodings")?;
    let dec_pos = dims_of(model, "decoder/position_encodings/encodings")?;
    let emb = dims_of(model, "decoder/embeddings/weight")?;
    let conv1 = dims_of(model, "encoder/conv1/weight")?;
    let get = |v: &Vec<usize>, i: usize, name: &str| {
        v.get(i).copied().ok_or_else(|| ConvertError::Shape {
            name: name.to_string(),
            expected: vec![0; i + 1],
            actual: v.clone(),
        })
    };
    Ok(WhisperHparams {
        n_vocab: get(&emb, 0, "decoder/embeddings/weight")?,
        n_audio_ctx: get(&enc_pos, 0, "encoder/position_encodings/encodings")?,
        n_audio_state: get(&enc_pos, 1, "encoder/position_encodings/encodings")?,
        n_audio_head: src.scalar("encoder/num_heads")?,
        n_audio_layer: count_layers(model, "encoder"),
        n_text_ctx: get(&dec_pos, 0, "decoder/position_encodings/encodings")?,
        n_text_state: get(&dec_pos, 1, "decoder/position_encodings/encodings")?,
        n_text_head: src.scalar("decoder/num_heads")?,
        n_text_layer: count_layers(model, "decoder"),
        n_mels: get(&conv1, 1, "encoder/conv1/weight")?,
    })
}

/// GPT-2's reversible byte ↔ unicode mapping (unicode char → byte).
fn byte_decoder() -> HashMap<char, u8> {
    let mut bs: Vec<u32> = (u32::from('!')..=u32::from('~'))
        .chain(u32::from('¡')..=u32::from('¬'))
        .chain(u32::from('®')..=u32::from('ÿ'))
        .collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    bs.into_iter()
        .zip(cs)
        .filter_map(|(b, c)| Some((char::from_u32(c)?, u8::try_from(b).ok()?)))
        .collect()
}

/// Number of vocabulary entries whisper.cpp's ggml files carry: ids
/// 0..=50256, GPT-2's base vocabulary size (for English-only models the last
/// one is `<|endoftext|>`, written as its text, as upstream files have it).
pub const GGML_VOCAB_ENTRIES: usize = 50_257;

/// Reads the first [`GGML_VOCAB_ENTRIES`] tokens of a CTranslate2
/// `vocabulary.txt` (one GPT-2 byte-level string per line) as raw bytes.
pub fn read_vocabulary(path: &Path) -> Result<Vec<Vec<u8>>, ConvertError> {
    let err = |what: String| ConvertError::Vocabulary {
        path: path.to_path_buf(),
        what,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let decoder = byte_decoder();
    let mut tokens = Vec::with_capacity(GGML_VOCAB_ENTRIES);
    for (lineno, line) in text.split('\n').take(GGML_VOCAB_ENTRIES).enumerate() {
        let bytes = if line.starts_with("<|") && line.ends_with("|>") {
            line.as_bytes().to_vec()
        } else {
            line.chars()
                .map(|c| decoder.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| {
                    err(format!(
                        "line {} ({line:?}) is not a GPT-2 byte-level token",
                        lineno + 1
                    ))
                })?
        };
        tokens.push(bytes);
    }
    if tokens.len() < GGML_VOCAB_ENTRIES {
        return Err(err(format!(
            "{} entries, expected at least {GGML_VOCAB_ENTRIES}",
            tokens.len()
        )));
    }
    Ok(tokens)
}

/// Converts a CTranslate2 Whisper model (`model.bin` parts + `vocabulary.txt`)
/// to a whisper.cpp ggml file at `output`. Returns the model's dimensions.
pub fn convert(
    model_parts: &[PathBuf],
    vocabulary: &Path,
    output: &Path,
) -> Result<WhisperHparams, ConvertError> {
    let model = Ct2Model::read_parts(model_parts)?;
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(
            model_parts.first().cloned().unwrap_or_default(),
            model.spec.clone(),
        ));
    }
    let hp = hparams(&model)?;
    let tokens = read_vocabulary(vocabulary)?;
    let tensors = collect_tensors(&model, &hp)?;

    let tmp = output.with_extension("partial");
    let werr = |source| ConvertError::Write {
        path: output.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(&tmp).map_err(werr)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    write_ggml(&mut w, &hp, &tokens, &tensors).map_err(werr)?;
    let file = w.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    std::fs::rename(&tmp, output).map_err(werr)?;
    Ok(hp)
}

/// Tensors in the key order of OpenAI's released `.pt` checkpoints, which is
/// what whisper.cpp's converter iterated: decoder positional embedding,
/// encoder positional embedding, token embedding; decoder blocks (mlp_ln,
/// mlp.0, mlp.2, attn_ln, attn, cross_attn_ln, cross_attn), decoder.ln; the
/// encoder convolutions, encoder blocks, ln_post. Within a linear layer the
/// weight precedes the bias; attention is query, key, value, out.
fn collect_tensors(model: &Ct2Model, hp: &WhisperHparams) -> Result<Vec<Tensor>, ConvertError> {
    let mut s = Source {
        model,
        tensors: Vec::new(),
    };
    let na = hp.n_audio_state;
    let nt = hp.n_text_state;
    s.copy(
        "decoder.positional_embedding",
        "decoder/position_encodings/encodings",
        Out::F32,
    )?;
    s.copy(
        "encoder.positional_embedding",
        "encoder/position_encodings/encodings",
        Out::F32,
    )?;
    s.copy(
        "decoder.token_embedding.weight",
        "decoder/embeddings/weight",
        Out::F16,
    )?;
    for l in 0..hp.n_text_layer {
        let to = format!("decoder.blocks.{l}");
        let from = format!("decoder/layer_{l}");
        s.mlp(&to, &from)?;
        s.layer_norm(
            &format!("{to}.attn_ln"),
            &format!("{from}/self_attention/layer_norm"),
        )?;
        s.self_attention(&format!("{to}.attn"), &format!("{from}/self_attention"), nt)?;
        s.layer_norm(
            &format!("{to}.cross_attn_ln"),
            &format!("{from}/attention/layer_norm"),
        )?;
        s.cross_attention(
            &format!("{to}.cross_attn"),
            &format!("{from}/attention"),
            nt,
        )?;
    }
    s.layer_norm("decoder.ln", "decoder/layer_norm")?;
    for conv in ["conv1", "conv2"] {
        s.copy(
            &format!("encoder.{conv}.weight"),
            &format!("encoder/{conv}/weight"),
            Out::F16,
        )?;
        s.copy(
            &format!("encoder.{conv}.bias"),
            &format!("encoder/{conv}/bias"),
            Out::F32,
        )?;
        // convert-pt-to-ggml.py reshapes conv biases from [n] to [n, 1].
        if let Some(t) = s.tensors.last_mut() {
            t.shape.push(1);
        }
    }
    for l in 0..hp.n_audio_layer {
        let to = format!("encoder.blocks.{l}");
        let from = format!("encoder/layer_{l}");
        s.mlp(&to, &from)?;
        s.layer_norm(
            &format!("{to}.attn_ln"),
            &format!("{from}/self_attention/layer_norm"),
        )?;
        s.self_attention(&format!("{to}.attn"), &format!("{from}/self_attention"), na)?;
    }
    s.layer_norm("encoder.ln_post", "encoder/layer_norm")?;
    Ok(s.tensors)
}

fn write_i32(w: &mut impl Write, v: usize) -> std::io::Result<()> {
    let v = i32::try_from(v).map_err(|_| std::io::Error::other("value does not fit in i32"))?;
    w.write_all(&v.to_le_bytes())
}

fn write_ggml(
    w: &mut impl Write,
    hp: &WhisperHparams,
    tokens: &[Vec<u8>],
    tensors: &[Tensor],
) -> std::io::Result<()> {
    w.write_all(&GGML_MAGIC.to_le_bytes())?;
    for v in [
        hp.n_vocab,
        hp.n_audio_ctx,
        hp.n_audio_state,
        hp.n_audio_head,
        hp.n_audio_layer,
        hp.n_text_ctx,
        hp.n_text_state,
        hp.n_text_head,
        hp.n_text_layer,
        hp.n_mels,
        1, // ftype: f16 weights
    ] {
        write_i32(w, v)?;
    }
    let n_fft = 400;
    let filters = mel_filters(16_000, n_fft, hp.n_mels);
    write_i32(w, hp.n_mels)?;
    write_i32(w, n_fft / 2 + 1)?;
    let mut buf = Vec::with_capacity(filters.len() * 4);
    filters.iter().for_each(|x| buf.extend(x.to_le_bytes()));
    w.write_all(&buf)?;
    write_i32(w, tokens.len())?;
    for t in tokens {
        write_i32(w, t.len())?;
        w.write_all(t)?;
    }
    for t in tensors {
        let ftype = match t.out {
            Out::F16 => 1,
            Out::F32 => 0,
        };
        write_i32(w, t.shape.len())?;
        write_i32(w, t.name.len())?;
        write_i32(w, ftype)?;
        for d in t.shape.iter().rev() {
            write_i32(w, *d)?;
        }
        w.write_all(t.name.as_bytes())?;
        t.values.write(t.out, w)?;
    }
    Ok(())
}
