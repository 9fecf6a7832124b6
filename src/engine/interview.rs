//! The interview state machine: one question at a time, verdicts by the
//! rubric, two-step edge-case probes, phases that follow the clock and the
//! candidate's running score, adaptive difficulty, and the end conditions.
//!
//! Time is injected: every call passes the session's elapsed seconds, so
//! tests and scripts drive simulated time.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::detectors::{Finding, Severity};
use super::patterns::{any_match, compile_all};
use super::persona::{Level, Persona, PhaseEntry, Question};
use super::rubric::{self, Judgment, Verdict};
use crate::validator::{TurnKind, Validator};

/// One interviewer utterance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub kind: TurnKind,
    pub text: String,
}

/// Why the interview ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    CandidateEnded,
    TimeUp,
    BankExhausted,
    Interrupted,
}

/// Things worth recording, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EngineEvent {
    Question {
        question_id: String,
        level: Level,
        phase: u8,
    },
    Verdict {
        question_id: String,
        candidate_turn: usize,
        judgment: Judgment,
    },
    Probe {
        question_id: String,
        edge_case: String,
    },
    PhaseChange {
        from: u8,
        to: u8,
        minute: f64,
    },
    Difficulty {
        from: Level,
        to: Level,
        reason: String,
    },
    TurnRejected {
        kind: TurnKind,
        text: String,
        reason: String,
    },
    End {
        reason: EndReason,
    },
}

/// What one call produced.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub turns: Vec<Turn>,
    pub events: Vec<EngineEvent>,
    pub finished: bool,
}

/// A judged question, for the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRecord {
    pub question_id: String,
    pub dimension: String,
    pub level: Level,
    pub verdict: Verdict,
    pub score: u8,
    pub judgment: Judgment,
    /// Candidate turn numbers (1-based) of the answers.
    pub candidate_turns: Vec<usize>,
    pub answer: String,
}

#[derive(Debug, Clone)]
struct Pending {
    edge_case: String,
    answer_so_far: String,
}

#[derive(Debug, Clone)]
struct Current {
    id: String,
    started_s: f64,
    answers: Vec<String>,
    turns: Vec<usize>,
    continues: u32,
    probed: HashSet<String>,
    pending: Option<Pending>,
}

impl Current {
    fn new(id: &str, started_s: f64) -> Self {
        Self {
            id: id.to_string(),
            started_s,
            answers: Vec::new(),
            turns: Vec::new(),
            continues: 0,
            probed: HashSet::new(),
            pending: None,
        }
    }
}

/// A running interview.
pub struct Interview<'p> {
    persona: &'p Persona,
    judge: Box<dyn rubric::Judge + 'p>,
    validator: Validator<'p>,
    asked: Vec<String>,
    current: Option<Current>,
    records: Vec<QuestionRecord>,
    phase: u8,
    candidate_turns: usize,
    justified_techs: HashSet<String>,
    finished: Option<EndReason>,
}

const MAX_CONTINUES: u32 = 2;
impl<'p> Interview<'p> {
    /// An interview judged by the deterministic rubric.
    pub fn new(persona: &'p Persona) -> Self {
        Self::with_judge(persona, Box::new(rubric::RubricJudge))
    }

    /// An interview judged by `judge` (e.g. an LLM layered on the rubric).
    pub fn with_judge(persona: &'p Persona, judge: Box<dyn rubric::Judge + 'p>) -> Self {
        Self {
            persona,
            judge,
            validator: Validator::new(persona),
            asked: Vec::new(),
            current: None,
            records: Vec::new(),
            phase: persona.phases.first().map_or(1, |p| p.number),
            candidate_turns: 0,
            justified_techs: HashSet::new(),
            finished: None,
        }
    }

    pub fn persona(&self) -> &Persona {
        self.persona
    }

    pub fn records(&self) -> &[QuestionRecord] {
        &self.records
    }

    pub fn phase(&self) -> u8 {
        self.phase
    }

    pub fn current_question(&self) -> Option<&Question> {
        self.current
            .as_ref()
            .and_then(|c| self.persona.question(&c.id))
    }

    pub fn is_finished(&self) -> bool {
        self.finished.is_some()
    }

    pub fn end_reason(&self) -> Option<EndReason> {
        self.finished
    }

    /// Running average score of judged questions.
    pub fn average(&self) -> Option<f64> {
        if self.records.is_empty() {
            return None;
        }
        Some(
            self.records.iter().map(|r| f64::from(r.score)).sum::<f64>()
                / self.records.len() as f64,
        )
    }

