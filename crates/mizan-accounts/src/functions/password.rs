//! Changing and resetting passwords.

use mizan::{Error, Request, Result};

use super::session::{invalid_email, send_later, start_session};
use super::{Message, PasswordAttempt, guard, take, user};
use crate::credentials::{Email, Password, ResetToken, normalize_email};
use crate::mailer::{Mail, MailKind};
use crate::tokens::Token;
use crate::{AccountsError, client_address, now_secs, session};

/// What `auth.request_password_reset` always answers.
const RESET_MESSAGE: &str = "If this email has an account, a mail with a reset link is on its way.";

/// Changes the signed-in user's password: every session and earlier token of theirs ends, and
/// this client gets a new session (when it came with one) and a new token.
#[mizan::client(auth)]
pub(crate) async fn change_password(
    req: &Request,
    current_password: Password,
    new_password: Password,
) -> Result<Token> {
    let accounts = guard(req)?;
    let inner = &accounts.inner;
    let mut user = user(req)?.clone();
    let attempt =
        PasswordAttempt::begin(&inner.throttles, &user.email, client_address(accounts, req))?;
    let matches = inner
        .hasher
        .verify(&current_password.0, user.password_hash.as_deref())
        .await
        .map_err(AccountsError::into_mizan_error)?;
    if !matches {
        return Err(attempt.wrong());
    }
    drop(attempt);
    let hash = inner
        .hasher
        .hash(&new_password.0)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    user.credentials_changed_at = crate::credentials_change_time();
    if !inner
        .store
        .set_password(&user.id, &hash, user.credentials_changed_at)
        .await
        .map_err(AccountsError::into_mizan_error)?
    {
        return Err(Error::unauthenticated("sign in first"));
    }
    // `set_password` ended every session; this client goes on with a new one, in its cookie when
    // it came with one, and a token bound to it.
    let with_cookie = req
        .cookie(crate::SESSION_COOKIE)
        .is_some_and(|c| !c.is_empty());
    let session = start_session(accounts, req, &user, with_cookie).await?;
    Ok(inner
        .tokens
        .issue(&user, user.credentials_changed_at, Some(&session)))
}

/// Mails a reset link when the email has an active account; the same answer, at once, either
/// way (§2.14.7).
#[mizan::client]
pub(crate) async fn request_password_reset(req: &Request, email: Email) -> Result<Message> {
    let accounts = guard(req)?;
    let inner = &accounts.inner;
    let email = normalize_email(&email.0).map_err(invalid_email)?;
    take(
        &inner.throttles.reset_address,
        client_address(accounts, req).as_deref(),
    )?;
    take(&inner.throttles.reset_email, Some(&email))?;
    let accounts = accounts.clone();
    // The lookup, the token and the mail happen after the answer is on its way.
    tokio::spawn(async move {
        let inner = &accounts.inner;
        let user = match inner.store.user_by_email(&email).await {
            Ok(Some(user)) if user.active => user,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(error = %e, "mizan-accounts: a reset request failed");
                return;
            }
        };
        let secret = session::new_secret();
        let lifetime = i64::try_from(inner.settings.reset_lifetime.as_secs()).unwrap_or(i64::MAX);
        let expires = now_secs().saturating_add(lifetime);
        if let Err(e) = inner
            .store
            .create_reset(&session::digest(&secret), &user.id, expires)
            .await
        {
            tracing::error!(error = %e, "mizan-accounts: a reset token could not be stored");
            return;
        }
        let link = format!("{}{secret}", inner.settings.reset_link);
        send_later(
            &accounts,
            Mail {
                to: user.email.clone(),
                subject: "Reset your password".to_owned(),
                body: format!(
                    "Someone asked to reset the password of this account. If it was you, open this link within the hour:\n\n{link}\n\nOtherwise, ignore this mail."
                ),
                kind: MailKind::PasswordReset {
                    token: secret,
                    link,
                },
            },
        );
    });
    Ok(Message {
        message: RESET_MESSAGE.to_owned(),
    })
}

/// Sets a new password with a reset token from a mail: the token is used up, and every session
/// and earlier token of the user ends. Does not sign in.
#[mizan::client]
pub(crate) async fn reset_password(
    req: &Request,
    token: ResetToken,
    new_password: Password,
) -> Result<()> {
    let accounts = guard(req)?;
    let inner = &accounts.inner;
    // Each attempt costs a hash: counted like reset requests, per client address.
    take(
        &inner.throttles.reset_address,
        client_address(accounts, req).as_deref(),
    )?;
    let invalid = || {
        Error::bad_request("this reset link is invalid, used or expired; ask for a new one")
            .with_details(serde_json::json!({"reason": "reset_token"}))
    };
    let hash = inner
        .hasher
        .hash(&new_password.0)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    match inner
        .store
        .reset_password(
            &session::digest(&token.0),
            &hash,
            crate::credentials_change_time(),
        )
        .await
        .map_err(AccountsError::into_mizan_error)?
    {
        Some(_) => Ok(()),
        None => Err(invalid()),
    }
}
