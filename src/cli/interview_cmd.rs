//! `viva text`, `viva interview` and `viva evaluate`.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use viva::engine::interview::{EndReason, Interview, QuestionRecord, Step};
use viva::engine::rubric::{Judge, RubricJudge};
use viva::engine::{scorecard, Persona};
use viva::grader::{GraderOptions, LlmJudge};
use viva::llm::Llm;

use super::engines::LlmArgs;
use ed25519_dalek::SigningKey;
use viva::engine::Judgment;
use viva::script::ScriptedAnswer;
use viva::session::{load_journal, Session, TranscriptLine};

#[derive(Debug, Clone, Args)]
pub struct TextArgs {
    /// Persona name (personas/NAME.toml) or path to a persona file.
    #[arg(long, default_value = "backend-engineer")]
    pub persona: String,
    /// Scripted answers instead of the keyboard: plain text with answers
    /// separated by lines holding only `---`, or JSONL (`.jsonl`) with
    /// `{"answer": "...", "elapsed_s": 90}` per line.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Seconds each plain-script answer takes (simulated clock).
    #[arg(long, default_value_t = 60.0)]
    pub seconds_per_answer: f64,
    /// Print one JSON event per line instead of the conversation.
    #[arg(long)]
    pub json: bool,
    /// Where to write the journal, transcript and scorecard.
    #[arg(long, value_name = "DIR")]
    pub session_dir: Option<PathBuf>,
    /// Sign the sealed record with this site key (from `viva keygen`).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Who judges answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JudgeKind {
    /// The local LLM layered on the deterministic rubric (falls back to the
    /// rubric, with a note, if the model cannot be loaded or fails).
    Llm,
    /// The deterministic rubric and detectors only.
    Rubric,
}

/// Judge options shared by `text`, `interview` and `evaluate`.
#[derive(Debug, Clone, Args)]
pub struct JudgeArgs {
    /// Who judges the answers.
    #[arg(long, value_enum, default_value = "llm")]
    pub judge: JudgeKind,
    /// Seed for the LLM's sampling and the answer fence (default: random
    /// per session; fix it for repeatable runs).
    #[arg(long)]
    pub seed: Option<u32>,
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// What judged a session, for the journal.
pub struct BuiltJudge {
    pub judge: Box<dyn Judge>,
    pub description: serde_json::Value,
}

/// Loads the judge the arguments ask for. An LLM that cannot be loaded is
/// not fatal: the interview runs on the deterministic rubric and says so.
pub fn build_judge(args: &JudgeArgs, persona: &Persona, models_dir: &Path) -> BuiltJudge {
    if args.judge == JudgeKind::Rubric {
        return BuiltJudge {
            judge: Box::new(RubricJudge),
            description: serde_json::json!({"judge": "rubric"}),
        };
    }
    let seed = args.seed.unwrap_or_else(random_seed);
    let loaded = args
        .llm
        .config(models_dir)
        .and_then(|cfg| Ok(Llm::load(cfg)?))
        .and_then(|llm| {
            let model = llm.config().model.clone();
            let mut judge = LlmJudge::new(
                llm,
                GraderOptions {
                    seed,
                    ..Default::default()
                },
            );
            judge.prime(persona)?;
            Ok((judge, model))
        });
    match loaded {
        Ok((judge, model)) => BuiltJudge {
            judge: Box::new(judge),
            description: serde_json::json!({"judge": "llm", "llm_model": model, "seed": seed}),
        },
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "LLM unavailable; judging with the deterministic rubric");
            eprintln!("note: the LLM is unavailable ({e:#}); answers are judged by the deterministic rubric");
            BuiltJudge {
                judge: Box::new(RubricJudge),
                description: serde_json::json!({"judge": "rubric", "llm_error": format!("{e:#}")}),
            }
        }
    }
}

