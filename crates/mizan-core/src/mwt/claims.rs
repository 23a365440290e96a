//! The claims of an MWT (§1.5.2) and their strict decoding.

use serde_json::{Map, Value};

use crate::canonical::{
    CanonicalError, ExactReader, MAX_SAFE_INTEGER, write_i64, write_object_at, write_string,
};

/// The claims an MWT carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
    /// The holder's permission key.
    pub pk: String,
    /// Not valid before, Unix seconds.
    pub nbf: Option<u64>,
    /// The subject (user id).
    pub sub: Option<String>,
    /// The subject is staff.
    pub staff: bool,
    /// The subject is a superuser.
    pub superuser: bool,
    /// Application claims.
    pub ext: Option<Map<String, Value>>,
}

impl Claims {
    /// Claims with the required members and no optional ones.
    pub fn new(
        iss: impl Into<String>,
        aud: impl Into<String>,
        iat: u64,
        exp: u64,
        pk: impl Into<String>,
    ) -> Self {
        Self {
            iss: iss.into(),
            aud: aud.into(),
            iat,
            exp,
            pk: pk.into(),
            nbf: None,
            sub: None,
            staff: false,
            superuser: false,
            ext: None,
        }
    }

    /// Sets the subject.
    #[must_use]
    pub fn with_subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Sets `nbf`.
    #[must_use]
    pub fn with_not_before(mut self, nbf: u64) -> Self {
        self.nbf = Some(nbf);
        self
    }

    /// Sets the staff and superuser flags.
    #[must_use]
    pub fn with_roles(mut self, staff: bool, superuser: bool) -> Self {
        self.staff = staff;
        self.superuser = superuser;
        self
    }

    /// Sets the application claims.
    #[must_use]
    pub fn with_ext(mut self, ext: Map<String, Value>) -> Self {
        self.ext = Some(ext);
        self
    }

