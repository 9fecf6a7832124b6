//! A full 45-minute interview for every candidate: scripted weak, average
//! and strong candidates on the injected clock each reach time-up, are never
//! asked the same question twice, are probed on what they said, and leave a
//! scorecard whose evidence quotes their own words. Clarifications are
//! answered with the persona's facts; a second persona runs by its own data.

use std::collections::HashSet;
use std::path::Path;

use viva::engine::persona::Question;
use viva::engine::rubric::Verdict;
use viva::engine::{scorecard, EndReason, EngineEvent, Interview, Persona};
use viva::validator::{TurnKind, Validator};

fn persona(name: &str) -> Persona {
    Persona::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("personas/{name}.toml")))
        .expect("persona loads")
}

/// A plain phrase of a pattern that the pattern itself matches.
fn plain(pattern: &str) -> Option<String> {
    let first = pattern.split('~').next()?.split('|').next()?.trim();
    if first.contains(['*', '?']) || first.is_empty() {
        return None;
    }
    Some(first.to_string())
}

/// An answer showing every expected element, in sentences.
fn strong(q: &Question) -> String {
    let parts: Vec<String> = q
        .expected
        .iter()
        .filter_map(|e| e.patterns.iter().find_map(|p| plain(p)))
        .collect();
    format!(
        "In production I would rely on {}. I chose each of these for a concrete reason and I would monitor them with metrics and alerts.",
        parts.join(", then ")
    )
}

/// An answer showing about half of the elements.
fn average(q: &Question, n: usize) -> String {
    if n.is_multiple_of(2) {
        strong(q)
    } else {
        let half: Vec<String> = q
            .expected
            .iter()
            .take(q.expected.len() / 2)
            .filter_map(|e| e.patterns.iter().find_map(|p| plain(p)))
            .collect();
        format!(
            "I think I would use {} for this, and keep it simple.",
            half.join(" and ")
        )
    }
}

fn weak(_q: &Question, n: usize) -> String {
    match n % 5 {
        0 => "I would put it in a table and add an index on the email column so it is fast.".into(),
        1 => "I'm not sure, I would just write the code and see if it works.".into(),
        2 => "I would use a transaction somewhere I guess, and return the data as JSON.".into(),
        3 => "I don't know.".into(),
        _ => "Probably a simple endpoint that saves whatever the user sends.".into(),
    }
}

struct Run {
    asked: Vec<String>,
    end: Option<EndReason>,
    last_clock_s: f64,
    answers: Vec<String>,
    rejected: usize,
    card: scorecard::Scorecard,
    phases: HashSet<u8>,
}

fn run(
    persona: &Persona,
    answer: &dyn Fn(&Question, usize) -> String,
    seconds_per_answer: f64,
) -> Run {
    let validator = Validator::new(persona);
    let mut i = Interview::new(persona);
    let mut asked = Vec::new();
    let mut rejected = 0;
    let mut phases = HashSet::new();
    let mut collect = |step: &viva::engine::Step, asked: &mut Vec<String>| {
        for e in &step.events {
            match e {
                EngineEvent::Question {
                    question_id, phase, ..
                } => {
                    asked.push(question_id.clone());
                    phases.insert(*phase);
                }
                EngineEvent::TurnRejected { text, reason, .. } => {
                    eprintln!("rejected: {text:?}: {reason}");
                    rejected += 1
                }
                _ => {}
            }
        }
        for t in &step.turns {
            assert!(
                validator.validate(t.kind, &t.text).is_ok(),
                "every turn passes the template validator: {:?} {:?}",
                t.kind,
                t.text
            );
        }
    };
    let step = i.start(0.0);
    collect(&step, &mut asked);
    let mut clock = 0.0;
    let mut answers = Vec::new();
    for n in 0..400 {
        if i.is_finished() {
            break;
        }
        let q = i.current_question().expect("a question is open").clone();
        let text = answer(&q, n);
        clock += seconds_per_answer;
        answers.push(text.clone());
        let step = i.answer(&text, clock);
        collect(&step, &mut asked);
    }
    let card = scorecard::build(persona, i.records());
    Run {
        asked,
        end: i.end_reason(),
        last_clock_s: clock,
        answers,
        rejected,
        card,
        phases,
    }
}

fn check_full_length(name: &str, r: &Run) {
    assert_eq!(
        r.end,
        Some(EndReason::TimeUp),
        "{name}: the interview runs to time-up"
    );
    assert!(
        r.last_clock_s >= 45.0 * 60.0,
        "{name}: ended at {} s",
        r.last_clock_s
    );
    let unique: HashSet<&String> = r.asked.iter().collect();
    assert_eq!(
        unique.len(),
        r.asked.len(),
        "{name}: a question was asked twice: {:?}",
        r.asked
    );
    assert!(
        r.asked.len() >= 15,
        "{name}: only {} questions in 45 minutes",
        r.asked.len()
    );
    assert_eq!(r.rejected, 0, "{name}: a turn was rejected");
    // Evidence quotes the candidate's own words.
    let said = r
        .answers
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for e in r.card.weaknesses.iter().chain(&r.card.competencies) {
        let quote = e
            .quote
            .trim_end_matches('…')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let quote = quote.as_str();
        assert!(
            said.contains(quote) || said.to_lowercase().contains(&quote.to_lowercase()),
            "{name}: evidence {quote:?} is not the candidate's words"
        );
    }
}

