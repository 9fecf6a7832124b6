//! Response templates as data: `Correct. [Next question]` split into literal
//! text and `[Slot]` placeholders, rendered and read back, and the sentence
//! count a question turn must keep. Used by the persona (to check its
//! templates at load) and by the validator (to check turns), so it depends
//! on neither.

use regex::Regex;

/// A template split into literal text and `[Slot]` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Slot(String),
}

impl Template {
    /// Parses `Correct. [Next question]`-style text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            let close = rest[open..]
                .find(']')
                .map(|c| open + c)
                .ok_or_else(|| format!("unclosed `[` in {text:?}"))?;
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let name = rest[open + 1..close].trim();
            if name.is_empty() {
                return Err(format!("empty slot `[]` in {text:?}"));
            }
            parts.push(Part::Slot(name.to_string()));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if parts.is_empty() {
            return Err("empty template".into());
        }
        Ok(Self { parts })
    }

    pub fn slots(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Slot(s) => Some(s.as_str()),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// Fills the slots in order (missing values render empty, which the
    /// validator then rejects).
    pub fn render(&self, values: &[&str]) -> String {
        let mut out = String::new();
        let mut i = 0;
        let last = self.parts.len().saturating_sub(1);
        for (k, p) in self.parts.iter().enumerate() {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Slot(_) => {
                    let mut v = clean_slot(values.get(i).copied().unwrap_or(""));
                    if !starts_sentence(&out) {
                        v = lower_first(&v);
                    }
                    // A slot that ends the template ends the sentence too.
                    if k == last && !v.is_empty() && !v.ends_with(['?', '!']) {
                        v.push('.');
                    }
                    out.push_str(&v);
                    i += 1;
                }
            }
        }
        out
    }

    /// Splits `text` into slot values if it has this template's shape.
    pub fn captures(&self, text: &str) -> Option<Vec<String>> {
        let mut re = String::from("^");
        for p in &self.parts {
            match p {
                Part::Text(t) => re.push_str(&regex::escape(t)),
                Part::Slot(_) => re.push_str("(.+?)"),
            }
        }
        re.push('$');
        let re = Regex::new(&re).ok()?;
        let caps = re.captures(text)?;
        Some(
            caps.iter()
                .skip(1)
                .map(|m| m.map_or(String::new(), |m| m.as_str().to_string()))
                .collect(),
        )
    }
}

/// Whether text appended after `before` begins a new sentence.
pub fn starts_sentence(before: &str) -> bool {
    let t = before.trim_end();
    t.is_empty() || t.ends_with(['.', '?', '!'])
}

/// Lower-cases the first letter unless the first word is an acronym or
/// proper noun written with more capitals (JWT, PostgreSQL).
fn lower_first(v: &str) -> String {
    let first_word = v.split_whitespace().next().unwrap_or("");
    if first_word.chars().filter(|c| c.is_uppercase()).count() > 1 {
        return v.to_string();
    }
    let mut chars = v.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Normalises a slot value for speech: one line, trimmed, no trailing period
/// (the template supplies punctuation), first letter capitalised.
pub fn clean_slot(value: &str) -> String {
    let one_line = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim().trim_end_matches(['.', ' ']).to_string();
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Number of sentences in `text` (a "question" turn must be exactly one).
pub fn count_questions(text: &str) -> usize {
    let t = text.trim();
    if t.is_empty() {
        return 0;
    }
    let mut count = 0;
    let chars: Vec<char> = t.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '.' | '?' | '!') {
            let next = chars.get(i + 1);
            let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
            let next_digit = next.is_some_and(|n| n.is_ascii_digit());
            if prev_digit && next_digit {
                continue; // 1.5
            }
            if next.is_none_or(|n| n.is_whitespace()) {
                count += 1;
            }
        }
    }
    if !matches!(chars.last(), Some('.' | '?' | '!')) {
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_round_trip() {
        let t =
            Template::parse("Incorrect. [Error]. Correct approach: [explanation]. Next question.")
                .unwrap();
        assert_eq!(t.slots(), vec!["Error", "explanation"]);
        let s = t.render(&["uses md5.", "use bcrypt"]);
        assert_eq!(
            s,
            "Incorrect. Uses md5. Correct approach: use bcrypt. Next question."
        );
        assert_eq!(t.captures(&s).unwrap(), vec!["Uses md5", "use bcrypt"]);
    }

    #[test]
    fn counts_sentences() {
        assert_eq!(count_questions("Design a REST API for a blog."), 1);
        assert_eq!(count_questions("What is REST? And what is SOAP?"), 2);
        assert_eq!(count_questions("Explain 1.5 factor auth."), 1);
        assert_eq!(count_questions("no punctuation"), 1);
    }
}
