//! The parts of handling a frame that wait (authorize checks, the layer, receive handlers, the
//! authenticator), as `'static` futures the socket runs one at a time.

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderValue, header};
use serde_json::Value;

use super::{Credentials, Sub};
use crate::channels::layer::GroupKey;
use crate::channels::outbox::Outbox;
use crate::channels::registered::{AnyParams, RegisteredChannel, Sender};
use crate::engine::Shared;
use crate::{BoxFuture, Error, ErrorCode, Principal, Result};

/// What an operation needs of its socket.
pub(super) struct Context {
    pub(super) shared: Arc<Shared>,
    pub(super) socket: u64,
    pub(super) outbox: Arc<Outbox>,
    pub(super) principal: Principal,
}

/// What an operation did, for the socket to apply.
pub(super) enum Done {
    /// A `subscribe` ended: the subscription (its frames are queued), or the error to answer.
    Subscribed { id: String, result: Result<Sub> },
    /// A `send` handler ended.
    Sent {
        reference: String,
        result: Result<()>,
    },
    /// The authenticator answered, for an `auth` frame (with its `ref`) or a periodic check.
    Authenticated {
        reference: Option<String>,
        credentials: Credentials,
        result: Result<Principal>,
    },
    /// The subscriptions the new principal may no longer have, with the refusals.
    Rechecked { refused: Vec<(Box<str>, Error)> },
}

impl Done {
    /// Whether this answers a client frame (rather than a check the server started).
    pub(super) fn answers_a_frame(&self) -> bool {
        match self {
            Self::Subscribed { .. } | Self::Sent { .. } => true,
            Self::Authenticated { reference, .. } => reference.is_some(),
            Self::Rechecked { .. } => false,
        }
    }
}

/// Step 6 and 7 of `subscribe`, then joining the group (§2.15.3, §2.15.5).
pub(super) fn subscribe(
    context: Context,
    id: String,
    channel: Arc<RegisteredChannel>,
    params: AnyParams,
    key: GroupKey,
    since: Option<(String, u64)>,
) -> BoxFuture<'static, Done> {
    Box::pin(async move {
        let result = async {
            channel.authorize(&context.principal, &params).await?;
            let hub = context.shared.channels.channels.hub();
            let key = hub
                .subscribe(key, context.socket, &context.outbox, &id, since.as_ref())
                .await?;
            Ok(Sub {
                id: id.as_str().into(),
                channel,
                params,
                key,
            })
        }
        .await;
        Done::Subscribed { id, result }
    })
}

/// Runs a channel's receive handler for a `send`.
pub(super) fn send(
    context: Context,
    reference: String,
    channel: Arc<RegisteredChannel>,
    params: AnyParams,
    key: GroupKey,
    data: Value,
) -> BoxFuture<'static, Done> {
    Box::pin(async move {
        let from = Sender {
            principal: &context.principal,
            params: &params,
            group: key.group(),
            channels: &context.shared.channels.channels,
        };
        let result = channel.receive(from, data).await;
        Done::Sent { reference, result }
    })
}

/// Resolves `credentials` with the application's authenticator: the upgrade request's, or a
/// synthetic request carrying the token as `Authorization: Bearer` (and no cookie).
pub(super) fn authenticate(
    context: Context,
    upgrade: &Parts,
    credentials: Credentials,
    reference: Option<String>,
) -> BoxFuture<'static, Done> {
    let parts = match &credentials {
        Credentials::Upgrade => Ok(upgrade.clone()),
        Credentials::Token(token) => bearer(upgrade, token),
        Credentials::Failed => Err(None),
    };
    Box::pin(async move {
        let result = match parts {
            Ok(parts) => context.shared.authenticate(&parts).await,
            Err(Some(error)) => Err(error),
            // Nothing to check: the socket stays anonymous.
            Err(None) => Ok(Principal::anonymous()),
        };
        Done::Authenticated {
            reference,
            credentials,
            result,
        }
    })
}

/// The upgrade request with `Authorization: Bearer <token>` instead of its credentials.
fn bearer(upgrade: &Parts, token: &str) -> Result<Parts, Option<Error>> {
    let value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Some(Error::unauthenticated("the token is not visible ASCII")))?;
    let mut parts = upgrade.clone();
    parts.headers.remove(header::COOKIE);
    parts.headers.insert(header::AUTHORIZATION, value);
    Ok(parts)
}

/// Checks every subscription again with the socket's (new) principal (§2.15.7). A refusal for
/// lack of credentials carries why they failed (`expired`, `revoked`) in `details.reason`.
pub(super) fn recheck(
    context: Context,
    subs: Vec<(Box<str>, Arc<RegisteredChannel>, AnyParams)>,
    reason: Option<Value>,
) -> BoxFuture<'static, Done> {
    Box::pin(async move {
        let mut refused = Vec::new();
        for (id, channel, params) in subs {
            if let Err(mut error) = channel.authorize(&context.principal, &params).await {
                if let Some(reason) = &reason
                    && error.code() == ErrorCode::Unauthenticated
                    && error.details().is_none()
                {
                    error = error.with_details(serde_json::json!({ "reason": reason }));
                }
                refused.push((id, error));
            }
        }
        Done::Rechecked { refused }
    })
}
