//! Supervisor of the `viva-stt-worker` process: spawns it, speaks the
//! stt-protocol, forwards its logs to `tracing`, and restarts it when it dies
//! (re-sending the request that was in flight, so no turn is lost).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use stt_protocol::{
    read_message, write_message, write_transcribe, ProtocolError, Request, Response,
};

use super::{SpeechToText, TranscribeOptions, Transcript};

/// How to start the worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The `viva-stt-worker` executable.
    pub binary: PathBuf,
    /// A whisper.cpp ggml model.
    pub model: PathBuf,
    /// Inference threads.
    pub threads: usize,
    /// How many times one request may restart a dead worker.
    pub max_restarts_per_request: u32,
}

impl WorkerConfig {
    /// Config with the worker found next to the running binary.
    pub fn new(model: PathBuf, threads: usize) -> Result<Self, SttError> {
        let binary = crate::paths::stt_worker_binary().ok_or(SttError::WorkerNotFound)?;
        Ok(Self {
            binary,
            model,
            threads,
            max_restarts_per_request: 2,
        })
    }
}

/// Speech-to-text failures.
#[derive(Debug, thiserror::Error)]
pub enum SttError {
    #[error("the speech-to-text worker `viva-stt-worker` was not found next to the viva binary (build it with `cargo build --release`, or set VIVA_STT_WORKER)")]
    WorkerNotFound,
    #[error("cannot start {binary}: {source}")]
    Spawn {
        binary: PathBuf,
        source: std::io::Error,
    },
    #[error("the speech-to-text worker could not start: {0}")]
    StartFailed(String),
    #[error("the speech-to-text worker died ({status}) and could not be restarted; its last log lines: {stderr}")]
    Died { status: String, stderr: String },
    #[error("speech-to-text failed: {0}")]
    Engine(String),
    #[error("speech-to-text protocol error: {0}")]
    Protocol(#[from] ProtocolError),
}

/// What the worker reported when it came up.
#[derive(Debug, Clone)]
pub struct WorkerInfo {
    pub model: String,
    pub load_ms: u64,
    pub system_info: String,
    pub pid: u32,
}

struct Running {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    info: WorkerInfo,
}

/// A supervised Whisper worker process.
pub struct SttWorker {
    config: WorkerConfig,
    running: Option<Running>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    next_id: u64,
    restarts: u32,
}

const STDERR_LINES_KEPT: usize = 20;

fn stderr_text(tail: &Arc<Mutex<VecDeque<String>>>) -> String {
    tail.lock()
        .map(|t| t.iter().cloned().collect::<Vec<_>>().join(" | "))
        .unwrap_or_default()
}

impl SttWorker {
    /// Starts the worker and waits until its model is loaded.
    pub fn start(config: WorkerConfig) -> Result<Self, SttError> {
        let mut worker = Self {
            config,
            running: None,
            stderr_tail: Arc::new(Mutex::new(VecDeque::new())),
            next_id: 1,
            restarts: 0,
        };
        worker.spawn()?;
        Ok(worker)
    }

