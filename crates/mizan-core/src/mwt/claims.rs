//! The claims of an MWT (§1.5.2) and their strict decoding.

use serde_json::{Map, Value};

use crate::canonical::MAX_SAFE_INTEGER;

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

    /// Reads claims from a parsed payload; `None` when a member is missing, unknown or mistyped.
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
