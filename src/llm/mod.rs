//! Local LLM (llama.cpp through `llama-cpp-2`): loads any GGUF, renders the
//! model's own chat template, and generates with a KV cache that keeps the
//! longest common prompt prefix between calls (the persona's system prompt is
//! evaluated once per session, not once per turn).

mod chat;

use std::io::Read;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use llama_cpp_2::token::LlamaToken;

pub use chat::{ChatMessage, ChatRole, ChatTemplate};

/// How to load and run the model.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub model: PathBuf,
    /// CPU threads for generation and prompt processing.
    pub threads: usize,
    /// Context window in tokens.
    pub ctx_size: u32,
    /// Layers offloaded to a GPU (needs a `cuda`/`vulkan`/`metal` build).
    pub gpu_layers: u32,
}

impl LlmConfig {
    pub fn new(model: PathBuf) -> Self {
        Self {
            model,
            threads: default_threads(),
            ctx_size: 4096,
            gpu_layers: 0,
        }
    }
}

/// Physical-core-sized default: all available hardware threads.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Sampling settings of one generation.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub max_tokens: usize,
    /// 0 = greedy (deterministic).
    pub temperature: f32,
    pub seed: u32,
    /// GBNF grammar constraining the output (root rule `root`).
    pub grammar: Option<String>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_tokens: 256,
            temperature: 0.0,
            seed: 42,
            grammar: None,
        }
    }
}

/// What a generation produced, with its timings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generation {
    pub text: String,
    pub prompt_tokens: usize,
    /// Prompt tokens served from the KV cache (not re-evaluated).
    pub cached_tokens: usize,
    pub generated_tokens: usize,
    pub prompt_ms: f64,
    pub generate_ms: f64,
    /// From the call to the first generated token.
    pub first_token_ms: f64,
}

impl Generation {
    pub fn prompt_tokens_per_s(&self) -> f64 {
        let evaluated = (self.prompt_tokens - self.cached_tokens) as f64;
        if self.prompt_ms > 0.0 {
            evaluated * 1000.0 / self.prompt_ms
        } else {
            0.0
        }
    }

    pub fn generate_tokens_per_s(&self) -> f64 {
        if self.generate_ms > 0.0 {
            self.generated_tokens as f64 * 1000.0 / self.generate_ms
        } else {
            0.0
        }
    }
}

/// LLM failures.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("LLM model file {0} does not exist (run `scripts/setup`, or pass --llm-model PATH to a GGUF file)")]
    Missing(PathBuf),
    #[error("{path} is not a GGUF model (its first bytes are {magic:?}, expected \"GGUF\"); the file is corrupt or of another format: re-run `scripts/setup` or point --llm-model at a .gguf file")]
    NotGguf { path: PathBuf, magic: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("llama.cpp could not load {0} (truncated or unsupported GGUF?); `viva models verify` checks the default models")]
    Load(PathBuf),
    #[error("cannot initialise llama.cpp: {0}")]
    Backend(String),
    #[error("cannot create an LLM context of {ctx} tokens: {message}")]
    Context { ctx: u32, message: String },
    #[error(
        "the prompt has {tokens} tokens, more than the {ctx}-token context (raise --ctx-size)"
    )]
    PromptTooLong { tokens: usize, ctx: u32 },
    #[error("chat template: {0}")]
    Template(String),
    #[error("invalid grammar: {0}")]
    Grammar(String),
    #[error("the grammar allows no next token (the grammar is unsatisfiable for this model's vocabulary)")]
    GrammarDeadEnd,
    #[error("generation failed: {0}")]
    Decode(String),
}

fn backend() -> Result<&'static LlamaBackend, LlmError> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs thousands of lines: route them to tracing, where
            // the default filter keeps them quiet.
            llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| LlmError::Backend(e.clone()))
}