#[test]
fn weak_average_and_strong_candidates_each_get_45_minutes() {
    let p = persona("backend-engineer");
    let weak_run = run(&p, &weak, 90.0);
    check_full_length("weak", &weak_run);
    assert!(
        ["Strong No", "No"].contains(&weak_run.card.recommendation.as_str()),
        "{}",
        weak_run.card.recommendation
    );
    // Probed on what they said: the index they named, the transaction they mentioned.
    assert!(
        weak_run
            .asked
            .iter()
            .any(|q| p.question(q).is_some_and(|q| !q.after.is_empty())),
        "a struggling candidate gets follow-ups on their own words: {:?}",
        weak_run.asked
    );
    // Fundamentals first: the seed's verification questions are asked.
    assert!(
        weak_run.asked.contains(&"q14".to_string()),
        "{:?}",
        weak_run.asked
    );

    let avg = run(&p, &average, 100.0);
    check_full_length("average", &avg);

    let strong_run = run(&p, &|q, _| strong(q), 110.0);
    check_full_length("strong", &strong_run);
    assert!(
        ["Yes", "Strong Yes"].contains(&strong_run.card.recommendation.as_str()),
        "{} {:?}",
        strong_run.card.recommendation,
        strong_run.card.dimensions
    );
    assert!(
        strong_run.phases.contains(&4),
        "a strong candidate reaches phase 4: {:?}",
        strong_run.phases
    );
}

#[test]
fn clarifications_are_answered_with_the_personas_facts() {
    let p = persona("backend-engineer");
    let cases = [
        (
            "q4",
            "Should I assume PostgreSQL here?",
            "Assume PostgreSQL",
        ),
        ("q5", "Is the limit global or per API key?", "per API key"),
        (
            "q2",
            "before I write it, do you want me to support guest checkout or social login?",
            "Email and password registration only",
        ),
    ];
    for (qid, ask, fact) in cases {
        let mut i = Interview::new(&p);
        i.start_at(qid, 0.0);
        let step = i.answer(ask, 20.0);
        let turn = &step.turns[0];
        assert_eq!(turn.kind, TurnKind::Clarification, "{ask}");
        assert!(turn.text.contains(fact), "{ask} → {}", turn.text);
        assert!(turn.text.ends_with(". Continue."), "{}", turn.text);
        assert!(
            i.records().is_empty(),
            "a clarification never counts against the candidate"
        );
        assert_eq!(i.current_question().map(|q| q.id.as_str()), Some(qid));
    }
    // No fact for it: the persona's neutral fallback.
    let mut i = Interview::new(&p);
    i.start_at("q11", 0.0);
    let step = i.answer("Is it OK if I draw this on a whiteboard?", 20.0);
    assert_eq!(step.turns[0].kind, TurnKind::Clarification);
    assert!(
        step.turns[0]
            .text
            .starts_with(&p.judging.clarification_fallback),
        "{}",
        step.turns[0].text
    );
}

#[test]
fn a_second_persona_runs_by_its_own_rules() {
    let p = persona("frontend-engineer");
    assert!(p.questions.len() >= 20);
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frontend-interview.txt"),
    )
    .unwrap();
    let answers: Vec<&str> = script
        .split("\n---\n")
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let validator = Validator::new(&p);
    let mut i = Interview::new(&p);
    i.start(0.0);
    let mut verdicts = Vec::new();
    for (n, a) in answers.iter().enumerate() {
        let step = i.answer(a, 60.0 * (n + 1) as f64);
        for t in &step.turns {
            assert!(validator.validate(t.kind, &t.text).is_ok(), "{:?}", t.text);
        }
        for e in &step.events {
            if let EngineEvent::Verdict { judgment, .. } = e {
                verdicts.push(judgment.verdict);
            }
        }
        if step.finished {
            break;
        }
    }
    assert_eq!(i.end_reason(), Some(EndReason::CandidateEnded));
    assert!(
        verdicts.contains(&Verdict::SecurityVulnerability),
        "the XSS answer is caught: {verdicts:?}"
    );
    assert!(verdicts.contains(&Verdict::Correct));
    let card = scorecard::build(&p, i.records());
    let names: Vec<&str> = card.dimensions.iter().map(|d| d.name.as_str()).collect();
    assert!(names.contains(&"Web Security Awareness"), "{names:?}");
    assert!(!names.contains(&"Database Competence"));
    // Its security dimension is capped by the XSS answer.
    let sec = card
        .dimensions
        .iter()
        .find(|d| d.id == p.judging.security_dimension)
        .unwrap();
    assert!(sec.score <= 2);
}