/// A seed nobody can predict from the source (time and pid).
fn random_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mixed = nanos ^ (u128::from(std::process::id()) << 64);
    (mixed % u128::from(u32::MAX)) as u32
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Persona name or path.
    #[arg(long, default_value = "backend-engineer")]
    pub persona: String,
    /// Question id (q1…).
    #[arg(long)]
    pub question: String,
    /// File with the answer (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub answer_file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Parses a script file (see `TextArgs::script`).
pub fn parse_script(path: &Path, default_seconds: f64) -> anyhow::Result<Vec<ScriptedAnswer>> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read script {}", path.display()))?;
    let jsonl = path.extension().is_some_and(|e| e == "jsonl");
    viva::script::parse(&bytes, jsonl, default_seconds)
        .with_context(|| format!("script {}", path.display()))
}

/// Drives one interview: prints or emits turns, journals everything.
pub(super) struct Driver<'p> {
    pub(super) interview: Interview<'p>,
    pub(super) signer: Option<SigningKey>,
    pub(super) session: Arc<Mutex<Session>>,
    pub(super) transcript: Vec<TranscriptLine>,
    /// What the Ctrl-C handler writes if the interview is interrupted.
    pub(super) snapshot: Arc<Mutex<Snapshot>>,
    pub(super) json: bool,
    pub(super) turn: usize,
    /// The interviewer's voice, in the spoken interview.
    pub(super) voice: Option<VoiceOut>,
}

/// Speech output of the spoken interview, fed by the driver.
pub(super) struct VoiceOut {
    pub(super) speaker: viva::voice::Speaker,
    /// The template opening already spoken for a turn (streamed early).
    opened: Option<(usize, String)>,
    /// When the last verdict became known.
    pub(super) verdict_known: Option<std::time::Instant>,
}

impl VoiceOut {
    pub(super) fn new(speaker: viva::voice::Speaker) -> Self {
        Self {
            speaker,
            opened: None,
            verdict_known: None,
        }
    }

    /// Speaks one whole interviewer turn (minus an opening already spoken).
    fn speak_turn(&mut self, turn: usize, text: &str) {
        let rest = match self.opened.take() {
            Some((t, opening)) if t == turn => match text.strip_prefix(opening.as_str()) {
                Some(rest) => rest.trim().to_string(),
                None => {
                    tracing::warn!(turn, %opening, "the turn does not start with the opening already spoken");
                    text.to_string()
                }
            },
            _ => text.to_string(),
        };
        if !rest.is_empty() {
            self.speaker.say(turn, &rest);
        }
        self.speaker.end(turn);
    }
}

/// The record so far, for closing it on Ctrl-C.
#[derive(Default, Clone)]
pub(super) struct Snapshot {
    transcript: Vec<TranscriptLine>,
    records: Vec<QuestionRecord>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes the transcript and the scorecard, then seals the record.
fn write_final_record(
    session: &mut Session,
    persona: &Persona,
    transcript: &[TranscriptLine],
    records: &[QuestionRecord],
    signer: Option<&SigningKey>,
) -> anyhow::Result<scorecard::Scorecard> {
    let card = scorecard::build(persona, records);
    session.log(&serde_json::json!({"event": "scorecard", "scorecard": card}))?;
    let mut md = String::from("# Interview transcript\n\n");
    for l in transcript {
        md.push_str(&format!(
            "{}. **{}:** {}\n\n",
            l.turn,
            if l.speaker == "interviewer" {
                "Interviewer"
            } else {
                "Candidate"
            },
            l.text.replace('\n', "  \n")
        ));
    }
    session.write_file("transcript.md", md.as_bytes())?;
    session.write_file("transcript.json", &serde_json::to_vec_pretty(transcript)?)?;
    session.write_file("scorecard.json", &serde_json::to_vec_pretty(&card)?)?;
    let mut report = card.to_markdown(persona);
    report.push_str(&format!(
        "\n---\nRecord: journal.jsonl, {} entries before this report, chain head `{}`. \
         `viva verify {}` re-checks the chain and every file of the session.\n",
        session.entries(),
        session.chain_head(),
        session.dir().display()
    ));
    session.write_file("scorecard.md", report.as_bytes())?;
    session.seal(&[
        "transcript.md",
        "transcript.json",
        "scorecard.json",
        "scorecard.md",
    ])?;
    if let Some(key) = signer {
        let signature = viva::signing::sign(key, session.chain_head());
        session.write_file(
            viva::signing::SIGNATURE_FILE,
            &serde_json::to_vec_pretty(&signature)?,
        )?;
    }
    Ok(card)
}

impl<'p> Driver<'p> {
    pub(super) fn log(&self, event: &impl serde::Serialize) -> anyhow::Result<()> {
        lock(&self.session).log(event)?;
        Ok(())
    }