    /// The claims as a JSON object, omitting absent optionals and false flags.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("iss".into(), self.iss.clone().into());
        map.insert("aud".into(), self.aud.clone().into());
        map.insert("iat".into(), self.iat.into());
        map.insert("exp".into(), self.exp.into());
        map.insert("pk".into(), self.pk.clone().into());
        if let Some(nbf) = self.nbf {
            map.insert("nbf".into(), nbf.into());
        }
        if let Some(sub) = &self.sub {
            map.insert("sub".into(), sub.clone().into());
        }
        if self.staff {
            map.insert("staff".into(), true.into());
        }
        if self.superuser {
            map.insert("superuser".into(), true.into());
        }
        if let Some(ext) = &self.ext {
            map.insert("ext".into(), Value::Object(ext.clone()));
        }
        Value::Object(map)
    }

    /// Appends the canonical JSON of [`to_value`](Self::to_value) to `out`, without building the
    /// value: the members in canonical (UTF-16) order, failing as `canonical::to_vec` of the value
    /// would, at the first member in that order that cannot be written.
    pub(crate) fn write_canonical(&self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
        fn time(out: &mut Vec<u8>, t: u64) -> Result<(), CanonicalError> {
            match i64::try_from(t) {
                Ok(t) if t <= MAX_SAFE_INTEGER => {
                    write_i64(out, t);
                    Ok(())
                }
                _ => Err(CanonicalError::IntegerOutOfRange { offset: None }),
            }
        }
        // "aud" < "exp" < "ext" < "iat" < "iss" < "nbf" < "pk" < "staff" < "sub" < "superuser".
        out.extend_from_slice(b"{\"aud\":");
        write_string(out, &self.aud);
        out.extend_from_slice(b",\"exp\":");
        time(out, self.exp)?;
        if let Some(ext) = &self.ext {
            out.extend_from_slice(b",\"ext\":");
            // At the depth `to_value` puts it: a member of the top-level object.
            write_object_at(out, ext, 1)?;
        }
        out.extend_from_slice(b",\"iat\":");
        time(out, self.iat)?;
        out.extend_from_slice(b",\"iss\":");
        write_string(out, &self.iss);
        if let Some(nbf) = self.nbf {
            out.extend_from_slice(b",\"nbf\":");
            time(out, nbf)?;
        }
        out.extend_from_slice(b",\"pk\":");
        write_string(out, &self.pk);
        if self.staff {
            out.extend_from_slice(b",\"staff\":true");
        }
        if let Some(sub) = &self.sub {
            out.extend_from_slice(b",\"sub\":");
            write_string(out, sub);
        }
        if self.superuser {
            out.extend_from_slice(b",\"superuser\":true");
        }
        out.push(b'}');
        Ok(())
    }

    /// Reads claims from a token's payload: `Some` exactly when [`canonical::parse_exact`] reads
    /// it and [`from_value`](Self::from_value) accepts the value, without building the value.
    ///
    /// A payload that passes both is the canonical encoding of a claims object, whose members
    /// can only appear in one order and spelling: the keys are read as literals, in canonical
    /// order, and each value as `parse_exact` reads it.
    ///
    /// [`canonical::parse_exact`]: crate::canonical::parse_exact
    pub(crate) fn from_canonical(payload: &[u8]) -> Option<Self> {
        let mut reader = ExactReader::new(payload)?;
        let string = |reader: &mut ExactReader<'_>| match reader.member_value()? {
            Value::String(s) => Some(s),
            _ => None,
        };
        let member_time = |reader: &mut ExactReader<'_>| time(&reader.member_value()?);
        if !reader.literal(b"{\"aud\":") {
            return None;
        }
        let aud = string(&mut reader)?;
        if !reader.literal(b",\"exp\":") {
            return None;
        }
        let exp = member_time(&mut reader)?;
        let ext = if reader.literal(b",\"ext\":") {
            match reader.member_value()? {
                Value::Object(ext) => Some(ext),
                _ => return None,
            }
        } else {
            None
        };
        if !reader.literal(b",\"iat\":") {
            return None;
        }
        let iat = member_time(&mut reader)?;
        if !reader.literal(b",\"iss\":") {
            return None;
        }
        let iss = string(&mut reader)?;
        let nbf = if reader.literal(b",\"nbf\":") {
            Some(member_time(&mut reader)?)
        } else {
            None
        };
        if !reader.literal(b",\"pk\":") {
            return None;
        }
        let pk = string(&mut reader)?;
        // `false` is never signed (it is the absent value).
        let staff = reader.literal(b",\"staff\":true");
        let sub = if reader.literal(b",\"sub\":") {
            Some(string(&mut reader)?)
        } else {
            None
        };
        let superuser = reader.literal(b",\"superuser\":true");
        if !(reader.literal(b"}") && reader.at_end()) {
            return None;
        }
        Some(Self {
            iss,
            aud,
            iat,
            exp,
            pk,
            nbf,
            sub,
            staff,
            superuser,
            ext,
        })
    }

    /// Reads claims from a parsed payload; `None` when a member is missing, unknown or mistyped.
    /// The reference [`from_canonical`](Self::from_canonical) is tested against.
    #[cfg(test)]
    pub(crate) fn from_value(value: Value) -> Option<Self> {
        let Value::Object(map) = value else {
            return None;
        };
        let mut claims = Self::new(String::new(), String::new(), 0, 0, String::new());
        let mut required = 0;
        for (name, value) in map {
            match (name.as_str(), value) {
                ("iss", Value::String(s)) => (claims.iss, required) = (s, required + 1),
                ("aud", Value::String(s)) => (claims.aud, required) = (s, required + 1),
                ("pk", Value::String(s)) => (claims.pk, required) = (s, required + 1),
                ("iat", v) => (claims.iat, required) = (time(&v)?, required + 1),
                ("exp", v) => (claims.exp, required) = (time(&v)?, required + 1),
                ("nbf", v) => claims.nbf = Some(time(&v)?),
                ("sub", Value::String(s)) => claims.sub = Some(s),
                // `false` is never signed (it is the absent value), so accepting it would give
                // one claim set two tokens.
                ("staff", Value::Bool(true)) => claims.staff = true,
                ("superuser", Value::Bool(true)) => claims.superuser = true,
                ("ext", Value::Object(ext)) => claims.ext = Some(ext),
                _ => return None,
            }
        }
        (required == 5).then_some(claims)
    }
}

