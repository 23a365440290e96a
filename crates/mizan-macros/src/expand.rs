//! Expansion of `#[mizan::client]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use crate::auth;
use crate::cache_options;
use crate::errors::Errors;
use crate::options::{self, Context};
use crate::param_attrs;

struct Param {
    ident: syn::Ident,
    wire_name: String,
    ty: Type,
    /// The `#[schemars(...)]`, `#[validate(...)]` and doc attributes written on the parameter,
    /// which go to its field of the input struct.
    attrs: Vec<syn::Attribute>,
}

pub(crate) fn client(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let options = options::parse(attr, &mut errors);
    let function: ItemFn = match syn::parse2(item) {
        Ok(function) => function,
        Err(e) => {
            errors.push(e);
            return errors.finish().map(|()| TokenStream::new());
        }
    };
    let (request, params) = check_signature(&function, &mut errors);
    if let (Context::Global, Some(first)) = (options.context, params.first()) {
        errors.at_tokens(
            &first.ident,
            "a global context takes no parameters: it is fetched once per page; use `context = \"local\"` for one with parameters",
        );
    }
    check_cache_options(&options, &mut errors);
    let wire_names: Vec<String> = params.iter().map(|p| p.wire_name.clone()).collect();
    let cache = cache_options::cache_expr(options.cache.as_ref(), &wire_names, &mut errors);
    let invalidates =
        cache_options::invalidates_expr(&options.invalidates, &wire_names, &mut errors);
    errors.finish()?;
    let Some(request) = request else {
        unreachable!("check_signature records an error whenever it finds no request parameter");
    };
    let cache = CacheTokens { cache, invalidates };
    Ok(generate(&function, &options, &request, &params, &cache))
}

/// The cache options' expressions, checked before generation.
struct CacheTokens {
    cache: TokenStream,
    invalidates: TokenStream,
}

/// A policy belongs on a context (calls are never cached) and `invalidates` on a call (a
/// context's read purges nothing).
fn check_cache_options(options: &options::Options, errors: &mut Errors) {
    if let (Context::None, Some(ident)) = (options.context, &options.cache_ident) {
        errors.at_tokens(
            ident,
            "`cache(...)` is for contexts (`context = \"global\"` or `\"local\"`): a call is never cached",
        );
    }
    if let (Context::Global | Context::Local, Some(ident)) =
        (options.context, &options.invalidates_ident)
    {
        errors.at_tokens(
            ident,
            "`invalidates` is for calls: a context only reads, so it has nothing to purge",
        );
    }
}

/// Checks everything about the signature that can be checked without types, recording each
/// mistake in `errors`: the request pattern (when there is one) and the well-formed parameters.
fn check_signature(function: &ItemFn, errors: &mut Errors) -> (Option<Pat>, Vec<Param>) {
    let sig = &function.sig;
    if let Some(t) = &sig.constness {
        errors.at_tokens(t, "server functions cannot be `const`");
    }
    if let syn::Safety::Unsafe(t) = &sig.safety {
        errors.at_tokens(t, "server functions cannot be `unsafe`");
    }
    if let Some(abi) = &sig.abi {
        errors.at_tokens(abi, "server functions cannot have an ABI");
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at_tokens(
            &sig.generics,
            "server functions cannot be generic: the wire needs one concrete type per parameter",
        );
    }
    if let Some(v) = &sig.variadic {
        errors.at_tokens(v, "server functions cannot be variadic");
    }
    if let ReturnType::Default = sig.output {
        errors.at_span(
            sig.paren_token.span.close(),
            "server functions return `mizan::Result<T>`; add `-> mizan::Result<...>`",
        );
    }
    let mut inputs = sig.inputs.iter();
    let request =
        match inputs.next() {
            Some(FnArg::Typed(arg)) if is_request_ref(&arg.ty) => Some((*arg.pat).clone()),
            Some(FnArg::Receiver(r)) => {
                errors.at_tokens(r, "server functions are free functions, not methods");
                None
            }
            Some(FnArg::Typed(arg)) => {
                errors.at_tokens(arg,
                "the first parameter of a server function is the request: `req: &mizan::Request`",
            );
                None
            }
            None => {
                errors.at_span(sig.paren_token.span.join(),
                "the first parameter of a server function is the request: `req: &mizan::Request`",
            );
                None
            }
        };
    let mut params = Vec::new();
    for input in inputs {
        let FnArg::Typed(arg) = input else {
            errors.at_tokens(input, "unexpected receiver");
            continue;
        };
        let ident = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                errors.at_tokens(other,
                    "parameters of a server function must be plain names: each becomes a named field of the input object",
                );
                continue;
            }
        };
        let wire_name = ident.unraw().to_string();
        if wire_name.starts_with('_') {
            errors.at_tokens(
                &ident,
                "parameter names become wire field names and cannot start with `_`",
            );
            continue;
        }
        if let Some(span) = borrowed_type(&arg.ty) {
            errors.at_span(span,
                "parameters of a server function must be owned types (`String`, not `&str`): they are decoded from the request",
            );
            continue;
        }
        let attrs = param_attrs::check(&arg.attrs, errors);
        params.push(Param {
            ident,
            wire_name,
            ty: (*arg.ty).clone(),
            attrs,
        });
    }
    if request.is_none() && errors.len() == 0 {
        errors.at_tokens(&sig.ident, "missing request parameter");
    }
    (request, params)
}