    fn any_security(&self) -> bool {
        self.records
            .iter()
            .any(|r| r.verdict == Verdict::SecurityVulnerability)
    }

    /// Validates a turn; a rejected turn is logged and replaced by the
    /// deterministic fallback `safe` (which is persona data and always valid).
    fn emit(
        &self,
        step: &mut Step,
        kind: TurnKind,
        text: String,
        safe: Option<(TurnKind, String)>,
    ) {
        match self.validator.validate(kind, &text) {
            Ok(()) => step.turns.push(Turn { kind, text }),
            Err(reason) => {
                tracing::warn!(?kind, %text, %reason, "interviewer turn rejected by the template validator");
                step.events.push(EngineEvent::TurnRejected {
                    kind,
                    text,
                    reason: reason.to_string(),
                });
                if let Some((k, t)) = safe {
                    step.turns.push(Turn { kind: k, text: t });
                }
            }
        }
    }

    /// Opens the interview: the persona's opening with the first question.
    pub fn start(&mut self, at_s: f64) -> Step {
        let mut step = Step::default();
        match self.pick_next(at_s, &mut step) {
            Some(q) => {
                let text = format!("{} {}", self.persona.opening, q.text);
                let safe = Some((TurnKind::Question, q.text.clone()));
                self.emit(&mut step, TurnKind::Opening, text, safe);
            }
            None => self.finish_into(&mut step, EndReason::BankExhausted),
        }
        step
    }

    /// Starts directly at one question (for `viva evaluate`), without the opening.
    pub fn start_at(&mut self, question_id: &str, at_s: f64) -> bool {
        let Some(q) = self.persona.question(question_id) else {
            return false;
        };
        self.asked.push(q.id.clone());
        self.current = Some(Current::new(&q.id, at_s));
        true
    }

    /// Ends the interview now (candidate request, interruption).
    pub fn finish(&mut self, reason: EndReason) -> Step {
        let mut step = Step::default();
        self.finish_into(&mut step, reason);
        step
    }

    fn finish_into(&mut self, step: &mut Step, reason: EndReason) {
        if self.finished.is_some() {
            return;
        }
        // A question in progress is recorded with what was said so far.
        if let Some(cur) = self.current.take() {
            if !cur.answers.is_empty() {
                if let Some(q) = self.persona.question(&cur.id) {
                    let answer = cur.answers.join("\n");
                    let j = rubric::judge(self.persona, q, &answer);
                    self.record(q, j, &cur, answer);
                }
            }
        }
        self.finished = Some(reason);
        step.turns.push(Turn {
            kind: TurnKind::Closing,
            text: self.persona.closing.clone(),
        });
        step.events.push(EngineEvent::End { reason });
        step.finished = true;
    }

    fn record(&mut self, q: &Question, judgment: Judgment, cur: &Current, answer: String) {
        self.records.push(QuestionRecord {
            question_id: q.id.clone(),
            dimension: q.dimension.clone(),
            level: q.level,
            verdict: judgment.verdict,
            score: judgment.score,
            judgment,
            candidate_turns: cur.turns.clone(),
            answer,
        });
    }

    /// Handles one candidate answer given `at_s` seconds into the session.
    pub fn answer(&mut self, text: &str, at_s: f64) -> Step {
        self.answer_streaming(text, at_s, &mut |_| {})
    }

