//! Where a group lives in Redis: its key names and its Pub/Sub channel, derived from the layer's
//! prefix, the channel and the group.
//!
//! Group names may hold any character but controls (`:`, `{`, `%`, unicode included), so the
//! channel and group are percent-encoded before they are joined: `%`, `:`, `{`, `}`, space and every
//! non-ASCII byte are escaped, and since `%` itself is, two different (channel, group) pairs never
//! give the same name. The encoded pair is a Redis Cluster hash tag (`{…}`), so every key of one
//! group hashes to the same slot, as a script touching them requires there.

use mizan::channels::GroupKey;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The bytes escaped in a name's channel and group parts.
const ESCAPED: &AsciiSet = &CONTROLS.add(b'%').add(b':').add(b'{').add(b'}').add(b' ');

/// The Redis names of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupNames {
    /// A hash holding the group's `epoch` and `offset`.
    pub(crate) position: String,
    /// A stream holding the group's last messages, with ids `0-<offset>`.
    pub(crate) history: String,
    /// The Pub/Sub channel its messages are published to.
    pub(crate) pubsub: String,
}

impl GroupNames {
    /// `<prefix>:{<channel>:<group>}:position`, `…:history` and `…:messages`.
    pub(crate) fn new(prefix: &str, key: &GroupKey) -> Self {
        let base = format!(
            "{prefix}:{{{}:{}}}",
            utf8_percent_encode(key.channel(), ESCAPED),
            utf8_percent_encode(key.group(), ESCAPED)
        );
        Self {
            position: format!("{base}:position"),
            history: format!("{base}:history"),
            pubsub: format!("{base}:messages"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(channel: &str, group: &str) -> GroupNames {
        GroupNames::new("p", &GroupKey::new(channel, group).unwrap())
    }

    #[test]
    fn names_are_readable_for_plain_groups() {
        let plain = names("chat", "room.lobby");
        assert_eq!(plain.position, "p:{chat:room.lobby}:position");
        assert_eq!(plain.history, "p:{chat:room.lobby}:history");
        assert_eq!(plain.pubsub, "p:{chat:room.lobby}:messages");
    }

    #[test]
    fn separators_escapes_and_unicode_never_collide() {
        let pairs = [
            ("chat", "a:b"),
            ("chat:a", "b"),
            ("chat", "a%3Ab"),
            ("chat", "{a}"),
            ("chat", "%7Ba%7D"),
            ("chat", "é"),
            ("chat", "%C3%A9"),
            ("chat", "e"),
            ("chat", "a b"),
            ("chat", "a%20b"),
        ];
        let all: Vec<GroupNames> = pairs.iter().map(|(c, g)| names(c, g)).collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.pubsub, b.pubsub);
                assert_ne!(a.position, b.position);
            }
            // Exactly one hash tag: the group's own braces are escaped.
            assert_eq!(a.pubsub.matches('{').count(), 1, "{}", a.pubsub);
            assert_eq!(a.pubsub.matches('}').count(), 1, "{}", a.pubsub);
        }
    }
}
