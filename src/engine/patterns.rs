//! Persona patterns: case-insensitive phrases matched on word boundaries,
//! where `*` stands for any run of word characters (`normaliz*`).

use regex::Regex;

/// A compiled persona pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles `pattern`; an empty pattern is an error.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let trimmed = pattern.trim();
        if trimmed.is_empty() {
            return Err("empty pattern".into());
        }
        let mut re = String::from("(?i)");
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
            // Any run of whitespace in the pattern matches any whitespace.
            let words: Vec<String> = part.split_whitespace().map(regex::escape).collect();
            let mut joined = words.join(r"\s+");
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
        let regex = Regex::new(&re).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
        Ok(Self {
            source: trimmed.to_string(),
            regex,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    pub fn source(&self) -> &str {
        &self.source
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
    }
}
