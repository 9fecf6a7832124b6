//! Chat templates: the model's own (from its GGUF metadata, applied by
//! llama.cpp), or ChatML when the model has none.

use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};

use super::LlmError;

/// Who says a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::System => "system",
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: ChatRole, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
        }
    }
}

/// The template used to turn messages into a prompt.
pub enum ChatTemplate {
    /// The template embedded in the GGUF (`tokenizer.chat_template`).
    Model(LlamaChatTemplate),
    /// Fallback for models without one: ChatML (`<|im_start|>role\n…<|im_end|>`),
    /// the most widely trained format among small instruct models.
    ChatMlFallback,
}

impl ChatTemplate {
    /// The model's template, or the ChatML fallback (logged) if it has none.
    pub fn from_model(model: &LlamaModel) -> Self {
        match model.chat_template(None) {
            Ok(t) => ChatTemplate::Model(t),
            Err(e) => {
                tracing::warn!(error = %e, "the model has no chat template; using ChatML");
                ChatTemplate::ChatMlFallback
            }
        }
    }

    /// Short description for logs and `viva doctor`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChatTemplate::Model(_) => "model",
            ChatTemplate::ChatMlFallback => "chatml-fallback",
        }
    }

    /// Renders `messages`, ending with the assistant's turn opened.
    pub fn render(&self, model: &LlamaModel, messages: &[ChatMessage]) -> Result<String, LlmError> {
        match self {
            ChatTemplate::Model(t) => {
                let chat = messages
                    .iter()
                    .map(|m| LlamaChatMessage::new(m.role.as_str().to_string(), m.content.clone()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| LlmError::Template(format!("message contains a NUL byte: {e}")))?;
                match model.apply_chat_template(t, &chat, true) {
                    Ok(s) => Ok(s),
                    Err(e) => {
                        // llama.cpp only knows a fixed set of template
                        // families; fall back rather than fail.
                        tracing::warn!(error = %e, "llama.cpp cannot apply the model's chat template; using ChatML");
                        Ok(render_chatml(messages))
                    }
                }
            }
            ChatTemplate::ChatMlFallback => Ok(render_chatml(messages)),
        }
    }
}

/// ChatML rendering with the assistant turn opened.
pub fn render_chatml(messages: &[ChatMessage]) -> String {
    let mut out = String::new();
    for m in messages {
        out.push_str("<|im_start|>");
        out.push_str(m.role.as_str());
        out.push('\n');
        out.push_str(&m.content);
        out.push_str("<|im_end|>\n");
    }
    out.push_str("<|im_start|>assistant\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_fallback_opens_the_assistant_turn() {
        let s = render_chatml(&[
            ChatMessage::new(ChatRole::System, "Be brief."),
            ChatMessage::new(ChatRole::User, "Hi"),
        ]);
        assert_eq!(
            s,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }
}
