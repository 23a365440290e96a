//! Procedural macros for Mizan. Use them through the `mizan` crate, which documents them:
//! `#[mizan::client]` turns a function into a server function.

mod errors;
mod expand;
mod options;

use proc_macro::TokenStream;

/// Turns a function into a Mizan server function; see `mizan::client` for the guide.
#[proc_macro_attribute]
pub fn client(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::client(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