    /// Like [`Interview::answer`], and calls `on_opening` with the verdict
    /// template's fixed opening ("Incomplete.", "Incorrect.", …) as soon as
    /// the verdict is known, before the judge has worded the slots, so that
    /// speech can start while the rest is generated. The returned step's
    /// turn begins with the same opening.
    pub fn answer_streaming(
        &mut self,
        text: &str,
        at_s: f64,
        on_opening: &mut dyn FnMut(&str),
    ) -> Step {
        let mut step = Step::default();
        if self.finished.is_some() {
            step.finished = true;
            return step;
        }
        self.candidate_turns += 1;
        let turn_no = self.candidate_turns;
        let persona = self.persona;
        if rubric::is_end_request(persona, text) {
            self.finish_into(&mut step, EndReason::CandidateEnded);
            return step;
        }
        let Some(mut cur) = self.current.take() else {
            self.finish_into(&mut step, EndReason::BankExhausted);
            return step;
        };
        let Some(q) = persona.question(&cur.id) else {
            self.finish_into(&mut step, EndReason::BankExhausted);
            return step;
        };
        // An answer that proposes a vulnerability is judged as one, even if
        // it ends with a question or says "I'm not sure".
        let proposes_flaw = rubric::judge(persona, q, text).first_security().is_some();
        if !proposes_flaw && rubric::is_clarification_request(persona, text) {
            let fact = super::clarification::answer_for(persona, q, text);
            let t = self.validator.render(TurnKind::Clarification, &[&fact]);
            let fallback = self.validator.render(
                TurnKind::Clarification,
                &[&persona.judging.clarification_fallback],
            );
            self.emit(
                &mut step,
                TurnKind::Clarification,
                t,
                Some((TurnKind::Clarification, fallback)),
            );
            self.current = Some(cur);
            return self.after(step, at_s);
        }
        cur.turns.push(turn_no);
        let on_question_s = at_s - cur.started_s;
        let stuck = on_question_s > f64::from(persona.stuck_after_min) * 60.0;

        // Second step of a probe.
        if let Some(p) = cur.pending.take() {
            cur.answers.push(text.to_string());
            let combined = format!("{}\n{}", p.answer_so_far, text);
            if let Some(edge) = persona.edge_cases.iter().find(|e| e.id == p.edge_case) {
                let resolved = edge.resolved_by.is_empty()
                    || any_match(&compile_all(&edge.resolved_by), &rubric::sanitize(text));
                if !resolved {
                    if let Some(follow_up) = &edge.follow_up {
                        let mut j = rubric::judge(persona, q, &combined);
                        let moves_on = follow_up.trim_end().ends_with("Next question.");
                        j.verdict = if follow_up.starts_with("Incorrect") {
                            Verdict::Incorrect
                        } else {
                            Verdict::Incomplete
                        };
                        j.score = j.score.min(persona.scoring.correct_above);
                        step.events.push(EngineEvent::Verdict {
                            question_id: q.id.clone(),
                            candidate_turn: turn_no,
                            judgment: j.clone(),
                        });
                        self.emit(&mut step, TurnKind::EdgeCase, follow_up.clone(), None);
                        if moves_on {
                            self.record(q, j, &cur, combined);
                            return self.next_question(step, at_s, false);
                        }
                        cur.continues += 1;
                        self.current = Some(cur);
                        return self.after(step, at_s);
                    }
                }
            }
            return self.verdict(step, cur, q, combined, turn_no, at_s, stuck, on_opening);
        }
        cur.answers.push(text.to_string());
        let answer = cur.answers.join("\n");
        if !proposes_flaw && rubric::is_dont_know(persona, text) {
            let mut j = rubric::judge(persona, q, &answer);
            j.verdict = Verdict::Stuck;
            step.events.push(EngineEvent::Verdict {
                question_id: q.id.clone(),
                candidate_turn: turn_no,
                judgment: j.clone(),
            });
            let t = self.validator.render(TurnKind::Stuck, &[&q.technique]);
            self.emit(&mut step, TurnKind::Stuck, t, None);
            self.record(q, j, &cur, answer);
            return self.next_question(step, at_s, false);
        }
        self.verdict(step, cur, q, answer, turn_no, at_s, stuck, on_opening)
    }

