//! Word error rate, for checking speech recognition and speech round trips.

/// Splits Whisper's CamelCase compounds ("RetryLogic" → "Retry Logic"),
/// lower-cases, turns hyphens and underscores into spaces, drops other punctuation and
/// splits on whitespace.
pub fn normalize_words(text: &str) -> Vec<String> {
    let mut split = String::with_capacity(text.len());
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_uppercase() && prev_lower {
            split.push(' ');
        }
        prev_lower = c.is_lowercase();
        split.push(c);
    }
    split
        .to_lowercase()
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '\'')
        .collect::<String>()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Word error rate of `hypothesis` against `reference`: (substitutions +
/// deletions + insertions) / reference words, after [`normalize_words`].
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let r = normalize_words(reference);
    let h = normalize_words(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_text_modulo_punctuation_is_zero() {
        assert_eq!(word_error_rate("Ask not, what!", "ask not what"), 0.0);
    }

    #[test]
    fn camel_case_compounds_are_split() {
        assert_eq!(
            word_error_rate(
                "a job queue with retry logic",
                "A job queue with RetryLogic"
            ),
            0.0
        );
        assert_eq!(word_error_rate("use JWT tokens", "use JWT tokens"), 0.0);
    }

    #[test]
    fn counts_substitutions_insertions_and_deletions() {
        assert_eq!(word_error_rate("a b c d", "a x c"), 0.5);
        assert_eq!(word_error_rate("a b", "a b c d"), 1.0);
        assert_eq!(word_error_rate("", "x"), 1.0);
    }
}
