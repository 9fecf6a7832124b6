//! The security text model: a linear classifier over word unigrams and
//! bigrams that recognises a vulnerability *described in words* when the
//! catalogue's phrase patterns do not (new phrasings, a flaw told by its
//! mechanism or consequence). Persona data, trained by
//! `scripts/train-security-model` on the development corpus; read here
//! exactly as the training script reads text (lower-case ASCII words,
//! sublinear tf × idf, L2 norm; sigmoid for "states a flaw", argmax for
//! which catalogue class).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

const FORMAT: &str = "viva-security-text-model/1";

/// Why a model file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read the security model {path}: {source} (run scripts/train-security-model, or remove `security_model` from the persona's [judging])")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the security model {path} is not valid: {message} (retrain it with scripts/train-security-model)")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Deserialize)]
struct ModelFile {
    format: String,
    threshold: f32,
    terms: Vec<String>,
    idf: Vec<f32>,
    weight: Vec<f32>,
    bias: f32,
    classes: Vec<String>,
    class_bias: Vec<f32>,
    class_weight: Vec<f32>,
}

/// A loaded model.
#[derive(Debug, Clone)]
pub struct TextModel {
    index: HashMap<String, usize>,
    idf: Vec<f32>,
    weight: Vec<f32>,
    bias: f32,
    classes: Vec<String>,
    class_bias: Vec<f32>,
    /// terms × classes, row-major.
    class_weight: Vec<f32>,
    threshold: f32,
}

/// What the model says about a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Probability that the text states a vulnerability.
    pub probability: f32,
    /// The most likely catalogue id.
    pub class: String,
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

impl TextModel {
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |message: String| ModelError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let file: ModelFile = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if file.format != FORMAT {
            return Err(invalid(format!(
                "format {:?}, expected {FORMAT:?}",
                file.format
            )));
        }
        let n = file.terms.len();
        let k = file.classes.len();
        if file.idf.len() != n || file.weight.len() != n {
            return Err(invalid(format!(
                "{n} terms but {} idf values and {} weights",
                file.idf.len(),
                file.weight.len()
            )));
        }
        if k == 0 || file.class_bias.len() != k || Some(file.class_weight.len()) != n.checked_mul(k)
        {
            return Err(invalid(format!(
                "{k} classes, {} class biases and {} class weights for {n} terms",
                file.class_bias.len(),
                file.class_weight.len()
            )));
        }
        if !(0.0..=1.0).contains(&file.threshold) {
            return Err(invalid(format!(
                "threshold {} is not a probability",
                file.threshold
            )));
        }
        let index = file
            .terms
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, i))
            .collect();
        Ok(Self {
            index,
            idf: file.idf,
            weight: file.weight,
            bias: file.bias,
            classes: file.classes,
            class_bias: file.class_bias,
            class_weight: file.class_weight,
            threshold: file.threshold,
        })
    }

    /// The probability above which a text is taken to state a flaw.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The L2-normalised tf-idf features of `text` (sparse: index, value).
    fn features(&self, text: &str) -> Vec<(usize, f32)> {
        let words = tokens(text);
        let mut counts: HashMap<usize, f32> = HashMap::new();
        let mut add = |term: &str| {
            if let Some(&i) = self.index.get(term) {
                *counts.entry(i).or_default() += 1.0;
            }
        };
        for w in &words {
            add(w);
        }
        for pair in words.windows(2) {
            add(&format!("{} {}", pair[0], pair[1]));
        }
        let mut out: Vec<(usize, f32)> = counts
            .into_iter()
            .map(|(i, c)| (i, (1.0 + c.ln()) * self.idf[i]))
            .collect();
        let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut out {
                *v /= norm;
            }
        }
        out
    }

    /// How likely `text` states a vulnerability, and which class.
    pub fn assess(&self, text: &str) -> Assessment {
        let x = self.features(text);
        let z = self.bias + x.iter().map(|(i, v)| self.weight[*i] * v).sum::<f32>();
        let probability = 1.0 / (1.0 + (-z).exp());
        let k = self.classes.len();
        let mut best = (f32::NEG_INFINITY, 0);
        for c in 0..k {
            let s = self.class_bias[c]
                + x.iter()
                    .map(|(i, v)| self.class_weight[i * k + c] * v)
                    .sum::<f32>();
            if s > best.0 {
                best = (s, c);
            }
        }
        Assessment {
            probability,
            class: self.classes[best.1].clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_the_training_script() {
        assert_eq!(
            tokens("We store it AS-IS; the JWT's sub — ok?"),
            ["we", "store", "it", "as", "is", "the", "jwt", "s", "sub", "ok"]
        );
        assert_eq!(tokens("café naïve"), ["caf", "na", "ve"]);
    }

    #[test]
    fn a_malformed_model_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, r#"{"format":"viva-security-text-model/1","threshold":0.7,"terms":["a"],"idf":[1.0],"weight":[],"bias":0,"classes":["x"],"class_bias":[0],"class_weight":[0]}"#).unwrap();
        let err = TextModel::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("m.json") && err.contains("1 terms but 1 idf values and 0 weights"),
            "{err}"
        );
        let err = TextModel::load(&dir.path().join("none.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read the security model"), "{err}");
    }
}
