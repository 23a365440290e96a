//! The few pieces of RFC 6455 a load generator needs: the upgrade request, the check of its
//! answer, masked client frames and the parsing of unmasked server frames. Hand-written rather
//! than tungstenite so that an idle socket costs the generator a few dozen bytes, not a
//! per-socket read buffer: the generator must hold as many sockets as the server it measures.

/// The `Sec-WebSocket-Key` of every upgrade: the example of RFC 6455 §1.3. A server cannot tell
/// a fixed key from a random one, and a fixed key lets the answer be checked against a constant.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The `Sec-WebSocket-Accept` RFC 6455 §1.3 gives for [`KEY`].
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
/// The masking key of every client frame (RFC 6455 §5.3 requires a mask, not a secret one here).
const MASK: [u8; 4] = [0x5a, 0x17, 0xc3, 0x8e];

/// The upgrade request for `path` on `host`, without `Origin` (a non-browser client), so the
/// origin check of spec §2.15.2 passes.
pub(crate) fn upgrade_request(host: &str, path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {KEY}\r\n\r\n"
    )
}

/// The length of the upgrade answer's head when `buf` holds all of it (`None` while it does
/// not), once it is known to be `101` with the right `Sec-WebSocket-Accept`.
pub(crate) fn upgrade_answer(buf: &[u8]) -> Result<Option<usize>, String> {
    let Some(end) = memchr::memmem::find(buf, b"\r\n\r\n") else {
        if buf.len() > 16 * 1024 {
            return Err("upgrade answer head over 16 KiB".to_owned());
        }
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    let status = head.lines().next().unwrap_or_default();
    if status.split(' ').nth(1) != Some("101") {
        let body = String::from_utf8_lossy(&buf[end + 4..]);
        return Err(format!("upgrade answered {status:?}: {body}"));
    }
    let accept = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("sec-websocket-accept")
            .then(|| value.trim())
    });
    if accept != Some(ACCEPT) {
        return Err(format!(
            "Sec-WebSocket-Accept is {accept:?}, not {ACCEPT:?}"
        ));
    }
    Ok(Some(end + 4))
}

/// Appends a masked frame with `opcode` and `payload` to `out`.
fn frame(opcode: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(0x80 | opcode);
    match payload.len() {
        len @ 0..=125 => out.push(0x80 | len as u8),
        len @ 126..=0xffff => {
            out.push(0x80 | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(0x80 | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&MASK);
    out.extend(
        payload
            .iter()
            .zip(MASK.iter().cycle())
            .map(|(byte, mask)| byte ^ mask),
    );
}

/// Appends a masked text frame holding `text` to `out`.
pub(crate) fn text(text: &str, out: &mut Vec<u8>) {
    frame(0x1, text.as_bytes(), out);
}

/// Appends a masked pong frame answering a ping with `payload` to `out`.
pub(crate) fn pong(payload: &[u8], out: &mut Vec<u8>) {
    frame(0xa, payload, out);
}

/// Appends a masked close frame with `code` to `out`.
pub(crate) fn close(code: u16, out: &mut Vec<u8>) {
    frame(0x8, &code.to_be_bytes(), out);
}

/// One frame from the server.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    /// A text frame's payload.
    Text(&'a [u8]),
    /// A close frame's status code, when it has one.
    Close(Option<u16>),
    /// A ping frame's payload.
    Ping(&'a [u8]),
    /// A pong, or a binary frame: nothing a client of the channels protocol acts on.
    Other,
}

/// The first frame of `buf` and its length in bytes, `None` while `buf` holds only part of it.
/// A masked or fragmented server frame is an error: the channels server sends neither.
pub(crate) fn parse(buf: &[u8]) -> Result<Option<(Frame<'_>, usize)>, String> {
    let [first, second, ..] = *buf else {
        return Ok(None);
    };
    if first & 0x80 == 0 || first & 0x0f == 0 {
        return Err("a fragmented server frame".to_owned());
    }
    if second & 0x80 != 0 {
        return Err("a masked server frame".to_owned());
    }
    let (len, start) = match second & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut be = [0u8; 8];
                be.copy_from_slice(b);
                (u64::from_be_bytes(be), 10)
            }
            None => return Ok(None),
        },
        len => (u64::from(len), 2),
    };
    let len = usize::try_from(len).map_err(|_| "a frame too long to address".to_owned())?;
    let Some(payload) = buf.get(start..start + len) else {
        return Ok(None);
    };
    let frame = match first & 0x0f {
        0x1 => Frame::Text(payload),
        0x8 => Frame::Close(
            payload
                .get(..2)
                .map(|code| u16::from_be_bytes([code[0], code[1]])),
        ),
        0x9 => Frame::Ping(payload),
        _ => Frame::Other,
    };
    Ok(Some((frame, start + len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unmask(frame: &[u8]) -> Vec<u8> {
        let header = match frame[1] & 0x7f {
            126 => 4,
            127 => 10,
            _ => 2,
        };
        let mask = &frame[header..header + 4];
        frame[header + 4..]
            .iter()
            .zip(mask.iter().cycle())
            .map(|(b, m)| b ^ m)
            .collect()
    }

    #[test]
    fn client_frames_are_masked_and_carry_their_payload() {
        for len in [0, 125, 126, 300, 70_000] {
            let payload = "x".repeat(len);
            let mut out = Vec::new();
            text(&payload, &mut out);
            assert_eq!(out[0], 0x81);
            assert_ne!(out[1] & 0x80, 0, "masked");
            assert_eq!(unmask(&out), payload.as_bytes(), "len {len}");
        }
    }

    #[test]
    fn server_frames_parse_whole_or_wait_for_more() {
        let mut buf = vec![0x81, 126, 0x01, 0x2c];
        buf.extend(std::iter::repeat_n(b'a', 300));
        buf.extend([0x88, 2, 0x0f, 0xa1]);
        for cut in 0..buf.len() - 4 {
            assert_eq!(parse(&buf[..cut]), Ok(None), "cut at {cut}");
        }
        let (frame, used) = parse(&buf).unwrap().unwrap();
        assert_eq!(frame, Frame::Text(&buf[4..304]));
        assert_eq!(parse(&buf[used..]), Ok(Some((Frame::Close(Some(4001)), 4))));
        assert!(parse(&[0x01, 0]).is_err(), "fragmented");
        assert!(parse(&[0x81, 0x80]).is_err(), "masked");
    }

    #[test]
    fn the_upgrade_answer_is_checked() {
        let ok = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n\x01"
        );
        assert_eq!(upgrade_answer(ok.as_bytes()), Ok(Some(ok.len() - 1)));
        assert_eq!(upgrade_answer(&ok.as_bytes()[..20]), Ok(None));
        let refused = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}";
        assert!(upgrade_answer(refused.as_bytes()).is_err());
        let wrong = "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: x\r\n\r\n";
        assert!(upgrade_answer(wrong.as_bytes()).is_err());
    }
}
