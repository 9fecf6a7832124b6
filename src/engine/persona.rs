//! Personas: an interviewer described entirely as data (`personas/*.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use regex::Regex;
use serde::Deserialize;

use super::patterns::Pattern;
use super::security::model::TextModel;
use super::security::{Catalogue, EntrySpec};

/// Question difficulty.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Fundamental,
    Standard,
    Advanced,
}

/// What a phase demands of the candidate's running performance to enter it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseEntry {
    Any,
    Solid,
    Strong,
    Exceptional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub never: Vec<String>,
    pub always: Vec<String>,
    pub banned_phrases: Vec<String>,
    #[serde(default)]
    pub excellent_keywords: Vec<String>,
    #[serde(default)]
    pub warning_keywords: Vec<String>,
}

/// The six response templates, verbatim, with `[Slot]` placeholders.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub correct: String,
    pub security_vulnerability: String,
    pub incomplete: String,
    pub incorrect: String,
    pub stuck: String,
    pub clarification: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub correct_above: u8,
    pub incomplete_from: u8,
    pub strong_average: u8,
    pub struggling_below: u8,
    /// How far (in score points) from the incomplete/incorrect boundary the
    /// LLM may still choose between the two verdicts.
    #[serde(default = "default_llm_margin")]
    pub llm_margin: u8,
}

fn default_llm_margin() -> u8 {
    15
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub number: u8,
    pub name: String,
    pub start_min: u32,
    pub end_min: u32,
    pub task: String,
    pub expect: Vec<String>,
    pub decision: String,
    pub levels: Vec<Level>,
    pub entry: PhaseEntry,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedElement {
    pub element: String,
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub level: Level,
    pub dimension: String,
    pub text: String,
    pub technique: String,
    pub expected: Vec<ExpectedElement>,
    #[serde(default)]
    pub red_flags: Vec<String>,
    /// A follow-up: asked only when an earlier answer of the candidate's
    /// matched one of these patterns ("Why did you add an index on this field?").
    #[serde(default)]
    pub after: Vec<String>,
    /// Facts the interviewer states when the candidate asks about the task.
    #[serde(default)]
    pub clarifications: Vec<Clarification>,
}

/// One fact for clarification questions: asked about any of `about`, the
/// interviewer says `answer`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clarification {
    pub about: Vec<String>,
    pub answer: String,
}

/// Judging knowledge that belongs to the field, not to the engine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judging {
    /// The scorecard dimension every vulnerability counts against.
    #[serde(default = "default_security_dimension")]
    pub security_dimension: String,
    /// The dimension that code in any answer and major issues count against.
    #[serde(default)]
    pub code_quality_dimension: Option<String>,
    /// Technologies whose choice must be justified ("Why did you choose [technology]?").
    #[serde(default)]
    pub technologies: Vec<String>,
    /// Parts whose accumulation in a fundamental answer marks an overly complex design.
    #[serde(default)]
    pub complexity_markers: Vec<String>,
    #[serde(default = "default_complexity_threshold")]
    pub complexity_threshold: usize,
    /// Expected elements (by name, case-insensitive substring) that mean authentication.
    #[serde(default)]
    pub authentication_elements: Vec<String>,
    /// Said to a clarification question the persona holds no fact for.
    #[serde(default = "default_clarification_fallback")]
    pub clarification_fallback: String,
    /// The security text model (a file next to the persona, trained by
    /// `scripts/train-security-model`) that recognises flaws stated in
    /// words the catalogue's phrases miss.
    #[serde(default)]
    pub security_model: Option<String>,
}

fn default_security_dimension() -> String {
    "security".into()
}

fn default_complexity_threshold() -> usize {
    3
}

fn default_clarification_fallback() -> String {
    "Use the most common production setup and state your assumptions".into()
}

impl Default for Judging {
    fn default() -> Self {
        Self {
            security_dimension: default_security_dimension(),
            code_quality_dimension: None,
            technologies: Vec::new(),
            complexity_markers: Vec::new(),
            complexity_threshold: default_complexity_threshold(),
            authentication_elements: Vec::new(),
            clarification_fallback: default_clarification_fallback(),
            security_model: None,
        }
    }
}

