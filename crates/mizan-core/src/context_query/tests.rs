use super::*;
use crate::ProtocolErrorCode;
use serde_json::json;

fn object(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn encodes_one_url_per_request() {
    assert_eq!(encode_query(&Map::new(), 0).unwrap(), "");
    assert_eq!(encode_query(&Map::new(), 7).unwrap(), "rev=7");
    assert_eq!(
        encode_query(&object(json!({"name": "Ada Lovelace", "a": "é~"})), 2).unwrap(),
        "p=%7B%22a%22%3A%22%C3%A9~%22%2C%22name%22%3A%22Ada%20Lovelace%22%7D&rev=2"
    );
    assert_eq!(
        encode_query(&Map::new(), 1 << 53),
        Err(QueryError::RevOutOfRange(1 << 53))
    );
    let err = encode_query(&object(json!({"x": 1.5})), 0).unwrap_err();
    assert_eq!(err.code(), ProtocolErrorCode::MalformedJson);
    assert_eq!(err.details(), Some(json!({"reason": "float_not_allowed"})));
}

#[test]
fn the_fast_path_and_the_encoder_agree() {
    for (params, rev) in [
        (json!({"name": "Ada"}), 0),
        (
            json!({"s": "a b/é~\u{1F600}\n", "n": -3, "l": [true, null, {}]}),
            9,
        ),
        (json!({}), 5),
        (json!({}), 9_007_199_254_740_991),
    ] {
        let q = encode_query(&object(params.clone()), rev).unwrap();
        assert_eq!(decode_exact(&q), Some((object(params.clone()), rev)), "{q}");
        assert_eq!(decode_lenient(&q), Ok((object(params), rev)), "{q}");
    }
}

/// Every query built from these pieces: the fast path never accepts what the general path refuses,
/// and both give the same result when they accept.
#[test]
fn the_fast_path_accepts_exactly_the_canonical_queries() {
    let pieces = [
        "p=%7B%22a%22%3A1%7D",
        "p=%7b%22a%22%3a1%7d",
        "p=%7B%7D",
        "p=%7B%22a%22%3A%22%41%22%7D",
        "p=%7B%22a%22%3A%22+%22%7D",
        "p=",
        "rev=1",
        "rev=01",
        "rev=0",
        "rev=%31",
        "rev=9007199254740992",
        "x=1",
        "",
    ];
    let mut queries: Vec<String> = pieces.iter().map(|p| (*p).to_owned()).collect();
    for a in pieces {
        for b in pieces {
            queries.push(format!("{a}&{b}"));
        }
    }
    for q in &queries {
        let lenient = decode_lenient(q);
        match decode_exact(q) {
            Some(decoded) => assert_eq!(lenient, Ok(decoded), "{q}"),
            None => assert!(
                lenient.is_err(),
                "{q}: the fast path refused a canonical query"
            ),
        }
    }
}

#[test]
fn no_query_is_empty_params_and_rev_0_an_empty_query_is_not_canonical() {
    assert_eq!(decode_query(None), Ok((Map::new(), 0)));
    assert_eq!(
        decode_query(Some("")),
        Err(QueryError::NonCanonical {
            received: String::new(),
            canonical: None
        })
    );
}

#[test]
fn plus_is_never_read_as_a_space_or_a_plus() {
    for q in ["p=%7B%22n%22%3A%22a+b%22%7D", "rev=+1", "rev=1+"] {
        let err = decode_query(Some(q)).unwrap_err();
        assert_eq!(
            err,
            QueryError::NonCanonical {
                received: q.to_owned(),
                canonical: None
            },
            "{q}"
        );
    }
    // Escaped, it is a plus, and the canonical query says so.
    let err = decode_query(Some("p=%7B%22n%22%3A%22a%2bb%22%7D")).unwrap_err();
    assert_eq!(
        err.details().unwrap()["canonical"],
        "p=%7B%22n%22%3A%22a%2Bb%22%7D"
    );
}

#[test]
fn a_repeated_part_is_unreadable_at_its_second_occurrence() {
    for q in [
        "rev=1&rev=2",
        "rev=1&rev=1",
        "p=%7B%22a%22%3A1%7D&p=%7B%22a%22%3A1%7D",
        // The second `p` is refused before its value is read.
        "p=%7B%22a%22%3A1%7D&p=%5B",
    ] {
        let err = decode_query(Some(q)).unwrap_err();
        assert_eq!(err.code(), ProtocolErrorCode::NonCanonicalQuery, "{q}");
        assert_eq!(err.details(), Some(json!({ "received": q })), "{q}");
    }
}

#[test]
fn the_first_unreadable_part_decides_between_malformed_json_and_non_canonical() {
    // `p` is read (and fails as JSON) before the comparison with the canonical spelling.
    let err = decode_query(Some("p=%7b%22a%22%3a1.5%7d")).unwrap_err();
    assert_eq!(err.details(), Some(json!({"reason": "float_not_allowed"})));
    let err = decode_query(Some("p=%5B&x=1")).unwrap_err();
    assert_eq!(err.code(), ProtocolErrorCode::MalformedJson);
    // An unreadable part before it wins.
    let err = decode_query(Some("x=1&p=%5B")).unwrap_err();
    assert_eq!(err.code(), ProtocolErrorCode::NonCanonicalQuery);
    let err = decode_query(Some("rev=1&rev=2&p=%5B")).unwrap_err();
    assert_eq!(err.code(), ProtocolErrorCode::NonCanonicalQuery);
    // A readable but non-canonical part before it does not.
    let err = decode_query(Some("rev=01&p=%5B")).unwrap_err();
    assert_eq!(err.code(), ProtocolErrorCode::MalformedJson);
    let err = decode_query(Some("p=%5B%5D&x")).unwrap_err();
    assert_eq!(err, QueryError::ParamsNotObject);
}

#[test]
fn rev_is_percent_decoded_then_read_as_digits() {
    let canonical =
        |q: &str| decode_query(Some(q)).unwrap_err().details().unwrap()["canonical"].clone();
    assert_eq!(canonical("rev=%31"), "rev=1");
    assert_eq!(canonical("rev=0007"), "rev=7");
    assert_eq!(canonical("rev=0"), "");
    assert_eq!(
        canonical("rev=00000000000000000009007199254740991"),
        "rev=9007199254740991"
    );
    for q in [
        "rev=",
        "rev=-1",
        "rev=1e3",
        "rev=%2B1",
        "rev=9007199254740992",
        "rev=99999999999999999999",
    ] {
        let err = decode_query(Some(q)).unwrap_err();
        assert_eq!(err.details(), Some(json!({ "received": q })), "{q}");
    }
}
