//! A session's record on disk: an append-only JSONL journal (one event per
//! line, flushed and fsync'd as it happens, each line chained to the previous
//! by sha256), then the transcript and scorecard at the end. Files are
//! created owner-only.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Session record failures.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(
        "cannot create the session directory {path}: {source} (choose another with --session-dir)"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source} (disk full or read-only? the journal up to this point is intact)")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot record a {kind} event in the journal: {source} (a defect in Viva, please report it; the journal up to this point is intact)")]
    Serialize {
        kind: &'static str,
        source: serde_json::Error,
    },
}

/// Where sessions go by default: the user's data directory.
pub fn default_sessions_root() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("viva")
        .join("sessions")
}

fn restrict(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// One line of the transcript.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct TranscriptLine {
    pub turn: usize,
    pub speaker: String,
    pub text: String,
}

/// An open session.
pub struct Session {
    dir: PathBuf,
    journal_path: PathBuf,
    journal: File,
    started: Instant,
    /// Milliseconds already elapsed before this process (a resumed session).
    t_base_ms: u64,
    seq: u64,
    prev_hash: String,
}

impl Session {
    /// Creates `dir` (or a fresh timestamped directory under the default
    /// root) and opens its journal.
    pub fn create(dir: Option<PathBuf>) -> Result<Self, SessionError> {
        let dir = match dir {
            Some(d) => d,
            None => {
                let stamp = time::OffsetDateTime::now_utc()
                    .format(&time::macros::format_description!(
                        "[year][month][day]-[hour][minute][second]"
                    ))
                    .unwrap_or_else(|_| "session".into());
                default_sessions_root().join(format!("{stamp}-{}", std::process::id()))
            }
        };
        std::fs::create_dir_all(&dir).map_err(|source| SessionError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        restrict(&dir, 0o700);
        let journal_path = dir.join("journal.jsonl");
        let journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .map_err(|source| SessionError::CreateDir {
                path: journal_path.clone(),
                source,
            })?;
        restrict(&journal_path, 0o600);
        Ok(Self {
            dir,
            journal_path,
            journal,
            started: Instant::now(),
            t_base_ms: 0,
            seq: 0,
            prev_hash: "0".repeat(64),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one event (any serializable object, merged with `seq`, `t_ms`,
    /// `prev` and `hash`), then flushes and fsyncs.
    pub fn log(&mut self, event: &impl Serialize) -> Result<(), SessionError> {
        let serr = |source| SessionError::Serialize {
            kind: std::any::type_name_of_val(event),
            source,
        };
        let mut value = serde_json::to_value(event).map_err(serr)?;
        if !value.is_object() {
            value = serde_json::json!({ "event": "value", "value": value });
        }
        if let Some(obj) = value.as_object_mut() {
            obj.insert("seq".into(), self.seq.into());
            obj.insert(
                "t_ms".into(),
                (self.t_base_ms + self.started.elapsed().as_millis() as u64).into(),
            );
            obj.insert("prev".into(), self.prev_hash.clone().into());
        }
        let body = serde_json::to_string(&value).map_err(serr)?;
        let hash = hex::encode(Sha256::digest(body.as_bytes()));
        if let Some(obj) = value.as_object_mut() {
            obj.insert("hash".into(), hash.clone().into());
        }
        let mut line = serde_json::to_string(&value).map_err(serr)?;
        line.push('\n');
        let werr = |source| SessionError::Write {
            path: self.journal_path.clone(),
            source,
        };
        // A write cut short (disk full) is undone, so the journal stays a
        // sequence of whole lines: the message's promise that it is intact holds.
        let before = self.journal.metadata().map(|m| m.len()).ok();
        if let Err(source) = self.journal.write_all(line.as_bytes()) {
            if let Some(len) = before {
                let _ = self.journal.set_len(len);
            }
            return Err(werr(source));
        }
        self.journal
            .sync_data()
            .map_err(|source| SessionError::Write {
                path: self.journal_path.clone(),
                source,
            })?;
        self.seq += 1;
        self.prev_hash = hash;
        Ok(())
    }

    /// Writes a file of the final record (owner-only), atomically.
    pub fn write_file(&self, name: &str, contents: &[u8]) -> Result<PathBuf, SessionError> {
        let path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let werr = |source| SessionError::Write {
            path: path.clone(),
            source,
        };
        let mut f = File::create(&tmp).map_err(werr)?;
        restrict(&tmp, 0o600);
        f.write_all(contents).map_err(werr)?;
        f.sync_all().map_err(werr)?;
        std::fs::rename(&tmp, &path).map_err(werr)?;
        Ok(path)
    }
}

/// What `verify_journal` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalCheck {
    pub entries: usize,
    /// The last entry's hash (the chain head).
    pub head: String,
    /// The files the seal lists, each re-hashed and found intact; `None` if
    /// the journal has no seal (the session did not end normally).
    pub sealed_files: Option<Vec<String>>,
}

impl Session {
    /// Seals the record: hashes the named final files (already written) and
    /// appends their sha256 to the chain, so a later edit or removal of any
    /// of them is detected by [`verify_journal`].
    pub fn seal(&mut self, files: &[&str]) -> Result<(), SessionError> {
        let mut hashes = serde_json::Map::new();
        for name in files {
            let path = self.dir.join(name);
            let bytes = std::fs::read(&path).map_err(|source| SessionError::Write {
                path: path.clone(),
                source,
            })?;
            hashes.insert(
                (*name).to_string(),
                hex::encode(Sha256::digest(&bytes)).into(),
            );
        }
        self.log(&serde_json::json!({"event": "record_sealed", "files": hashes}))
    }

    /// Entries written so far.
    pub fn entries(&self) -> u64 {
        self.seq
    }

    /// The current chain head (hash of the last entry).
    pub fn chain_head(&self) -> &str {
        &self.prev_hash
    }
}

/// Why a journal does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JournalError {
    #[error("cannot read {0}")]
    Read(PathBuf),
    #[error("{path}: line {line} is not a JSON object (edited, or torn by a crash mid-write)")]
    Malformed { path: PathBuf, line: usize },
    #[error("{path}: line {line} was edited (its hash does not match its content)")]
    Edited { path: PathBuf, line: usize },
    #[error("{file}: changed or removed after the session was sealed (sha256 {actual}, sealed {sealed})")]
    FileChanged {
        file: PathBuf,
        sealed: String,
        actual: String,
    },
    #[error("{path}: line {line} does not follow line {prev} (an entry was removed, inserted or reordered)")]
    Broken {
        path: PathBuf,
        line: usize,
        prev: usize,
    },
}

/// An incomplete last line: a crash in the middle of writing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornLine {
    pub line: usize,
    pub bytes: Vec<u8>,
}

/// A journal read back to resume its session.
#[derive(Debug, Clone)]
pub struct LoadedJournal {
    pub path: PathBuf,
    /// Every complete, chain-verified entry (hash fields included).
    pub entries: Vec<serde_json::Value>,
    pub head: String,
    /// Length in bytes of the complete entries.
    pub complete_len: u64,
    pub torn: Option<TornLine>,
}

/// Loads a journal for resuming: the chain must verify; an incomplete last
/// line (torn by a crash mid-write) is reported in `torn`, never dropped
/// silently. Anything else wrong is an error.
pub fn load_journal(path: &Path) -> Result<LoadedJournal, JournalError> {
    let bytes = std::fs::read(path).map_err(|_| JournalError::Read(path.to_path_buf()))?;
    let mut entries = Vec::new();
    let mut prev = "0".repeat(64);
    let mut offset = 0usize;
    let mut torn = None;
    let total_lines = bytes.split_inclusive(|b| *b == b'\n').count();
    for (i, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let lineno = i + 1;
        let complete = raw.ends_with(b"\n");
        let parsed = std::str::from_utf8(raw)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t.trim_end()).ok())
            .filter(|v| v.is_object());
        let Some(value) = parsed else {
            if lineno == total_lines && !complete {
                torn = Some(TornLine {
                    line: lineno,
                    bytes: raw.to_vec(),
                });
                break;
            }
            return Err(JournalError::Malformed {
                path: path.to_path_buf(),
                line: lineno,
            });
        };
        prev = check_entry(path, lineno, value.clone(), &prev)?;
        entries.push(value);
        offset += raw.len();
    }
    Ok(LoadedJournal {
        path: path.to_path_buf(),
        entries,
        head: prev,
        complete_len: offset as u64,
        torn,
    })
}

