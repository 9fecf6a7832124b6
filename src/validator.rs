//! The template validator: nothing reaches the candidate (screen or speaker)
//! unless it is exactly one of the persona's permitted turns — the opening,
//! one of the six response templates with well-formed slots, a bank question,
//! a persona probe or edge-case line, or the closing — in a neutral tone.

use regex::Regex;

use crate::engine::persona::Persona;

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
fn starts_sentence(before: &str) -> bool {
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

/// What kind of interviewer turn a text claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnKind {
    Opening,
    Correct,
    SecurityVulnerability,
    Incomplete,
    Incorrect,
    Stuck,
    Clarification,
    Question,
    Probe,
    EdgeCase,
    Closing,
}

/// Why a turn was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("empty turn")]
    Empty,
    #[error("too long ({0} characters; spoken turns stay under {MAX_TURN_CHARS})")]
    TooLong(usize),
    #[error("contains markdown or layout ({0:?}); turns are spoken")]
    Markdown(String),
    #[error("contains the banned phrase {0:?} (encouragement, coaching or hints)")]
    Banned(String),
    #[error("does not have the shape of the `{0:?}` template")]
    WrongTemplate(TurnKind),
    #[error("slot [{slot}] is empty")]
    EmptySlot { slot: String },
    #[error("slot [{slot}] must be one short plain sentence ({reason})")]
    BadSlot { slot: String, reason: String },
    #[error("asks {0} questions; one at a time")]
    QuestionCount(usize),
    #[error("is not one of the persona's {0:?} lines")]
    NotPersonaLine(TurnKind),
}

/// Longest turn accepted.
pub const MAX_TURN_CHARS: usize = 600;
const MAX_SLOT_WORDS: usize = 20;

/// Validates turns against one persona.
pub struct Validator<'p> {
    persona: &'p Persona,
    banned: Vec<(String, Regex)>,
    markdown: Regex,
}

impl<'p> Validator<'p> {
    pub fn new(persona: &'p Persona) -> Self {
        let banned = persona
            .rules
            .banned_phrases
            .iter()
            .filter_map(|p| {
                let re = format!(r"(?i)\b{}\b", regex::escape(p.trim()));
                Regex::new(&re).ok().map(|r| (p.clone(), r))
            })
            .collect();
        let markdown =
            Regex::new(r"(\*\*|__|`|^\s*[#>*-]\s|\n|\r|\t|\]\(|\|)").expect("static regex");
        Self {
            persona,
            banned,
            markdown,
        }
    }