    fn update_snapshot(&self) {
        *lock(&self.snapshot) = Snapshot {
            transcript: self.transcript.clone(),
            records: self.interview.records().to_vec(),
        };
    }

    pub(super) fn emit_json(&self, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        }
    }

    pub(super) fn handle(&mut self, step: Step) -> anyhow::Result<()> {
        for e in &step.events {
            self.log(e)?;
            self.emit_json(serde_json::to_value(e)?);
        }
        for t in step.turns {
            self.turn += 1;
            self.log(&serde_json::json!({
                "event": "interviewer", "turn": self.turn, "kind": t.kind, "text": t.text,
            }))?;
            if self.json {
                self.emit_json(serde_json::json!({"event": "interviewer", "turn": self.turn, "kind": t.kind, "text": t.text}));
            } else {
                println!("\nInterviewer: {}", t.text);
            }
            if let Some(voice) = self.voice.as_mut() {
                voice.speak_turn(self.turn, &t.text);
            }
            self.transcript.push(TranscriptLine {
                turn: self.turn,
                speaker: "interviewer".into(),
                text: t.text,
            });
        }
        self.update_snapshot();
        Ok(())
    }

    pub(super) fn candidate(&mut self, text: &str, at_s: f64) -> anyhow::Result<()> {
        self.turn += 1;
        self.log(&serde_json::json!({"event": "candidate", "turn": self.turn, "text": text, "at_s": at_s}))?;
        self.emit_json(serde_json::json!({"event": "candidate", "turn": self.turn, "text": text, "at_s": at_s}));
        self.transcript.push(TranscriptLine {
            turn: self.turn,
            speaker: "candidate".into(),
            text: text.to_string(),
        });
        self.update_snapshot();
        self.respond(text, at_s)
    }

    /// The interviewer's response to an answer already journaled.
    fn respond(&mut self, text: &str, at_s: f64) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        let json = self.json;
        let turn = self.turn + 1;
        let mut opening_ms = None;
        let voice = &mut self.voice;
        let step = self.interview.answer_streaming(text, at_s, &mut |opening| {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            opening_ms = Some(ms);
            if let Some(v) = voice.as_mut() {
                // The template's first word is fixed by the verdict: say it now,
                // while the LLM is still writing the rest.
                v.verdict_known = Some(std::time::Instant::now());
                v.speaker.say(turn, opening);
                v.opened = Some((turn, opening.to_string()));
            }
            if json {
                println!(
                    "{}",
                    serde_json::json!({"event": "opening", "turn": turn, "text": opening, "ms": ms})
                );
            }
        });
        if let Some(ms) = opening_ms {
            self.log(&serde_json::json!({
                "event": "timing", "turn": turn, "verdict_known_ms": ms,
                "turn_ready_ms": started.elapsed().as_secs_f64() * 1000.0,
            }))?;
        }
        self.handle(step)
    }

    pub(super) fn finish(mut self, reason: EndReason) -> anyhow::Result<()> {
        if !self.interview.is_finished() {
            let step = self.interview.finish(reason);
            self.handle(step)?;
        }
        let persona = self.interview.persona();
        let card = {
            let mut session = lock(&self.session);
            write_final_record(
                &mut session,
                persona,
                &self.transcript,
                self.interview.records(),
                self.signer.as_ref(),
            )?
        };
        self.emit_json(serde_json::json!({"event": "scorecard", "scorecard": card}));
        if !self.json {
            println!("\n{}", card.to_markdown(persona));
        }
        eprintln!("session record: {}", lock(&self.session).dir().display());
        Ok(())
    }
}