/// Checks one entry against the chain; returns its hash.
fn check_entry(
    path: &Path,
    lineno: usize,
    mut value: serde_json::Value,
    prev: &str,
) -> Result<String, JournalError> {
    let malformed = || JournalError::Malformed {
        path: path.to_path_buf(),
        line: lineno,
    };
    let obj = value.as_object_mut().ok_or_else(malformed)?;
    let stated = obj
        .remove("hash")
        .and_then(|h| h.as_str().map(str::to_string))
        .unwrap_or_default();
    let body = serde_json::to_string(&value).unwrap_or_default();
    if hex::encode(Sha256::digest(body.as_bytes())) != stated {
        return Err(JournalError::Edited {
            path: path.to_path_buf(),
            line: lineno,
        });
    }
    if value.get("prev").and_then(|p| p.as_str()) != Some(prev) {
        return Err(JournalError::Broken {
            path: path.to_path_buf(),
            line: lineno,
            prev: lineno.saturating_sub(1),
        });
    }
    Ok(stated)
}

impl Session {
    /// Reopens a crashed session for appending after its last complete
    /// entry. A torn last line is moved to `journal.torn-line-N` (kept for
    /// review) and cut from the journal, so the chain continues cleanly.
    pub fn reopen(journal: &LoadedJournal) -> Result<Self, SessionError> {
        let dir = journal
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let werr = |source| SessionError::Write {
            path: journal.path.clone(),
            source,
        };
        if let Some(torn) = &journal.torn {
            let keep = dir.join(format!("journal.torn-line-{}", torn.line));
            std::fs::write(&keep, &torn.bytes).map_err(werr)?;
            restrict(&keep, 0o600);
            let f = OpenOptions::new()
                .write(true)
                .open(&journal.path)
                .map_err(werr)?;
            f.set_len(journal.complete_len).map_err(werr)?;
            f.sync_all().map_err(werr)?;
        }
        let file = OpenOptions::new()
            .append(true)
            .open(&journal.path)
            .map_err(werr)?;
        let t_base_ms = journal
            .entries
            .last()
            .and_then(|e| e.get("t_ms"))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        Ok(Self {
            dir,
            journal_path: journal.path.clone(),
            journal: file,
            started: Instant::now(),
            t_base_ms,
            seq: journal.entries.len() as u64,
            prev_hash: journal.head.clone(),
        })
    }
}

