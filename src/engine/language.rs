//! Sentences, clauses and negation: the small amount of language structure
//! the judge needs to tell "I store passwords in plain text" from "I never
//! store passwords in plain text".
//!
//! Everything works on byte offsets into the (already normalised) answer so
//! that matches can be quoted back.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("language regexes are static and valid")
}

struct Regexes {
    sentence_end: Regex,
    clause_break: Regex,
    negation: Regex,
    judgement: Regex,
    correction: Regex,
    element_negation: Regex,
    element_dismissal: Regex,
    hearsay: Regex,
    strong_negation: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        // A period ends a sentence only when followed by space or the end
        // (`req.body` and `3.5` stay whole); `?`, `!`, `;` and newlines always do.
        sentence_end: re(r"[.!?]+(?:\s|$)|[;\n]"),
        clause_break: re(
            r"(?i),|\s[-–—]+\s|:\s|\(|\)|\bbut\b|\bhowever\b|\bwhereas\b|\bthough\b|\bthen\b|\bso that\b|\bbecause\b|\bexcept\b|\band\b|\bwhile\b|\bwhich\b",
        ),
        // Cues that deny or avoid what follows them in the clause.
        negation: re(
            r"(?i)\b(?:never|not|no|none|nor|neither|n't|don't|doesn't|didn't|won't|wouldn't|isn't|aren't|wasn't|weren't|can't|cannot|shouldn't|mustn't|avoid\w*|instead of|rather than|prevent\w*|protect\w* against|against|refus\w*|reject\w*|forbid\w*|disallow\w*|block\w*|prohibit\w*|stop\w*|ban|bans|banned|unless|if|used to|no longer|without)\b|n't\b",
        ),
        // A clause that calls the thing bad is not a proposal to do it.
        judgement: re(
            r"(?i)\b(?:insecure|vulnerab\w*|injection|dangerous|unsafe|bad (?:idea|practice)|terrible|unacceptable|a mistake|anti-?pattern|no-go|out of the question|a risk|risky|attack\w*|exploit\w*|leak\w*|breach\w*|a hole|would expose|is wrong|are wrong|was wrong|mistake|red flag|never ok|never okay|never acceptable|never allowed|not ok|not okay|not acceptable|not allowed)\b",
        ),
        // Cues that deny what comes before them in the clause ("the key is
        // never logged").
        strong_negation: re(r"(?i)\b(?:never|not|cannot|no longer)\b|n't\b"),
        // "actually, argon2id" after a first idea.
        correction: re(
            r"(?i)\b(?:actually|scratch that|i mean|correction|rather|instead|no wait|on second thought|wait,? no|sorry,? I meant|i'd change that|let me correct)\b",
        ),
        // Cues that deny an expected element ("no need for a transaction").
        element_dismissal: re(
            r"(?i)^(?:\S+\s+){0,2}?(?:is|are|was|were|would be|'s|'re|seems?|feels?)?\s*(?:just\s+|really\s+|honestly\s+)?(?:overkill|not needed|isn't needed|aren't needed|isn't necessary|aren't necessary|unnecessary|not necessary|pointless|a waste|not worth|not a big deal|isn't a big deal|aren't a big deal|no big deal|just hides?|only hides?|would only add|only adds?|adds? nothing|slows? (?:things|it|everything|us) down|too slow|not required|aren't required|isn't required|can be skipped|we can skip|i'd skip|i would skip)\b",
        ),
        // Someone else's advice, named to set it aside ("I know people say
        // bcrypt, but SHA-1 is fine").
        hearsay: re(
            r"(?i)\b(?:people|everyone|everybody|folks|they|some|others|purists|the books?|the docs|the internet|security people|security folks)\s+(?:say|says|said|recommend\w*|push\w*|suggest\w*|insist\w*|tell you|will tell you|would tell you|want|go on about|talk about)\b",
        ),
        element_negation: re(
            r"(?i)\b(?:not|no|never|n't|don't|doesn't|won't|wouldn't|skip\w*|avoid\w*|without|unnecessary|overkill|instead of|rather than|drop\w*|forget about)\b|n't\b",
        ),
    })
}

/// The byte ranges of the sentences of `text` (trimmed, non-empty).
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    split_ranges(text, 0..text.len(), &regexes().sentence_end)
}

/// The clause (within its sentence) containing byte offset `at`.
pub fn clause_around(text: &str, sentence: Range<usize>, at: usize) -> Range<usize> {
    let r = regexes();
    let body = &text[sentence.clone()];
    let rel = at.saturating_sub(sentence.start).min(body.len());
    let mut start = 0;
    let mut end = body.len();
    for m in r.clause_break.find_iter(body) {
        if m.end() <= rel {
            start = m.end();
        } else if m.start() >= rel {
            end = m.start();
            break;
        }
    }
    sentence.start + start..sentence.start + end
}

