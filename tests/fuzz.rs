//! Property-based fuzzing (proptest) of everything that reads untrusted
//! bytes: the persona parser, the script parser, the journal loader and the
//! template validator. Each target first runs the saved corpus in
//! `tests/fuzz-corpus/<target>/` (add a file there for every crash found),
//! then random and mutated inputs. Short and seeded in `scripts/test`;
//! longer runs: `PROPTEST_CASES=100000 cargo test --release --test fuzz`.

mod common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use viva::engine::Persona;
use viva::session::{load_journal, verify_journal, Session};
use viva::validator::{TurnKind, Validator};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x7669_7661),
        failure_persistence: None,
        ..Config::default()
    }
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = common::repo().join("tests/fuzz-corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

/// A real file with one byte replaced, some bytes cut, or bytes inserted.
fn mutated(original: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = original.len().max(1);
    (0..len, any::<u8>(), 0..3usize, 0..64usize).prop_map(move |(at, byte, how, n)| {
        let mut b = original.clone();
        let at = at.min(b.len());
        match how {
            0 if at < b.len() => b[at] = byte,
            1 => b.truncate(at),
            _ => {
                let end = (at + n).min(b.len());
                b.splice(at..end, std::iter::repeat_n(byte, n % 7));
            }
        }
        b
    })
}

fn parse_persona(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = Persona::parse(&text, Path::new("fuzz.toml"));
}

#[test]
fn persona_parser_never_panics() {
    for (_, b) in corpus("persona") {
        parse_persona(&b);
    }
    // The test personas are seeds too (kept once, in tests/data).
    parse_persona(&std::fs::read(common::repo().join("tests/data/mini-sql.toml")).unwrap());
    let real = std::fs::read(common::repo().join("personas/backend-engineer.toml")).unwrap();
    proptest!(config(), |(b in mutated(real.clone()))| parse_persona(&b));
    proptest!(config(), |(s in ".{0,400}")| parse_persona(s.as_bytes()));
}

#[test]
fn script_parser_never_panics_and_keeps_its_promises() {
    for (p, b) in corpus("script") {
        let jsonl = p.extension().is_some_and(|e| e == "jsonl");
        let _ = viva::script::parse(&b, jsonl, 60.0);
    }
    let check = |b: &[u8], jsonl: bool| {
        if let Ok(answers) = viva::script::parse(b, jsonl, 60.0) {
            for a in answers {
                assert!(!a.text.trim().is_empty());
                assert!((0.0..=86_400.0).contains(&a.seconds));
            }
        }
    };
    proptest!(config(), |(b in proptest::collection::vec(any::<u8>(), 0..300), jsonl in any::<bool>())| check(&b, jsonl));
    let sample = br#"{"answer": "I would use Redis.", "elapsed_s": 90}
{"answer": "end the interview"}
"#
    .to_vec();
    proptest!(config(), |(b in mutated(sample.clone()))| check(&b, true));
}

#[test]
fn journal_loader_never_panics_and_detects_every_flipped_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    for (_, b) in corpus("journal") {
        std::fs::write(&path, &b).unwrap();
        let _ = load_journal(&path);
        let _ = verify_journal(&path);
    }
    // A real journal.
    let mut s = Session::create(Some(dir.path().join("real"))).unwrap();
    for i in 0..4 {
        s.log(&serde_json::json!({"event": "candidate", "turn": i, "text": format!("answer {i} ü"), "at_s": 60.5 * i as f64}))
            .unwrap();
    }
    let real_path = dir.path().join("real/journal.jsonl");
    let real = std::fs::read(&real_path).unwrap();
    proptest!(config(), |(at in 0..real.len(), byte in any::<u8>())| {
        prop_assume!(real[at] != byte);
        let mut b = real.clone();
        b[at] = byte;
        std::fs::write(&path, &b).unwrap();
        prop_assert!(verify_journal(&path).is_err(), "byte {} changed to {:#x} went unnoticed", at, byte);
        let _ = load_journal(&path);
    });
    proptest!(config(), |(b in mutated(real.clone()))| {
        std::fs::write(&path, &b).unwrap();
        let _ = verify_journal(&path);
        if let Ok(loaded) = load_journal(&path) {
            // What loads is a prefix of the real entries.
            prop_assert!(loaded.complete_len as usize <= b.len());
        }
    });
}

