//! Who is making a request: the user, the verified token claims, and what the authenticator
//! attached (a user record from the application's store, say).

use std::sync::Arc;

use http::Extensions;
use mizan_core::mwt::Claims;
use serde_json::{Map, Value};

/// Who is making a request, as resolved by the [`Authenticator`](crate::Authenticator).
///
/// ```
/// use mizan::{Principal, User};
///
/// #[derive(Clone)]
/// struct Account { email: String }
///
/// let principal = Principal::signed_in(User::new("42"))
///     .with_extension(Account { email: "ada@example.com".into() });
/// assert!(principal.is_authenticated());
/// assert_eq!(principal.extension::<Account>().unwrap().email, "ada@example.com");
/// assert!(Principal::anonymous().user().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Principal {
    user: Option<User>,
    claims: Option<Arc<Claims>>,
    extensions: Extensions,
}

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Whether the user is staff.
    pub staff: bool,
    /// Whether the user is a superuser; superusers pass every staff check too.
    pub superuser: bool,
}

impl User {
    /// A user with no staff or superuser rights.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            staff: false,
            superuser: false,
        }
    }
}

impl Principal {
    /// Nobody signed in, no credentials.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// A signed-in user.
    pub fn signed_in(user: User) -> Self {
        Self {
            user: Some(user),
            ..Self::default()
        }
    }

    /// The principal an MWT's verified claims name: the user of `sub` with its roles, or nobody
    /// when the token has no `sub`; the claims travel with it either way.
    pub fn from_claims(claims: Claims) -> Self {
        let user = claims.sub.as_ref().map(|id| User {
            id: id.clone(),
            staff: claims.staff,
            superuser: claims.superuser,
        });
        Self {
            user,
            claims: Some(Arc::new(claims)),
            extensions: Extensions::new(),
        }
    }

    /// Replaces the user: what an authenticator does when it checks a token's `sub` against its
    /// store and takes the user's current flags from there instead of the token's.
    #[must_use]
    pub fn with_user(mut self, user: Option<User>) -> Self {
        self.user = user;
        self
    }

    /// Attaches a value of type `T` (one per type; a second replaces the first), read back with
    /// [`extension`](Self::extension). Authenticators use it to hand a loaded user record to every
    /// function and auth check of the request.
    #[must_use]
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The value of type `T` the authenticator attached, if any.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// The user, if one is signed in.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The verified claims of the request's token, if it carried one.
    pub fn claims(&self) -> Option<&Claims> {
        self.claims.as_deref()
    }

    /// The permission key (`pk`) of the request's token, if it carried one (§1.4).
    pub fn permission_key(&self) -> Option<&str> {
        self.claims().map(|c| c.pk.as_str())
    }

    /// The application claims (`ext`) of the request's token, if it carried them.
    pub fn ext(&self) -> Option<&Map<String, Value>> {
        self.claims()?.ext.as_ref()
    }

    /// Whether a user is signed in.
    pub fn is_authenticated(&self) -> bool {
        self.user.is_some()
    }

    /// Whether the request carried verified credentials: a user, or a token without `sub`.
    /// Answers to such requests may depend on them, so they are never stored by shared caches.
    pub fn has_credentials(&self) -> bool {
        self.user.is_some() || self.claims.is_some()
    }

    /// Whether the user is staff or a superuser.
    pub fn is_staff(&self) -> bool {
        self.user().is_some_and(|u| u.staff || u.superuser)
    }

    /// Whether the user is a superuser.
    pub fn is_superuser(&self) -> bool {
        self.user().is_some_and(|u| u.superuser)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_travel_with_the_principal() {
        let mut ext = Map::new();
        ext.insert("plan".into(), Value::from("pro"));
        let claims = Claims::new("iss", "aud", 1, 2, "pk-user")
            .with_subject("7")
            .with_roles(true, false)
            .with_ext(ext);
        let principal = Principal::from_claims(claims);
        assert_eq!(principal.user().unwrap().id, "7");
        assert!(principal.is_staff() && !principal.is_superuser());
        assert_eq!(principal.permission_key(), Some("pk-user"));
        assert_eq!(principal.ext().unwrap()["plan"], "pro");

        let anonymous_token = Principal::from_claims(Claims::new("iss", "aud", 1, 2, "pk-anon"));
        assert!(!anonymous_token.is_authenticated());
        assert!(anonymous_token.has_credentials());
        assert!(!Principal::anonymous().has_credentials());
    }
}