/// What a persona builds from its patterns: the spoken-form rules at load,
/// everything else the first time it is needed (a persona holds thousands
/// of patterns; loading checks them, judging builds the ones it uses).
#[derive(Debug)]
pub struct Compiled {
    pub normalize: Vec<(Regex, String)>,
    security: Vec<EntrySpec>,
    major: Vec<EntrySpec>,
    catalogue: OnceLock<Catalogue>,
    element_sources: Vec<Vec<Vec<String>>>,
    elements: Vec<OnceLock<Vec<Vec<Pattern>>>>,
    after_sources: Vec<Vec<String>>,
    after: Vec<OnceLock<Vec<Pattern>>>,
    marker_sources: [Vec<String>; 2],
    markers: [OnceLock<Vec<Pattern>>; 2],
    model_path: Option<PathBuf>,
    model: OnceLock<Option<TextModel>>,
}

impl Compiled {
    /// The persona's security text model, read on first use.
    pub fn security_model(&self) -> Option<&TextModel> {
        self.model
            .get_or_init(|| {
                let path = self.model_path.as_ref()?;
                TextModel::load(path)
                    .map_err(|e| tracing::error!("{e}; judging without it"))
                    .ok()
            })
            .as_ref()
    }

    /// The security review.
    pub fn catalogue(&self) -> &Catalogue {
        self.catalogue.get_or_init(|| {
            Catalogue::compile(&self.security, &self.major).unwrap_or_else(|e| {
                tracing::error!("catalogue: {e}");
                Catalogue::default()
            })
        })
    }

    /// Question `index`'s patterns, per expected element.
    pub fn elements(&self, index: usize) -> Option<&Vec<Vec<Pattern>>> {
        let sources = self.element_sources.get(index)?;
        Some(self.elements[index].get_or_init(|| {
            sources
                .iter()
                .map(|ps| super::patterns::compile_all(ps))
                .collect()
        }))
    }

    /// Question `index`'s follow-up triggers.
    pub fn after(&self, index: usize) -> Option<&Vec<Pattern>> {
        let sources = self.after_sources.get(index)?;
        Some(self.after[index].get_or_init(|| super::patterns::compile_all(sources)))
    }

    /// The persona's "don't know" markers.
    pub fn dont_know(&self) -> &[Pattern] {
        self.markers[0].get_or_init(|| super::patterns::compile_all(&self.marker_sources[0]))
    }