/// Feeds answers (scripted, or typed) to the driver until the interview or
/// the input ends. `clock_s`: the session clock when the loop starts.
fn answer_loop(
    driver: &mut Driver<'_>,
    script: Option<Vec<ScriptedAnswer>>,
    clock_s: f64,
) -> anyhow::Result<EndReason> {
    match script {
        Some(answers) => {
            let mut clock = clock_s;
            for a in answers {
                if driver.interview.is_finished() {
                    break;
                }
                clock += a.seconds;
                driver.candidate(&a.text, clock)?;
            }
        }
        None => {
            let started = std::time::Instant::now();
            let stdin = std::io::stdin();
            let interactive = stdin.is_terminal();
            if interactive && !driver.json {
                println!("(Answer in plain text. Finish an answer with an empty line; wrap code in ``` lines. Say \"end the interview\" or press Ctrl-D to stop.)");
            }
            let mut input = stdin.lock();
            while !driver.interview.is_finished() {
                match read_answer(&mut input, interactive && !driver.json)? {
                    Some(a) => driver.candidate(&a, clock_s + started.elapsed().as_secs_f64())?,
                    None => break,
                }
            }
        }
    }
    Ok(EndReason::Interrupted)
}

/// Reads one answer from the terminal: it ends at an empty line; an answer
/// starting with ``` (code) ends at the closing ```. `None` at end of input.
fn read_answer(input: &mut impl BufRead, interactive: bool) -> anyhow::Result<Option<String>> {
    if interactive {
        print!("\nYou (empty line to send, ``` for code): ");
        std::io::stdout().flush()?;
    }
    let mut answer = String::new();
    let mut in_code = false;
    loop {
        let mut raw = Vec::new();
        let n = input.read_until(b'\n', &mut raw)?;
        if n == 0 {
            return Ok(if answer.trim().is_empty() {
                None
            } else {
                Some(answer.trim().to_string())
            });
        }
        let line = String::from_utf8_lossy(&raw)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            answer.push_str(&line);
            answer.push('\n');
            if !in_code {
                return Ok(Some(answer.trim().to_string()));
            }
            continue;
        }
        if line.trim().is_empty() && !in_code {
            if answer.trim().is_empty() {
                continue;
            }
            return Ok(Some(answer.trim().to_string()));
        }
        answer.push_str(&line);
        answer.push('\n');
    }
}

/// Ctrl-C closes the record: the journal holds every event already; the
/// transcript and scorecard of what was said are written and sealed.
pub(super) fn close_record_on_interrupt(
    session: &Arc<Mutex<Session>>,
    snapshot: &Arc<Mutex<Snapshot>>,
    persona: &Persona,
    signer: Option<SigningKey>,
) -> anyhow::Result<()> {
    let session = Arc::clone(session);
    let snapshot = Arc::clone(snapshot);
    let persona = persona.clone();
    ctrlc::set_handler(move || {
        let mut session = lock(&session);
        let shot = lock(&snapshot).clone();
        let dir = session.dir().to_path_buf();
        let _ = session.log(&serde_json::json!({"event": "end", "reason": "interrupted"}));
        match write_final_record(
            &mut session,
            &persona,
            &shot.transcript,
            &shot.records,
            signer.as_ref(),
        ) {
            Ok(_) => eprintln!(
                "\ninterrupted; transcript and scorecard of the interview so far are in {}",
                dir.display()
            ),
            Err(e) => eprintln!(
                "\ninterrupted; the journal is saved in {} (final files not written: {e:#})",
                dir.display()
            ),
        }
        std::process::exit(130);
    })
    .context(
        "cannot install the Ctrl-C handler, so an interrupted interview could not be sealed; \
         run viva from a normal terminal or service manager",
    )
}

