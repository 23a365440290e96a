//! The demo's chat: rooms anyone may read and write in, rooms named `staff-…` for staff only, an
//! announcement call that publishes from a server function, and an `ops` feed for staff.

use mizan::channels::{Channel, NoIncoming, Subscriber};
use mizan::{AuthLevel, Error, Principal, Request, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which room to follow.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatParams {
    /// Lowercase letters, digits and dashes; rooms named `staff-…` are for staff.
    #[schemars(length(min = 1, max = 40), regex(pattern = r"^[a-z0-9-]+$"))]
    pub room: String,
}

/// One line of a room.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChatMessage {
    /// Who wrote it: the user's id, `guest`, or `system` for announcements.
    pub author: String,
    /// What they wrote.
    pub text: String,
}

/// What a subscriber sends to its room.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatPost {
    /// The line, 1 to 500 characters.
    #[schemars(length(min = 1, max = 500))]
    pub text: String,
}

/// The chat channel: `useChatChannel({ room })` in the web app.
#[derive(Debug, Default)]
pub struct Chat;

/// Rooms whose name starts with this are for staff.
const STAFF_ROOM_PREFIX: &str = "staff-";

impl Channel for Chat {
    const NAME: &'static str = "chat";
    const AUTH: AuthLevel = AuthLevel::Custom;
    type Params = ChatParams;
    type Message = ChatMessage;
    type Incoming = ChatPost;

    fn group(params: &ChatParams) -> String {
        format!("room.{}", params.room)
    }

    async fn authorize(&self, principal: &Principal, params: &ChatParams) -> Result<()> {
        if !params.room.starts_with(STAFF_ROOM_PREFIX) || principal.is_staff() {
            Ok(())
        } else if principal.is_authenticated() {
            Err(Error::forbidden("this room is for staff"))
        } else {
            Err(Error::unauthenticated("sign in as staff to join this room"))
        }
    }

    async fn receive(&self, from: &Subscriber<'_, Self>, post: ChatPost) -> Result<()> {
        let author = from
            .principal()
            .user()
            .map_or_else(|| "guest".to_owned(), |user| user.id.clone());
        from.publish(&ChatMessage {
            author,
            text: post.text,
        })
        .await?;
        Ok(())
    }
}

/// An empty params object.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// An event of the staff feed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OpsEvent {
    /// What happened.
    pub text: String,
}

/// The staff feed: `useOpsChannel({})`; the server tells staff about announcements there.
#[derive(Debug, Default)]
pub struct Ops;

impl Channel for Ops {
    const NAME: &'static str = "ops";
    const AUTH: AuthLevel = AuthLevel::Staff;
    type Params = NoParams;
    type Message = OpsEvent;
    type Incoming = NoIncoming;

    fn group(_params: &NoParams) -> String {
        "ops".to_owned()
    }
}

/// Where a published message sits in its room's history.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Posted {
    /// The room history's epoch.
    pub epoch: String,
    /// The message's offset in it.
    pub offset: u64,
}

/// Publishes `text` to `room` as `system`, from a server function, and tells the staff feed.
#[mizan::client(auth = "staff")]
pub async fn announce(req: &Request, room: String, text: String) -> Result<Posted> {
    let params = ChatParams { room };
    if params.room.is_empty() || text.is_empty() {
        return Err(Error::bad_request("a room and a text are needed"));
    }
    let position = req
        .channels()
        .publish::<Chat>(
            &params,
            &ChatMessage {
                author: "system".to_owned(),
                text,
            },
        )
        .await?;
    let by = req
        .principal()
        .user()
        .map_or("someone", |user| user.id.as_str());
    req.channels()
        .publish::<Ops>(
            &NoParams {},
            &OpsEvent {
                text: format!("{by} announced in {}", params.room),
            },
        )
        .await?;
    Ok(Posted {
        epoch: position.epoch.to_string(),
        offset: position.offset,
    })
}