/// Re-computes the journal's hash chain: any edited, removed, inserted or
/// reordered entry, and a torn last line, is reported with its line number.
pub fn verify_journal(path: &Path) -> Result<JournalCheck, JournalError> {
    let text = std::fs::read_to_string(path).map_err(|_| JournalError::Read(path.to_path_buf()))?;
    let mut prev = "0".repeat(64);
    let mut entries = 0;
    let mut seal: Option<serde_json::Map<String, serde_json::Value>> = None;
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|_| JournalError::Malformed {
                path: path.to_path_buf(),
                line: lineno,
            })?;
        if value.get("event").and_then(|e| e.as_str()) == Some("record_sealed") {
            seal = value.get("files").and_then(|f| f.as_object()).cloned();
        }
        prev = check_entry(path, lineno, value, &prev)?;
        entries += 1;
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let sealed_files = match seal {
        None => None,
        Some(files) => {
            let mut names = Vec::new();
            for (name, sealed) in files {
                let sealed = sealed.as_str().unwrap_or_default().to_string();
                let file = dir.join(&name);
                let actual = std::fs::read(&file)
                    .map(|b| hex::encode(Sha256::digest(&b)))
                    .unwrap_or_else(|_| "missing".into());
                if actual != sealed {
                    return Err(JournalError::FileChanged {
                        file,
                        sealed,
                        actual,
                    });
                }
                names.push(name);
            }
            Some(names)
        }
    };
    Ok(JournalCheck {
        entries,
        head: prev,
        sealed_files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::create(Some(dir.path().join("s"))).unwrap();
        for i in 0..4 {
            s.log(&serde_json::json!({"event": "candidate", "turn": i, "text": format!("answer {i}")}))
                .unwrap();
        }
        let p = s.dir().join("journal.jsonl");
        (dir, p)
    }

    #[test]
    fn a_torn_last_line_is_reported_and_cut_on_reopen() {
        let (_d, p) = journal();
        let original = std::fs::read_to_string(&p).unwrap();
        let torn = format!("{original}{{\"event\":\"candid");
        std::fs::write(&p, &torn).unwrap();
        let loaded = load_journal(&p).unwrap();
        assert_eq!(loaded.entries.len(), 4);
        let t = loaded.torn.clone().expect("torn line reported");
        assert_eq!(t.line, 5);
        let mut s = Session::reopen(&loaded).unwrap();
        s.log(&serde_json::json!({"event": "resumed"})).unwrap();
        assert_eq!(verify_journal(&p).unwrap().entries, 5);
        let kept = std::fs::read(p.parent().unwrap().join("journal.torn-line-5")).unwrap();
        assert_eq!(kept, b"{\"event\":\"candid");
        // A bad line that is not the last is an error, not a tear.
        std::fs::write(&p, format!("{{broken\n{original}")).unwrap();
        assert!(matches!(
            load_journal(&p),
            Err(JournalError::Malformed { line: 1, .. })
        ));
    }

    #[test]
    fn sealed_files_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::create(Some(dir.path().join("s"))).unwrap();
        s.log(&serde_json::json!({"event": "candidate", "text": "x"}))
            .unwrap();
        s.write_file("scorecard.md", b"# Scorecard\nNo hire\n")
            .unwrap();
        s.seal(&["scorecard.md"]).unwrap();
        let journal = s.dir().join("journal.jsonl");
        let check = verify_journal(&journal).unwrap();
        assert_eq!(check.sealed_files, Some(vec!["scorecard.md".to_string()]));
        std::fs::write(s.dir().join("scorecard.md"), "# Scorecard\nStrong hire\n").unwrap();
        assert!(matches!(
            verify_journal(&journal),
            Err(JournalError::FileChanged { .. })
        ));
        std::fs::remove_file(s.dir().join("scorecard.md")).unwrap();
        assert!(matches!(
            verify_journal(&journal),
            Err(JournalError::FileChanged { .. })
        ));
    }

    #[test]
    fn floats_survive_the_round_trip_through_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::create(Some(dir.path().join("s"))).unwrap();
        for x in [
            1524.5837450000001_f64,
            68.46556199999999,
            0.1 + 0.2,
            1e-300,
            123_456_789.123_456_79,
        ] {
            s.log(&serde_json::json!({"event": "timing", "ms": x}))
                .unwrap();
        }
        assert_eq!(
            verify_journal(&s.dir().join("journal.jsonl"))
                .unwrap()
                .entries,
            5
        );
    }

    #[test]
    fn an_intact_journal_verifies() {
        let (_d, p) = journal();
        assert_eq!(verify_journal(&p).unwrap().entries, 4);
    }

    #[test]
    fn edits_removals_reorders_and_torn_lines_are_detected() {
        let (_d, p) = journal();
        let original = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = original.lines().collect();

        std::fs::write(&p, original.replace("answer 2", "answer 9")).unwrap();
        assert!(matches!(
            verify_journal(&p),
            Err(JournalError::Edited { line: 3, .. })
        ));

        let removed = [lines[0], lines[1], lines[3]].join("\n") + "\n";
        std::fs::write(&p, removed).unwrap();
        assert!(matches!(
            verify_journal(&p),
            Err(JournalError::Broken { line: 3, .. })
        ));

        let swapped = [lines[0], lines[2], lines[1], lines[3]].join("\n") + "\n";
        std::fs::write(&p, swapped).unwrap();
        assert!(matches!(
            verify_journal(&p),
            Err(JournalError::Broken { line: 2, .. })
        ));

        let torn = format!("{}{}", original, &lines[1][..20]);
        std::fs::write(&p, torn).unwrap();
        assert!(matches!(
            verify_journal(&p),
            Err(JournalError::Malformed { line: 5, .. })
        ));
    }
}