pub fn text(args: TextArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let persona = Persona::load(&args.persona)?;
    let signer = args
        .sign_key
        .as_deref()
        .map(viva::signing::load_signing_key)
        .transpose()?;
    let script = match &args.script {
        Some(p) => Some(parse_script(p, args.seconds_per_answer)?),
        None => None,
    };
    let session = Session::create(args.session_dir.clone())?;
    eprintln!("session record: {}", session.dir().display());
    let session = Arc::new(Mutex::new(session));
    let snapshot = Arc::new(Mutex::new(Snapshot::default()));
    close_record_on_interrupt(&session, &snapshot, &persona, signer.clone())?;
    let judge = build_judge(&args.judge, &persona, models_dir);
    let mut driver = Driver {
        interview: Interview::with_judge(&persona, judge.judge),
        signer,
        session,
        transcript: Vec::new(),
        snapshot,
        json: args.json,
        turn: 0,
        voice: None,
    };
    driver.log(&serde_json::json!({"event": "session_start", "persona": persona.id, "persona_file": persona.source, "mode": if script.is_some() { "script" } else { "interactive" }, "judge": judge.description}))?;
    let step = driver.interview.start(0.0);
    driver.handle(step)?;
    let reason = answer_loop(&mut driver, script, 0.0)?;
    driver.finish(reason)?;
    Ok(ExitCode::SUCCESS)
}

