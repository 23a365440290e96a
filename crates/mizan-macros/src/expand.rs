//! Expansion of `#[mizan::client]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use crate::options::{self, Auth, Context};

struct Param {
    ident: syn::Ident,
    wire_name: String,
    ty: Type,
}

pub(crate) fn client(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = options::parse(attr);
    let function: ItemFn = syn::parse2(item)?;
    let signature = check_signature(&function);
    let (options, (request_ident, params)) = match (options, signature) {
        (Ok(o), Ok(s)) => (o, s),
        (Err(mut a), Err(b)) => {
            a.combine(b);
            return Err(a);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if let (Context::Global, Some(first)) = (options.context, params.first()) {
        return Err(syn::Error::new_spanned(
            &first.ident,
            "a global context takes no parameters: it is fetched once per page; use `context = \"local\"` for one with parameters",
        ));
    }
    Ok(generate(&function, &options, &request_ident, &params))
}

/// Checks everything about the signature that can be checked without types, collecting errors.
fn check_signature(function: &ItemFn) -> syn::Result<(Pat, Vec<Param>)> {
    let sig = &function.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    if let Some(t) = &sig.constness {
        errors.push(syn::Error::new_spanned(
            t,
            "server functions cannot be `const`",
        ));
    }
    if let syn::Safety::Unsafe(t) = &sig.safety {
        errors.push(syn::Error::new_spanned(
            t,
            "server functions cannot be `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "server functions cannot have an ABI",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "server functions cannot be generic: the wire needs one concrete type per parameter",
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            v,
            "server functions cannot be variadic",
        ));
    }
    if let ReturnType::Default = sig.output {
        errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            "server functions return `mizan::Result<T>`; add `-> mizan::Result<...>`",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let request = match inputs.next() {
        Some(FnArg::Typed(arg)) if is_request_ref(&arg.ty) => Some((*arg.pat).clone()),
        Some(FnArg::Receiver(r)) => {
            errors.push(syn::Error::new_spanned(
                r,
                "server functions are free functions, not methods",
            ));
            None
        }
        Some(FnArg::Typed(arg)) => {
            errors.push(syn::Error::new_spanned(
                arg,
                "the first parameter of a server function is the request: `req: &mizan::Request`",
            ));
            None
        }
        None => {
            errors.push(syn::Error::new(
                sig.paren_token.span.join(),
                "the first parameter of a server function is the request: `req: &mizan::Request`",
            ));
            None
        }
    };
    let mut params = Vec::new();
    for input in inputs {
        let FnArg::Typed(arg) = input else {
            errors.push(syn::Error::new_spanned(input, "unexpected receiver"));
            continue;
        };
        let ident = match &*arg.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "parameters of a server function must be plain names: each becomes a named field of the input object",
                ));
                continue;
            }
        };
        let wire_name = ident.unraw().to_string();
        if wire_name.starts_with('_') {
            errors.push(syn::Error::new_spanned(
                &ident,
                "parameter names become wire field names and cannot start with `_`",
            ));
            continue;
        }
        if let Some(span) = borrowed_type(&arg.ty) {
            errors.push(syn::Error::new(
                span,
                "parameters of a server function must be owned types (`String`, not `&str`): they are decoded from the request",
            ));
            continue;
        }
        params.push(Param {
            ident,
            wire_name,
            ty: (*arg.ty).clone(),
        });
    }
    let mut errors = errors.into_iter();
    if let Some(mut first) = errors.next() {
        first.extend(errors);
        return Err(first);
    }
    match request {
        Some(pat) => Ok((pat, params)),
        None => Err(syn::Error::new_spanned(
            &sig.ident,
            "missing request parameter",
        )),
    }
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
    let param_types: Vec<_> = params.iter().map(|p| &p.ty).collect();
    let wire_names: Vec<_> = params.iter().map(|p| &p.wire_name).collect();
    let inputs = sig.inputs.iter().skip(1);
    let request_ty = match sig.inputs.first() {
        Some(FnArg::Typed(arg)) => arg.ty.clone(),
        _ => unreachable!("checked in check_signature"),
    };

    let auth = match &options.auth {
        Auth::Public => quote!(#private::AuthRequirement::Public),
        Auth::Authenticated => quote!(#private::AuthRequirement::Authenticated),
        Auth::Staff => quote!(#private::AuthRequirement::Staff),
        Auth::Superuser => quote!(#private::AuthRequirement::Superuser),
        Auth::Custom(path) => quote_spanned! {path.span()=>
            #private::AuthRequirement::Custom(#path as fn(&::mizan::Request) -> bool)
        },
    };
    let kind = match options.context {
        Context::None => quote!(#private::FunctionKind::Call),
        Context::Global => quote!(#private::FunctionKind::Context(#private::ContextKind::Global)),
        Context::Local => quote!(#private::FunctionKind::Context(#private::ContextKind::Local)),
    };
    let input_asserts = params.iter().map(|p| {
        let ty = &p.ty;
        quote_spanned! {ty.span()=> __assert_input::<#ty>(); }
    });
    let output_assert = quote_spanned! {ret.span()=>
        __assert_output::<<#ret as #private::FunctionReturn>::Output>();
    };
    let field_docs = wire_names.iter().map(|n| format!(" The `{n}` parameter."));
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
                #( #[doc = #field_docs] #param_idents: #param_types, )*
            }

            #[allow(dead_code)]
            fn __mizan_type_checks() {
                fn __assert_input<T: #private::InputType>() {}
                fn __assert_output<T: #private::OutputType>() {}
                #(#input_asserts)*
                #output_assert
            }

            impl #private::ServerFunction for #name {
                fn options(&self) -> #private::FunctionOptions {
                    #private::FunctionOptions {
                        rust_name: #rust_name,
                        auth: #auth,
                        kind: #kind,
                        params: &[#(#wire_names),*],
                    }
                }

                fn input_schema(&self, generator: &mut #private::schemars::SchemaGenerator) -> #private::schemars::Schema {
                    generator.root_schema_for::<#input_name>()
                }

                fn output_schema(&self, generator: &mut #private::schemars::SchemaGenerator) -> #private::schemars::Schema {
                    generator.root_schema_for::<<#ret as #private::FunctionReturn>::Output>()
                }

                fn call<'a>(
                    &'a self,
                    request: &'a ::mizan::Request,
                    params: #private::Params,
                    encoding: #private::Encoding,
                ) -> #private::BoxFuture<'a, ::mizan::Result<::std::vec::Vec<u8>>> {
                    ::std::boxed::Box::pin(async move {
                        let mut params = params;
                        #( let #param_idents = params.take::<#param_types>(#wire_names); )*
                        params.finish()?;
                        let ( #( ::core::option::Option::Some(#param_idents), )* ) = ( #(#param_idents,)* ) else {
                            return ::core::result::Result::Err(#private::missing_decoded_param());
                        };
                        let output = #name::call(request, #(#param_idents),*) #await_call;
                        #private::encode(output, encoding)
                    })
                }
            }
        };
    }
}
