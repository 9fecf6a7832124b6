//! Measuring judgment: a labeled corpus of answers (`tests/data/judge/*.jsonl`),
//! the verdict the interviewer gives each one — exactly as `viva evaluate`
//! does — and the figures that matter: agreement with the label, security
//! recall, safe answers flagged, the confusion per verdict and time per answer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::detectors::Severity;
use crate::engine::rubric::{self, Judge, Judgment, Verdict};
use crate::engine::{EngineEvent, Interview, Persona};

/// One labeled answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Case {
    pub id: String,
    pub question: String,
    #[serde(default)]
    pub style: String,
    pub answer: String,
    /// correct, incomplete, incorrect, security_vulnerability, clarification,
    /// stuck — or "safe" (code: anything but a security verdict).
    pub expected: String,
    #[serde(default)]
    pub vuln: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
}

/// Why a corpus could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read corpus {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("corpus {path}, line {line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("corpus {path}, line {line}: unknown expected verdict `{expected}` (use correct, incomplete, incorrect, security_vulnerability, clarification, stuck or safe)")]
    Label {
        path: PathBuf,
        line: usize,
        expected: String,
    },
    #[error("no *.jsonl corpus files in {0}")]
    Empty(PathBuf),
}

const LABELS: &[&str] = &[
    "correct",
    "incomplete",
    "incorrect",
    "security_vulnerability",
    "clarification",
    "stuck",
    "safe",
];

/// Reads every `*.jsonl` under `path` (a file or a directory), sorted by name.
pub fn load_corpus(path: &Path) -> Result<Vec<Case>, CorpusError> {
    let mut files = Vec::new();
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|source| CorpusError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "jsonl") {
                files.push(e.path());
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    if files.is_empty() {
        return Err(CorpusError::Empty(path.to_path_buf()));
    }
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|source| CorpusError::Read {
            path: f.clone(),
            source,
        })?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let case: Case = serde_json::from_str(line).map_err(|e| CorpusError::Parse {
                path: f.clone(),
                line: i + 1,
                message: e.to_string(),
            })?;
            if !LABELS.contains(&case.expected.as_str()) {
                return Err(CorpusError::Label {
                    path: f.clone(),
                    line: i + 1,
                    expected: case.expected,
                });
            }
            cases.push(case);
        }
    }
    Ok(cases)
}

/// Lends a judge to one interview after another.
struct Lent<'a>(&'a mut dyn Judge);

impl Judge for Lent<'_> {
    fn refine(
        &mut self,
        persona: &Persona,
        question: &crate::engine::persona::Question,
        answer: &str,
        rubric: Judgment,
        on_verdict: &mut dyn FnMut(Verdict),
    ) -> Judgment {
        self.0.refine(persona, question, answer, rubric, on_verdict)
    }
}

/// The verdict the interviewer gives `answer` to `question_id`, as `viva
/// evaluate` reports it: the judgment and the verdict's name
/// ("clarification" for a question about the task).
pub fn evaluate_answer(
    persona: &Persona,
    judge: &mut dyn Judge,
    question_id: &str,
    answer: &str,
) -> Option<Evaluated> {
    let question = persona.question(question_id)?;
    let mut interview = Interview::with_judge(persona, Box::new(Lent(judge)));
    interview.start_at(&question.id, 0.0);
    let step = interview.answer(answer, 60.0);
    let judgment = step
        .events
        .iter()
        .find_map(|e| match e {
            EngineEvent::Verdict { judgment, .. } => Some(judgment.clone()),
            _ => None,
        })
        .unwrap_or_else(|| rubric::judge(persona, question, answer));
    let verdict = if judgment.verdict != Verdict::SecurityVulnerability
        && rubric::is_clarification_request(persona, answer)
    {
        "clarification".to_string()
    } else {
        judgment.verdict.as_str().to_string()
    };
    let first = step.turns.first();
    Some(Evaluated {
        verdict,
        judgment,
        utterance: first.map(|t| t.text.clone()).unwrap_or_default(),
        probe: first.is_some_and(|t| t.kind == crate::validator::TurnKind::Probe),
    })
}

