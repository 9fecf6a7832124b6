//! Deterministic judging of one answer against a bank question: expected
//! elements (with paraphrases), red-flag detectors and the persona's
//! thresholds. The LLM may refine wording later, but never overrule a
//! security finding.

use serde::{Deserialize, Serialize};

use super::detectors::{self, Finding, Severity};
use super::language;
use super::patterns::{compile_all, Pattern};
use super::persona::{Persona, Question};

/// The interviewer's verdict on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Correct,
    Incomplete,
    Incorrect,
    SecurityVulnerability,
    Clarification,
    Stuck,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Incomplete => "incomplete",
            Verdict::Incorrect => "incorrect",
            Verdict::SecurityVulnerability => "security_vulnerability",
            Verdict::Clarification => "clarification",
            Verdict::Stuck => "stuck",
        }
    }
}

/// One expected element and whether (and where) the answer showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementResult {
    pub element: String,
    pub present: bool,
    /// The words of the answer that showed it.
    pub quote: Option<String>,
}

/// The full judgment of one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgment {
    pub verdict: Verdict,
    /// 0–100: share of expected elements shown (capped by findings).
    pub score: u8,
    pub elements: Vec<ElementResult>,
    pub findings: Vec<Finding>,
    /// Why the score was capped, if it was.
    pub notes: Vec<String>,
    /// The local LLM's opinion, when one was asked (see `crate::grader`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm: Option<LlmOpinion>,
}

/// What the LLM said about an answer, and what the engine kept of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmOpinion {
    /// The model's own verdict, before the engine's bounds.
    pub verdict: Verdict,
    /// The missing element it chose (one of the rubric's missing elements).
    pub missing: Option<String>,
    /// What is wrong, in its words.
    pub error: Option<String>,
    /// The correct approach, in its words.
    pub fix: Option<String>,
    /// A follow-up question on the candidate's own answer.
    pub follow_up: Option<String>,
    /// Whether its verdict decided the outcome (it may only choose within
    /// the band the rubric allows).
    pub verdict_used: bool,
    /// Whether its wording passed the template validator and is spoken.
    pub wording_used: bool,
    /// Generations it took (a rejected wording is regenerated once).
    pub attempts: u32,
    pub generation_ms: f64,
}

impl Judgment {
    pub fn missing(&self) -> Vec<&str> {
        self.elements
            .iter()
            .filter(|e| !e.present)
            .map(|e| e.element.as_str())
            .collect()
    }

    pub fn first_security(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.severity == Severity::Security)
    }

    pub fn first_major(&self) -> Option<&Finding> {
        self.findings.iter().find(|f| f.severity == Severity::Major)
    }
}

/// Short function words whose absence marks a bare keyword list.
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "to", "with", "for", "and", "on", "in", "by", "is", "are", "of", "i", "we",
    "it", "that", "this", "use", "then", "if", "each", "per", "so", "as", "when", "which", "would",
    "will", "be", "from", "into", "or", "at", "can", "should", "every", "my", "our", "their",
    "its",
];

/// Words of a normalised answer.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Removes zero-width and other invisible characters and folds look-alike
/// letters, so `bcr\u{200b}ypt` or a Cyrillic `а` neither hide nor fake a keyword.
pub fn sanitize(answer: &str) -> String {
    answer
        .chars()
        .filter(|c| {
            let invisible = matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}'
            );
            let control = c.is_control() && !c.is_whitespace();
            !(invisible || control)
        })
        .map(|c| match c {
            'а' => 'a',
            'е' => 'e',
            'о' => 'o',
            'р' => 'p',
            'с' => 'c',
            'у' => 'y',
            'х' => 'x',
            'і' => 'i',
            'А' => 'A',
            'Е' => 'E',
            'О' => 'O',
            'Р' => 'P',
            'С' => 'C',
            'Т' => 'T',
            'Х' => 'X',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            other => other,
        })
        .collect()
}

/// The answer as the judge reads it: invisible characters removed,
/// look-alikes folded, spoken forms written out.
pub fn prepare(persona: &Persona, answer: &str) -> String {
    let clean = sanitize(answer);
    super::normalize::normalize(&clean, &persona.compiled().normalize)
}

