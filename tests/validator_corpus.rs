//! The template validator rejects every bad interviewer turn and accepts the
//! persona's own lines.

use viva::engine::Persona;
use viva::validator::{TurnKind, Validator};

fn seed() -> Persona {
    Persona::from_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("personas/backend-engineer.toml"),
    )
    .unwrap()
}

#[test]
fn bad_turns_are_all_rejected() {
    let persona = seed();
    let v = Validator::new(&persona);
    let bad: &[(TurnKind, &str)] = &[
        // Two questions at once.
        (TurnKind::Correct, "Correct. Design rate limiting of 100 requests per hour per API key. Also, how would you cache it?"),
        (TurnKind::Question, "What is REST? What is an index?"),
        // Praise, encouragement, hints, acknowledging struggle.
        (TurnKind::Correct, "Great job! Design rate limiting of 100 requests per hour per API key."),
        (TurnKind::Incomplete, "Incomplete. You're close, think about status codes. Continue."),
        (TurnKind::Incorrect, "Incorrect. Don't worry, this is tricky. Correct approach: Use bcrypt. Next question."),
        (TurnKind::Incomplete, "Incomplete. Here's a hint: use Redis. Continue."),
        (TurnKind::Clarification, "Nice question. Continue."),
        (TurnKind::Incorrect, "Incorrect. Missing indexes. Correct approach: Take your time and add indexes. Next question."),
        // Wrong template for the kind, or a broken template.
        (TurnKind::Incomplete, "Incorrect. Missing indexes. Correct approach: Add indexes. Next question."),
        (TurnKind::SecurityVulnerability, "Security issue. SQL injection. Fix it. Next question."),
        (TurnKind::Incomplete, "Incomplete. Missing indexes."),
        (TurnKind::Correct, "Correct."),
        // Empty slots.
        (TurnKind::Incomplete, "Incomplete. . Continue."),
        (TurnKind::Incorrect, "Incorrect. . Correct approach: . Next question."),
        (TurnKind::Stuck, "Moving on. Solution requires . Next question."),
        // Markdown and layout.
        (TurnKind::Incomplete, "Incomplete. **Missing** indexes. Continue."),
        (TurnKind::Incorrect, "Incorrect. Missing `bcrypt`. Correct approach: Use bcrypt. Next question."),
        (TurnKind::Question, "# Design a REST API for a blog with users, posts and comments."),
        (TurnKind::Incomplete, "Incomplete. Missing:\n- indexes. Continue."),
        // Slots that are not one short sentence.
        (TurnKind::Incomplete, "Incomplete. Missing indexes? Continue."),
        (TurnKind::Incomplete, "Incomplete. Missing indexes. Also missing transactions. Continue."),
        (TurnKind::Incorrect, "Incorrect. The answer is wrong in many ways including the schema the indexes the transactions the caching the queue the monitoring the logging and the alerting and the deployment. Correct approach: use indexes. Next question."),
        // Lines that are not the persona's.
        (TurnKind::Question, "Tell me about yourself."),
        (TurnKind::Probe, "How would you feel about using GraphQL?"),
        (TurnKind::EdgeCase, "Security vulnerability. Whatever. Next question."),
        (TurnKind::Closing, "Thanks, that was fun!"),
        (TurnKind::Opening, "Hello! Let's begin. Tell me about yourself."),
        (TurnKind::Correct, "Correct. Tell me about your last project."),
        // Empty and whitespace.
        (TurnKind::Question, ""),
        (TurnKind::Clarification, "  Use PostgreSQL. Continue."),
    ];
    for (kind, text) in bad {
        assert!(
            v.validate(*kind, text).is_err(),
            "accepted a bad {kind:?} turn: {text:?}"
        );
    }
}

#[test]
fn the_personas_own_lines_are_accepted() {
    let persona = seed();
    let v = Validator::new(&persona);
    let good: &[(TurnKind, &str)] = &[
        (TurnKind::Correct, "Correct. Design rate limiting of 100 requests per hour per API key."),
        (TurnKind::SecurityVulnerability, "Security vulnerability. Passwords are stored in plain text. Secure approach: Hash passwords with bcrypt. Next question."),
        (TurnKind::Incomplete, "Incomplete. Missing HTTP 429. Continue."),
        (TurnKind::Incorrect, "Incorrect. Missing indexes. Correct approach: Index the foreign keys. Next question."),
        (TurnKind::Stuck, "Moving on. Solution requires a sliding window in Redis. Next question."),
        (TurnKind::Clarification, "Assume PostgreSQL. Continue."),
        (TurnKind::Probe, "How do you authenticate users?"),
        (TurnKind::Probe, "Why did you choose PostgreSQL?"),
        (TurnKind::Probe, "Where do you store JWT secrets?"),
        (TurnKind::EdgeCase, "Security vulnerability. Never concatenate user input into SQL. Use parameterized queries. Next question."),
        (TurnKind::Closing, "The interview is over. The evaluation follows."),
    ];
    for (kind, text) in good {
        assert!(
            v.validate(*kind, text).is_ok(),
            "rejected {kind:?} {text:?}: {:?}",
            v.validate(*kind, text)
        );
    }
    for q in &persona.questions {
        assert!(v.validate(TurnKind::Question, &q.text).is_ok(), "{}", q.id);
    }
}
