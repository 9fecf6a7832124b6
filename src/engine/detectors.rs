//! Findings of the security review and the major-issue checks. The
//! catalogue of what is looked for is persona data (`[[security]]`,
//! `[[major_issues]]`), compiled into a [`super::security::Catalogue`]; this
//! module holds the types and the code heuristics shared by the engine.

use std::sync::OnceLock;

use regex::Regex;

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A security vulnerability: always wins, never overruled.
    Security,
    /// A major correctness/production issue ("stop at the first major issue").
    Major,
}

/// One detected issue, with the words a verdict needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    /// The `[Issue]` / `[Error]` sentence.
    pub issue: String,
    /// The `[fix]` / `[explanation]` sentence.
    pub fix: String,
    /// The part of the answer that triggered it.
    pub evidence: String,
}

fn code_markers() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?m)(;\s*$|\{\s*$|^\s*def |\bfunction\b|=>|\):\s*$|^\s*(const|let|var|func|public|private|import|from|return)\b|\bSELECT\b|\bINSERT\b)")
            .expect("static regex")
    })
}

/// True if the text looks like (or contains) code.
pub fn looks_like_code(text: &str) -> bool {
    code_markers().find_iter(text).count() >= 2
}

/// Runs a persona's catalogue over an answer (sanitised and normalised);
/// `listed` are the question's red flags.
pub fn detect(
    catalogue: &super::security::Catalogue,
    answer: &str,
    listed: &[String],
) -> Vec<Finding> {
    catalogue.review(answer, listed)
}

/// True if any finding is a security vulnerability.
pub fn has_security(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Security)
}
