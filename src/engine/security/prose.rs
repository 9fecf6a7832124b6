//! Vulnerabilities stated in words: a catalogue pattern that occurs in a
//! sentence that is a statement (not a question), whose flaw (the pattern's
//! last part) is not negated or judged as bad in its clause, and that the
//! sentence (or a correction right after it) does not redeem with one of
//! the entry's `unless` phrases.

use std::ops::Range;

use super::super::language;
use super::super::patterns::Pattern;

/// True if an `unless` phrase occurs in `within`, outside the flaw's own
/// words and not itself denied ("without hashing" does not redeem).
fn redeemed(
    answer: &str,
    within: &Range<usize>,
    unless: &[Pattern],
    flaw_terms: &[Range<usize>],
) -> bool {
    let text = &answer[..within.end];
    unless.iter().any(|p| {
        p.occurrences(text).into_iter().any(|o| {
            o.sentence.start >= within.start
                // Inside the flaw's own words ("without hashing") it does not
                // redeem; reaching beyond them ("secrets manager") it does.
                && !o.terms.iter().any(|t| {
                    flaw_terms
                        .iter()
                        .any(|f| f.start <= t.start && t.end <= f.end)
                })
                && !o
                    .terms
                    .iter()
                    .any(|t| language::is_element_negated(answer, &o.sentence, t))
        })
    })
}

/// Words that are English and rarely code: a sentence with several of them
/// is prose even when it quotes a schema or a route ("users(id, password
/// varchar(64)) storing the password exactly as typed").
const PROSE_WORDS: &[&str] = &[
    "the", "a", "an", "we", "our", "they", "their", "them", "you", "your", "i", "that", "which",
    "who", "so", "just", "only", "because", "when", "can", "will", "should", "would", "be", "was",
    "were", "has", "have", "every", "any", "each", "of", "to", "by", "are", "but", "on", "at",
    "into", "then", "also", "it", "exactly", "with", "as",
];

fn code_call() -> &'static regex::Regex {
    static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        regex::Regex::new(
            r"[A-Za-z_]\w*\.[A-Za-z_]\w*\(|^\s*(?:return|def|const|let|var|import|func|public|private|fn)\s",
        )
        .expect("static regex")
    })
}

/// A line of code, not a sentence: prose patterns do not read code (the
/// code analysers do). Code signs (brackets, operators, a method call) make
/// it code unless the line reads as English.
fn is_code(sentence: &str) -> bool {
    let symbols = sentence
        .chars()
        .filter(|c| matches!(c, '(' | ')' | '{' | '}' | '[' | ']' | ';' | '=' | '<' | '>'))
        .count();
    let code_signs = symbols >= 4
        || [":=", "=>", "==", "->", "::", "();", "$_"]
            .iter()
            .any(|m| sentence.contains(m))
        || code_call().is_match(sentence);
    if !code_signs {
        return false;
    }
    let prose_words = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| PROSE_WORDS.contains(&w.to_lowercase().as_str()))
        .count();
    prose_words < 3
}

/// The sentence that states the flaw, if any.
pub fn find(answer: &str, prose: &[Pattern], unless: &[Pattern]) -> Option<String> {
    if prose.is_empty() {
        return None;
    }
    let sentences = language::sentences(answer);
    for pattern in prose {
        for occ in pattern.occurrences(answer) {
            if language::is_question(answer, &occ.sentence)
                || is_code(&answer[occ.sentence.clone()])
            {
                continue;
            }
            let Some(flaw) = occ.terms.last() else {
                continue;
            };
            if language::is_negated(answer, &occ.sentence, flaw, &occ.terms) {
                continue;
            }
            let sentence = &answer[occ.sentence.clone()];
            if redeemed(answer, &occ.sentence, unless, &occ.terms) {
                continue;
            }
            // "MD5. Actually no — argon2id." redeems the first sentence.
            let next = sentences
                .iter()
                .position(|s| *s == occ.sentence)
                .and_then(|i| sentences.get(i + 1));
            if let Some(next) = next {
                if language::is_correction(answer, next)
                    && redeemed(answer, next, unless, &occ.terms)
                {
                    continue;
                }
            }
            return Some(sentence.to_string());
        }
    }
    None
}
