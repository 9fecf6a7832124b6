//! The post-interview scorecard: 1–5 per persona dimension, a
//! recommendation, and weaknesses and competencies backed by quotes with turn
//! numbers.

use serde::{Deserialize, Serialize};

use super::detectors::Severity;
use super::interview::QuestionRecord;
use super::persona::Persona;
use super::rubric::Verdict;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    /// 1–5.
    pub score: u8,
    /// Questions that informed it.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub summary: String,
    pub question_id: String,
    pub turn: usize,
    pub quote: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub persona: String,
    pub dimensions: Vec<DimensionScore>,
    pub recommendation: String,
    pub recommendation_reason: String,
    pub weaknesses: Vec<Evidence>,
    pub competencies: Vec<Evidence>,
    pub questions_answered: usize,
}

fn to_five(avg: f64) -> u8 {
    (1.0 + (avg / 25.0).round()).clamp(1.0, 5.0) as u8
}

fn first_turn(r: &QuestionRecord) -> usize {
    r.candidate_turns.first().copied().unwrap_or(0)
}

fn quote(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 140 {
        format!("{}…", t.chars().take(140).collect::<String>())
    } else {
        t
    }
}

/// Builds the scorecard from the judged questions.
pub fn build(persona: &Persona, records: &[QuestionRecord]) -> Scorecard {
    let mut dimensions = Vec::new();
    for d in &persona.scorecard.dimensions {
        let relevant: Vec<&QuestionRecord> = records
            .iter()
            .filter(|r| {
                r.dimension == d.id
                    || (persona.judging.code_quality_dimension.as_deref() == Some(d.id.as_str())
                        && super::detectors::looks_like_code(&r.answer))
            })
            .collect();
        let mut score = if relevant.is_empty() {
            // Not assessed: the lowest evidence-free score, as the report says.
            1
        } else {
            to_five(
                relevant.iter().map(|r| f64::from(r.score)).sum::<f64>() / relevant.len() as f64,
            )
        };
        // Security awareness is judged on every answer: one vulnerability caps it.
        if d.id == persona.judging.security_dimension {
            let vulns = records
                .iter()
                .filter(|r| {
                    r.judgment
                        .findings
                        .iter()
                        .any(|f| f.severity == Severity::Security)
                })
                .count();
            if vulns > 0 {
                score = score.min(2);
                if vulns > 1 {
                    score = 1;
                }
            } else if relevant.is_empty() && !records.is_empty() {
                score = to_five(
                    records.iter().map(|r| f64::from(r.score)).sum::<f64>() / records.len() as f64,
                )
                .min(3);
            }
        }
        if persona.judging.code_quality_dimension.as_deref() == Some(d.id.as_str()) {
            let quality_issues = records
                .iter()
                .flat_map(|r| &r.judgment.findings)
                .any(|f| f.severity == Severity::Major);
            if quality_issues {
                score = score.min(2);
            }
        }
        dimensions.push(DimensionScore {
            id: d.id.clone(),
            name: d.name.clone(),
            score,
            evidence: relevant.iter().map(|r| r.question_id.clone()).collect(),
        });
    }
    let mean = if dimensions.is_empty() {
        1.0
    } else {
        dimensions.iter().map(|d| f64::from(d.score)).sum::<f64>() / dimensions.len() as f64
    };
    let recs = &persona.scorecard.recommendations;
    let idx = (((mean - 1.0) / 4.0) * (recs.len() as f64 - 1.0)).round() as usize;
    let mut idx = idx.min(recs.len() - 1);
    let mut reason = format!("mean dimension score {mean:.1} of 5");
    if let Some(req) = &persona.scorecard.hire_requires {
        let got = dimensions
            .iter()
            .find(|d| d.id == req.dimension)
            .map_or(0, |d| d.score);
        // Any recommendation above the middle is a hire recommendation.
        let neutral = recs.len() / 2;
        if got < req.min_score && idx > neutral.saturating_sub(1) {
            idx = neutral.saturating_sub(1);
            reason = format!(
                "{} scored {got}; {}+ is required for any hire recommendation",
                persona.dimension_name(&req.dimension),
                req.min_score
            );
        }
    }
    let mut weaknesses = Vec::new();
    let mut competencies = Vec::new();
    for r in records {
        let turn = first_turn(r);
        for f in &r.judgment.findings {
            weaknesses.push(Evidence {
                summary: f.issue.clone(),
                question_id: r.question_id.clone(),
                turn,
                quote: quote(&f.evidence),
            });
        }
        if r.verdict != Verdict::Correct {
            let missing = r.judgment.missing();
            if !missing.is_empty() {
                weaknesses.push(Evidence {
                    summary: format!("Did not cover {}", missing.join(", ")),
                    question_id: r.question_id.clone(),
                    turn,
                    quote: quote(&r.answer),
                });
            }
        }
        if matches!(r.verdict, Verdict::Correct | Verdict::Incomplete) {
            for e in r.judgment.elements.iter().filter(|e| e.present) {
                competencies.push(Evidence {
                    summary: e.element.clone(),
                    question_id: r.question_id.clone(),
                    turn,
                    quote: quote(e.quote.as_deref().unwrap_or_default()),
                });
            }
        }
    }
    Scorecard {
        persona: persona.id.clone(),
        dimensions,
        recommendation: recs[idx].clone(),
        recommendation_reason: reason,
        weaknesses,
        competencies,
        questions_answered: records.len(),
    }
}

impl Scorecard {
    /// The Markdown report.
    pub fn to_markdown(&self, persona: &Persona) -> String {
        let mut s = format!("# Interview scorecard — {}\n\n", persona.name);
        s.push_str(&format!(
            "**Recommendation:** {} ({})\n\n",
            self.recommendation, self.recommendation_reason
        ));
        s.push_str("| Dimension | Score (1–5) | Questions |\n|---|---|---|\n");
        for d in &self.dimensions {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                d.name,
                d.score,
                if d.evidence.is_empty() {
                    "not assessed".to_string()
                } else {
                    d.evidence.join(", ")
                }
            ));
        }
        s.push_str("\n## Technical weaknesses\n\n");
        if self.weaknesses.is_empty() {
            s.push_str("None recorded.\n");
        }
        for w in &self.weaknesses {
            s.push_str(&format!(
                "- {} ({}, turn {}): \"{}\"\n",
                w.summary, w.question_id, w.turn, w.quote
            ));
        }
        s.push_str("\n## Demonstrated competencies\n\n");
        if self.competencies.is_empty() {
            s.push_str("None recorded.\n");
        }
        for c in &self.competencies {
            s.push_str(&format!(
                "- {} ({}, turn {}): \"{}\"\n",
                c.summary, c.question_id, c.turn, c.quote
            ));
        }
        s
    }
}
