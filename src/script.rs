//! Scripted answers for `viva text --script` and `viva resume --script`:
//! plain text with answers separated by lines holding only `---`, or JSONL
//! with `{"answer": "...", "elapsed_s": 90}` per line.

use serde::Deserialize;

/// One scripted answer and the seconds it took.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedAnswer {
    pub text: String,
    pub seconds: f64,
}

/// Why a script cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScriptError {
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("line {line}: expected {{\"answer\": \"...\", \"elapsed_s\": N}} ({message})")]
    BadLine { line: usize, message: String },
    #[error("line {line}: elapsed_s must be between 0 and 86400, not {value}")]
    BadSeconds { line: usize, value: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptLine {
    answer: String,
    #[serde(default)]
    elapsed_s: Option<f64>,
}

/// Parses a script; `jsonl` selects the JSONL form. Empty answers are skipped.
pub fn parse(
    bytes: &[u8],
    jsonl: bool,
    default_seconds: f64,
) -> Result<Vec<ScriptedAnswer>, ScriptError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ScriptError::NotUtf8(e.valid_up_to()))?;
    if jsonl {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let l: ScriptLine = serde_json::from_str(line).map_err(|e| ScriptError::BadLine {
                line: i + 1,
                message: e.to_string(),
            })?;
            let seconds = l.elapsed_s.unwrap_or(default_seconds);
            if !(0.0..=86_400.0).contains(&seconds) {
                return Err(ScriptError::BadSeconds {
                    line: i + 1,
                    value: seconds,
                });
            }
            if !l.answer.trim().is_empty() {
                out.push(ScriptedAnswer {
                    text: l.answer,
                    seconds,
                });
            }
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim() == "---" {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    out.push(cur);
    Ok(out
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .map(|text| ScriptedAnswer {
            text,
            seconds: default_seconds,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let plain = parse(b"one\n---\n\n---\ntwo\nlines\n", false, 30.0).unwrap();
        assert_eq!(plain.len(), 2);
        assert_eq!(plain[1].text, "two\nlines");
        let jsonl = parse(
            b"{\"answer\": \"a\", \"elapsed_s\": 5}\n\n{\"answer\": \"b\"}\n",
            true,
            30.0,
        )
        .unwrap();
        assert_eq!(jsonl[0].seconds, 5.0);
        assert_eq!(jsonl[1].seconds, 30.0);
        assert!(matches!(
            parse(b"{\"answer\": 1}", true, 1.0),
            Err(ScriptError::BadLine { line: 1, .. })
        ));
        assert!(matches!(
            parse(b"{\"answer\": \"a\", \"elapsed_s\": -1}", true, 1.0),
            Err(ScriptError::BadSeconds { .. })
        ));
        assert_eq!(parse(b"\xff", false, 1.0), Err(ScriptError::NotUtf8(0)));
    }
}
