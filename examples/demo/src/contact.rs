//! The demo's contact form: text, email, a choice, a server-only async rule, and a file.

use std::sync::Mutex;

use mizan::forms::{FormHandler, Invalid, Upload};
use mizan::{Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Messages received, newest last (the demo keeps them in memory).
#[derive(Debug, Default)]
pub struct Inbox {
    messages: Mutex<Vec<Received>>,
}

impl Inbox {
    /// How many messages arrived.
    pub fn len(&self) -> usize {
        self.messages.lock().map_or(0, |m| m.len())
    }

    /// Whether none arrived.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What `contact.submit` answers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Received {
    /// The message's number.
    pub number: u32,
    /// Who wrote.
    pub name: String,
    /// The attachment's name and size, if one came.
    pub attachment: Option<String>,
}

/// A message to the demo's makers.
#[derive(Debug, Deserialize, mizan::Form)]
#[form(
    name = "contact",
    title = "Contact us",
    redirect = "/contact/thanks",
    page = "/contact"
)]
pub struct Contact {
    /// Who writes.
    #[field(
        label = "Your name",
        min_length = 2,
        max_length = 80,
        placeholder = "Ada Lovelace"
    )]
    pub name: String,
    /// Where to answer.
    #[field(label = "Email", email, clean = not_blocked, help = "We answer here. Addresses at blocked.example are refused by the server.")]
    pub email: String,
    /// What it is about.
    #[field(
        label = "Topic",
        choices(question = "A question", bug = "A bug", praise = "Praise")
    )]
    pub topic: String,
    /// The message.
    #[field(
        label = "Message",
        widget = "textarea",
        min_length = 10,
        max_length = 2000
    )]
    pub message: String,
    /// A screenshot or a text file, at most 64 KiB.
    #[field(label = "Attachment", max_size = 65536, accept = ["image/png", "image/jpeg", "text/plain"])]
    pub attachment: Option<Upload>,
}

/// A server-only rule, async as a database lookup would be.
async fn not_blocked(_req: &Request, email: &str) -> std::result::Result<(), Invalid> {
    tokio::task::yield_now().await;
    if email.to_ascii_lowercase().ends_with("@blocked.example") {
        return Err(Invalid::message("This address is blocked."));
    }
    Ok(())
}

impl FormHandler for Contact {
    type Output = Received;

    async fn submit(self, req: &Request) -> Result<Received> {
        let inbox = req.state::<Inbox>()?;
        let mut messages = inbox
            .messages
            .lock()
            .map_err(|_| mizan::Error::internal("the inbox lock is poisoned"))?;
        let received = Received {
            number: u32::try_from(messages.len() + 1).unwrap_or(u32::MAX),
            name: self.name,
            attachment: self
                .attachment
                .map(|a| format!("{} ({} bytes)", a.file_name(), a.size())),
        };
        messages.push(received.clone());
        Ok(received)
    }
}