fn split_ranges(text: &str, within: Range<usize>, sep: &Regex) -> Vec<Range<usize>> {
    let body = &text[within.clone()];
    let mut out = Vec::new();
    let mut start = 0;
    for m in sep.find_iter(body) {
        push_trimmed(text, within.start + start..within.start + m.end(), &mut out);
        start = m.end();
    }
    push_trimmed(text, within.start + start..within.end, &mut out);
    out
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// True if the sentence asks something rather than states it.
pub fn is_question(text: &str, sentence: &Range<usize>) -> bool {
    text[sentence.clone()].trim_end().ends_with('?')
}

/// True if a cue in the clause of `term` (before it, and outside the
/// `exclude` spans, which are the matched words themselves) denies or avoids
/// it, or the clause judges it as bad.
pub fn is_negated(
    text: &str,
    sentence: &Range<usize>,
    term: &Range<usize>,
    exclude: &[Range<usize>],
) -> bool {
    let r = regexes();
    let clause = clause_around(text, sentence.clone(), term.start);
    let before = clause.start..term.start.max(clause.start);
    let cue_before = r.negation.find_iter(&text[before.clone()]).any(|m| {
        let abs = before.start + m.start()..before.start + m.end();
        !exclude.iter().any(|e| overlaps(e, &abs))
    });
    if cue_before {
        return true;
    }
    let after = term.end.min(clause.end)..clause.end;
    let cue_after = r.strong_negation.find_iter(&text[after.clone()]).any(|m| {
        let abs = after.start + m.start()..after.start + m.end();
        !exclude.iter().any(|e| overlaps(e, &abs))
    });
    if cue_after {
        return true;
    }
    let whole = &text[clause.clone()];
    r.judgement.find_iter(whole).any(|m| {
        let abs = clause.start + m.start()..clause.start + m.end();
        !exclude.iter().any(|e| overlaps(e, &abs))
    })
}

/// True if an expected element's words at `term` are denied nearby ("no
/// need for a transaction", "I'd skip the index").
pub fn is_element_negated(text: &str, sentence: &Range<usize>, term: &Range<usize>) -> bool {
    let clause = clause_around(text, sentence.clone(), term.start);
    // Up to five words before the term, within its clause.
    let before = &text[clause.start..term.start.max(clause.start)];
    let words: Vec<&str> = before.split_whitespace().collect();
    let tail = words[words.len().saturating_sub(5)..].join(" ");
    // Or dismissed right after it: "streaming is overkill", "timeouts
    // aren't needed", "a DLQ just hides problems".
    let after = &text[term.end.min(clause.end)..clause.end];
    let head = after
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    regexes().element_negation.is_match(&tail)
        || regexes().hearsay.is_match(&tail)
        || regexes().element_dismissal.is_match(&head)
}

/// True if the sentence at `sentence` opens with a correction cue.
pub fn is_correction(text: &str, sentence: &Range<usize>) -> bool {
    let s = &text[sentence.clone()];
    let head: String = s.chars().take(60).collect();
    regexes().correction.is_match(&head)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Word index (count of whitespace-separated words) at byte offset `at`.
pub fn word_index(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negated(text: &str, word: &str) -> bool {
        let at = text.find(word).unwrap();
        let s = sentences(text)
            .into_iter()
            .find(|s| s.contains(&at))
            .unwrap();
        let term = at..at + word.len();
        is_negated(text, &s, &term, std::slice::from_ref(&term))
    }

    #[test]
    fn elements_dismissed_after_they_are_named() {
        for (text, word) in [
            ("Streaming is overkill for this.", "Streaming"),
            ("Timeouts aren't needed here.", "Timeouts"),
            ("A DLQ just hides problems.", "DLQ"),
        ] {
            let at = text.find(word).unwrap();
            let s = sentences(text)
                .into_iter()
                .find(|s| s.contains(&at))
                .unwrap();
            assert!(
                is_element_negated(text, &s, &(at..at + word.len())),
                "{text}"
            );
        }
        let text = "Streaming keeps memory flat.";
        let s = sentences(text).remove(0);
        assert!(!is_element_negated(text, &s, &(0..9)));
    }

    #[test]
    fn sentences_keep_dotted_names_whole() {
        let t = "Use req.body.email. Then hash it! Why? Because 3.5 is fine";
        let parts: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            parts,
            vec![
                "Use req.body.email.",
                "Then hash it!",
                "Why?",
                "Because 3.5 is fine"
            ]
        );
    }

    #[test]
    fn negation_is_scoped_to_the_clause() {
        assert!(negated(
            "I would never store passwords in plain text.",
            "plain text"
        ));
        assert!(!negated(
            "Passwords are stored in plain text, not hashed.",
            "plain text"
        ));
        assert!(!negated(
            "We don't hash passwords, we store them in plain text.",
            "plain text"
        ));
        assert!(negated("Not MD5 — argon2id.", "MD5"));
        assert!(negated(
            "Storing plain text passwords is insecure.",
            "plain text"
        ));
        assert!(negated("The API key is never written to logs.", "API key"));
        assert!(!negated(
            "We don't hash it and store the password as is.",
            "as is"
        ));
    }
}