    fn template(&self, kind: TurnKind) -> Option<&'p str> {
        let t = &self.persona.templates;
        Some(match kind {
            TurnKind::Correct => &t.correct,
            TurnKind::SecurityVulnerability => &t.security_vulnerability,
            TurnKind::Incomplete => &t.incomplete,
            TurnKind::Incorrect => &t.incorrect,
            TurnKind::Stuck => &t.stuck,
            TurnKind::Clarification => &t.clarification,
            _ => return None,
        })
    }

    /// The fixed words a template turn starts with ("Incomplete."), if its
    /// first part is literal text: speakable before the slots are known.
    pub fn opening(&self, kind: TurnKind) -> Option<String> {
        let template = Template::parse(self.template(kind)?).ok()?;
        match template.parts.first()? {
            Part::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            _ => None,
        }
    }

    /// Renders a template turn from slot values (not yet validated).
    pub fn render(&self, kind: TurnKind, values: &[&str]) -> String {
        match self.template(kind).and_then(|t| Template::parse(t).ok()) {
            Some(t) => t.render(values),
            None => values.join(" "),
        }
    }

    /// Checks a free sentence from the model (a follow-up question): plain,
    /// short, neutral.
    pub fn validate_free_sentence(&self, text: &str) -> Result<(), Rejection> {
        if text.trim().is_empty() {
            return Err(Rejection::Empty);
        }
        if let Some(m) = self.markdown.find(text) {
            return Err(Rejection::Markdown(m.as_str().to_string()));
        }
        if let Some((phrase, _)) = self.banned.iter().find(|(_, re)| re.is_match(text)) {
            return Err(Rejection::Banned(phrase.clone()));
        }
        let words = text.split_whitespace().count();
        if words > MAX_SLOT_WORDS {
            return Err(Rejection::BadSlot {
                slot: "follow-up".into(),
                reason: format!("{words} words; at most {MAX_SLOT_WORDS}"),
            });
        }
        Ok(())
    }

    /// Checks one turn; `Ok` means it may be shown and spoken.
    pub fn validate(&self, kind: TurnKind, text: &str) -> Result<(), Rejection> {
        let text_trim = text.trim();
        if text_trim.is_empty() {
            return Err(Rejection::Empty);
        }
        if text.len() > MAX_TURN_CHARS {
            return Err(Rejection::TooLong(text.len()));
        }
        if let Some(m) = self.markdown.find(text) {
            return Err(Rejection::Markdown(m.as_str().to_string()));
        }
        if text != text_trim {
            return Err(Rejection::Markdown("leading or trailing space".into()));
        }
        let persona = self.persona;
        let is_bank_question = |t: &str| persona.questions.iter().any(|q| q.text == t);
        match kind {
            TurnKind::Opening => {
                let rest = text
                    .strip_prefix(persona.opening.as_str())
                    .map(str::trim)
                    .ok_or(Rejection::NotPersonaLine(kind))?;
                if !is_bank_question(rest) {
                    return Err(Rejection::NotPersonaLine(kind));
                }
            }
            TurnKind::Closing => {
                if text != persona.closing {
                    return Err(Rejection::NotPersonaLine(kind));
                }
            }
            TurnKind::Question => {
                if !is_bank_question(text) {
                    return Err(Rejection::NotPersonaLine(kind));
                }
            }
            TurnKind::Probe => {
                let verification = persona
                    .verification_questions
                    .values()
                    .flatten()
                    .any(|q| q == text);
                let probe = persona
                    .edge_cases
                    .iter()
                    .filter_map(|e| e.probe.as_deref())
                    .any(|p| {
                        Template::parse(p)
                            .ok()
                            .is_some_and(|t| match t.captures(text) {
                                Some(values) => values.iter().all(|v| {
                                    !v.is_empty()
                                        && v.split_whitespace().count() <= 3
                                        && !v.contains(['?', '.'])
                                }),
                                None => false,
                            })
                    });
                if !(verification || probe) {
                    return Err(Rejection::NotPersonaLine(kind));
                }
            }
            TurnKind::EdgeCase => {
                let ok = persona.edge_cases.iter().any(|e| {
                    e.response.as_deref() == Some(text) || e.follow_up.as_deref() == Some(text)
                });
                if !ok {
                    return Err(Rejection::NotPersonaLine(kind));
                }
            }
            _ => self.validate_template(kind, text)?,
        }
        self.check_banned(text)
    }

    fn validate_template(&self, kind: TurnKind, text: &str) -> Result<(), Rejection> {
        let template = self
            .template(kind)
            .and_then(|t| Template::parse(t).ok())
            .ok_or(Rejection::WrongTemplate(kind))?;
        let values = template
            .captures(text)
            .ok_or(Rejection::WrongTemplate(kind))?;
        let mut before = String::new();
        let mut sentence_starts = Vec::new();
        for p in &template.parts {
            match p {
                Part::Text(t) => before.push_str(t),
                Part::Slot(_) => {
                    sentence_starts.push(starts_sentence(&before));
                    before.push('x');
                }
            }
        }
        for (k, (slot, value)) in template.slots().into_iter().zip(&values).enumerate() {
            let v = value.trim();
            if v.is_empty() {
                return Err(Rejection::EmptySlot { slot: slot.into() });
            }
            if slot.eq_ignore_ascii_case("next question") {
                let n = count_questions(v);
                if n != 1 {
                    return Err(Rejection::QuestionCount(n));
                }
                if !self.persona.questions.iter().any(|q| q.text == v) {
                    return Err(Rejection::BadSlot {
                        slot: slot.into(),
                        reason: "not a question from the persona's bank".into(),
                    });
                }
                continue;
            }
            let words = v.split_whitespace().count();
            if words > MAX_SLOT_WORDS {
                return Err(Rejection::BadSlot {
                    slot: slot.into(),
                    reason: format!("{words} words"),
                });
            }
            if v.contains('?') {
                return Err(Rejection::BadSlot {
                    slot: slot.into(),
                    reason: "contains a question".into(),
                });
            }
            if count_questions(v) > 1 {
                return Err(Rejection::BadSlot {
                    slot: slot.into(),
                    reason: "more than one sentence".into(),
                });
            }
            let starts = sentence_starts.get(k).copied().unwrap_or(false);
            if starts
                && !v
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '/')
            {
                return Err(Rejection::BadSlot {
                    slot: slot.into(),
                    reason: "does not start a sentence".into(),
                });
            }
        }
        Ok(())
    }

    fn check_banned(&self, text: &str) -> Result<(), Rejection> {
        for (phrase, re) in &self.banned {
            if re.is_match(text) {
                return Err(Rejection::Banned(phrase.clone()));
            }
        }
        Ok(())
    }
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
