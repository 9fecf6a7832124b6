//! Clarification questions: a candidate who asks about the task ("Should I
//! assume Postgres?", "Is the limit global or per key?") gets the seed's
//! "[Direct factual answer]. Continue." with the fact taken from the
//! persona, and it never counts against them.

use std::sync::OnceLock;

use regex::Regex;

use super::language;
use super::patterns::Pattern;
use super::persona::{Persona, Question};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("clarification regexes are static and valid")
}

struct Regexes {
    /// Openers that make a sentence a question about the task even when the
    /// recogniser wrote no question mark.
    task_opener: Regex,
    /// Question words that open a question.
    question_opener: Regex,
    /// Preambles before the question ("before I write it:", "quick question").
    preamble: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        task_opener: re(
            r"(?i)^(?:(?:so|ok|okay|ok interesting|interesting|right|hmm|um|uh|well|and|but|just|also|roughly|approximately|quick question|one question|before i (?:start|begin|write it|answer|go on|design it|design this|dive in|jump in)|sorry)[\s,:.—–-]+)*(?:should|shall i|(?:do|did) (?:i|we|you|they|users|clients|customers|subscribers|the|these|those|all|our)|who(?:'s| is| are| can| should| will)|the (?:scenario|idea|requirement|assumption|use case) is\b.*\b(?:right|correct)\W*$|(?:is|are|was|were|will|would|can|could|must|has|have) (?:i|we|you|they|it|he|she|that|this|these|those|there|the|each|every|all|any|some|a|an|comments|posts|users|orders|payments|files|uploads|events|clients|keys|limits|requests|services|emails|products|subscribers|webhooks|retries|refunds)|does (?:the|it|that|this|each|every|a|an)|i'?m wondering|i am wondering|i was wondering|wondering (?:if|whether)|i'?m not sure (?:if|whether|what you)|i'?d like to know|what (?:should|would|happens|if|about|exactly|counts|scale|volume|kind|type)|shall i|can i|could i|may i|do i|am i|would you|do you|did you|is it ok|is it okay|is it fine|is it alright|is that ok|are we|are you|is there|is the|are the|are there|does the|does it|do we|will the|will there|would the|what(?:'s| is| are| do| does| kind| type| scale| volume)|which|how (?:many|much|big|large|long|often|strict|accurate)|when you say|by .* do you mean|just to (?:confirm|clarify|check)|to clarify|let me (?:clarify|check|confirm)|i (?:want|wanted|'d like) to (?:confirm|clarify|check|ask)|can you (?:clarify|tell me|confirm)|could you (?:clarify|tell me|confirm)|what do you mean|any (?:constraints|requirements)|is this|are these|does this)\b",
        ),
        question_opener: re(
            r"(?i)^(?:should|shall|can|could|may|do|does|did|am|is|are|will|would|what|which|how|when|where|who|any)\b",
        ),
        preamble: re(r"(?i)^(?:before i \w+(?: it)?|quick question|roughly|one question|just to (?:confirm|clarify|check)|to clarify|sorry)\b"),
    })
}

/// True if `answer` asks about the task instead of answering it.
pub fn is_request(persona: &Persona, answer: &str) -> bool {
    if super::rubric::is_dont_know(persona, answer) {
        return false;
    }
    let text = super::rubric::prepare(persona, answer);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return false;
    }
    let words = trimmed.split_whitespace().count();
    if words > 45 {
        return false;
    }
    let r = regexes();
    let sentences = language::sentences(trimmed);
    let Some(last) = sentences.last() else {
        return false;
    };
    let lower = trimmed.to_lowercase();
    let marker = persona
        .clarification_markers
        .iter()
        .any(|m| lower.contains(m.as_str()));
    // Every sentence is a question, or a short preamble before one.
    let statements: usize = sentences
        .iter()
        .filter(|s| !language::is_question(trimmed, s))
        .filter(|s| !r.preamble.is_match(&trimmed[(*s).clone()]))
        .map(|s| trimmed[s.clone()].split_whitespace().count())
        .sum();
    let last_text = &trimmed[last.clone()];
    let questions = sentences
        .iter()
        .filter(|s| language::is_question(trimmed, s))
        .count();
    if questions > 0 {
        // Questions, with at most a short preamble or reason around them.
        return statements <= 15 || marker;
    }
    // Transcripts often lose the question mark: a lone short sentence that
    // opens like a question about the task.
    let _ = r.question_opener.is_match(last_text);
    sentences.len() == 1 && words <= 25 && (r.task_opener.is_match(last_text) || marker)
}

/// The persona's fact for this clarification of `question`, or its neutral
/// fallback.
pub fn answer_for(persona: &Persona, question: &Question, request: &str) -> String {
    let text = super::rubric::prepare(persona, request);
    let best = question
        .clarifications
        .iter()
        .map(|c| {
            let hits = c
                .about
                .iter()
                .filter_map(|p| Pattern::new(p).ok())
                .filter(|p| p.is_match(&text))
                .count();
            (hits, c)
        })
        .filter(|(hits, _)| *hits > 0)
        .max_by_key(|(hits, _)| *hits);
    match best {
        Some((_, c)) => c.answer.trim().trim_end_matches('.').to_string(),
        None => persona.judging.clarification_fallback.clone(),
    }
}
