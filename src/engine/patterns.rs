//! Persona patterns: case-insensitive phrases matched on word boundaries,
//! where `*` stands for any run of word characters (`normaliz*`), and `~`
//! joins phrases that must occur near each other in one sentence
//! (`key* ~ unique`: within 12 words; `A ~~ B`: anywhere in the sentence).

use std::ops::Range;

use regex::Regex;

use super::language;

/// Case-insensitive, ASCII word characters and boundaries: persona
/// vocabulary is ASCII, and Unicode classes make each of the persona's
/// hundreds of patterns many times larger and slower to build.
const PREFIX: &str = "(?i-u)";

/// How many words apart the parts of an `A ~ B` pattern may be.
pub const NEAR_WORDS: usize = 12;

/// A compiled persona pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    parts: Vec<Regex>,
    /// Word window for multi-part patterns; `None` = the whole sentence.
    window: Option<usize>,
}

/// One occurrence of a pattern: the byte spans of its parts, in pattern
/// order, and the sentence they were found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub terms: Vec<Range<usize>>,
    pub sentence: Range<usize>,
}

impl Occurrence {
    /// From the first to the last byte of any part.
    pub fn span(&self) -> Range<usize> {
        let start = self.terms.iter().map(|t| t.start).min().unwrap_or(0);
        let end = self.terms.iter().map(|t| t.end).max().unwrap_or(0);
        start..end
    }
}

/// The regex source of one part; a part may list alternatives:
/// `unsigned|not signed|don't sign*`.
fn phrase_source(phrase: &str) -> Result<String, String> {
    let alternatives: Vec<&str> = phrase.split('|').collect();
    if alternatives.len() == 1 {
        return single_phrase(phrase);
    }
    let joined = alternatives
        .iter()
        .map(|a| single_phrase(a))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .map(|r| format!("(?:{})", r.trim_start_matches(PREFIX)))
        .collect::<Vec<_>>()
        .join("|");
    Ok(format!("{PREFIX}{joined}"))
}

