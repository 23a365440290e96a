//! Where the accounts module's mail goes: a pluggable [`Mailer`], writing to the log by default.

use std::sync::{Arc, Mutex};

use mizan::BoxFuture;

/// One mail the accounts module sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's (normalized) email.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// What the mail is for, with its data, for mailers that render their own templates.
    pub kind: MailKind,
}

/// What a [`Mail`] is for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailKind {
    /// A password reset was asked for: the single-use token and the link that carries it.
    PasswordReset {
        /// The reset token, for `auth.reset_password`.
        token: String,
        /// The configured reset link with the token appended.
        link: String,
    },
    /// Someone tried to sign up with an address that already has an account.
    SignupAttempt,
}

/// Sends the accounts module's mail. Implement it for your mail service; the module calls it off
/// the request path, so a slow mail service never delays an answer (§2.14.7).
///
/// ```
/// use mizan::BoxFuture;
/// use mizan_accounts::{Mail, Mailer};
///
/// struct Smtp;
///
/// impl Mailer for Smtp {
///     fn send(&self, mail: Mail) -> BoxFuture<'_, Result<(), String>> {
///         Box::pin(async move {
///             // Hand `mail` to your mail service here.
///             let _ = (mail.to, mail.subject, mail.body);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait Mailer: Send + Sync + 'static {
    /// Sends `mail`; an error is logged, never shown to the client.
    fn send(&self, mail: Mail) -> BoxFuture<'_, Result<(), String>>;
}

/// Writes each mail to the log (`tracing`, level `info`, target `mizan_accounts::mail`) and to
/// standard error: the default, for development.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

impl Mailer for LogMailer {
    fn send(&self, mail: Mail) -> BoxFuture<'_, Result<(), String>> {
        tracing::info!(target: "mizan_accounts::mail", to = %mail.to, subject = %mail.subject, body = %mail.body, "mail");
        eprintln!(
            "mizan-accounts mail to {}: {}\n{}",
            mail.to, mail.subject, mail.body
        );
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Keeps every mail in memory, for tests: [`MemoryMailer::sent`] reads them back.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailer {
    sent: Arc<Mutex<Vec<Mail>>>,
}

impl MemoryMailer {
    /// A mailer with no mail yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Mailer for MemoryMailer {
    fn send(&self, mail: Mail) -> BoxFuture<'_, Result<(), String>> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(mail);
        Box::pin(std::future::ready(Ok(())))
    }
}
