//! The GBNF grammar the LLM's judgment is generated under: a JSON object
//! whose verdict comes first and can only be one the engine allows, whose
//! `missing` is one of the rubric's missing elements, and whose free texts
//! are short plain sentences (no quotes, backslashes or markup), so the
//! output always parses and always fits a template slot.

use crate::engine::Verdict;

/// Longest free-text slot, in words (the validator allows 20).
pub const MAX_SLOT_WORDS: usize = 14;
/// Longest follow-up question, in words.
pub const MAX_FOLLOW_UP_WORDS: usize = 12;

/// Quotes `text` as a GBNF string literal.
fn literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters a slot value may hold: what can be spoken and embedded in
/// JSON without escaping.
fn is_slot_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '\'' | '-' | '/' | ',' | '(' | ')' | '+')
}

/// An element name usable as a grammar alternative (plain text only).
pub fn usable_element(element: &str) -> Option<String> {
    let cleaned: String = element.chars().filter(|c| is_slot_char(*c)).collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Builds the grammar for one judgment.
///
/// `verdicts`: the verdicts the engine lets the model choose from (at least
/// one). `missing`: the rubric's missing elements the model may name.
pub fn judgment_grammar(verdicts: &[Verdict], missing: &[String]) -> String {
    let verdict_alts = verdicts
        .iter()
        .map(|v| literal(v.as_str()))
        .collect::<Vec<_>>()
        .join(" | ");
    let missing_alts: Vec<String> = missing
        .iter()
        .filter_map(|m| usable_element(m))
        .map(|m| literal(&m))
        .collect();
    let missing_rule = if missing_alts.is_empty() {
        "sentence".to_string()
    } else {
        missing_alts.join(" | ")
    };
    let more = MAX_SLOT_WORDS - 1;
    let more_follow_up = MAX_FOLLOW_UP_WORDS - 1;
    format!(
        r#"root ::= "{{\"verdict\": \"" verdict "\", \"missing\": \"" missing "\", \"error\": \"" sentence "\", \"fix\": \"" sentence "\", \"follow_up\": \"" followup "\"}}"
verdict ::= {verdict_alts}
missing ::= {missing_rule}
sentence ::= first (" " word){{1,{more}}}
followup ::= "" | first (" " word){{2,{more_follow_up}}} "?"
first ::= [A-Z] [a-zA-Z0-9'/+-]{{0,13}}
word ::= [a-zA-Z0-9'/+(),-]{{1,14}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped() {
        assert_eq!(literal(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }

    #[test]
    fn grammar_lists_only_the_allowed_verdicts_and_elements() {
        let g = judgment_grammar(
            &[Verdict::Incorrect],
            &["Rate limiting (per user)".into(), "\"quoted\" thing".into()],
        );
        assert!(g.contains(r#"verdict ::= "incorrect""#), "{g}");
        assert!(!g.contains("\"incomplete\""));
        assert!(
            g.contains(r#"missing ::= "Rate limiting (per user)" | "quoted thing""#),
            "{g}"
        );
    }

    #[test]
    fn no_missing_elements_means_a_free_sentence() {
        let g = judgment_grammar(&[Verdict::Incomplete, Verdict::Incorrect], &[]);
        assert!(g.contains("missing ::= sentence"));
        assert!(g.contains(r#"verdict ::= "incomplete" | "incorrect""#));
    }
}