/// Checks that `path` exists and starts with the GGUF magic.
pub fn check_gguf(path: &Path) -> Result<(), LlmError> {
    if !path.is_file() {
        return Err(LlmError::Missing(path.to_path_buf()));
    }
    let mut magic = [0u8; 4];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .map_err(|source| LlmError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if read < 4 || &magic != b"GGUF" {
        return Err(LlmError::NotGguf {
            path: path.to_path_buf(),
            magic: String::from_utf8_lossy(&magic[..read]).into_owned(),
        });
    }
    Ok(())
}

/// A loaded model with one context whose KV cache persists between calls.
pub struct Llm {
    model: &'static LlamaModel,
    ctx: LlamaContext<'static>,
    template: ChatTemplate,
    /// Tokens whose keys/values are in the context's cache, in order.
    cached: Vec<LlamaToken>,
    config: LlmConfig,
    load_ms: f64,
}

impl Llm {
    /// Loads the model and creates its context.
    pub fn load(config: LlmConfig) -> Result<Self, LlmError> {
        check_gguf(&config.model)?;
        let started = Instant::now();
        let backend = backend()?;
        let params = LlamaModelParams::default().with_n_gpu_layers(config.gpu_layers);
        let model = LlamaModel::load_from_file(backend, &config.model, &params)
            .map_err(|_| LlmError::Load(config.model.clone()))?;
        // The context borrows the model for its whole life; one model per
        // session, so it is kept for the process's lifetime.
        let model: &'static LlamaModel = Box::leak(Box::new(model));
        let ctx_size = config.ctx_size.min(model.n_ctx_train().max(512));
        let threads = i32::try_from(config.threads.max(1)).unwrap_or(1);
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(ctx_size))
            .with_n_batch(512)
            .with_n_threads(threads)
            .with_n_threads_batch(threads);
        let ctx = model
            .new_context(backend, params)
            .map_err(|e| LlmError::Context {
                ctx: ctx_size,
                message: e.to_string(),
            })?;
        let template = ChatTemplate::from_model(model);
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(model = %config.model.display(), load_ms, ctx_size, template = template.kind(), "LLM loaded");
        Ok(Self {
            model,
            ctx,
            template,
            cached: Vec::new(),
            config,
            load_ms,
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    /// Context window size in tokens.
    pub fn ctx_size(&self) -> u32 {
        self.ctx.n_ctx()
    }

    /// The chat template in use.
    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    /// Renders messages with the model's chat template, ready for generation.
    pub fn render_chat(&self, messages: &[ChatMessage]) -> Result<String, LlmError> {
        self.template.render(self.model, messages)
    }

    /// Number of tokens `text` takes.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.model
            .vocab()
            .tokenize(text.as_bytes(), false, true)
            .len()
    }

    /// Forgets the KV cache.
    pub fn clear_cache(&mut self) {
        self.ctx.clear_kv_cache();
        self.cached.clear();
    }

    /// Evaluates `prompt` (reusing the cached prefix) and generates up to
    /// `max_tokens`. `on_piece` gets each piece of text as it is produced and
    /// may return `false` to stop early.
    pub fn generate(
        &mut self,
        prompt: &str,
        options: &GenerateOptions,
        mut on_piece: impl FnMut(&str) -> bool,
    ) -> Result<Generation, LlmError> {
        let started = Instant::now();
        let vocab = self.model.vocab();
        let bos_text =
            String::from_utf8_lossy(&vocab.token_to_piece(vocab.bos(), true, None)).into_owned();
        let add_bos =
            vocab.should_add_bos() && (bos_text.is_empty() || !prompt.starts_with(&bos_text));
        let tokens = vocab.tokenize(prompt.as_bytes(), add_bos, true);
        let n_ctx = self.ctx.n_ctx();
        if tokens.len() + options.max_tokens.min(64) >= n_ctx as usize {
            return Err(LlmError::PromptTooLong {
                tokens: tokens.len(),
                ctx: n_ctx,
            });
        }
        // Reuse the longest common prefix; always re-evaluate at least the
        // last prompt token so that logits exist for sampling.
        let mut common = self
            .cached
            .iter()
            .zip(&tokens)
            .take_while(|(a, b)| a == b)
            .count();
        if common == tokens.len() {
            common -= 1;
        }
        self.ctx
            .clear_kv_cache_seq(Some(0), Some(common as u32), None)
            .map_err(|e| LlmError::Decode(e.to_string()))?;
        self.cached.truncate(common);

        let n_batch = self.ctx.n_batch() as usize;
        let mut batch = LlamaBatch::new(n_batch.max(1), 1);
        let rest = &tokens[common..];
        for (chunk_index, chunk) in rest.chunks(n_batch).enumerate() {
            batch.clear();
            let last_chunk = (chunk_index + 1) * n_batch >= rest.len();
            for (i, &tok) in chunk.iter().enumerate() {
                let pos = (common + chunk_index * n_batch + i) as i32;
                let logits = last_chunk && i == chunk.len() - 1;
                batch
                    .add(tok, pos, &[0], logits)
                    .map_err(|e| LlmError::Decode(e.to_string()))?;
            }
            self.ctx
                .decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            self.cached.extend_from_slice(chunk);
        }
        let prompt_ms = started.elapsed().as_secs_f64() * 1000.0;

        let mut sampler = TokenSampler::new(self.model, options)?;
        let mut decoder = encoding_rs::UTF_8.new_decoder();
        let mut text = String::new();
        let mut piece_bytes = Vec::new();
        let mut generated = 0usize;
        let mut first_token_ms = 0.0;
        let gen_started = Instant::now();
        let mut logits_index = batch.n_tokens() - 1;
        while generated < options.max_tokens {
            if self.cached.len() + 1 >= n_ctx as usize {
                tracing::warn!("context full; stopping generation");
                break;
            }
            let token = sampler.sample(&self.ctx, logits_index)?;
            generated += 1;
            if generated == 1 {
                first_token_ms = started.elapsed().as_secs_f64() * 1000.0;
            }
            if vocab.is_eog(token) {
                break;
            }
            piece_bytes.clear();
            vocab.token_to_piece_into(token, &mut piece_bytes, false, None);
            let mut piece = String::with_capacity(piece_bytes.len() + 4);
            let _ = decoder.decode_to_string(&piece_bytes, &mut piece, false);
            text.push_str(&piece);
            let keep_going = on_piece(&piece);
            batch.clear();
            batch
                .add(token, self.cached.len() as i32, &[0], true)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            self.ctx
                .decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            self.cached.push(token);
            logits_index = 0;
            if !keep_going {
                break;
            }
        }
        Ok(Generation {
            text,
            prompt_tokens: tokens.len(),
            cached_tokens: common,
            generated_tokens: generated,
            prompt_ms,
            generate_ms: gen_started.elapsed().as_secs_f64() * 1000.0,
            first_token_ms,
        })
    }
}

impl Llm {
    /// Raw throughput the way llama.cpp's `llama-bench` measures it: a
    /// `n_prompt`-token batch from an empty cache (pp), then `n_gen` single
    /// token decodes (tg). Returns (pp tok/s, tg tok/s).
    pub fn throughput(&mut self, n_prompt: usize, n_gen: usize) -> Result<(f64, f64), LlmError> {
        let n_vocab = self.model.n_vocab().max(2);
        let tokens: Vec<LlamaToken> = (0..n_prompt.max(1))
            .map(|i| LlamaToken::new(((i as i32 * 7919) % (n_vocab - 1)) + 1))
            .collect();
        self.clear_cache();
        let n_batch = self.ctx.n_batch() as usize;
        let mut batch = LlamaBatch::new(n_batch.max(n_prompt).max(1), 1);
        let started = Instant::now();
        for (chunk_index, chunk) in tokens.chunks(n_batch.max(1)).enumerate() {
            batch.clear();
            for (i, &tok) in chunk.iter().enumerate() {
                let pos = (chunk_index * n_batch + i) as i32;
                batch
                    .add(tok, pos, &[0], i == chunk.len() - 1)
                    .map_err(|e| LlmError::Decode(e.to_string()))?;
            }
            self.ctx
                .decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
        }
        let pp = tokens.len() as f64 / started.elapsed().as_secs_f64();
        self.clear_cache();
        let started = Instant::now();
        for i in 0..n_gen {
            batch.clear();
            batch
                .add(tokens[i % tokens.len()], i as i32, &[0], true)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            self.ctx
                .decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
        }
        let tg = n_gen as f64 / started.elapsed().as_secs_f64();
        self.clear_cache();
        Ok((pp, tg))
    }
}

/// Picks tokens: an optional grammar applied the way llama.cpp's own
/// `common_sampler` does (try the unconstrained choice first, constrain the
/// whole vocabulary only when the grammar rejects it), then greedy or
/// temperature sampling. A grammar that allows no token is an error, never
/// an abort.
struct TokenSampler {
    grammar: Option<LlamaSampler>,
    chain: LlamaSampler,
}

impl TokenSampler {
    fn new(model: &LlamaModel, options: &GenerateOptions) -> Result<Self, LlmError> {
        let grammar = match &options.grammar {
            Some(g) => Some(
                LlamaSampler::grammar(model, g, "root")
                    .map_err(|e| LlmError::Grammar(e.to_string()))?,
            ),
            None => None,
        };
        let chain = if options.temperature <= 0.0 {
            LlamaSampler::greedy()
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::top_k(40),
                LlamaSampler::top_p(0.95, 1),
                LlamaSampler::temp(options.temperature),
                LlamaSampler::dist(options.seed),
            ])
        };
        Ok(Self { grammar, chain })
    }

    fn sample(&mut self, ctx: &LlamaContext<'_>, index: i32) -> Result<LlamaToken, LlmError> {
        let mut candidates = ctx.token_data_array_ith(index);
        let Some(grammar) = self.grammar.as_mut() else {
            candidates.apply_sampler(&mut self.chain);
            let token = candidates
                .selected_token()
                .ok_or_else(|| LlmError::Decode("the sampler selected no token".into()))?;
            self.chain.accept(token);
            return Ok(token);
        };
        // Fast path: is the unconstrained choice allowed by the grammar?
        let mut free = candidates.clone();
        free.apply_sampler(&mut self.chain);
        let choice = free
            .selected_token()
            .ok_or_else(|| LlmError::Decode("the sampler selected no token".into()))?;
        let mut single =
            LlamaTokenDataArray::new(vec![LlamaTokenData::new(choice, 1.0, 0.0)], false);
        single.apply_sampler(grammar);
        let token = if single.data.iter().all(|d| d.logit().is_finite()) {
            choice
        } else {
            candidates.apply_sampler(grammar);
            if candidates.data.iter().all(|d| !d.logit().is_finite()) {
                return Err(LlmError::GrammarDeadEnd);
            }
            candidates.apply_sampler(&mut self.chain);
            candidates
                .selected_token()
                .ok_or(LlmError::GrammarDeadEnd)?
        };
        grammar
            .try_accept(token)
            .map_err(|e| LlmError::Decode(format!("grammar rejected a token: {e}")))?;
        self.chain.accept(token);
        Ok(token)
    }
}
