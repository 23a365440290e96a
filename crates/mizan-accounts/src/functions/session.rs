//! Signing up, in and out.

use mizan::{Error, Request, Result};

use super::{CurrentUser, LoginResult, Message, guard, now, throttled, wrong_credentials};
use crate::authenticator::SessionDigest;
use crate::credentials::{Email, Password, Username, normalize_email};
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
    if let Some(wait) = inner.throttles.signup_address.take(&client_address(req)) {
        return Err(throttled(wait));
    }
    let email = normalize_email(&email.0).map_err(invalid_email)?;
    // Hashed whatever happens next, so a taken email answers in the same time.
    let hash = inner.hasher.hash(&password.0).await?;
    let created = inner
        .store
        .create_user(
            NewUser {
                email: email.clone(),
                username: username.map(|u| u.0),
                password_hash: Some(hash),
                ..NewUser::default()
            },
            now_secs(),
        )
        .await?;
    if created.is_none() {
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
    let address = client_address(req);
    let throttles = &inner.throttles;
    if let Some(wait) = throttles
        .login_email
        .blocked(&email)
        .max(throttles.login_address.blocked(&address))
    {
        return Err(throttled(wait));
    }
    let user = inner.store.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.as_deref());
    // An unknown email is checked against a dummy hash: the same time either way (§2.14.7).
    let matches = inner.hasher.verify(&password.0, stored).await?;
    let user = match user {
        Some(user) if matches && user.active => user,
        _ => {
            throttles.login_email.record(&email);
            throttles.login_address.record(&address);
            return Err(wrong_credentials());
        }
    };
    start_session(accounts, req, &user).await?;
    Ok(LoginResult {
        user: CurrentUser::of(&user),
        token: inner.tokens.issue(&user, now()),
    })
}

/// Signs out: ends the request's session and clears its cookie.
#[mizan::client]
pub(crate) async fn logout(req: &Request) -> Result<()> {
    let accounts = guard(req)?;
    let cookie = req.cookie(session::SESSION_COOKIE).filter(|c| !c.is_empty());
    if let Some(secret) = cookie {
        accounts
            .inner
            .store
            .delete_session(&session::digest(secret))
            .await?;
        req.remove_cookie(session::removal(req.headers()))?;
    }
    Ok(())
}

/// Starts a session for `user`, ending the one the request came with (§2.14.2).
pub(crate) async fn start_session(
    accounts: &Accounts,
    req: &Request,
    user: &UserRecord,
) -> Result<()> {
    let inner = &accounts.inner;
    if let Some(old) = req.cookie(session::SESSION_COOKIE).filter(|c| !c.is_empty()) {
        inner.store.delete_session(&session::digest(old)).await?;
    } else if let Some(SessionDigest(old)) = req.principal().extension::<SessionDigest>() {
        inner.store.delete_session(old).await?;
    }
    let secret = session::new_secret();
    let now = now_secs();
    let lifetime = inner.settings.session_lifetime;
    let expires = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
    inner
        .store
        .create_session(&session::digest(&secret), &user.id, now, expires)
        .await?;
    req.set_cookie(session::cookie(req.headers(), secret, lifetime))
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
    Error::validation(vec![mizan::FieldError {
        path: vec![mizan::PathSegment::Key("email".into())],
        message: "not a valid email address".to_owned(),
    }])
}