/// The first occurrence of `pattern` that the answer does not deny ("no
/// need for a transaction"), quoted as its sentence.
fn quote_for(pattern: &Pattern, answer: &str) -> Option<String> {
    pattern
        .occurrences(answer)
        .into_iter()
        .find(|o| {
            !o.terms
                .iter()
                .any(|t| language::is_element_negated(answer, &o.sentence, t))
        })
        .map(|o| answer[o.sentence].trim().chars().take(140).collect())
}

/// Judges `answer` to `question` by the persona's rubric.
pub fn judge(persona: &Persona, question: &Question, answer: &str) -> Judgment {
    let original = answer;
    let answer = prepare(persona, answer);
    let compiled = persona.compiled();
    let own = persona
        .question_index(&question.id)
        .and_then(|i| compiled.elements(i))
        .filter(|e| e.len() == question.expected.len());
    let mut elements = Vec::with_capacity(question.expected.len());
    for (i, e) in question.expected.iter().enumerate() {
        let compiled_here;
        let pats = match own {
            Some(per_element) => &per_element[i],
            None => {
                compiled_here = compile_all(&e.patterns);
                &compiled_here
            }
        };
        let quote = pats.iter().find_map(|p| quote_for(p, &answer));
        elements.push(ElementResult {
            element: e.element.clone(),
            present: quote.is_some(),
            quote,
        });
    }
    let present = elements.iter().filter(|e| e.present).count();
    let mut score = (present * 100 / elements.len().max(1)) as u8;
    let mut notes = Vec::new();

    // Substance: a bare list of keywords is not an answer.
    let ws = words(&answer);
    let function_words = ws
        .iter()
        .filter(|w| FUNCTION_WORDS.contains(&w.as_str()))
        .count();
    let is_code = detectors::looks_like_code(&answer);
    // Routes, SQL and code sketches have few function words but are not lists.
    let structured = answer
        .chars()
        .filter(|c| matches!(c, '/' | '(' | ')' | '=' | '{' | '}' | ';' | '[' | ']'))
        .count()
        >= 4;
    if !is_code
        && !structured
        && (ws.len() < 6 || (ws.len() >= 4 && function_words * 8 < ws.len()))
        && score > 40
    {
        score = 40;
        notes.push("keywords without explanation".to_string());
    }
    // A warning keyword counts only when the candidate means it ("auth can
    // come later"), not when they reject it ("auth can't come later").
    let warned = compiled
        .warnings()
        .iter()
        .any(|p| quote_for(p, &answer).is_some());
    if warned && score > 50 {
        score = 50;
        notes.push("warning keyword".to_string());
    }

    let mut findings = detectors::detect(compiled.catalogue(), &answer, &question.red_flags);
    // The text model reads prose; code (even a few routes) is the analysers' job.
    let code_like = is_code
        || answer
            .chars()
            .filter(|c| matches!(c, '(' | ')' | '{' | '}' | ';' | '=' | '`'))
            .count()
            >= 6;
    if !code_like && !detectors::has_security(&findings) {
        if let Some(f) = model_finding(persona, question, original) {
            findings.insert(0, f);
        }
    }
    // A major issue the persona answers with a probe first ("How does this
    // handle database connection failures?") is asked about, not graded.
    let probed_first = |id: &str| persona.edge_case(id).is_some_and(|e| e.probe.is_some());
    let s = &persona.scoring;
    let verdict = if detectors::has_security(&findings) {
        score = score.min(s.incomplete_from.saturating_sub(1));
        Verdict::SecurityVulnerability
    } else if findings
        .iter()
        .any(|f| f.severity == Severity::Major && !probed_first(&f.id))
    {
        score = score.min(s.incomplete_from.saturating_sub(1));
        Verdict::Incorrect
    } else if score > s.correct_above {
        Verdict::Correct
    } else if score >= s.incomplete_from {
        Verdict::Incomplete
    } else {
        Verdict::Incorrect
    };
    Judgment {
        verdict,
        score,
        elements,
        findings,
        notes,
        llm: None,
    }
}

