//! The Pub/Sub payload of one message, as `group.lua` publishes it: `<epoch> <offset> <data>`.
//! Epochs hold no space and offsets are digits, so the data (any bytes) is everything after the
//! second space.

use bytes::Bytes;
use mizan::channels::Position;

/// A payload split into the message's position and its data, which shares the payload's bytes.
pub(crate) fn decode(payload: Bytes) -> Option<(Position, Bytes)> {
    let first = payload.iter().position(|&b| b == b' ')?;
    let second = first + 1 + payload[first + 1..].iter().position(|&b| b == b' ')?;
    let epoch = std::str::from_utf8(&payload[..first]).ok()?;
    let offset = std::str::from_utf8(&payload[first + 1..second]).ok()?;
    let valid_epoch = (1..=64).contains(&epoch.len())
        && epoch
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid_epoch || offset.is_empty() || !offset.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let position = Position {
        epoch: epoch.into(),
        offset: offset.parse().ok()?,
    };
    Some((position, payload.slice(second + 1..)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_splits_into_position_and_data() {
        let (position, data) = decode(Bytes::from_static(b"k3J9_- 42 {\"text\":\"a b\"}")).unwrap();
        assert_eq!(&*position.epoch, "k3J9_-");
        assert_eq!(position.offset, 42);
        assert_eq!(&data[..], b"{\"text\":\"a b\"}");
        let (_, empty) = decode(Bytes::from_static(b"e 1 ")).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn foreign_payloads_are_refused() {
        for bad in [
            &b""[..],
            b"e",
            b"e 1",
            b" 1 x",
            b"e  x",
            b"e -1 x",
            b"e 1a x",
            b"e.x 1 x",
            b"e 99999999999999999999999 x",
        ] {
            assert!(decode(Bytes::copy_from_slice(bad)).is_none(), "{bad:?}");
        }
    }
}
