//! Voice activity detection with Silero VAD (v5/v6 ONNX) on the ONNX Runtime
//! that Piper already loads. 16 kHz mono, 512-sample frames (32 ms): each
//! frame gets a speech probability in `[0, 1]`.

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::value::Tensor;

use crate::onnx_runtime;

/// Samples per frame at 16 kHz (what the model accepts).
pub const FRAME: usize = 512;
/// Frame length in milliseconds.
pub const FRAME_MS: f64 = 32.0;
/// Samples of the previous frame the model sees as context (v5+).
const CONTEXT: usize = 64;
const STATE: usize = 2 * 128;

/// Why the VAD cannot run.
#[derive(Debug, thiserror::Error)]
pub enum VadError {
    #[error(transparent)]
    Runtime(#[from] onnx_runtime::OrtLibraryError),
    #[error("Silero VAD model {0} does not exist (run `scripts/setup`, or pass --vad-model PATH)")]
    Missing(PathBuf),
    #[error("cannot load the Silero VAD model {path}: {message} (a Silero VAD v5/v6 .onnx is expected; `viva models verify` checks the installed one)")]
    Load { path: PathBuf, message: String },
    #[error("VAD inference failed: {0}")]
    Inference(String),
    #[error("a VAD frame has {actual} samples; {FRAME} are expected")]
    FrameSize { actual: usize },
}

/// A loaded Silero VAD with its recurrent state.
pub struct SileroVad {
    session: Session,
    state: Vec<f32>,
    context: [f32; CONTEXT],
}

impl SileroVad {
    /// Loads the model (initialising ONNX Runtime from `runtime` if needed).
    pub fn load(model: &Path, runtime: &Path) -> Result<Self, VadError> {
        if !model.is_file() {
            return Err(VadError::Missing(model.to_path_buf()));
        }
        onnx_runtime::init(runtime)?;
        let err = |message: String| VadError::Load {
            path: model.to_path_buf(),
            message,
        };
        let session = Session::builder()
            .map_err(|e| err(e.to_string()))?
            .with_intra_threads(1)
            .map_err(|e| err(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| err(e.to_string()))?
            .commit_from_file(model)
            .map_err(|e| err(e.to_string()))?;
        let names: Vec<String> = session
            .inputs()
            .iter()
            .map(|i| i.name().to_string())
            .collect();
        for wanted in ["input", "state", "sr"] {
            if !names.iter().any(|n| n == wanted) {
                return Err(err(format!(
                    "the model has inputs {names:?}, not Silero v5's input/state/sr"
                )));
            }
        }
        Ok(Self {
            session,
            state: vec![0.0; STATE],
            context: [0.0; CONTEXT],
        })
    }

    /// Forgets everything heard (call between unrelated streams).
    pub fn reset(&mut self) {
        self.state.iter_mut().for_each(|v| *v = 0.0);
        self.context = [0.0; CONTEXT];
    }

    /// Speech probability of one 512-sample frame (16 kHz).
    pub fn probability(&mut self, frame: &[f32]) -> Result<f32, VadError> {
        if frame.len() != FRAME {
            return Err(VadError::FrameSize {
                actual: frame.len(),
            });
        }
        let mut input = Vec::with_capacity(CONTEXT + FRAME);
        input.extend_from_slice(&self.context);
        input.extend_from_slice(frame);
        let inf = |e: ort::Error| VadError::Inference(e.to_string());
        let input =
            Tensor::<f32>::from_array(([1usize, CONTEXT + FRAME], input.into_boxed_slice()))
                .map_err(inf)?;
        let state =
            Tensor::<f32>::from_array(([2usize, 1, 128], self.state.clone().into_boxed_slice()))
                .map_err(inf)?;
        let sr = Tensor::<i64>::from_array(([0usize; 0], vec![16_000i64].into_boxed_slice()))
            .map_err(inf)?;
        let outputs = self
            .session
            .run(ort::inputs!["input" => input, "state" => state, "sr" => sr])
            .map_err(inf)?;
        let (_, prob) = outputs[0].try_extract_tensor::<f32>().map_err(inf)?;
        let p = prob.first().copied().unwrap_or(0.0);
        let (_, new_state) = outputs[1].try_extract_tensor::<f32>().map_err(inf)?;
        if new_state.len() == STATE {
            self.state.copy_from_slice(new_state);
        }
        self.context.copy_from_slice(&frame[FRAME - CONTEXT..]);
        Ok(p)
    }

    /// Probabilities of every whole frame of `pcm` (16 kHz mono).
    pub fn probabilities(&mut self, pcm: &[f32]) -> Result<Vec<f32>, VadError> {
        pcm.chunks_exact(FRAME)
            .map(|f| self.probability(f))
            .collect()
    }
}
