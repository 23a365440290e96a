//! Handling each client frame (§2.15.3) and applying what its operation did.

use std::sync::Arc;

use tokio::time::Instant;

use super::ops::{self, Done};
use super::{Credentials, Op, Socket};
use crate::channels::frames::{self, About, ClientFrame};
use crate::channels::layer::GroupKey;
use crate::channels::registered::{AnyParams, RegisteredChannel};
use crate::{Error, ErrorCode, Principal};

impl Socket {
    fn answer_error(&self, error: &Error, about: About<'_>) {
        self.outbox.push(frames::error(error, about));
    }

    pub(super) fn on_frame(&mut self, text: &str) -> Option<Op> {
        let frame = match frames::parse(text) {
            Ok(frame) => frame,
            Err(malformed) => {
                let error = Error::bad_request("this frame cannot be read")
                    .with_details(serde_json::json!({"reason": "malformed_frame"}));
                let about = match (&malformed.id, &malformed.reference) {
                    (Some(id), _) => About::Id(id),
                    (None, Some(reference)) => About::Ref(reference),
                    (None, None) => About::Nothing,
                };
                self.answer_error(&error, about);
                return None;
            }
        };
        match frame {
            ClientFrame::Ping => {
                self.outbox.push(frames::pong());
                None
            }
            ClientFrame::Pong => None,
            ClientFrame::Unsubscribe { id } => {
                self.unsubscribe(&id);
                None
            }
            ClientFrame::Subscribe {
                id,
                channel,
                params,
                since,
                schema,
            } => self.subscribe(id, &channel, params, since, schema),
            ClientFrame::Send {
                reference,
                id,
                data,
            } => self.send(reference, &id, data),
            ClientFrame::Auth { reference, token } => Some(self.authenticate(reference, token)),
            ClientFrame::Watch { tags } => {
                let old = std::mem::take(&mut self.watched);
                self.watched =
                    self.shared
                        .channels
                        .watchers
                        .watch(self.socket, &self.outbox, &old, tags);
                None
            }
        }
    }

    fn unsubscribe(&mut self, id: &str) {
        let Some(at) = self.subs.iter().position(|s| &*s.id == id) else {
            let error = Error::not_found(format!("no subscription {id:?} on this socket"));
            self.answer_error(&error, About::Id(id));
            return;
        };
        let sub = self.subs.swap_remove(at);
        self.shared
            .channels
            .channels
            .hub()
            .unsubscribe(&sub.key, self.socket, id);
        self.outbox.push(frames::unsubscribed(id, None));
    }

    /// Steps 1 to 5 of `subscribe` (§2.15.3); the rest runs as an operation.
    fn subscribe(
        &mut self,
        id: String,
        channel: &str,
        params: serde_json::Map<String, serde_json::Value>,
        since: Option<(String, u64)>,
        schema: Option<String>,
    ) -> Option<Op> {
        let checked = self.check_subscribe(&id, channel, params, schema.as_deref());
        match checked {
            Ok((channel, params, group)) => {
                let key = GroupKey::new(Arc::clone(&channel.name), group)?;
                Some(ops::subscribe(
                    self.op_context(),
                    id,
                    channel,
                    params,
                    key,
                    since,
                ))
            }
            Err(error) => {
                self.answer_error(&error, About::Id(&id));
                None
            }
        }
    }

    fn check_subscribe(
        &self,
        id: &str,
        channel: &str,
        params: serde_json::Map<String, serde_json::Value>,
        schema: Option<&str>,
    ) -> Result<(Arc<RegisteredChannel>, AnyParams, String), Error> {
        let reason = |reason: &str| serde_json::json!({ "reason": reason });
        if self.subs.iter().any(|s| &*s.id == id) {
            return Err(
                Error::bad_request(format!("subscription {id:?} already exists"))
                    .with_details(reason("duplicate_id")),
            );
        }
        if self.subs.len() >= self.options().max_subscriptions {
            return Err(Error::bad_request("this socket has too many subscriptions")
                .with_details(reason("too_many_subscriptions")));
        }
        let Some(channel) = self.shared.registry.get_channel(channel) else {
            return Err(Error::not_found(format!("no channel named {channel:?}")));
        };
        if schema.is_some_and(|s| s != channel.schema_hash) {
            return Err(Error::new(
                ErrorCode::StaleClient,
                format!(
                    "this client was built against another version of channel {}; reload the page",
                    channel.name
                ),
            ));
        }
        let (params, group) = channel.check_params(params)?;
        Ok((Arc::clone(channel), params, group))
    }

