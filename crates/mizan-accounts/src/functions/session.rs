//! Signing up, in and out.

use mizan::{Error, Request, Result};

use super::{CurrentUser, LoginResult, Message, PasswordAttempt, guard, take};
use crate::authenticator::TokenSession;
use crate::credentials::{Email, Password, Username, normalize_email, normalize_username};
use crate::mailer::{Mail, MailKind};
use crate::store::{NewUser, UserRecord};
use crate::{Accounts, AccountsError, client_address, now_secs, session};

/// What `auth.signup` always answers.
const SIGNUP_MESSAGE: &str = "Your account is ready if this email was new: sign in with it. If it already had an account, we sent its owner a mail.";

/// Creates an account; does not sign in. The answer is the same whether or not the email was
/// taken (§2.14.7).
#[mizan::client]
pub(crate) async fn signup(
    req: &Request,
    email: Email,
    password: Password,
    username: Option<Username>,
) -> Result<Message> {
    let accounts = guard(req)?;
    let inner = &accounts.inner;
    take(
        &inner.throttles.signup_address,
        client_address(accounts, req).as_deref(),
    )?;
    let email = normalize_email(&email.0).map_err(invalid_email)?;
    // Hashed whatever happens next, so a taken email answers in the same time.
    let hash = inner
        .hasher
        .hash(&password.0)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    let created = inner
        .store
        .create_user(
            NewUser {
                email: email.clone(),
                username: username
                    .map(|u| normalize_username(&u.0))
                    .transpose()
                    .map_err(|_| invalid_field("username", "not a valid username"))?,
                password_hash: Some(hash),
                ..NewUser::default()
            },
            now_secs(),
        )
        .await
        .map_err(AccountsError::into_mizan_error)?;
    // At most a few such mails per address and hour, so signing up cannot flood a stranger.
    if created.is_none() && inner.throttles.signup_email.take(&email).is_ok() {
        send_later(accounts, Mail {
            subject: "Someone tried to sign up with your email".to_owned(),
            body: "Someone tried to create an account with this email, which already has one. If it was you, sign in, or reset your password if you forgot it. Otherwise, ignore this mail.".to_owned(),
            to: email,
            kind: MailKind::SignupAttempt,
        });
    }
    Ok(Message {
        message: SIGNUP_MESSAGE.to_owned(),
    })
}

/// Signs in: a new session in an `HttpOnly` cookie, and a short-lived token.
#[mizan::client]
pub(crate) async fn login(req: &Request, email: Email, password: Password) -> Result<LoginResult> {
    let accounts = guard(req)?;
    let inner = &accounts.inner;
    let email = normalize_email(&email.0).map_err(invalid_email)?;
    let attempt = PasswordAttempt::begin(&inner.throttles, &email, client_address(accounts, req))?;
    let read_at = crate::now_secs();
    let user = inner
        .store
        .user_by_email(&email)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    // An unknown email is checked against a dummy hash: the same time either way (§2.14.7).
    let matches = inner
        .hasher
        .verify(&password.0, stored)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    let user = match user {
        Some(user) if matches && user.active => user,
        _ => return Err(attempt.wrong()),
    };
    drop(attempt);
    let session = start_session(accounts, req, &user, true).await?;
    Ok(LoginResult {
        user: CurrentUser::of(&user),
        token: inner.tokens.issue(&user, read_at, Some(&session)),
    })
}

/// Signs out: ends the request's session (from its cookie, or the one its token is bound to,
/// which ends every token bound to it) and clears the cookie.
#[mizan::client]
pub(crate) async fn logout(req: &Request) -> Result<()> {
    let accounts = guard(req)?;
    let store = &accounts.inner.store;
    if let Some(TokenSession(digest)) = req.principal().extension::<TokenSession>() {
        store
            .delete_session(digest)
            .await
            .map_err(AccountsError::into_mizan_error)?;
    }
    if let Some(secret) = req
        .cookie(session::SESSION_COOKIE)
        .filter(|c| !c.is_empty())
    {
        store
            .delete_session(&session::digest(secret))
            .await
            .map_err(AccountsError::into_mizan_error)?;
        req.remove_cookie(accounts.session_cookie(req, String::new()))?;
        req.invalidate_tag("current_user")?;
    }
    Ok(())
}

/// Starts a session for `user`, ending the one the request came with (§2.14.2); sets its cookie
/// when `with_cookie`. Returns the new session's digest, to bind tokens to it.
pub(crate) async fn start_session(
    accounts: &Accounts,
    req: &Request,
    user: &UserRecord,
    with_cookie: bool,
) -> Result<String> {
    let inner = &accounts.inner;
    if let Some(old) = req
        .cookie(session::SESSION_COOKIE)
        .filter(|c| !c.is_empty())
    {
        inner
            .store
            .delete_session(&session::digest(old))
            .await
            .map_err(AccountsError::into_mizan_error)?;
    }
    let secret = session::new_secret();
    let digest = session::digest(&secret);
    let now = now_secs();
    let lifetime = inner.settings.session_lifetime;
    let expires = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
    inner
        .store
        .create_session(&digest, &user.id, now, expires)
        .await
        .map_err(AccountsError::into_mizan_error)?;
    if with_cookie {
        req.set_cookie(accounts.session_cookie(req, secret))?;
        // Who the page shows changed; a client that acts on cache hints refetches `current_user`.
        req.invalidate_tag("current_user")?;
    }
    Ok(digest)
}

/// Sends `mail` off the request path: its answer never waits for, or depends on, the mailer.
pub(crate) fn send_later(accounts: &Accounts, mail: Mail) {
    let mailer = std::sync::Arc::clone(&accounts.inner.mailer);
    tokio::spawn(async move {
        if let Err(e) = mailer.send(mail).await {
            tracing::error!(error = %e, "mizan-accounts: a mail could not be sent");
        }
    });
}

/// A schema-valid email that does not normalize is still invalid (§2.14.1).
pub(crate) fn invalid_email(_: AccountsError) -> Error {
    invalid_field("email", "not a valid email address")
}

/// `422 validation_failed` at the param `name`.
fn invalid_field(name: &str, message: &str) -> Error {
    Error::validation(vec![mizan::FieldError {
        path: vec![mizan::PathSegment::Key(name.into())],
        message: message.to_owned(),
    }])
}