/// What `viva evaluate` reports for one answer.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The verdict's name ("clarification" for a question about the task).
    pub verdict: String,
    pub judgment: Judgment,
    /// The interviewer's first turn.
    pub utterance: String,
    /// Whether that turn is an edge-case probe rather than a verdict.
    pub probe: bool,
}

/// One case's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub question: String,
    pub expected: String,
    pub got: String,
    pub agrees: bool,
    pub findings: Vec<String>,
    pub ms: f64,
}

/// The figures over a corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cases: usize,
    pub agreement: f64,
    /// Vulnerable answers given a security verdict.
    pub security_caught: usize,
    pub security_total: usize,
    /// Answers without a vulnerability given a security verdict.
    pub safe_flagged: usize,
    pub safe_total: usize,
    /// expected → got → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn security_recall(&self) -> f64 {
        ratio(self.security_caught, self.security_total)
    }

    pub fn disagreements(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.agrees)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Whether `got` agrees with the label `expected`.
pub fn agrees(expected: &str, got: &str) -> bool {
    match expected {
        "safe" => got != "security_vulnerability",
        // "Moving on" after an incomplete second try is the seed's stuck turn.
        e => e == got,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Judges every case and measures.
pub fn run(persona: &Persona, judge: &mut dyn Judge, cases: &[Case]) -> Report {
    let mut outcomes = Vec::with_capacity(cases.len());
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for c in cases {
        let t = Instant::now();
        let (got, findings) = match evaluate_answer(persona, judge, &c.question, &c.answer) {
            Some(Evaluated {
                verdict: v,
                judgment: j,
                ..
            }) => (
                v,
                j.findings
                    .iter()
                    .filter(|f| f.severity == Severity::Security)
                    .map(|f| format!("{} «{}»", f.id, f.evidence))
                    .collect(),
            ),
            None => (format!("no question {}", c.question), Vec::new()),
        };
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        *confusion
            .entry(c.expected.clone())
            .or_default()
            .entry(got.clone())
            .or_default() += 1;
        outcomes.push(Outcome {
            id: c.id.clone(),
            question: c.question.clone(),
            agrees: agrees(&c.expected, &got),
            expected: c.expected.clone(),
            got,
            findings,
            ms,
        });
    }
    let security_total = outcomes
        .iter()
        .filter(|o| o.expected == "security_vulnerability")
        .count();
    let security_caught = outcomes
        .iter()
        .filter(|o| o.expected == "security_vulnerability" && o.got == "security_vulnerability")
        .count();
    let safe_total = outcomes
        .iter()
        .filter(|o| o.expected != "security_vulnerability")
        .count();
    let safe_flagged = outcomes
        .iter()
        .filter(|o| o.expected != "security_vulnerability" && o.got == "security_vulnerability")
        .count();
    let mut times: Vec<f64> = outcomes.iter().map(|o| o.ms).collect();
    times.sort_by(f64::total_cmp);
    Report {
        cases: outcomes.len(),
        agreement: ratio(outcomes.iter().filter(|o| o.agrees).count(), outcomes.len()),
        security_caught,
        security_total,
        safe_flagged,
        safe_total,
        confusion,
        p50_ms: percentile(&times, 0.5),
        p95_ms: percentile(&times, 0.95),
        outcomes,
    }
}

/// The report as the lines `viva bench judge` prints.
pub fn render(name: &str, r: &Report) -> String {
    let mut out = format!(
        "{name}: {} answers, agreement {:.1} %, security recall {}/{} ({:.1} %), safe flagged {}/{}, judge p50 {:.2} ms p95 {:.2} ms\n",
        r.cases,
        r.agreement * 100.0,
        r.security_caught,
        r.security_total,
        r.security_recall() * 100.0,
        r.safe_flagged,
        r.safe_total,
        r.p50_ms,
        r.p95_ms
    );
    out.push_str("  confusion (expected → got):\n");
    for (expected, row) in &r.confusion {
        let cells: Vec<String> = row.iter().map(|(g, n)| format!("{g} {n}")).collect();
        out.push_str(&format!("    {expected:<24} {}\n", cells.join(", ")));
    }
    out
}