    /// The checks of `send` before its handler runs (§2.15.3).
    fn send(&mut self, reference: String, id: &str, data: serde_json::Value) -> Option<Op> {
        let Some(sub) = self.subs.iter().find(|s| &*s.id == id) else {
            let error = Error::not_found(format!("no subscription {id:?} on this socket"));
            self.answer_error(&error, About::Ref(&reference));
            return None;
        };
        let data = match sub.channel.check_incoming(data) {
            None => Err(
                Error::bad_request("this channel takes no messages from clients")
                    .with_details(serde_json::json!({"reason": "no_incoming"})),
            ),
            Some(checked) => checked,
        };
        match data {
            Ok(data) => {
                let channel = Arc::clone(&sub.channel);
                let params = Arc::clone(&sub.params);
                let key = sub.key.clone();
                Some(ops::send(
                    self.op_context(),
                    reference,
                    channel,
                    params,
                    key,
                    data,
                ))
            }
            Err(error) => {
                self.answer_error(&error, About::Ref(&reference));
                None
            }
        }
    }

    fn authenticate(&mut self, reference: String, token: Option<String>) -> Op {
        let credentials = match token {
            Some(token) => Credentials::Token(token.into()),
            None => Credentials::Upgrade,
        };
        ops::authenticate(self.op_context(), &self.parts, credentials, Some(reference))
    }

    /// A periodic or expiry check of the credentials (§2.15.7).
    pub(super) fn check_credentials(&mut self) -> Op {
        let credentials = match &self.credentials {
            Credentials::Upgrade => Credentials::Upgrade,
            Credentials::Token(token) => Credentials::Token(token.clone()),
            Credentials::Failed => Credentials::Failed,
        };
        ops::authenticate(self.op_context(), &self.parts, credentials, None)
    }

    fn op_context(&self) -> ops::Context {
        ops::Context {
            shared: Arc::clone(&self.shared),
            socket: self.socket,
            outbox: Arc::clone(&self.outbox),
            principal: self.principal.clone(),
        }
    }

    /// Applies what an operation did; may start the next one.
    pub(super) fn apply(&mut self, done: Done) -> Option<Op> {
        if done.answers_a_frame() {
            // The socket read nothing while the handler ran: that time is not the client's
            // silence.
            self.last_frame = Instant::now();
        }
        match done {
            Done::Subscribed { id, result } => {
                match result {
                    Ok(sub) => self.subs.push(sub),
                    Err(error) => self.answer_error(&error, About::Id(&id)),
                }
                None
            }
            Done::Sent { reference, result } => {
                match result {
                    Ok(()) => self.outbox.push(frames::ack(&reference)),
                    Err(error) => self.answer_error(&error, About::Ref(&reference)),
                }
                None
            }
            Done::Authenticated {
                reference,
                credentials,
                result,
            } => self.authenticated(reference, credentials, result),
            Done::Rechecked { refused } => {
                for (id, error) in refused {
                    if let Some(at) = self.subs.iter().position(|s| s.id == id) {
                        let sub = self.subs.swap_remove(at);
                        self.shared.channels.channels.hub().unsubscribe(
                            &sub.key,
                            self.socket,
                            &sub.id,
                        );
                        self.outbox.push(frames::unsubscribed(&id, Some(&error)));
                    }
                }
                None
            }
        }
    }

    fn authenticated(
        &mut self,
        reference: Option<String>,
        credentials: Credentials,
        result: Result<Principal, Error>,
    ) -> Option<Op> {
        self.last_check = Instant::now();
        match (reference, result) {
            (Some(reference), Ok(principal)) => {
                self.credentials = credentials;
                self.principal = principal;
                self.outbox.push(frames::ack(&reference));
                Some(self.recheck_subscriptions(None))
            }
            (Some(reference), Err(error)) => {
                self.answer_error(&error, About::Ref(&reference));
                None
            }
            (None, Ok(principal)) => {
                let same = principal.user() == self.principal.user()
                    && principal.claims() == self.principal.claims();
                self.principal = principal;
                (!same).then(|| self.recheck_subscriptions(None))
            }
            (None, Err(error)) if error.code() == ErrorCode::Unauthenticated => {
                self.credentials = Credentials::Failed;
                self.principal = Principal::anonymous();
                let reason = error.details().and_then(|d| d.get("reason")).cloned();
                Some(self.recheck_subscriptions(reason))
            }
            // The authenticator's store did not answer: keep the principal, try again later.
            (None, Err(_)) => None,
        }
    }

    fn recheck_subscriptions(&self, reason: Option<serde_json::Value>) -> Op {
        let subs = self
            .subs
            .iter()
            .map(|s| (s.id.clone(), Arc::clone(&s.channel), Arc::clone(&s.params)))
            .collect();
        ops::recheck(self.op_context(), subs, reason)
    }
}
