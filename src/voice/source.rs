//! Where the candidate's voice comes from: a microphone (cpal, any native
//! rate and format, resampled to 16 kHz mono with rubato) or WAV files played
//! at the pace of real speech. Both deliver the same 512-sample frames
//! through the same channel, so the rest of the loop cannot tell them apart.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use rubato::{FftFixedIn, Resampler};

use crate::audio::vad::FRAME;
use crate::audio::Audio;

/// What the input side delivers.
#[derive(Debug)]
pub enum Input {
    /// 512 samples, 16 kHz mono.
    Frame(Vec<f32>),
    /// Push-to-talk key (Enter).
    Key,
    /// No more input (the files are played, or the device stopped).
    Ended,
    /// The device failed.
    Failed(String),
}

/// Why the input could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("no usable microphone{}: {message} (see `viva devices`; --audio-in FILE reads WAV files instead)", .device.as_ref().map(|d| format!(" `{d}`")).unwrap_or_default())]
    NoDevice {
        device: Option<String>,
        message: String,
    },
    #[error("cannot read candidate audio {path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("cannot resample the microphone's {rate} Hz to 16 kHz: {message}")]
    Resample { rate: u32, message: String },
}

/// An open input: frames arrive on `frames`.
pub struct AudioInput {
    pub frames: Receiver<Input>,
    /// Whether this input hears the interviewer (a microphone near speakers).
    pub hears_playback: bool,
    /// Whether audio arrives at the pace of speech (a microphone, or files
    /// played at a speed above 0). Faster input waits while the
    /// interviewer thinks and speaks.
    pub realtime: bool,
    /// Tells a per-turn file source that the interviewer has finished.
    listen: Option<Sender<()>>,
    keys: SyncSender<Input>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AudioInput {
    /// The interviewer finished speaking: the candidate's turn.
    pub fn listen(&self) {
        if let Some(l) = &self.listen {
            let _ = l.send(());
        }
    }
}

impl Drop for AudioInput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.listen.take();
        // Unblock a producer waiting on a full channel.
        while self.frames.try_recv().is_ok() {}
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Cuts a stream of 16 kHz samples into frames.
struct Framer {
    pending: Vec<f32>,
}

impl Framer {
    fn push(&mut self, samples: &[f32], out: &SyncSender<Input>) -> bool {
        self.pending.extend_from_slice(samples);
        while self.pending.len() >= FRAME {
            let rest = self.pending.split_off(FRAME);
            let frame = std::mem::replace(&mut self.pending, rest);
            if out.send(Input::Frame(frame)).is_err() {
                return false;
            }
        }
        true
    }
}

/// Candidate audio from WAV files.
pub struct FileInputConfig {
    /// One file per answer (the source waits for each question), or one
    /// recording with pauses (`per_turn` false: played straight through
    /// once the first question has been asked).
    pub files: Vec<PathBuf>,
    pub per_turn: bool,
    /// 1.0 = real time, 2.0 = twice as fast, 0 = as fast as the loop reads.
    pub speed: f64,
    /// Silence appended after each answer, so the end of turn is heard.
    pub trailing_silence_ms: f64,
}

/// Opens WAV files as the candidate's voice.
pub fn open_files(config: FileInputConfig) -> Result<AudioInput, SourceError> {
    let mut answers = Vec::new();
    for path in &config.files {
        let audio = crate::audio::wav::read_for_stt(path).map_err(|e| SourceError::File {
            path: path.clone(),
            message: e.to_string(),
        })?;
        answers.push(audio);
    }
    let (tx, frames) = sync_channel(64);
    let tx_keys = tx.clone();
    let speed = config.speed;
    let (listen_tx, listen_rx) = std::sync::mpsc::channel::<()>();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("viva-audio-in".into())
        .spawn(move || play_files(answers, config, tx, listen_rx, stop_flag))
        .map_err(|e| SourceError::File {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
    Ok(AudioInput {
        frames,
        hears_playback: false,
        realtime: speed > 0.0,
        keys: tx_keys,
        listen: Some(listen_tx),
        stop,
        thread: Some(thread),
    })
}

fn play_files(
    answers: Vec<Audio>,
    config: FileInputConfig,
    tx: SyncSender<Input>,
    listen: Receiver<()>,
    stop: Arc<AtomicBool>,
) {
    let frame_dur = Duration::from_secs_f64(FRAME as f64 / 16_000.0);
    let pace = |started: Instant, n: u64| {
        if config.speed > 0.0 {
            let due = started + frame_dur.mul_f64(n as f64 / config.speed);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
    };
    let silence = vec![0.0f32; FRAME];
    let silence_frames = (config.trailing_silence_ms / 32.0).ceil() as usize;
    let started = Instant::now();
    let mut n: u64 = 0;
    let mut send = |frame: Vec<f32>, n: &mut u64| -> bool {
        pace(started, *n);
        *n += 1;
        !stop.load(Ordering::SeqCst) && tx.send(Input::Frame(frame)).is_ok()
    };
    // Until the interviewer's question has been spoken, the room is quiet.
    let wait_for_turn = |n: &mut u64, send: &mut dyn FnMut(Vec<f32>, &mut u64) -> bool| loop {
        match listen.try_recv() {
            Ok(()) => return true,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return false,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if !send(silence.clone(), n) {
                    return false;
                }
                if config.speed <= 0.0 {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
    };
    // Nothing is said before the interviewer's first question.
    if !wait_for_turn(&mut n, &mut send) {
        return;
    }
    for (i, audio) in answers.iter().enumerate() {
        if config.per_turn && i > 0 && !wait_for_turn(&mut n, &mut send) {
            return;
        }
        for chunk in audio.samples.chunks(FRAME) {
            let mut frame = chunk.to_vec();
            frame.resize(FRAME, 0.0);
            if !send(frame, &mut n) {
                return;
            }
        }
        for _ in 0..silence_frames {
            if !send(silence.clone(), &mut n) {
                return;
            }
        }
    }
    // The last answer is answered before the input ends.
    if config.per_turn && !wait_for_turn(&mut n, &mut send) {
        return;
    }
    let _ = tx.send(Input::Ended);
}

/// Candidate audio from a microphone.
pub fn open_microphone(device: Option<&str>) -> Result<AudioInput, SourceError> {
    let (tx, frames) = sync_channel(512);
    let tx_keys = tx.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_flag = Arc::clone(&stop);
    let device_name = device.map(str::to_string);
    let thread = std::thread::Builder::new()
        .name("viva-mic".into())
        .spawn(move || capture(device_name, tx, ready_tx, stop_flag))
        .map_err(|e| SourceError::NoDevice {
            device: device.map(str::to_string),
            message: e.to_string(),
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            return Err(SourceError::NoDevice {
                device: device.map(str::to_string),
                message: "the capture thread stopped".into(),
            })
        }
    }
    Ok(AudioInput {
        frames,
        hears_playback: true,
        realtime: true,
        keys: tx_keys,
        listen: None,
        stop,
        thread: Some(thread),
    })
}

fn to_f32<T: cpal::Sample>(data: &[T], channels: usize) -> Vec<f32>
where
    f32: cpal::FromSample<T>,
{
    data.chunks(channels.max(1))
        .map(|frame| {
            frame
                .iter()
                .map(|s| <f32 as cpal::FromSample<T>>::from_sample_(*s))
                .sum::<f32>()
                / frame.len() as f32
        })
        .collect()
}

fn capture(
    device: Option<String>,
    tx: SyncSender<Input>,
    ready: Sender<Result<(), SourceError>>,
    stop: Arc<AtomicBool>,
) {
    let no_device = |message: String| SourceError::NoDevice {
        device: device.clone(),
        message,
    };
    let dev = match &device {
        Some(name) => crate::audio::devices::find(name, true),
        None => cpal::default_host().default_input_device(),
    };
    let Some(dev) = dev else {
        let _ = ready.send(Err(no_device("no input device found".into())));
        return;
    };
    let supported = match dev.default_input_config() {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(no_device(e.to_string())));
            return;
        }
    };
    let rate = supported.sample_rate();
    let channels = usize::from(supported.channels());
    let config: cpal::StreamConfig = supported.config();
    let (raw_tx, raw_rx) = std::sync::mpsc::channel::<Vec<f32>>();
    let err_tx = tx.clone();
    let on_error = move |e: cpal::Error| {
        let _ = err_tx.try_send(Input::Failed(e.to_string()));
    };
    macro_rules! build {
        ($t:ty) => {{
            let raw_tx = raw_tx.clone();
            dev.build_input_stream::<$t, _, _>(
                config.clone(),
                move |data: &[$t], _| {
                    let _ = raw_tx.send(to_f32(data, channels));
                },
                on_error,
                None,
            )
        }};
    }
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => build!(f32),
        cpal::SampleFormat::I16 => build!(i16),
        cpal::SampleFormat::I32 => build!(i32),
        cpal::SampleFormat::U16 => build!(u16),
        cpal::SampleFormat::U8 => build!(u8),
        cpal::SampleFormat::I8 => build!(i8),
        cpal::SampleFormat::F64 => build!(f64),
        other => {
            let _ = ready.send(Err(no_device(format!(
                "sample format {other:?} is not supported"
            ))));
            return;
        }
    };
    let stream = match stream {
        Ok(s) => s,
        Err(e) => {
            let _ = ready.send(Err(no_device(e.to_string())));
            return;
        }
    };
    if let Err(e) = stream.play() {
        let _ = ready.send(Err(no_device(e.to_string())));
        return;
    }
    let chunk = 1024;
    let mut resampler = if rate == 16_000 {
        None
    } else {
        match FftFixedIn::<f32>::new(rate as usize, 16_000, chunk, 2, 1) {
            Ok(r) => Some(r),
            Err(e) => {
                let _ = ready.send(Err(SourceError::Resample {
                    rate,
                    message: e.to_string(),
                }));
                return;
            }
        }
    };
    let _ = ready.send(Ok(()));
    tracing::info!(rate, channels, "microphone open");
    let mut framer = Framer {
        pending: Vec::new(),
    };
    let mut pending: Vec<f32> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let data = match raw_rx.recv_timeout(Duration::from_millis(50)) {
            Ok(d) => d,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(_) => break,
        };
        let ok = match resampler.as_mut() {
            None => framer.push(&data, &tx),
            Some(r) => {
                pending.extend_from_slice(&data);
                let mut ok = true;
                while pending.len() >= chunk {
                    let rest = pending.split_off(chunk);
                    let block = std::mem::replace(&mut pending, rest);
                    match r.process(&[&block], None) {
                        Ok(out) => ok &= framer.push(&out[0], &tx),
                        Err(e) => {
                            let _ = tx.send(Input::Failed(e.to_string()));
                            ok = false;
                        }
                    }
                }
                ok
            }
        };
        if !ok {
            break;
        }
    }
    drop(stream);
}

impl AudioInput {
    /// Push-to-talk: every Enter pressed in the terminal becomes an
    /// [`Input::Key`] (the thread ends with standard input).
    pub fn keys_from_stdin(&self) {
        let tx = self.keys.clone();
        let _ = std::thread::Builder::new()
            .name("viva-keys".into())
            .spawn(move || {
                let mut line = String::new();
                while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                    line.clear();
                    if tx.send(Input::Key).is_err() {
                        break;
                    }
                }
            });
    }
}