pub fn evaluate(args: EvaluateArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let persona = Persona::load(&args.persona)?;
    let question = persona.question(&args.question).with_context(|| {
        format!(
            "persona {} has no question `{}` (ids: {})",
            persona.id,
            args.question,
            persona
                .questions
                .iter()
                .map(|q| q.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let bytes = if args.answer_file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(&args.answer_file)
            .with_context(|| format!("cannot read {}", args.answer_file.display()))?
    };
    let answer = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the answer is not valid UTF-8 text"))?;
    let mut judge = build_judge(&args.judge, &persona, models_dir);
    let viva::evaluation::Evaluated {
        verdict,
        judgment,
        utterance,
        probe,
    } = viva::evaluation::evaluate_answer(&persona, judge.judge.as_mut(), &question.id, &answer)
        .context("the question disappeared from the persona")?;
    if args.json {
        let out = serde_json::json!({
            "verdict": verdict,
            "score": judgment.score,
            "utterance": utterance,
            "probe": probe,
            "findings": judgment.findings,
            "missing": judgment.missing(),
            "notes": judgment.notes,
            "llm": judgment.llm,
            "judge": judge.description,
        });
        println!("{out}");
    } else {
        println!("{verdict} ({}%): {utterance}", judgment.score);
        for f in &judgment.findings {
            println!("  finding {}: {} — {:?}", f.id, f.issue, f.evidence);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `viva interview`: the spoken interview when audio devices exist (or
/// --audio-in files are given), otherwise the text interview with a note why.
pub fn interview(
    args: TextArgs,
    voice: super::voice_cmd::VoiceArgs,
    models_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if voice.audio_in.is_empty() && args.script.is_none() {
        let devices = viva::audio::devices::list();
        if !devices.has_input() || !devices.has_output() {
            eprintln!(
                "note: no usable microphone and speakers ({}), so this is the text interview (--audio-in/--audio-out use WAV files instead)",
                if devices.has_input() {
                    "no output device"
                } else {
                    "no input device"
                }
            );
            return text(args, models_dir);
        }
    } else if args.script.is_some() {
        return text(args, models_dir);
    }
    super::voice_cmd::interview(args, voice, models_dir)
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The session directory (or its journal.jsonl).
    pub session: PathBuf,
    /// The rest of the answers from a script; answers already in the journal
    /// are skipped, so re-running the original script resumes it.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Seconds each plain-script answer takes (simulated clock).
    #[arg(long, default_value_t = 60.0)]
    pub seconds_per_answer: f64,
    /// Print one JSON event per line.
    #[arg(long)]
    pub json: bool,
    /// Sign the sealed record with this site key (from `viva keygen`).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Replays the journal's judgments while a crashed session is rebuilt, so
/// the rebuilt state is exactly the recorded one; new answers go to `live`.
struct ReplayJudge {
    recorded: HashMap<usize, Judgment>,
    candidate_turn: Rc<Cell<usize>>,
    live: Box<dyn Judge>,
}

impl Judge for ReplayJudge {
    fn refine(
        &mut self,
        persona: &Persona,
        question: &viva::engine::persona::Question,
        answer: &str,
        rubric: Judgment,
        on_verdict: &mut dyn FnMut(viva::engine::Verdict),
    ) -> Judgment {
        match self.recorded.remove(&self.candidate_turn.get()) {
            Some(j) => {
                on_verdict(j.verdict);
                j
            }
            None => self
                .live
                .refine(persona, question, answer, rubric, on_verdict),
        }
    }
}

/// A candidate answer read back from the journal.
struct Answered {
    text: String,
    at_s: f64,
    /// Whether the interviewer's response was journaled too.
    responded: bool,
}

/// `viva resume SESSION`: continues a crashed interview from its last
/// complete turn, with the clock, phase and judgments restored.
pub fn resume(args: ResumeArgs, models_dir: &Path) -> anyhow::Result<ExitCode> {
    let signer = args
        .sign_key
        .as_deref()
        .map(viva::signing::load_signing_key)
        .transpose()?;
    let journal_path = if args.session.is_dir() {
        args.session.join("journal.jsonl")
    } else {
        args.session.clone()
    };
    let loaded = load_journal(&journal_path).with_context(|| {
        format!(
            "cannot resume {}: the journal does not verify, and an altered record is not resumed",
            journal_path.display()
        )
    })?;
    let dir = journal_path
        .parent()
        .unwrap_or(Path::new("."))
        .display()
        .to_string();
    if loaded.entries.iter().any(|e| e["event"] == "record_sealed") {
        bail!("session {dir} ended normally and is sealed; there is nothing to resume");
    }
    let start = loaded
        .entries
        .iter()
        .find(|e| e["event"] == "session_start")
        .with_context(|| {
            format!("session {dir} crashed before it began (no session_start entry); start a new interview")
        })?;
    let persona_file = start["persona_file"].as_str().map(PathBuf::from);
    let persona = match persona_file.filter(|p| p.is_file()) {
        Some(p) => Persona::load(&p.to_string_lossy())?,
        None => Persona::load(start["persona"].as_str().unwrap_or("backend-engineer"))?,
    };
    if let Some(t) = &loaded.torn {
        eprintln!(
            "note: line {} of the journal was torn by the crash ({} bytes); it is kept in journal.torn-line-{} and the session resumes after line {}",
            t.line,
            t.bytes.len(),
            t.line,
            t.line - 1
        );
    }

    // What was said and judged.
    let mut recorded = HashMap::new();
    let mut answered: Vec<Answered> = Vec::new();
    let mut transcript = Vec::new();
    let mut last_turn = 0;
    let mut ended = false;
    for e in &loaded.entries {
        let turn = e["turn"].as_u64().unwrap_or(0) as usize;
        match e["event"].as_str() {
            Some("candidate") => {
                let text = e["text"].as_str().unwrap_or_default().to_string();
                answered.push(Answered {
                    text: text.clone(),
                    at_s: e["at_s"].as_f64().unwrap_or(0.0),
                    responded: false,
                });
                transcript.push(TranscriptLine {
                    turn,
                    speaker: "candidate".into(),
                    text,
                });
                last_turn = last_turn.max(turn);
            }
            Some("interviewer") => {
                if let Some(a) = answered.last_mut() {
                    a.responded = true;
                }
                transcript.push(TranscriptLine {
                    turn,
                    speaker: "interviewer".into(),
                    text: e["text"].as_str().unwrap_or_default().to_string(),
                });
                last_turn = last_turn.max(turn);
            }
            Some("verdict") => {
                if let (Some(t), Ok(j)) = (
                    e["candidate_turn"].as_u64(),
                    serde_json::from_value::<Judgment>(e["judgment"].clone()),
                ) {
                    recorded.insert(t as usize, j);
                }
            }
            Some("end") => ended = true,
            _ => {}
        }
    }

    let mut judge_args = args.judge.clone();
    if judge_args.seed.is_none() {
        judge_args.seed = start["judge"]["seed"].as_u64().map(|s| s as u32);
    }
    let live = build_judge(&judge_args, &persona, models_dir);
    let candidate_turn = Rc::new(Cell::new(0));
    let replay = ReplayJudge {
        recorded,
        candidate_turn: Rc::clone(&candidate_turn),
        live: live.judge,
    };
    let mut interview = Interview::with_judge(&persona, Box::new(replay));
    let _ = interview.start(0.0);
    let mut replayed = 0;
    for a in answered.iter().take_while(|a| a.responded) {
        replayed += 1;
        candidate_turn.set(replayed);
        let _ = interview.answer(&a.text, a.at_s);
    }
    candidate_turn.set(replayed + 1);

    let session = Arc::new(Mutex::new(Session::reopen(&loaded)?));
    let snapshot = Arc::new(Mutex::new(Snapshot::default()));
    close_record_on_interrupt(&session, &snapshot, &persona, signer.clone())?;
    let mut driver = Driver {
        interview,
        signer,
        session,
        transcript,
        snapshot,
        json: args.json,
        turn: last_turn,
        voice: None,
    };
    driver.update_snapshot();
    driver.log(&serde_json::json!({
        "event": "resumed",
        "after_entries": loaded.entries.len(),
        "replayed_answers": replayed,
        "torn_line": loaded.torn.as_ref().map(|t| t.line),
        "judge": live.description,
    }))?;
    eprintln!(
        "resuming session {dir}: {replayed} answered turn(s) restored, phase {}",
        driver.interview.phase()
    );
    let clock_s = answered.last().map_or(0.0, |a| a.at_s);
    // An answer journaled without its response gets the response now.
    if let Some(pending) = answered.iter().skip(replayed).find(|a| !a.responded) {
        driver.respond(&pending.text, pending.at_s)?;
    } else if let Some(last) = driver
        .transcript
        .iter()
        .rev()
        .find(|l| l.speaker == "interviewer")
    {
        if driver.json {
            println!(
                "{}",
                serde_json::json!({"event": "interviewer", "turn": last.turn, "text": last.text, "repeated": true})
            );
        } else {
            println!("\nInterviewer: {}", last.text);
        }
    }
    let script = match &args.script {
        Some(p) => {
            let all = parse_script(p, args.seconds_per_answer)?;
            for (i, (said, scripted)) in answered.iter().zip(&all).enumerate() {
                if said.text.trim() != scripted.text.trim() {
                    bail!(
                        "script {} differs from the session at answer {}: the journal has {:?}",
                        p.display(),
                        i + 1,
                        said.text
                    );
                }
            }
            Some(all.into_iter().skip(answered.len()).collect())
        }
        None => None,
    };
    let reason = if ended || driver.interview.is_finished() {
        EndReason::Interrupted
    } else {
        answer_loop(&mut driver, script, clock_s)?
    };
    driver.finish(reason)?;
    Ok(ExitCode::SUCCESS)
}