fn time(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .filter(|t| i64::try_from(*t).is_ok_and(|t| t <= MAX_SAFE_INTEGER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical;
    use serde_json::json;

    /// The direct reader accepts exactly what parsing the payload and reading the value accept.
    #[test]
    fn reads_what_parse_exact_and_from_value_accept() {
        let signed = [
            Claims::new("iss", "aud", 1, 2, "pk"),
            Claims::new("i\"s\u{1}", "\u{e000}\u{1F600}", 0, 9, "p")
                .with_subject("s")
                .with_not_before(3)
                .with_roles(true, true)
                .with_ext(
                    json!({"b": [1, {"c": null}], "a": "x"})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
            Claims::new("i", "a", 1, 2, "p").with_roles(false, true),
        ];
        let mut payloads: Vec<Vec<u8>> = signed
            .iter()
            .map(|c| canonical::to_vec(&c.to_value()).unwrap())
            .collect();
        for text in [
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","staff":false}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","superuser":false}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","x":1}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p"} "#,
            r#"{"aud":"a", "exp":2,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"exp":2,"aud":"a","iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","pk":"p"}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i"}"#,
            r#"{"aud":"a","exp":-2,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":02,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":2.0,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":9007199254740992,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":9007199254740991,"iat":0,"iss":"i","pk":"p"}"#,
            r#"{"aud":"\u0061","exp":2,"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":2,"ext":[],"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":2,"ext":{"b":1,"a":1},"iat":1,"iss":"i","pk":"p"}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","nbf":null,"pk":"p"}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","sub":1}"#,
            r#"{"aud":"a","exp":2,"iat":1,"iss":"i","pk":"p","sub":"s","staff":true}"#,
            r#"["aud"]"#,
            "",
        ] {
            payloads.push(text.as_bytes().to_vec());
        }
        let deep = (0..31).fold(json!(1), |v, _| json!([v]));
        let too_deep = json!([deep.clone()]);
        for ext in [deep, too_deep] {
            let mut text = br#"{"aud":"a","exp":2,"ext":{"d":"#.to_vec();
            text.extend(canonical::to_vec(&ext).unwrap());
            text.extend(br#"},"iat":1,"iss":"i","pk":"p"}"#);
            payloads.push(text);
        }
        payloads
            .push(b"{\"aud\":\"\xff\",\"exp\":2,\"iat\":1,\"iss\":\"i\",\"pk\":\"p\"}".to_vec());
        for payload in payloads {
            let expected = canonical::parse_exact(&payload).and_then(Claims::from_value);
            assert_eq!(
                Claims::from_canonical(&payload),
                expected,
                "{}",
                String::from_utf8_lossy(&payload)
            );
        }
    }

    /// The direct writer signs exactly the bytes (or fails with exactly the error) of the
    /// canonical encoding of the claims' value.
    #[test]
    fn writes_what_the_canonical_encoding_of_the_value_is() {
        let base = Claims::new("iss", "aud", 1, 2, "pk");
        let deep = (0..40).fold(json!(1), |v, _| json!([v]));
        let cases = [
            base.clone(),
            base.clone().with_subject("42").with_roles(true, true),
            base.clone().with_not_before(5).with_roles(false, true),
            Claims::new(
                "\u{1F600}\"\\\n",
                "\u{e000}",
                0,
                MAX_SAFE_INTEGER as u64,
                "",
            ),
            base.clone().with_ext(
                json!({"b": [1, "x"], "a": {"\u{e000}": 1, "\u{1F600}": 2}})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            Claims::new("i", "a", MAX_SAFE_INTEGER as u64 + 1, 2, "pk"),
            Claims::new("i", "a", 1, u64::MAX, "pk"),
            base.clone().with_not_before(u64::MAX),
            base.clone()
                .with_ext(json!({"f": 1.5}).as_object().unwrap().clone()),
            base.clone()
                .with_ext(json!({"d": deep}).as_object().unwrap().clone()),
            Claims::new("i", "a", u64::MAX, 2, "pk")
                .with_ext(json!({"f": 1.5}).as_object().unwrap().clone()),
        ];
        for claims in cases {
            let mut direct = Vec::new();
            let written = claims.write_canonical(&mut direct).map(|()| direct);
            assert_eq!(written, canonical::to_vec(&claims.to_value()), "{claims:?}");
        }
    }
}
