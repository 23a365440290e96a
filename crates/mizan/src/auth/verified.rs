//! A memo of recently verified tokens, so that a client sending the same MWT on every request
//! pays for its signature and its claims' parsing once.
//!
//! What a verification decides about a token's text never changes while its authenticator lives
//! (the keyring and the expected issuer and audience are fixed when it is built), except the time
//! checks: those are made again on every use ([`Validation::check_times`]). Only tokens that
//! verified are kept, so a bad token is checked in full every time, as before.
//!
//! A direct-mapped table of fixed size, one token per slot, compared in constant time (a slot
//! holds another caller's token). Tokens over [`MAX_TOKEN_BYTES`] are not kept, which bounds its
//! memory, claims included (they come from the token).
//!
//! [`Validation::check_times`]: mizan_core::mwt::Validation::check_times

use std::sync::MutexGuard;

use mizan_core::mwt::Claims;
use subtle::{Choice, ConstantTimeEq};

use crate::slot_table::SlotTable;

/// Slots of the table: the callers active at one time, roughly.
const SLOTS: usize = 256;

/// The longest token kept (with its claims, a slot holds about twice this).
const MAX_TOKEN_BYTES: usize = 1024;

/// Tokens verified recently, with their claims.
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    slots: SlotTable<Verified, SLOTS>,
}

/// A token that verified, and its claims.
type Verified = (Box<str>, Claims);

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifiedTokens(redacted)")
    }
}

impl VerifiedTokens {
    /// The claims `token` verified to, if it is kept; its time checks are still to be made.
    pub(crate) fn claims(&self, token: &str) -> Option<Claims> {
        let slot = self.slot(token)?;
        let (kept, claims) = slot.as_ref()?;
        same_token(kept.as_bytes(), token.as_bytes()).then(|| claims.clone())
    }

    /// Keeps the claims of a token that verified.
    pub(crate) fn keep(&self, token: &str, claims: &Claims) {
        if let Some(mut slot) = self.slot(token) {
            *slot = Some((token.into(), claims.clone()));
        }
    }

    fn slot(&self, token: &str) -> Option<MutexGuard<'_, Option<Verified>>> {
        (token.len() <= MAX_TOKEN_BYTES).then(|| self.slots.lock(self.slots.index_of(token)))
    }
}

/// Whether two tokens are the same, in time independent of where they differ: eight bytes at a
/// time through `subtle` (a byte at a time costs ten times more on a token of hundreds of bytes).
/// Lengths are compared first: a token's length is no secret, every request shows it.
fn same_token(kept: &[u8], token: &[u8]) -> bool {
    if kept.len() != token.len() {
        return false;
    }
    let (kept_words, kept_rest) = kept.as_chunks::<8>();
    let (token_words, token_rest) = token.as_chunks::<8>();
    let words = kept_words
        .iter()
        .zip(token_words)
        .fold(Choice::from(1), |same, (k, t)| {
            same & u64::from_ne_bytes(*k).ct_eq(&u64::from_ne_bytes(*t))
        });
    bool::from(words & kept_rest.ct_eq(token_rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(sub: &str) -> Claims {
        Claims::new("iss", "aud", 1, 2, "pk").with_subject(sub)
    }

    #[test]
    fn kept_claims_are_found_by_the_same_token_only() {
        let tokens = VerifiedTokens::default();
        assert!(tokens.claims("v1.k.p.t").is_none());
        tokens.keep("v1.k.p.t", &claims("ada"));
        assert_eq!(tokens.claims("v1.k.p.t"), Some(claims("ada")));
        for other in ["v1.k.p.u", "v1.k.p.t.", "v1.k.p.", ""] {
            assert!(tokens.claims(other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn tokens_are_the_same_only_byte_for_byte() {
        let token = "v1.k1.eyJhdWQiOiJ3ZWIifQ.0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
        assert!(same_token(token.as_bytes(), token.as_bytes()));
        for i in 0..token.len() {
            let mut other = token.as_bytes().to_vec();
            other[i] ^= 1;
            assert!(!same_token(token.as_bytes(), &other), "byte {i}");
        }
        assert!(!same_token(token.as_bytes(), &token.as_bytes()[1..]));
        assert!(same_token(b"", b""));
    }

    #[test]
    fn long_tokens_are_not_kept() {
        let tokens = VerifiedTokens::default();
        let long = "t".repeat(MAX_TOKEN_BYTES + 1);
        tokens.keep(&long, &claims("ada"));
        assert!(tokens.claims(&long).is_none());
    }
}
