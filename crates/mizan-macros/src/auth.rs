//! Who may call: the `auth` option shared by `#[mizan::client(...)]` and `#[form(...)]`, parsed
//! and expanded to a `mizan::AuthRequirement` the same way for both.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprPath, Lit, Meta};

use crate::errors::Errors;

/// Who may call.
pub(crate) enum Auth {
    Public,
    Authenticated,
    Staff,
    Superuser,
    Custom(ExprPath),
}

const AUTH_FORMS: &str =
    "expected `auth`, `auth = \"staff\"`, `auth = \"superuser\"` or `auth = my_check`";

/// The requirement an `auth` option states; a mistake is recorded and gives `None`.
pub(crate) fn parse(meta: &Meta, errors: &mut Errors) -> Option<Auth> {
    match meta {
        Meta::Path(_) => Some(Auth::Authenticated),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => match s.value().as_str() {
                "staff" => Some(Auth::Staff),
                "superuser" => Some(Auth::Superuser),
                "authenticated" => Some(Auth::Authenticated),
                _ => {
                    errors.at_tokens(s, AUTH_FORMS);
                    None
                }
            },
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            }) if b.value => Some(Auth::Authenticated),
            Expr::Path(path) => Some(Auth::Custom(path.clone())),
            other => {
                errors.at_tokens(other, AUTH_FORMS);
                None
            }
        },
        Meta::List(list) => {
            errors.at_tokens(list, AUTH_FORMS);
            None
        }
    }
}

/// An expression of type `mizan::AuthRequirement`.
pub(crate) fn requirement(auth: &Auth) -> TokenStream {
    let private = quote!(::mizan::__private);
    match auth {
        Auth::Public => quote!(#private::AuthRequirement::Public),
        Auth::Authenticated => quote!(#private::AuthRequirement::Authenticated),
        Auth::Staff => quote!(#private::AuthRequirement::Staff),
        Auth::Superuser => quote!(#private::AuthRequirement::Superuser),
        // `my_check` may be sync or async and answer `bool` or `mizan::Result<bool>`: the
        // `AuthCheck` trait takes each of them, and names the shapes it takes when the function
        // has none of them. Spanned at the user's path, so that error is reported there.
        Auth::Custom(path) => {
            let verdict = quote_spanned! {path.span()=>
                #private::AuthCheck::verdict(#path, request)
            };
            quote! {
                #private::AuthRequirement::Custom({
                    fn __mizan_auth_check<'a>(
                        request: &'a ::mizan::Request,
                    ) -> #private::BoxFuture<'a, ::mizan::Result<bool>> {
                        #verdict
                    }
                    __mizan_auth_check
                })
            }
        }
    }
}
