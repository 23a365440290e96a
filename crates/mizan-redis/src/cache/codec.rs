//! The bytes the store writes: an answer under its key, and the tail of a purge's Pub/Sub
//! message. Both open with a magic and length-prefix every field, and decoding checks all of it
//! (magic, lengths, UTF-8, nothing left over): what another program or version wrote under the
//! prefix decodes to `None`, which the store reads as a miss (or a message to drop), never as a
//! wrong answer.

use bytes::Bytes;
use mizan::cache::StoredAnswer;

/// Opens an encoded answer (the `1` is the format's version).
const ANSWER: &[u8; 4] = b"mzA1";
/// Opens the tail of a purge message.
const PURGE: &[u8; 4] = b"mzP1";

/// `answer` as stored: magic, key, etag, tag count, tags, then the body to the end.
pub(crate) fn encode_answer(answer: &StoredAnswer) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(
        ANSWER.len() + 12 + answer.key.len() + answer.etag.len() + answer.body.len(),
    );
    out.extend_from_slice(ANSWER);
    put_str(&mut out, &answer.key)?;
    put_str(&mut out, &answer.etag)?;
    put_strs(&mut out, &answer.tags)?;
    out.extend_from_slice(&answer.body);
    Some(out)
}

/// The answer in `bytes`, if they are one.
pub(crate) fn decode_answer(bytes: &[u8]) -> Option<StoredAnswer> {
    let mut reader = Reader(bytes.strip_prefix(ANSWER)?);
    let key = reader.str()?.to_owned();
    let etag = reader.str()?.to_owned();
    let tags = reader.strs()?;
    Some(StoredAnswer {
        key,
        etag,
        tags,
        body: Bytes::copy_from_slice(reader.0),
    })
}

/// What follows the rev in a purge's message: the purging store's id and the tags.
pub(crate) fn encode_purge(origin: &str, tags: &[String]) -> Option<Vec<u8>> {
    let mut out = PURGE.to_vec();
    put_str(&mut out, origin)?;
    put_strs(&mut out, tags)?;
    Some(out)
}

/// A purge as the log and the channel carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purge {
    pub(crate) rev: u64,
    /// The id of the store that purged.
    pub(crate) origin: String,
    pub(crate) tags: Vec<String>,
}

/// A purge message, `<rev in decimal> <tail>`.
pub(crate) fn decode_purge(message: &[u8]) -> Option<Purge> {
    let space = message.iter().position(|&byte| byte == b' ')?;
    let rev = decimal(std::str::from_utf8(&message[..space]).ok()?)?;
    let mut reader = Reader(message[space + 1..].strip_prefix(PURGE)?);
    let origin = reader.str()?.to_owned();
    let tags = reader.strs()?;
    reader.0.is_empty().then_some(Purge { rev, origin, tags })
}

/// The id of an entry of the purge log, `<ms>-<seq>`, ordered as Redis orders them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LogId(pub(crate) u64, pub(crate) u64);

impl LogId {
    pub(crate) fn parse(text: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(text).ok()?;
        let (ms, seq) = text.split_once('-')?;
        Some(Self(decimal(ms)?, decimal(seq)?))
    }
}

impl std::fmt::Display for LogId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

/// A live purge message, `<log entry id> <rev> <tail>`.
pub(crate) fn decode_message(message: &[u8]) -> Option<(LogId, Purge)> {
    let space = message.iter().position(|&byte| byte == b' ')?;
    Some((
        LogId::parse(&message[..space])?,
        decode_purge(&message[space + 1..])?,
    ))
}