/// A vulnerability the persona's security text model reads in a prose
/// answer whose words the catalogue's phrases did not match; quoted as the
/// sentence the model finds most telling. Never for a question to the
/// interviewer or an "I don't know".
fn model_finding(persona: &Persona, question: &Question, original: &str) -> Option<Finding> {
    let compiled = persona.compiled();
    let model = compiled.security_model()?;
    let text = sanitize(original);
    if is_dont_know(persona, &text) || super::clarification::is_request(persona, &text) {
        return None;
    }
    // Too few words to state a flaw ("Idempotency key, transaction.").
    if words(&text).len() < 6 {
        return None;
    }
    let whole = model.assess(&text);
    if whole.probability < model.threshold() {
        return None;
    }
    // Each sentence assessed once.
    let evidence = language::sentences(&text)
        .into_iter()
        .map(|r| (model.assess(&text[r.clone()]).probability, &text[r]))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(text.as_str(), |(_, s)| s);
    tracing::debug!(
        probability = whole.probability,
        class = %whole.class,
        "security model finding"
    );
    compiled
        .catalogue()
        .finding(&whole.class, evidence, &question.red_flags)
}

/// A second opinion layered on the deterministic rubric, asked when the
/// engine is about to give a verdict turn. It may refine the verdict within
/// the bounds the rubric allows and word the template's slots; it can never
/// remove a finding.
pub trait Judge {
    /// Refines `rubric`, the rubric's judgment of `answer`. `on_verdict` is
    /// called once, as soon as the final verdict is known (before the slot
    /// wording is ready), so speech can start early.
    fn refine(
        &mut self,
        persona: &Persona,
        question: &Question,
        answer: &str,
        rubric: Judgment,
        on_verdict: &mut dyn FnMut(Verdict),
    ) -> Judgment;
}

/// The deterministic rubric alone as a [`Judge`].
#[derive(Debug, Default, Clone, Copy)]
pub struct RubricJudge;

impl Judge for RubricJudge {
    fn refine(
        &mut self,
        _persona: &Persona,
        _question: &Question,
        _answer: &str,
        rubric: Judgment,
        on_verdict: &mut dyn FnMut(Verdict),
    ) -> Judgment {
        on_verdict(rubric.verdict);
        rubric
    }
}

/// True if the answer is a request for clarification rather than an answer.
pub fn is_clarification_request(persona: &Persona, answer: &str) -> bool {
    super::clarification::is_request(persona, answer)
}

/// True if the candidate says they cannot answer: a short answer with one
/// of the persona's "don't know" phrases (whole words), or a sentence that
/// is only "pass", "skip" or "next".
pub fn is_dont_know(persona: &Persona, answer: &str) -> bool {
    let a = sanitize(answer).to_lowercase();
    if words(&a).len() > 35 {
        return false;
    }
    let bare = |s: &str| {
        let w: Vec<String> = words(s)
            .into_iter()
            .filter(|w| {
                ![
                    "um", "uh", "so", "i", "ll", "i'll", "just", "honestly", "sorry", "ok", "okay",
                    "then", "please",
                ]
                .contains(&w.as_str())
            })
            .collect();
        matches!(
            w.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
            ["pass"]
                | ["skip"]
                | ["next"]
                | ["next", "question"]
                | ["next", "one"]
                | ["next", "one", "please"]
                | ["skip", "it"]
                | ["skip", "this"]
                | ["pass", "on", "this"]
                | ["pass", "on", "that"]
        )
    };
    // A sentence, or its last clause ("… sorry — pass", "…, next").
    let sentences = super::language::sentences(&a);
    sentences.iter().any(|r| {
        let sentence = &a[r.clone()];
        bare(sentence)
            || sentence
                .rsplit([',', ';', '—', '–', '-'])
                .next()
                .is_some_and(bare)
    }) || persona
        .compiled()
        .dont_know()
        .iter()
        .any(|p| p.is_match(&a))
}

/// True if the candidate asks to end the interview.
pub fn is_end_request(persona: &Persona, answer: &str) -> bool {
    let a = sanitize(answer).to_lowercase();
    words(&a).len() <= 20 && persona.end_phrases.iter().any(|m| a.contains(m.as_str()))
}
