//! One collector for every mistake in a macro input, in the style of serde's `Ctxt`: checks push
//! errors and go on, so the user sees all of them at once, each at their own token.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

/// The mistakes found so far.
#[derive(Default)]
pub(crate) struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// A mistake at the tokens of `at`.
    pub(crate) fn at_tokens(&mut self, at: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(at, message));
    }

    /// A mistake at `span`.
    pub(crate) fn at_span(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// A mistake syn already described.
    pub(crate) fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// How many mistakes were recorded.
    pub(crate) fn len(&self) -> usize {
        self.errors.len()
    }

    /// All mistakes as one compile error, or `Ok` when there are none.
    pub(crate) fn finish(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }
}