    /// The persona's warning keywords.
    pub fn warnings(&self) -> &[Pattern] {
        self.markers[1].get_or_init(|| super::patterns::compile_all(&self.marker_sources[1]))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeCase {
    pub id: String,
    pub trigger: String,
    /// Said verbatim when the trigger fires and there is no probe.
    pub response: Option<String>,
    /// A one-question probe asked first.
    pub probe: Option<String>,
    /// Patterns showing the probe was answered.
    #[serde(default)]
    pub resolved_by: Vec<String>,
    /// Said when the probe's answer still lacks what it asked for.
    pub follow_up: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HireRequirement {
    pub dimension: String,
    pub min_score: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardSpec {
    pub recommendations: Vec<String>,
    pub hire_requires: Option<HireRequirement>,
    pub dimensions: Vec<Dimension>,
}

/// Spoken-interview settings of a persona.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Speech {
    /// Terms the speech recogniser should expect (Whisper's initial prompt);
    /// default: the persona's excellent keywords.
    #[serde(default)]
    pub vocabulary: Vec<String>,
    /// Respellings for the voice (word → how to write it so the TTS says it
    /// clearly), e.g. `input = "in-put"`. Only the audio changes; the
    /// transcript keeps the original words.
    #[serde(default)]
    pub pronounce: BTreeMap<String, String>,
    /// How the recogniser writes words of this field, and the written form
    /// the judge should read (`"bee crypt" = "bcrypt"`), applied to every
    /// answer before judging.
    #[serde(default)]
    pub normalize: BTreeMap<String, String>,
}

impl Persona {
    /// Whisper's initial prompt for this persona: its vocabulary as a
    /// comma-separated glossary, which biases spelling toward the terms, and
    /// its first end phrase.
    pub fn speech_prompt(&self) -> String {
        let terms = if self.speech.vocabulary.is_empty() {
            &self.rules.excellent_keywords
        } else {
            &self.speech.vocabulary
        };
        let mut prompt = String::from("Technical interview.");
        if !terms.is_empty() {
            prompt.push_str(&format!(" Glossary: {}.", terms.join(", ")));
        }
        // Short commands are easily misheard ("and the interview"): name them.
        if let Some(end) = self.end_phrases.first() {
            let mut chars = end.chars();
            if let Some(first) = chars.next() {
                prompt.push_str(&format!(
                    " To stop: {}{}.",
                    first.to_uppercase(),
                    chars.as_str()
                ));
            }
        }
        prompt
    }
}

impl Speech {
    /// `text` with the persona's respellings applied (whole words, any case).
    pub fn respell(&self, text: &str) -> String {
        if self.pronounce.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let replacement = self
                .pronounce
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(word))
                .map(|(_, r)| r.as_str());
            out.push_str(replacement.unwrap_or(word));
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

/// A whole persona.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub position: String,
    #[serde(default)]
    pub expertise: Vec<String>,
    pub style: String,
    pub mission: String,
    pub duration_min: u32,
    pub stuck_after_min: u32,
    pub opening: String,
    pub closing: String,
    #[serde(default)]
    pub end_phrases: Vec<String>,
    #[serde(default)]
    pub clarification_markers: Vec<String>,
    #[serde(default)]
    pub dont_know_markers: Vec<String>,
    pub rules: Rules,
    pub templates: Templates,
    pub scoring: Scoring,
    pub phases: Vec<Phase>,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub edge_cases: Vec<EdgeCase>,
    #[serde(default)]
    pub code_review_priority: Vec<String>,
    #[serde(default)]
    pub stop_at_first_major_issue: bool,
    #[serde(default)]
    pub verification_questions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub pitfalls: BTreeMap<String, Vec<String>>,
    pub scorecard: ScorecardSpec,
    /// How the spoken interview hears and speaks this persona.
    #[serde(default)]
    pub speech: Speech,
    /// The field's judging knowledge (technologies, dimensions, markers).
    #[serde(default)]
    pub judging: Judging,
    /// The vulnerability catalogue: each entry recognised in prose and code.
    #[serde(default)]
    pub security: Vec<EntrySpec>,
    /// Major, non-security issues ("stop at the first major issue").
    #[serde(default)]
    pub major_issues: Vec<EntrySpec>,
    /// Where it was loaded from (not part of the file).
    #[serde(skip)]
    pub source: PathBuf,
    #[serde(skip)]
    compiled: OnceLock<Arc<Compiled>>,
}

/// Why a persona could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    #[error(
        "persona `{name}` not found: looked for {tried} (see `personas/` for the available ones)"
    )]
    NotFound { name: String, tried: String },
    #[error("cannot read persona {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("persona {path}, line {line}, column {column}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("persona {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Triggers the engine raises from the interview's course rather than
/// from the catalogue; an edge case or red flag may also name any
/// catalogue entry.
pub const BEHAVIOUR_TRIGGERS: &[&str] = &[
    "missing_authentication",
    "unjustified_technology",
    "overly_complex",
    "no_concurrency",
];

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Persona {
    /// Loads a persona by name (`personas/NAME.toml`, next to the checkout or
    /// in the current directory) or by path.
    pub fn load(name_or_path: &str) -> Result<Self, PersonaError> {
        let as_path = PathBuf::from(name_or_path);
        if as_path.is_file() {
            return Self::from_file(&as_path);
        }
        let mut tried = Vec::new();
        for dir in crate::paths::persona_dirs() {
            let p = dir.join(format!("{name_or_path}.toml"));
            if p.is_file() {
                return Self::from_file(&p);
            }
            tried.push(p.display().to_string());
        }
        Err(PersonaError::NotFound {
            name: name_or_path.to_string(),
            tried: tried.join(", "),
        })
    }

    /// Loads and validates a persona file.
    pub fn from_file(path: &Path) -> Result<Self, PersonaError> {
        let text = std::fs::read_to_string(path).map_err(|source| PersonaError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates persona text; `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, PersonaError> {
        let mut persona: Persona = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            PersonaError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        persona.source = path.to_path_buf();
        persona
            .validate()
            .and_then(|()| persona.check_security_model())
            .map_err(|message| PersonaError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
        Ok(persona)
    }

    fn validate(&self) -> Result<(), String> {
        if self.questions.is_empty() {
            return Err("no [[questions]]: a persona needs at least one question".into());
        }
        if self.phases.is_empty() {
            return Err("no [[phases]]".into());
        }
        let mut ids = std::collections::HashSet::new();
        for q in &self.questions {
            if !ids.insert(q.id.as_str()) {
                return Err(format!("question id `{}` appears twice", q.id));
            }
            let technique_words = q.technique.split_whitespace().count();
            if technique_words == 0 || technique_words > 18 {
                return Err(format!(
                    "question `{}`: technique must be 1–18 words (it fills a spoken template slot), has {technique_words}",
                    q.id
                ));
            }
            if q.expected.is_empty() {
                return Err(format!("question `{}` lists no expected elements", q.id));
            }
            if super::template::count_questions(&q.text) != 1 {
                return Err(format!(
                    "question `{}` must be exactly one question (one sentence ending in `.` or `?`): {:?}",
                    q.id, q.text
                ));
            }
            if !self
                .scorecard
                .dimensions
                .iter()
                .any(|d| d.id == q.dimension)
            {
                return Err(format!(
                    "question `{}` scores dimension `{}`, which [scorecard.dimensions] does not define",
                    q.id, q.dimension
                ));
            }
            for flag in &q.red_flags {
                if !self.is_known_trigger(flag) {
                    return Err(format!(
                        "question `{}` names unknown red flag `{flag}` (known: {})",
                        q.id,
                        self.known_triggers().join(", ")
                    ));
                }
            }
            for p in q
                .after
                .iter()
                .chain(q.clarifications.iter().flat_map(|c| c.about.iter()))
            {
                Pattern::check(p).map_err(|err| format!("question `{}`: {err}", q.id))?;
            }
            for c in &q.clarifications {
                if c.answer.trim().is_empty() || c.answer.contains('?') {
                    return Err(format!(
                        "question `{}`: a clarification answer must be one plain statement: {:?}",
                        q.id, c.answer
                    ));
                }
            }
            for e in &q.expected {
                for p in &e.patterns {
                    super::patterns::Pattern::check(p).map_err(|err| {
                        format!("question `{}`, element `{}`: {err}", q.id, e.element)
                    })?;
                }
            }
        }
        for e in &self.edge_cases {
            if !self.is_known_trigger(&e.trigger) {
                return Err(format!(
                    "edge case `{}` has unknown trigger `{}` (known: {})",
                    e.id,
                    e.trigger,
                    self.known_triggers().join(", ")
                ));
            }
            if e.response.is_none() && e.probe.is_none() {
                return Err(format!(
                    "edge case `{}` needs a `response` or a `probe`",
                    e.id
                ));
            }
        }
        let mut last_end = 0;
        for (i, p) in self.phases.iter().enumerate() {
            if p.start_min != last_end || p.end_min <= p.start_min {
                return Err(format!(
                    "phase {} ({}) spans {}–{} min: phases must follow each other without gaps from minute 0",
                    i + 1,
                    p.name,
                    p.start_min,
                    p.end_min
                ));
            }
            last_end = p.end_min;
        }
        if last_end != self.duration_min {
            return Err(format!(
                "the phases end at minute {last_end} but duration_min is {}",
                self.duration_min
            ));
        }
        let s = &self.scoring;
        if !(s.incomplete_from < s.correct_above && s.correct_above <= 100) {
            return Err("[scoring]: need incomplete_from < correct_above <= 100".into());
        }
        if self.scorecard.recommendations.len() < 2 {
            return Err("[scorecard] needs at least two recommendations".into());
        }
        for (name, t) in [
            ("correct", &self.templates.correct),
            (
                "security_vulnerability",
                &self.templates.security_vulnerability,
            ),
            ("incomplete", &self.templates.incomplete),
            ("incorrect", &self.templates.incorrect),
            ("stuck", &self.templates.stuck),
            ("clarification", &self.templates.clarification),
        ] {
            super::template::Template::parse(t).map_err(|e| format!("[templates] {name}: {e}"))?;
        }
        let compiled = self.compile()?;
        let _ = self.compiled.set(Arc::new(compiled));
        Ok(())
    }

    /// The compiled catalogue, normaliser and patterns (built on first use;
    /// `validate` has already proved they compile).
    pub fn compiled(&self) -> Arc<Compiled> {
        self.compiled
            .get_or_init(|| {
                Arc::new(self.compile().unwrap_or_else(|e| {
                    tracing::error!("persona {}: {e}", self.id);
                    Compiled {
                        normalize: Vec::new(),
                        security: Vec::new(),
                        major: Vec::new(),
                        catalogue: OnceLock::new(),
                        element_sources: Vec::new(),
                        elements: Vec::new(),
                        after_sources: Vec::new(),
                        after: Vec::new(),
                        marker_sources: [Vec::new(), Vec::new()],
                        markers: [OnceLock::new(), OnceLock::new()],
                        model_path: None,
                        model: OnceLock::new(),
                    }
                }))
            })
            .clone()
    }

    /// Checks every pattern and catalogue entry (without building them)
    /// and builds what every answer needs at once.
    fn compile(&self) -> Result<Compiled, String> {
        Catalogue::check(&self.security, &self.major_issues)?;
        let normalize = super::normalize::compile_extra(self.speech.normalize.iter())?;
        for q in &self.questions {
            for e in &q.expected {
                for p in &e.patterns {
                    Pattern::check(p).map_err(|err| {
                        format!("question `{}`, element `{}`: {err}", q.id, e.element)
                    })?;
                }
            }
            for p in &q.after {
                Pattern::check(p).map_err(|err| format!("question `{}`: {err}", q.id))?;
            }
        }
        for p in self
            .dont_know_markers
            .iter()
            .chain(&self.rules.warning_keywords)
        {
            Pattern::check(p).map_err(|err| format!("markers: {err}"))?;
        }
        Ok(Compiled {
            normalize,
            security: self.security.clone(),
            major: self.major_issues.clone(),
            catalogue: OnceLock::new(),
            element_sources: self
                .questions
                .iter()
                .map(|q| q.expected.iter().map(|e| e.patterns.clone()).collect())
                .collect(),
            elements: self.questions.iter().map(|_| OnceLock::new()).collect(),
            after_sources: self.questions.iter().map(|q| q.after.clone()).collect(),
            after: self.questions.iter().map(|_| OnceLock::new()).collect(),
            marker_sources: [
                self.dont_know_markers.clone(),
                self.rules.warning_keywords.clone(),
            ],
            markers: [OnceLock::new(), OnceLock::new()],
            model_path: self.security_model_path(),
            model: OnceLock::new(),
        })
    }

    /// The security model the persona names is next to it (it is read on
    /// first use).
    fn check_security_model(&self) -> Result<(), String> {
        match self.security_model_path() {
            Some(path) if !path.is_file() => Err(format!(
                "[judging] security_model: {} does not exist (train it with scripts/train-security-model, or remove the setting)",
                path.display()
            )),
            _ => Ok(()),
        }
    }

    /// Where `[judging] security_model` points: next to the persona file.
    fn security_model_path(&self) -> Option<PathBuf> {
        let name = self.judging.security_model.as_ref()?;
        Some(
            self.source
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join(name),
        )
    }

    fn known_triggers(&self) -> Vec<String> {
        let mut all: Vec<String> = BEHAVIOUR_TRIGGERS.iter().map(|s| s.to_string()).collect();
        all.extend(
            self.security
                .iter()
                .chain(&self.major_issues)
                .map(|e| e.id.clone()),
        );
        all
    }

    fn is_known_trigger(&self, id: &str) -> bool {
        BEHAVIOUR_TRIGGERS.contains(&id)
            || self
                .security
                .iter()
                .chain(&self.major_issues)
                .any(|e| e.id == id)
    }

    /// Index of a question in the bank.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn phase_at(&self, minute: f64) -> &Phase {
        self.phases
            .iter()
            .find(|p| minute < f64::from(p.end_min))
            .unwrap_or_else(|| &self.phases[self.phases.len() - 1])
    }

    pub fn edge_case(&self, trigger: &str) -> Option<&EdgeCase> {
        self.edge_cases.iter().find(|e| e.trigger == trigger)
    }

    pub fn dimension_name(&self, id: &str) -> String {
        self.scorecard
            .dimensions
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| id.to_string(), |d| d.name.clone())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn respelling_changes_whole_words_only() {
        let mut speech = Speech::default();
        speech.pronounce.insert("input".into(), "in-put".into());
        assert_eq!(
            speech.respell("Input validation, not inputs: input."),
            "in-put validation, not inputs: in-put."
        );
        assert_eq!(Speech::default().respell("input"), "input");
    }

    #[test]
    fn the_speech_prompt_names_the_vocabulary_and_the_end_phrase() {
        let p = Persona::load("backend-engineer").unwrap();
        let prompt = p.speech_prompt();
        assert!(prompt.contains("Sidekiq"), "{prompt}");
        assert!(prompt.ends_with("To stop: End the interview."), "{prompt}");
    }
    use super::*;

    fn seed() -> Persona {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("personas/backend-engineer.toml");
        Persona::from_file(&p).expect("seed persona loads")
    }

    #[test]
    fn seed_persona_has_everything_the_seed_lists() {
        let p = seed();
        let ids: Vec<_> = p.questions.iter().map(|q| q.id.as_str()).collect();
        // The seed's thirteen sample questions first, then the grown bank.
        assert_eq!(
            ids[..13],
            (1..=13).map(|i| format!("q{i}")).collect::<Vec<_>>()
        );
        assert!(
            ids.len() >= 40,
            "a 45-minute interview needs at least 40 questions"
        );
        let levels: Vec<_> = p.questions.iter().map(|q| q.level).collect();
        assert!(levels[..4].iter().all(|l| *l == Level::Fundamental));
        assert!(levels[4..9].iter().all(|l| *l == Level::Standard));
        assert!(levels[9..13].iter().all(|l| *l == Level::Advanced));
        assert_eq!(p.phases.len(), 4);
        assert_eq!(p.duration_min, 45);
        assert_eq!(p.templates.correct, "Correct. [Next question]");
        assert_eq!(p.scorecard.dimensions.len(), 5);
        assert_eq!(
            p.scorecard.recommendations.first().map(String::as_str),
            Some("Strong No")
        );
        assert_eq!(p.edge_cases.len(), 5);
        assert_eq!(p.code_review_priority[0], "Security");
    }

    #[test]
    fn syntax_errors_name_file_line_and_problem() {
        let text = "id = \"x\"\nname = \n";
        let err = Persona::parse(text, Path::new("personas/bad.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("personas/bad.toml"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn semantic_errors_are_specific() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("personas/backend-engineer.toml");
        let text = std::fs::read_to_string(&p).unwrap();
        let broken = text.replace("id = \"q2\"", "id = \"q1\"");
        let msg = Persona::parse(&broken, &p).unwrap_err().to_string();
        assert!(msg.contains("`q1` appears twice"), "{msg}");
        let broken = text.replace("trigger = \"no_error_handling\"", "trigger = \"bogus\"");
        let msg = Persona::parse(&broken, &p).unwrap_err().to_string();
        assert!(msg.contains("unknown trigger `bogus`"), "{msg}");
    }
}