/// The parts' regex sources and the word window of a pattern.
fn sources(pattern: &str) -> Result<(Vec<String>, Option<usize>), String> {
    let trimmed = pattern.trim();
    if trimmed.is_empty() {
        return Err("empty pattern".into());
    }
    let (pieces, window): (Vec<&str>, Option<usize>) = if trimmed.contains("~~") {
        (trimmed.split("~~").collect(), None)
    } else {
        (trimmed.split('~').collect(), Some(NEAR_WORDS))
    };
    let parts = pieces
        .iter()
        .map(|p| {
            phrase_source(p).map_err(|e| {
                if pieces.len() > 1 {
                    format!("in {pattern:?}: {e}")
                } else {
                    e
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((parts, window))
}

fn single_phrase(phrase: &str) -> Result<String, String> {
    let trimmed = phrase.trim();
    if trimmed.is_empty() {
        return Err("empty pattern".into());
    }
    let mut re = String::from(PREFIX);
    let starts_word = trimmed.chars().next().is_some_and(|c| c.is_alphanumeric());
    let ends_word = trimmed
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || c == '*');
    if starts_word {
        re.push_str(r"\b");
    }
    for (i, part) in trimmed.split('*').enumerate() {
        if i > 0 {
            re.push_str(r"[\w-]*");
        }
        // Any run of whitespace in the pattern matches any whitespace (or a hyphen).
        let words: Vec<String> = part.split_whitespace().map(regex::escape).collect();
        let mut joined = words.join(r"[\s-]+");
        if part.starts_with(char::is_whitespace) && !joined.is_empty() {
            joined.insert_str(0, r"\s+");
        }
        if part.ends_with(char::is_whitespace) && !part.trim().is_empty() {
            joined.push_str(r"\s+");
        }
        re.push_str(&joined);
    }
    if ends_word && !trimmed.ends_with('*') {
        re.push_str(r"\b");
    }
    Ok(re)
}

impl Pattern {
    /// Compiles `pattern`; an empty pattern (or part) is an error.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let (sources, window) = sources(pattern)?;
        let parts = sources
            .iter()
            .map(|s| Regex::new(s).map_err(|e| format!("pattern {pattern:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            source: pattern.trim().to_string(),
            parts,
            window,
        })
    }

    /// Checks that `pattern` is well formed without building it: a
    /// persona's thousands of patterns are checked at load and built when
    /// first used.
    pub fn check(pattern: &str) -> Result<(), String> {
        let (sources, _) = sources(pattern)?;
        for s in sources {
            regex_syntax::Parser::new()
                .parse(&s)
                .map_err(|e| format!("pattern {pattern:?}: {e}"))?;
        }
        Ok(())
    }

    pub fn is_match(&self, text: &str) -> bool {
        if self.parts.len() == 1 {
            return self.parts[0].is_match(text);
        }
        !self.occurrences(text).is_empty()
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every occurrence in `text`, sentence by sentence.
    pub fn occurrences(&self, text: &str) -> Vec<Occurrence> {
        let mut out = Vec::new();
        if !self.parts.iter().all(|p| p.is_match(text)) {
            return out;
        }
        for sentence in language::sentences(text) {
            self.occurrences_in(text, sentence, &mut out);
        }
        out
    }

    fn occurrences_in(&self, text: &str, sentence: Range<usize>, out: &mut Vec<Occurrence>) {
        let body = &text[sentence.clone()];
        let found: Vec<Vec<Range<usize>>> = self
            .parts
            .iter()
            .map(|p| {
                p.find_iter(body)
                    .map(|m| sentence.start + m.start()..sentence.start + m.end())
                    .collect()
            })
            .collect();
        if found.iter().any(Vec::is_empty) {
            return;
        }
        let word_at = |at: usize| language::word_index(text, at);
        for first in &found[0] {
            let anchor = word_at(first.start);
            let mut terms = vec![first.clone()];
            for others in &found[1..] {
                // The nearest occurrence of this part that does not overlap the others.
                let best = others
                    .iter()
                    .filter(|o| !terms.iter().any(|t| t.start < o.end && o.start < t.end))
                    .min_by_key(|o| word_at(o.start).abs_diff(anchor));
                match best {
                    Some(o)
                        if self
                            .window
                            .is_none_or(|w| word_at(o.start).abs_diff(anchor) <= w) =>
                    {
                        terms.push(o.clone())
                    }
                    _ => break,
                }
            }
            if terms.len() == self.parts.len() {
                out.push(Occurrence {
                    terms,
                    sentence: sentence.clone(),
                });
            }
        }
    }
}

/// Compiles a list, skipping (and logging) invalid entries — personas are
/// validated at load time, so this only guards hand-built lists.
pub fn compile_all(patterns: &[String]) -> Vec<Pattern> {
    patterns
        .iter()
        .filter_map(|p| match Pattern::new(p) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        })
        .collect()
}

/// True if any pattern matches.
pub fn any_match(patterns: &[Pattern], text: &str) -> bool {
    patterns.iter().any(|p| p.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wildcards_and_symbols() {
        let p = Pattern::new("normaliz*").unwrap();
        assert!(p.is_match("I normalized the tables"));
        assert!(!p.is_match("denormal"));
        assert!(Pattern::new("GROUP BY")
            .unwrap()
            .is_match("group   by product_id"));
        assert!(Pattern::new("/users").unwrap().is_match("GET /users/42"));
        assert!(Pattern::new("N+1")
            .unwrap()
            .is_match("the classic n+1 problem"));
        assert!(!Pattern::new("index*").unwrap().is_match("reindexing"));
        assert!(Pattern::new("429").unwrap().is_match("return 429."));
        assert!(Pattern::new("").is_err());
        assert!(Pattern::new("key ~ ").is_err());
        let alt = Pattern::new("webhook* ~ unsigned|not signed").unwrap();
        assert!(alt.is_match("The webhooks are not signed."));
        assert!(alt.is_match("Unsigned webhook payloads."));
    }

    #[test]
    fn near_patterns_need_both_parts_in_one_sentence() {
        let p = Pattern::new("key* ~ unique").unwrap();
        assert!(p.is_match("The client sends a key, stored in a column declared unique."));
        assert!(!p.is_match("The client sends a key. The email is unique."));
        let far =
            "a key and then a great many other words that go on and on and on before it is unique";
        assert!(!p.is_match(far));
        assert!(Pattern::new("key* ~~ unique").unwrap().is_match(far));
    }
}