/// Digits only (`parse` alone takes a `+`).
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `None` only for a field over 4 GiB, which no answer has.
fn put_str(out: &mut Vec<u8>, text: &str) -> Option<()> {
    out.extend_from_slice(&u32::try_from(text.len()).ok()?.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    Some(())
}

fn put_strs(out: &mut Vec<u8>, texts: &[String]) -> Option<()> {
    out.extend_from_slice(&u32::try_from(texts.len()).ok()?.to_be_bytes());
    texts.iter().try_for_each(|text| put_str(out, text))
}

/// Reads fields off the front of a slice, `None` when they are not there.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<usize> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        usize::try_from(u32::from_be_bytes(*head)).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = self.u32()?;
        if len > self.0.len() {
            return None;
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(text).ok()
    }

    fn strs(&mut self) -> Option<Vec<String>> {
        let count = self.u32()?;
        // Each needs at least its length: a count that cannot fit is refused before allocating.
        if count > self.0.len() / 4 {
            return None;
        }
        (0..count).map(|_| self.str().map(str::to_owned)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> StoredAnswer {
        StoredAnswer {
            key: "k\u{e9}y".into(),
            body: Bytes::from_static(b"{\"a\":1}"),
            etag: "\"e\"".into(),
            tags: vec!["mizan:fn:f".into(), "post:1".into()],
        }
    }

    #[test]
    fn an_answer_survives_the_round_trip() {
        let answer = answer();
        let bytes = encode_answer(&answer).unwrap();
        assert_eq!(decode_answer(&bytes), Some(answer));
        let empty = StoredAnswer {
            key: String::new(),
            body: Bytes::new(),
            etag: String::new(),
            tags: vec![],
        };
        assert_eq!(decode_answer(&encode_answer(&empty).unwrap()), Some(empty));
    }

    #[test]
    fn damaged_answers_are_refused() {
        let bytes = encode_answer(&answer()).unwrap();
        // Cut anywhere inside the fields before the body.
        let fields = bytes.len() - answer().body.len();
        for cut in 0..fields {
            assert_eq!(decode_answer(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut foreign = bytes.clone();
        foreign[3] = b'2';
        assert_eq!(decode_answer(&foreign), None);
        let mut huge_count = bytes[..4 + 4 + 4 + 4 + 4].to_vec();
        huge_count.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(decode_answer(&huge_count), None);
        let mut bad_utf8 = ANSWER.to_vec();
        bad_utf8.extend_from_slice(&[0, 0, 0, 1, 0xff]);
        assert_eq!(decode_answer(&bad_utf8), None);
        assert_eq!(decode_answer(b"garbage"), None);
    }

    #[test]
    fn purge_messages_round_trip_and_refuse_garbage() {
        let tags = vec!["a".to_owned(), "b c".to_owned()];
        let mut message = b"1764460000000 ".to_vec();
        message.extend(encode_purge("me", &tags).unwrap());
        assert_eq!(
            decode_purge(&message),
            Some(Purge {
                rev: 1_764_460_000_000,
                origin: "me".into(),
                tags
            })
        );
        let mut trailing = message.clone();
        trailing.push(0);
        assert_eq!(decode_purge(&trailing), None);
        for bad in [
            &b""[..],
            b"1",
            b" x",
            b"-1 mzP1",
            b"1x mzP1",
            b"99999999999999999999999 mzP1",
        ] {
            assert_eq!(decode_purge(bad), None, "{bad:?}");
        }
        let mut live = b"1764460000000-3 ".to_vec();
        live.extend(&message);
        let (id, purge) = decode_message(&live).unwrap();
        assert_eq!(id, LogId(1_764_460_000_000, 3));
        assert_eq!(Some(purge), decode_purge(&message));
        assert_eq!(decode_message(&message), None);
    }

    #[test]
    fn log_ids_order_as_redis_orders_them() {
        assert!(LogId::parse(b"2-0").unwrap() > LogId::parse(b"1-10").unwrap());
        assert!(LogId::parse(b"1-10").unwrap() > LogId::parse(b"1-9").unwrap());
        assert_eq!(LogId::parse(b"12-3").unwrap().to_string(), "12-3");
        for bad in [&b""[..], b"1", b"-1", b"1-", b"+1-2", b"1-2-3", b"a-1"] {
            assert_eq!(LogId::parse(bad), None, "{bad:?}");
        }
    }
}
