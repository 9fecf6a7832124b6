//! The template validator: nothing reaches the candidate (screen or speaker)
//! unless it is exactly one of the persona's permitted turns — the opening,
//! one of the six response templates with well-formed slots, a bank question,
//! a persona probe or edge-case line, or the closing — in a neutral tone.

use regex::Regex;

use crate::engine::persona::Persona;
use crate::engine::template::starts_sentence;
pub use crate::engine::template::{clean_slot, count_questions, Part, Template};

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