#[test]
fn validator_never_panics_and_accepts_only_template_shapes() {
    let persona = Persona::load("backend-engineer").unwrap();
    let validator = Validator::new(&persona);
    let kinds = [
        TurnKind::Opening,
        TurnKind::Correct,
        TurnKind::SecurityVulnerability,
        TurnKind::Incomplete,
        TurnKind::Incorrect,
        TurnKind::Stuck,
        TurnKind::Clarification,
        TurnKind::Question,
        TurnKind::Probe,
        TurnKind::EdgeCase,
        TurnKind::Closing,
    ];
    let check = |text: &str| {
        for kind in kinds {
            if validator.validate(kind, text).is_ok() {
                assert!(text.len() <= viva::validator::MAX_TURN_CHARS);
                assert!(!text.contains('\n'));
                if let Some(opening) = validator.opening(kind) {
                    assert!(text.starts_with(&opening), "{kind:?} accepted {text:?}");
                }
            }
        }
        let _ = validator.validate_free_sentence(text);
    };
    for (_, b) in corpus("validator") {
        check(&String::from_utf8_lossy(&b));
    }
    proptest!(config(), |(s in ".{0,300}")| check(&s));
    proptest!(config(), |(slot in "[A-Za-z ,.'?]{0,200}")| {
        check(&format!("Incomplete. {slot}. Continue."));
        check(&format!("Incorrect. {slot}. Correct approach: {slot}. Next question."));
    });
}

/// A whisper.cpp f16 header (magic, 10 hyper-parameters, ftype 1) followed by
/// `rest`: what `viva models install` quantizes.
fn ggml_f16_file(rest: &[u8]) -> Vec<u8> {
    let mut bytes = 0x6767_6d6c_u32.to_le_bytes().to_vec();
    for v in [51_864i32, 1500, 384, 6, 4, 448, 384, 6, 4, 80] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(&1i32.to_le_bytes());
    bytes.extend_from_slice(rest);
    bytes
}

#[test]
fn model_header_parsers_never_panic_on_sizes_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.bin");
    let output = dir.path().join("out.bin");
    // Sizes that overflow when multiplied, or claim more than the file has.
    let huge = i32::MAX.to_le_bytes();
    let mut overflow = Vec::new();
    for _ in 0..2 {
        overflow.extend_from_slice(&huge);
    }
    let quantize = |rest: &[u8]| {
        std::fs::write(&input, ggml_f16_file(rest)).unwrap();
        let _ = viva::models::ggml_quantize::quantize_q8_0(&input, &output);
    };
    quantize(&overflow);
    proptest!(config(), |(rest in proptest::collection::vec(any::<u8>(), 0..200))| quantize(&rest));
    proptest!(config(), |(words in proptest::collection::vec(prop_oneof![Just(i32::MAX), Just(0), Just(1), Just(2), Just(4), 0i32..100], 0..40))| {
        let rest: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        quantize(&rest);
    });

    // CTranslate2: version 6, a spec name, then variables whose shapes come
    // from the file.
    let ct2 = |rest: &[u8]| {
        let mut bytes = 6u32.to_le_bytes().to_vec();
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(b"x\0");
        bytes.extend_from_slice(rest);
        let _ = viva::models::ct2::Ct2Model::parse(&bytes, Path::new("model.bin"));
    };
    proptest!(config(), |(words in proptest::collection::vec(prop_oneof![Just(u32::MAX), Just(0), Just(1), Just(3), 0u32..64], 0..40))| {
        let rest: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        ct2(&rest);
    });
    proptest!(config(), |(rest in proptest::collection::vec(any::<u8>(), 0..200))| ct2(&rest));
}
