//! The judgment measured on the labeled development corpus
//! (`tests/data/judge/*.jsonl`, written for Viva) and on the held-out set
//! (`tests/data/judge-holdout`, never used for tuning or for training the
//! security text model): agreement with the
//! label, vulnerable answers caught, safe answers flagged. `viva bench judge`
//! prints the same figures with the confusion per verdict.

use std::path::Path;

use viva::engine::rubric::RubricJudge;
use viva::engine::Persona;
use viva::evaluation::{self, Report};

fn report(corpus: &str) -> Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let persona = Persona::from_file(&root.join("personas/backend-engineer.toml")).unwrap();
    let cases = evaluation::load_corpus(&root.join(corpus)).unwrap();
    evaluation::run(&persona, &mut RubricJudge, &cases)
}

fn misses(r: &Report) -> String {
    r.disagreements()
        .map(|o| {
            format!(
                "{} {}: expected {} got {} {:?}",
                o.id, o.question, o.expected, o.got, o.findings
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn development_corpus_agreement_recall_and_no_false_flags() {
    let r = report("tests/data/judge");
    println!("{}", evaluation::render("development corpus", &r));
    assert!(r.cases >= 300, "the corpus has {} answers", r.cases);
    assert!(
        r.agreement >= AGREEMENT,
        "agreement {:.3}\n{}",
        r.agreement,
        misses(&r)
    );
    assert!(
        r.security_recall() >= RECALL,
        "security recall {}/{}\n{}",
        r.security_caught,
        r.security_total,
        misses(&r)
    );
    assert!(
        r.safe_flagged == SAFE_FLAGGED,
        "{} of {} safe answers flagged (the goal is none)\n{}",
        r.safe_flagged,
        r.safe_total,
        misses(&r)
    );
}

#[test]
fn held_out_corpus_generalises() {
    let r = report("tests/data/judge-holdout");
    println!("{}", evaluation::render("held-out corpus", &r));
    assert!(
        r.agreement >= HOLDOUT_AGREEMENT,
        "held-out agreement {:.3}\n{}",
        r.agreement,
        misses(&r)
    );
    assert!(
        r.security_recall() >= HOLDOUT_RECALL,
        "held-out security recall {}/{}\n{}",
        r.security_caught,
        r.security_total,
        misses(&r)
    );
    assert!(
        r.safe_flagged <= HOLDOUT_SAFE_FLAGGED,
        "held-out safe flagged {}\n{}",
        r.safe_flagged,
        misses(&r)
    );
}

#[test]
fn corpus_errors_name_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("viva-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.jsonl");
    std::fs::write(&f, "{\"id\":\"a\",\"question\":\"q1\",\"answer\":\"x\",\"expected\":\"correct\"}\n{\"id\":\"b\",\"question\":\"q1\",\"answer\":\"x\",\"expected\":\"great\"}\n").unwrap();
    let err = evaluation::load_corpus(&dir).unwrap_err().to_string();
    assert!(
        err.contains("bad.jsonl") && err.contains("line 2") && err.contains("great"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

// Thresholds: the figures measured when this was written, rounded down (see
// docs/performance.md); raise them as the judgment improves.
const AGREEMENT: f64 = 0.98;
const RECALL: f64 = 1.0;
/// The goal: no safe answer in the development corpus is flagged.
const SAFE_FLAGGED: usize = 0;
const HOLDOUT_AGREEMENT: f64 = 0.90;
const HOLDOUT_RECALL: f64 = 0.90;
const HOLDOUT_SAFE_FLAGGED: usize = 19;