    fn spawn(&mut self) -> Result<(), SttError> {
        let mut child = Command::new(&self.config.binary)
            .arg("--model")
            .arg(&self.config.model)
            .arg("--threads")
            .arg(self.config.threads.max(1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| SttError::Spawn {
                binary: self.config.binary.clone(),
                source,
            })?;
        let pid = child.id();
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(SttError::StartFailed("worker pipes unavailable".into()));
        };
        let tail = Arc::clone(&self.stderr_tail);
        std::thread::Builder::new()
            .name(format!("stt-worker-{pid}-stderr"))
            .spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    tracing::debug!(target: "viva::stt::worker", pid, "{line}");
                    if let Ok(mut t) = tail.lock() {
                        if t.len() == STDERR_LINES_KEPT {
                            t.pop_front();
                        }
                        t.push_back(line);
                    }
                }
            })
            .map_err(|e| SttError::StartFailed(format!("cannot start log thread: {e}")))?;
        let mut stdout = BufReader::new(stdout);
        let ready: Result<Response, ProtocolError> = read_message(&mut stdout);
        match ready {
            Ok(Response::Ready {
                model,
                load_ms,
                system_info,
            }) => {
                tracing::info!(pid, load_ms, %model, "speech-to-text worker ready");
                self.running = Some(Running {
                    child,
                    stdin: BufWriter::new(stdin),
                    stdout,
                    info: WorkerInfo {
                        model,
                        load_ms,
                        system_info,
                        pid,
                    },
                });
                Ok(())
            }
            Ok(Response::Error { message, .. }) => {
                let _ = child.wait();
                Err(SttError::StartFailed(message))
            }
            Ok(other) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(SttError::StartFailed(format!(
                    "unexpected first message {other:?}"
                )))
            }
            Err(e) => {
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                Err(SttError::StartFailed(format!(
                    "{e} ({status}); worker log: {}",
                    stderr_text(&self.stderr_tail)
                )))
            }
        }
    }

    /// What the running worker reported at start-up.
    pub fn info(&self) -> Option<&WorkerInfo> {
        self.running.as_ref().map(|r| &r.info)
    }

    /// The worker's process id (for supervision tests and diagnostics).
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.info.pid)
    }

    /// How many times the worker has been restarted after dying.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    fn exit_status(&mut self) -> Option<ExitStatus> {
        self.running
            .as_mut()
            .and_then(|r| r.child.try_wait().ok().flatten())
    }

    fn reap(&mut self) -> String {
        match self.running.take() {
            Some(mut r) => {
                let _ = r.child.kill();
                r.child
                    .wait()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|e| e.to_string())
            }
            None => "not running".into(),
        }
    }

    fn request(
        &mut self,
        pcm: &[f32],
        options: &TranscribeOptions,
        id: u64,
    ) -> Result<Response, ProtocolError> {
        let running = self.running.as_mut().ok_or(ProtocolError::Closed)?;
        write_transcribe(&mut running.stdin, id, pcm, options)?;
        read_message(&mut running.stdout)
    }

    /// Sends a ping and waits for the answer.
    pub fn ping(&mut self) -> Result<(), SttError> {
        let id = self.next_id;
        self.next_id += 1;
        let running = self.running.as_mut().ok_or(ProtocolError::Closed)?;
        write_message(&mut running.stdin, &Request::Ping { id })?;
        std::io::Write::flush(&mut running.stdin).map_err(ProtocolError::from)?;
        match read_message(&mut running.stdout)? {
            Response::Pong { id: got } if got == id => Ok(()),
            other => Err(SttError::Engine(format!(
                "unexpected answer to ping: {other:?}"
            ))),
        }
    }
}

impl SpeechToText for SttWorker {
    fn transcribe(
        &mut self,
        pcm: &[f32],
        options: &TranscribeOptions,
    ) -> Result<Transcript, SttError> {
        let started = Instant::now();
        let mut restarts_left = self.config.max_restarts_per_request;
        loop {
            if self.running.is_none() || self.exit_status().is_some() {
                let status = self.reap();
                if restarts_left == 0 {
                    return Err(SttError::Died {
                        status,
                        stderr: stderr_text(&self.stderr_tail),
                    });
                }
                restarts_left -= 1;
                self.restarts += 1;
                tracing::warn!(%status, "speech-to-text worker is not running; restarting it");
                self.spawn()?;
            }
            let id = self.next_id;
            self.next_id += 1;
            match self.request(pcm, options, id) {
                Ok(Response::Transcript {
                    id: got,
                    text,
                    segments,
                    audio_ms,
                    elapsed_ms,
                }) if got == id => {
                    return Ok(Transcript {
                        text,
                        segments,
                        audio_ms,
                        engine_ms: elapsed_ms,
                        total_ms: started.elapsed().as_millis() as u64,
                    })
                }
                Ok(Response::Error { message, .. }) => return Err(SttError::Engine(message)),
                Ok(other) => {
                    tracing::warn!(
                        ?other,
                        "out-of-sequence answer from the STT worker; restarting it"
                    );
                    self.reap();
                }
                Err(ProtocolError::TooLong(n)) => return Err(ProtocolError::TooLong(n).into()),
                Err(e) => {
                    // Broken pipe or EOF: the worker died mid-request.
                    let status = self.reap();
                    tracing::warn!(error = %e, %status, "speech-to-text worker died during a request");
                    if restarts_left == 0 {
                        return Err(SttError::Died {
                            status,
                            stderr: stderr_text(&self.stderr_tail),
                        });
                    }
                }
            }
        }
    }
}

impl Drop for SttWorker {
    fn drop(&mut self) {
        if let Some(mut r) = self.running.take() {
            let _ = write_message(&mut r.stdin, &Request::Shutdown);
            let _ = std::io::Write::flush(&mut r.stdin);
            drop(r.stdin);
            // Give it a moment to exit on its own, then make sure.
            for _ in 0..50 {
                if let Ok(Some(_)) = r.child.try_wait() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let _ = r.child.kill();
            let _ = r.child.wait();
        }
    }
}