fn is_request_ref(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Request"),
            _ => false,
        },
        _ => false,
    }
}

/// The span of a reference, `impl Trait` or lifetime anywhere in `ty`.
fn borrowed_type(ty: &Type) -> Option<Span> {
    match ty {
        Type::Reference(r) => Some(r.and_token.span()),
        Type::ImplTrait(t) => Some(t.span()),
        Type::Path(p) => p
            .path
            .segments
            .iter()
            .find_map(|segment| match &segment.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    args.args.iter().find_map(|arg| match arg {
                        syn::GenericArgument::Lifetime(l) => Some(l.span()),
                        syn::GenericArgument::Type(t) => borrowed_type(t),
                        _ => None,
                    })
                }
                _ => None,
            }),
        Type::Tuple(t) => t.elems.iter().find_map(borrowed_type),
        Type::Array(a) => borrowed_type(&a.elem),
        Type::Slice(s) => Some(s.span()),
        Type::Paren(p) => borrowed_type(&p.elem),
        Type::Group(g) => borrowed_type(&g.elem),
        _ => None,
    }
}

fn pascal_case(name: &str) -> String {
    name.split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut chars = s.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect()
}

fn generate(
    function: &ItemFn,
    options: &options::Options,
    request: &Pat,
    params: &[Param],
    cache_tokens: &CacheTokens,
) -> TokenStream {
    let private = quote!(::mizan::__private);
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let name = &sig.ident;
    let rust_name = name.unraw().to_string();
    let input_name = format_ident!("{}Input", pascal_case(&rust_name));
    let ReturnType::Type(_, ret) = &sig.output else {
        unreachable!("checked in check_signature");
    };
    let docs: Vec<_> = attrs.iter().filter(|a| a.path().is_ident("doc")).collect();
    let other_attrs: Vec<_> = attrs.iter().filter(|a| !a.path().is_ident("doc")).collect();
    let asyncness = &sig.asyncness;
    let await_call = sig.asyncness.map(|_| quote!(.await));
    let param_idents: Vec<_> = params.iter().map(|p| &p.ident).collect();
    let wire_names: Vec<_> = params.iter().map(|p| &p.wire_name).collect();
    // The parameters' attributes belong to the input struct's fields, not to the Rust function.
    let inputs = sig.inputs.iter().skip(1).map(|input| {
        let mut input = input.clone();
        if let FnArg::Typed(arg) = &mut input {
            arg.attrs.clear();
        }
        input
    });
    let request_ty = match sig.inputs.first() {
        Some(FnArg::Typed(arg)) => arg.ty.clone(),
        _ => unreachable!("checked in check_signature"),
    };

    let auth = auth::requirement(&options.auth);
    let CacheTokens { cache, invalidates } = cache_tokens;
    let kind = match options.context {
        Context::None => quote!(#private::FunctionKind::Call),
        Context::Global => quote!(#private::FunctionKind::Context(#private::ContextKind::Global)),
        Context::Local => quote!(#private::FunctionKind::Context(#private::ContextKind::Local)),
    };
    // Each parameter type is required to be decodable in exactly one place, spanned at the user's
    // type, so a type without `Deserialize` gets one error there. (Its `JsonSchema` is required
    // once too, by the input struct's derive.)
    let decode_params = params.iter().map(|p| {
        let (ident, ty, wire_name) = (&p.ident, &p.ty, &p.wire_name);
        let decode = quote_spanned! {ty.span()=> __mizan_decode::<#ty> };
        quote! { let #ident = #decode(&mut params, #wire_name); }
    });
    // Uses of the output type are spanned at the user's return type, so a type that cannot be an
    // output is reported there, once per missing trait, not at the attribute.
    let output = quote_spanned! {ret.span()=> <#ret as #private::FunctionReturn>::Output };
    let output_schema = quote_spanned! {ret.span()=> __mizan_output_schema::<#output>(generator) };
    // Every use is `<#ret as FunctionReturn>`, spanned alike, so a return type that is not a
    // `mizan::Result` gets one error (rustc drops the identical others).
    let encode_output = quote_spanned! {ret.span()=>
        __mizan_encode::<#output>(<#ret as #private::FunctionReturn>::into_result(output), encoding)
    };
    let fields = params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let attrs = &p.attrs;
        // Undocumented parameters keep a description that names them.
        let default_doc = (!attrs.iter().any(|a| a.path().is_ident("doc"))).then(|| {
            let doc = format!(" The `{}` parameter.", p.wire_name);
            quote!(#[doc = #doc])
        });
        quote! { #default_doc #(#attrs)* #ident: #ty, }
    });
    let doc_default = format!(
        " The server function `{rust_name}`. Register it with `registry.register({rust_name}, \"...\")`; call the Rust function directly with [`{rust_name}::call`]."
    );
    let doc_call = format!(" The body of the server function `{rust_name}`.");

    quote! {
        #(#docs)*
        #[doc = ""]
        #[doc = #doc_default]
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, Default)]
        #vis struct #name;

        impl #name {
            #[doc = #doc_call]
            #(#other_attrs)*
            #vis #asyncness fn call(#request: #request_ty, #(#inputs),*) -> #ret #block
        }

        const _: () = {
            #[derive(#private::schemars::JsonSchema)]
            #[schemars(crate = "::mizan::__private::schemars", deny_unknown_fields)]
            #[allow(dead_code)]
            struct #input_name {
                #(#fields)*
            }

            fn __mizan_decode<T: ::mizan::InputType>(
                params: &mut #private::Params,
                name: &'static str,
            ) -> ::core::option::Option<T> {
                params.take(name)
            }

            fn __mizan_output_schema<T: #private::schemars::JsonSchema>(
                generator: &mut #private::schemars::SchemaGenerator,
            ) -> #private::schemars::Schema {
                generator.root_schema_for::<T>()
            }

            fn __mizan_encode<T: ::mizan::OutputType>(
                output: ::mizan::Result<T>,
                encoding: #private::Encoding,
            ) -> ::mizan::Result<::std::vec::Vec<u8>> {
                #private::encode(output, encoding)
            }

            impl #private::ServerFunction for #name {
                fn options(&self) -> #private::FunctionOptions {
                    #private::FunctionOptions {
                        rust_name: #rust_name,
                        auth: #auth,
                        kind: #kind,
                        params: &[#(#wire_names),*],
                        cache: #cache,
                        invalidates: #invalidates,
                    }
                }

                fn input_schema(&self, generator: &mut #private::schemars::SchemaGenerator) -> #private::schemars::Schema {
                    use #private::{DerivedSchema as _, FailedDerive as _};
                    (&#private::SchemaOf::<#input_name>(::core::marker::PhantomData)).schema(generator)
                }

                fn output_schema(&self, generator: &mut #private::schemars::SchemaGenerator) -> #private::schemars::Schema {
                    #output_schema
                }

                fn call<'a>(
                    &'a self,
                    request: &'a ::mizan::Request,
                    params: #private::Params,
                    encoding: #private::Encoding,
                ) -> #private::BoxFuture<'a, ::mizan::Result<::std::vec::Vec<u8>>> {
                    ::std::boxed::Box::pin(async move {
                        let mut params = params;
                        #(#decode_params)*
                        params.finish()?;
                        let ( #( ::core::option::Option::Some(#param_idents), )* ) = ( #(#param_idents,)* ) else {
                            return ::core::result::Result::Err(#private::missing_decoded_param());
                        };
                        let output = #name::call(request, #(#param_idents),*) #await_call;
                        #encode_output
                    })
                }
            }
        };
    }
}
