//! The security review: a persona's catalogue of vulnerability classes
//! (`[[security]]`) and major issues (`[[major_issues]]`), each recognised
//! in prose — co-occurring phrases in one sentence that the candidate does
//! not negate, question or judge as bad — and in code, by a built-in
//! analyser named in the entry. The catalogue's words (`issue`, `fix`) are
//! persona data; how code is read is Rust.

pub mod access;
pub mod code;
pub mod model;
pub mod prose;
pub mod rules;
pub mod sql;

use serde::Deserialize;

use super::detectors::{Finding, Severity};
use super::patterns::Pattern;

/// One catalogue entry as written in the persona.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    pub id: String,
    /// The `[Issue]` / `[Error]` sentence.
    pub issue: String,
    /// The `[fix]` / `[explanation]` sentence.
    pub fix: String,
    /// Phrases that show the flaw in prose; `A ~ B` = near each other, the
    /// last part being the flaw itself (negation is looked for before it).
    #[serde(default)]
    pub prose: Vec<String>,
    /// A sentence that also says any of these is not a finding.
    #[serde(default)]
    pub unless: Vec<String>,
    /// The built-in code analyser (see `rules::ANALYSERS`).
    #[serde(default)]
    pub code: Option<String>,
    /// Only for questions that list this id in `red_flags`.
    #[serde(default)]
    pub only_when_listed: bool,
}

/// A compiled entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub severity: Severity,
    pub issue: String,
    pub fix: String,
    prose: Vec<Pattern>,
    unless: Vec<Pattern>,
    code: Option<rules::Analyser>,
    only_when_listed: bool,
}

/// A persona's compiled catalogue, security entries first.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// Checks the persona's entries without building their patterns;
    /// errors name the entry.
    pub fn check(security: &[EntrySpec], major: &[EntrySpec]) -> Result<(), String> {
        for s in security.iter().chain(major) {
            for p in s.prose.iter().chain(&s.unless) {
                Pattern::check(p).map_err(|e| format!("[[security]] `{}`: {e}", s.id))?;
            }
            if let Some(name) = &s.code {
                if rules::analyser(name).is_none() {
                    return Err(format!(
                        "catalogue entry `{}` names unknown code analyser `{name}` (known: {})",
                        s.id,
                        rules::ANALYSERS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            if s.prose.is_empty() && s.code.is_none() {
                return Err(format!(
                    "catalogue entry `{}` has neither `prose` nor `code`",
                    s.id
                ));
            }
            for (field, text) in [("issue", &s.issue), ("fix", &s.fix)] {
                if text.trim().is_empty() || text.contains(['?', '[', ']']) {
                    return Err(format!(
                        "catalogue entry `{}`: `{field}` must be a plain sentence without `?` or brackets (it fills a spoken template slot)",
                        s.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// Compiles the persona's entries; errors name the entry.
    pub fn compile(security: &[EntrySpec], major: &[EntrySpec]) -> Result<Self, String> {
        Self::check(security, major)?;
        let mut entries = Vec::new();
        for (specs, severity) in [(security, Severity::Security), (major, Severity::Major)] {
            for s in specs {
                let compile = |list: &[String], what: &str| {
                    list.iter()
                        .map(|p| {
                            Pattern::new(p)
                                .map_err(|e| format!("[[security]] `{}`, {what}: {e}", s.id))
                        })
                        .collect::<Result<Vec<_>, _>>()
                };
                let code = s.code.as_deref().and_then(rules::analyser);
                entries.push(Entry {
                    id: s.id.clone(),
                    severity,
                    issue: s.issue.clone(),
                    fix: s.fix.clone(),
                    prose: compile(&s.prose, "prose")?,
                    unless: compile(&s.unless, "unless")?,
                    code,
                    only_when_listed: s.only_when_listed,
                });
            }
        }
        Ok(Self { entries })
    }

    /// A finding of entry `id` quoting `evidence`, when the entry exists and
    /// applies to a question with red flags `listed`.
    pub fn finding(&self, id: &str, evidence: &str, listed: &[String]) -> Option<Finding> {
        let e = self.entries.iter().find(|e| e.id == id)?;
        if e.only_when_listed && !listed.iter().any(|l| l == &e.id) {
            return None;
        }
        Some(Finding {
            id: e.id.clone(),
            severity: e.severity,
            issue: e.issue.clone(),
            fix: e.fix.clone(),
            evidence: evidence.trim().chars().take(160).collect(),
        })
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }

    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id == id)
    }

    /// Reviews an answer (already sanitised and normalised); `listed` are
    /// the question's red flags. Findings come in catalogue order, security
    /// first.
    pub fn review(&self, answer: &str, listed: &[String]) -> Vec<Finding> {
        let code = code::Code::new(answer);
        let mut out = Vec::new();
        for e in &self.entries {
            if e.only_when_listed && !listed.iter().any(|l| l == &e.id) {
                continue;
            }
            let evidence = e
                .code
                .and_then(|f| f(&code))
                .or_else(|| prose::find(answer, &e.prose, &e.unless));
            if let Some(evidence) = evidence {
                out.push(Finding {
                    id: e.id.clone(),
                    severity: e.severity,
                    issue: e.issue.clone(),
                    fix: e.fix.clone(),
                    evidence: evidence.trim().chars().take(160).collect(),
                });
            }
        }
        out.sort_by_key(|f| f.severity);
        out
    }
}
