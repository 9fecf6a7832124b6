//! Reader for CTranslate2 `model.bin` files (the format faster-whisper ships).
//!
//! Layout (little-endian): `u32` binary version, string spec name, `u32` spec
//! revision, `u32` variable count; each variable is a name, `u8` rank, `rank`
//! `u32` dims, `u8` dtype, `u32` byte count and the raw data; then a `u32`
//! alias count and `(alias, target)` string pairs. Strings are a `u16` length
//! (including the trailing NUL) followed by the bytes.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Element type of a CTranslate2 variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Ct2Dtype {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named tensor of a CTranslate2 model.
#[derive(Debug, Clone)]
pub struct Ct2Variable {
    pub dims: Vec<usize>,
    pub dtype: Ct2Dtype,
    pub data: Vec<u8>,
}

impl Ct2Variable {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// True when the tensor holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scalar integer value (used for `num_heads` and similar metadata).
    pub fn as_scalar_i64(&self) -> Option<i64> {
        if !self.dims.is_empty() {
            return None;
        }
        let d = &self.data;
        Some(match self.dtype {
            Ct2Dtype::I8 => i8::from_le_bytes([*d.first()?]) as i64,
            Ct2Dtype::I16 => i16::from_le_bytes(d.get(..2)?.try_into().ok()?) as i64,
            Ct2Dtype::I32 => i32::from_le_bytes(d.get(..4)?.try_into().ok()?) as i64,
            _ => return None,
        })
    }
}

/// A whole CTranslate2 model: spec name and variables by name.
#[derive(Debug)]
pub struct Ct2Model {
    pub spec: String,
    pub version: u32,
    pub revision: u32,
    pub variables: BTreeMap<String, Ct2Variable>,
    pub aliases: BTreeMap<String, String>,
}

/// Why a CTranslate2 file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Ct2Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a CTranslate2 model: {what} at byte {offset}")]
    Malformed {
        path: PathBuf,
        what: String,
        offset: usize,
    },
    #[error("{path}: unsupported CTranslate2 binary version {version} (supported: 5 and 6)")]
    UnsupportedVersion { path: PathBuf, version: u32 },
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn malformed(&self, what: impl Into<String>) -> Ct2Error {
        Ct2Error::Malformed {
            path: self.path.to_path_buf(),
            what: what.into(),
            offset: self.pos,
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Ct2Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.malformed(format!("truncated {what} (file is cut short)")))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Ct2Error> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, Ct2Error> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, Ct2Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, what: &str) -> Result<String, Ct2Error> {
        let len = self.u16(what)? as usize;
        let raw = self.take(len, what)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| self.malformed(format!("{what} is not UTF-8")))
    }
}

impl Ct2Model {
    /// Reads a model from one file, or from several parts concatenated in order
    /// (some distributions split `model.bin` into halves).
    pub fn read_parts(parts: &[PathBuf]) -> Result<Self, Ct2Error> {
        let mut bytes = Vec::new();
        for part in parts {
            std::fs::File::open(part)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|source| Ct2Error::Io {
                    path: part.clone(),
                    source,
                })?;
        }
        let path = parts.first().cloned().unwrap_or_default();
        Self::parse(&bytes, &path)
    }

    /// Parses the bytes of a `model.bin`; `path` is only used in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self, Ct2Error> {
        let mut c = Cursor {
            bytes,
            pos: 0,
            path,
        };
        let version = c.u32("binary version")?;
        if !(5..=6).contains(&version) {
            return Err(Ct2Error::UnsupportedVersion {
                path: path.to_path_buf(),
                version,
            });
        }
        let spec = c.string("spec name")?;
        let revision = c.u32("spec revision")?;
        let count = c.u32("variable count")?;
        let mut variables = BTreeMap::new();
        for _ in 0..count {
            let name = c.string("variable name")?;
            let rank = c.u8("rank")? as usize;
            let mut dims = Vec::with_capacity(rank);
            for _ in 0..rank {
                dims.push(c.u32("dimension")? as usize);
            }
            let code = c.u8("dtype")?;
            let dtype = Ct2Dtype::from_code(code)
                .ok_or_else(|| c.malformed(format!("unknown dtype code {code} for {name}")))?;
            let nbytes = c.u32("byte count")? as usize;
            let expected = dims
                .iter()
                .try_fold(dtype.size(), |acc, d| acc.checked_mul(*d))
                .ok_or_else(|| c.malformed(format!("{name}: shape {dims:?} overflows")))?;
            if nbytes != expected {
                return Err(c.malformed(format!(
                    "{name}: {nbytes} bytes stored, {expected} expected from its shape"
                )));
            }
            let data = c.take(nbytes, "tensor data")?.to_vec();
            variables.insert(name, Ct2Variable { dims, dtype, data });
        }
        let mut aliases = BTreeMap::new();
        if c.pos < bytes.len() {
            let n = c.u32("alias count")?;
            for _ in 0..n {
                let alias = c.string("alias")?;
                let target = c.string("alias target")?;
                aliases.insert(alias, target);
            }
        }
        if c.pos != bytes.len() {
            return Err(c.malformed(format!("{} unexpected trailing bytes", bytes.len() - c.pos)));
        }
        Ok(Self {
            spec,
            version,
            revision,
            variables,
            aliases,
        })
    }

    /// Looks a variable up by name, following aliases.
    pub fn get(&self, name: &str) -> Option<&Ct2Variable> {
        self.variables.get(name).or_else(|| {
            self.aliases
                .get(name)
                .and_then(|target| self.variables.get(target))
        })
    }
}