    /// An edge case to probe before giving a verdict, if any.
    fn probe_for(
        &mut self,
        q: &Question,
        j: &Judgment,
        answer: &str,
        cur: &Current,
    ) -> Option<(String, String)> {
        let persona = self.persona;
        let usable = |trigger: &str| {
            persona
                .edge_case(trigger)
                .filter(|e| e.probe.is_some() && !cur.probed.contains(&e.id))
        };
        if j.findings.iter().any(|f| f.id == "no_error_handling") {
            if let Some(e) = usable("no_error_handling") {
                return Some((e.id.clone(), e.probe.clone().unwrap_or_default()));
            }
        }
        let judging = &persona.judging;
        let auth_missing = j.elements.iter().any(|e| {
            let name = e.element.to_lowercase();
            !e.present
                && judging
                    .authentication_elements
                    .iter()
                    .any(|a| name.contains(&a.to_lowercase()))
        });
        if auth_missing {
            if let Some(e) = usable("missing_authentication") {
                return Some((e.id.clone(), e.probe.clone().unwrap_or_default()));
            }
        }
        if let Some(e) = usable("unjustified_technology") {
            let justified = any_match(&compile_all(&e.resolved_by), answer);
            let named = judging.technologies.iter().find(|t| {
                !self.justified_techs.contains(t.as_str())
                    && super::patterns::Pattern::new(t)
                        .is_ok_and(|p| p.is_match(answer) && !p.is_match(&q.text))
            });
            if let Some(tech) = named {
                self.justified_techs.insert(tech.clone());
                if !justified {
                    let probe = e
                        .probe
                        .clone()
                        .unwrap_or_default()
                        .replace("[technology]", tech);
                    return Some((e.id.clone(), probe));
                }
            }
        }
        if q.level == Level::Fundamental && !judging.complexity_markers.is_empty() {
            let parts = compile_all(&judging.complexity_markers)
                .iter()
                .filter(|p| p.is_match(answer))
                .count();
            if parts >= judging.complexity_threshold {
                if let Some(e) = usable("overly_complex") {
                    return Some((e.id.clone(), e.probe.clone().unwrap_or_default()));
                }
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn verdict(
        &mut self,
        mut step: Step,
        mut cur: Current,
        q: &'p Question,
        answer: String,
        turn_no: usize,
        at_s: f64,
        stuck: bool,
        on_opening: &mut dyn FnMut(&str),
    ) -> Step {
        let persona = self.persona;
        let j = rubric::judge(persona, q, &answer);
        // Security always wins: stop at the first major issue.
        if let Some(f) = j.first_security().cloned() {
            step.events.push(EngineEvent::Verdict {
                question_id: q.id.clone(),
                candidate_turn: turn_no,
                judgment: j.clone(),
            });
            self.say_security(&mut step, &f);
            self.record(q, j, &cur, answer);
            return self.next_question(step, at_s, false);
        }
        if !stuck && j.verdict != Verdict::Correct {
            if let Some((edge_id, probe)) = self.probe_for(q, &j, &answer, &cur) {
                step.events.push(EngineEvent::Probe {
                    question_id: q.id.clone(),
                    edge_case: edge_id.clone(),
                });
                self.emit(&mut step, TurnKind::Probe, probe, None);
                cur.probed.insert(edge_id.clone());
                cur.pending = Some(Pending {
                    edge_case: edge_id,
                    answer_so_far: answer,
                });
                self.current = Some(cur);
                return self.after(step, at_s);
            }
        }
        // The judge (the LLM layered on the rubric, or the rubric alone) has
        // the last word; the opening is announced the moment the verdict is known.
        let j = {
            let validator = &self.validator;
            let continues = cur.continues;
            let mut announce = |v: Verdict| {
                if let Some(opening) = validator.opening(verdict_turn(v, stuck, continues)) {
                    on_opening(&opening);
                }
            };
            self.judge.refine(persona, q, &answer, j, &mut announce)
        };
        let wording = j.llm.as_ref().filter(|o| o.wording_used).cloned();
        step.events.push(EngineEvent::Verdict {
            question_id: q.id.clone(),
            candidate_turn: turn_no,
            judgment: j.clone(),
        });
        match j.verdict {
            Verdict::Correct => {
                self.record(q, j, &cur, answer);
                self.next_question(step, at_s, true)
            }
            _ if stuck => {
                let t = self.validator.render(TurnKind::Stuck, &[&q.technique]);
                self.emit(&mut step, TurnKind::Stuck, t, None);
                let mut j = j;
                if j.verdict == Verdict::Incomplete || j.verdict == Verdict::Incorrect {
                    j.verdict = Verdict::Stuck;
                }
                self.record(q, j, &cur, answer);
                self.next_question(step, at_s, false)
            }
            Verdict::Incomplete if cur.continues < MAX_CONTINUES => {
                let missing = wording
                    .as_ref()
                    .and_then(|o| o.missing.clone())
                    .or_else(|| j.missing().first().map(|m| m.to_string()))
                    .map(|m| format!("Missing {m}"))
                    .unwrap_or_else(|| "Key elements are missing".into());
                let t = self.validator.render(TurnKind::Incomplete, &[&missing]);
                self.emit(&mut step, TurnKind::Incomplete, t, None);
                cur.continues += 1;
                self.current = Some(cur);
                self.after(step, at_s)
            }
            Verdict::Incomplete => {
                let t = self.validator.render(TurnKind::Stuck, &[&q.technique]);
                self.emit(&mut step, TurnKind::Stuck, t, None);
                self.record(q, j, &cur, answer);
                self.next_question(step, at_s, false)
            }
            _ => {
                let llm_words = wording
                    .as_ref()
                    .and_then(|o| Some((o.error.clone()?, o.fix.clone()?)));
                let graded_major = j
                    .findings
                    .iter()
                    .find(|f| f.severity == Severity::Major && !persona_probes(persona, &f.id));
                let (error, explanation) = match (graded_major, llm_words) {
                    (Some(f), _) => (f.issue.clone(), f.fix.clone()),
                    (None, Some(words)) => words,
                    (None, None) => {
                        let missing = j.missing();
                        let error = if missing.is_empty() {
                            "The answer lacks substance".to_string()
                        } else {
                            format!("Missing {}", join_within(&missing, 16))
                        };
                        (error, format!("Use {}", q.technique))
                    }
                };
                let t = self
                    .validator
                    .render(TurnKind::Incorrect, &[&error, &explanation]);
                self.emit(&mut step, TurnKind::Incorrect, t, None);
                self.record(q, j, &cur, answer);
                self.next_question(step, at_s, false)
            }
        }
    }

    fn say_security(&self, step: &mut Step, f: &Finding) {
        debug_assert_eq!(f.severity, Severity::Security);
        if let Some(edge) = self.persona.edge_cases.iter().find(|e| e.trigger == f.id) {
            if let Some(resp) = &edge.response {
                self.emit(step, TurnKind::EdgeCase, resp.clone(), None);
                return;
            }
        }
        let t = self
            .validator
            .render(TurnKind::SecurityVulnerability, &[&f.issue, &f.fix]);
        self.emit(step, TurnKind::SecurityVulnerability, t, None);
    }

    /// Moves to the next question. After "Correct." the question is part of
    /// the same turn; after other templates it is its own turn.
    fn next_question(&mut self, mut step: Step, at_s: f64, embed_in_correct: bool) -> Step {
        if at_s >= f64::from(self.persona.duration_min) * 60.0 {
            // "Correct. [Next question]" needs a next question: at time-up
            // the closing follows directly.
            self.finish_into(&mut step, EndReason::TimeUp);
            return step;
        }
        match self.pick_next(at_s, &mut step) {
            Some(q) => {
                if embed_in_correct {
                    let t = self.validator.render(TurnKind::Correct, &[&q.text]);
                    self.emit(
                        &mut step,
                        TurnKind::Correct,
                        t,
                        Some((TurnKind::Question, q.text.clone())),
                    );
                } else {
                    self.emit(&mut step, TurnKind::Question, q.text.clone(), None);
                }
            }
            None => self.finish_into(&mut step, EndReason::BankExhausted),
        }
        step
    }

    fn after(&mut self, mut step: Step, at_s: f64) -> Step {
        if at_s >= f64::from(self.persona.duration_min) * 60.0 {
            self.finish_into(&mut step, EndReason::TimeUp);
        }
        step
    }

    /// Whether the candidate's record meets a phase's entry condition.
    fn meets(&self, entry: PhaseEntry) -> bool {
        let s = &self.persona.scoring;
        let fundamentals: Vec<u8> = self
            .records
            .iter()
            .filter(|r| r.level == Level::Fundamental)
            .map(|r| r.score)
            .collect();
        let fundamentals_ok = fundamentals.is_empty()
            || fundamentals.iter().map(|&x| f64::from(x)).sum::<f64>() / fundamentals.len() as f64
                >= f64::from(s.incomplete_from);
        let avg = self.average().unwrap_or(0.0);
        match entry {
            PhaseEntry::Any => true,
            PhaseEntry::Solid => fundamentals_ok && !self.records.is_empty(),
            PhaseEntry::Strong => {
                fundamentals_ok && avg >= f64::from(s.strong_average) && !self.any_security()
            }
            PhaseEntry::Exceptional => fundamentals_ok && avg >= 90.0 && !self.any_security(),
        }
    }

    fn pick_next(&mut self, at_s: f64, step: &mut Step) -> Option<&'p Question> {
        let persona = self.persona;
        let minute = at_s / 60.0;
        let clock_phase = persona.phase_at(minute);
        // The highest phase up to the clock's that the candidate qualifies for.
        let phase = persona
            .phases
            .iter()
            .rfind(|p| p.number <= clock_phase.number && self.meets(p.entry))
            .unwrap_or(&persona.phases[0]);
        if phase.number != self.phase {
            step.events.push(EngineEvent::PhaseChange {
                from: self.phase,
                to: phase.number,
                minute,
            });
            self.phase = phase.number;
        }
        let last = self.records.last();
        let last_level = last.map_or(Level::Fundamental, |r| r.level);
        let s = &persona.scoring;
        let avg = self.average().unwrap_or(100.0);
        let max_level = phase
            .levels
            .iter()
            .copied()
            .max()
            .unwrap_or(Level::Fundamental);
        let min_level = phase
            .levels
            .iter()
            .copied()
            .min()
            .unwrap_or(Level::Fundamental);
        let (target, reason) = if avg < f64::from(s.struggling_below) {
            (Level::Fundamental, "struggling: back to fundamentals")
        } else if last.is_some_and(|r| r.verdict == Verdict::Correct)
            && avg >= f64::from(s.strong_average)
        {
            let up = match last_level {
                Level::Fundamental => Level::Standard,
                _ => Level::Advanced,
            };
            (up.min(max_level), "strong answer: harder question")
        } else {
            (last_level.clamp(min_level, max_level), "same level")
        };
        if last.is_some() && target != last_level {
            step.events.push(EngineEvent::Difficulty {
                from: last_level,
                to: target,
                reason: reason.to_string(),
            });
        }
        // A follow-up on what the candidate just said comes first ("Why did
        // you add an index on this field?"), never two in a row.
        let compiled = persona.compiled();
        let last_was_follow_up = last
            .and_then(|r| persona.question(&r.question_id))
            .is_some_and(|q| !q.after.is_empty());
        let follow_up = if last_was_follow_up {
            None
        } else {
            last.and_then(|r| {
                let said = rubric::prepare(persona, &r.answer);
                persona.questions.iter().enumerate().find(|(i, q)| {
                    !q.after.is_empty()
                        && !self.asked.contains(&q.id)
                        && compiled
                            .after(*i)
                            .is_some_and(|pats| any_match(pats, &said))
                })
            })
            .map(|(_, q)| q)
        };
        let unasked = |q: &&Question| !self.asked.contains(&q.id) && q.after.is_empty();
        let order = [target, Level::Fundamental, Level::Standard, Level::Advanced];
        // Otherwise the target level, then the phase's other levels, then
        // the nearest level outside the phase: the interview runs its full
        // time, it does not end because one level's questions are used up.
        let by_distance = |l: Level| (l as i32 - target as i32).abs();
        let mut levels = [Level::Fundamental, Level::Standard, Level::Advanced];
        levels.sort_by_key(|l| (by_distance(*l), *l > target));
        let pick = follow_up
            .or_else(|| {
                order
                    .iter()
                    .filter(|l| phase.levels.contains(l) || **l == target)
                    .find_map(|l| {
                        persona
                            .questions
                            .iter()
                            .filter(unasked)
                            .find(|q| q.level == *l)
                    })
            })
            .or_else(|| {
                levels.iter().find_map(|l| {
                    persona
                        .questions
                        .iter()
                        .filter(unasked)
                        .find(|q| q.level == *l)
                })
            })?;
        self.asked.push(pick.id.clone());
        self.current = Some(Current::new(&pick.id, at_s));
        step.events.push(EngineEvent::Question {
            question_id: pick.id.clone(),
            level: pick.level,
            phase: self.phase,
        });
        Some(pick)
    }
}

/// True if the persona answers this finding with a probe before grading it.
fn persona_probes(persona: &Persona, id: &str) -> bool {
    persona.edge_case(id).is_some_and(|e| e.probe.is_some())
}

/// The turn a verdict leads to (must agree with `Interview::verdict`).
fn verdict_turn(verdict: Verdict, stuck: bool, continues: u32) -> TurnKind {
    match verdict {
        Verdict::Correct => TurnKind::Correct,
        _ if stuck => TurnKind::Stuck,
        Verdict::Incomplete if continues < MAX_CONTINUES => TurnKind::Incomplete,
        Verdict::Incomplete => TurnKind::Stuck,
        _ => TurnKind::Incorrect,
    }
}

/// As many of `items` as fit in `max_words`, as a list (a spoken slot is
/// one short sentence).
fn join_within(items: &[&str], max_words: usize) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for item in items {
        let mut trial = kept.clone();
        trial.push(item);
        if join_list(&trial).split_whitespace().count() > max_words && !kept.is_empty() {
            break;
        }
        kept = trial;
    }
    join_list(&kept)
}

fn join_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}
