//! Expansion of `#[derive(mizan::Form)]` and `#[derive(mizan::FormGroup)]`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Type};

use crate::auth;
use crate::errors::Errors;
use crate::field_options::{self, FieldOptions, Owner};
use crate::form_options::{self, FormOptions};
use crate::serde_attrs;

struct Field {
    wire_name: String,
    ty: Type,
    options: FieldOptions,
}

/// `#[derive(mizan::Form)]`.
pub(crate) fn form(input: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let input: DeriveInput = syn::parse2(input)?;
    let options = form_options::parse(&input.attrs, &input.ident, &mut errors);
    let fields = fields(&input, Owner::Form, &mut errors);
    errors.finish()?;
    let ident = &input.ident;
    let fields_impl = fields_impl(ident, &fields);
    let form_impl = form_impl(ident, &options, &fields);
    Ok(quote! {
        #fields_impl
        #form_impl
    })
}

/// `#[derive(mizan::FormGroup)]`.
pub(crate) fn group(input: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let input: DeriveInput = syn::parse2(input)?;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("form")) {
        errors.at_tokens(
            attr,
            "`#[form(...)]` is for `#[derive(mizan::Form)]`: a group has no name or pages of its own, only `#[field(...)]` on its fields",
        );
    }
    let fields = fields(&input, Owner::Group, &mut errors);
    errors.finish()?;
    let ident = &input.ident;
    let fields_impl = fields_impl(ident, &fields);
    let private = quote!(::mizan::forms::__private);
    Ok(quote! {
        #fields_impl

        impl ::mizan::forms::FormField for #ident {
            fn field(name: &str) -> #private::FieldSpec {
                #private::group_of::<Self>(name)
            }
        }

        impl ::mizan::forms::FormListItem for #ident {
            fn list_field(name: &str) -> #private::FieldSpec {
                #private::rows_of::<Self>(name)
            }
        }
    })
}

/// The struct's fields with their options; every mistake in its shape is recorded.
fn fields(input: &DeriveInput, owner: Owner, errors: &mut Errors) -> Vec<Field> {
    let what = match owner {
        Owner::Form => "a form",
        Owner::Group => "a form group",
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.at_tokens(
            &input.generics,
            format!("{what} cannot be generic: its spec is one fixed list of fields"),
        );
    }
    serde_attrs::check_container(&input.attrs, errors);
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(unnamed) => {
                errors.at_tokens(
                    unnamed,
                    format!("{what} is a struct with named fields: each name is a field's name in the values"),
                );
                return Vec::new();
            }
            Fields::Unit => {
                errors.at_tokens(
                    &input.ident,
                    format!(
                        "{what} is a struct with named fields: `struct {} {{ ... }}`",
                        input.ident
                    ),
                );
                return Vec::new();
            }
        },
        Data::Enum(data) => {
            errors.at_tokens(
                data.enum_token,
                format!("{what} is a struct with named fields, not an enum"),
            );
            return Vec::new();
        }
        Data::Union(data) => {
            errors.at_tokens(
                data.union_token,
                format!("{what} is a struct with named fields, not a union"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for field in &named.named {
        let Some(ident) = &field.ident else {
            continue;
        };
        serde_attrs::check_field(&field.attrs, errors);
        let wire_name = ident.unraw().to_string();
        if !form_options::is_wire_name(&wire_name) {
            errors.at_tokens(ident, "a field name is `[A-Za-z_][A-Za-z0-9_]*` (ASCII): it is the field's key in the values");
        } else if wire_name.starts_with("__") {
            errors.at_tokens(
                ident,
                "field names starting with `__` are Mizan's own (`__values`, `__mizan_csrf`)",
            );
        }
        let options = field_options::parse(&field.attrs, owner, errors);
        out.push(Field {
            wire_name,
            ty: field.ty.clone(),
            options,
        });
    }
    out
}

fn fields_impl(ident: &syn::Ident, fields: &[Field]) -> TokenStream {
    let private = quote!(::mizan::forms::__private);
    let f = format_ident!("field");
    let specs = fields.iter().map(|field| {
        let Field {
            wire_name,
            ty,
            options,
        } = field;
        // Spanned at the user's type, so a type that cannot be a field is reported there.
        let start = quote_spanned! {ty.span()=>
            <#ty as ::mizan::forms::FormField>::field(#wire_name)
        };
        let apply = options.apply(&f);
        quote! {{
            #[allow(unused_mut)]
            let mut #f = #start;
            #apply
            #f.finish()
        }}
    });
    quote! {
        impl ::mizan::forms::FormFields for #ident {
            fn fields() -> ::std::vec::Vec<#private::FieldSpec> {
                ::std::vec![#(#specs),*]
            }
        }
    }
}

fn form_impl(ident: &syn::Ident, options: &FormOptions, fields: &[Field]) -> TokenStream {
    let private = quote!(::mizan::forms::__private);
    let some = quote!(::core::option::Option::Some);
    let string = quote!(::std::string::String::from);
    let Some(name) = &options.name else {
        unreachable!("form_options::parse records an error when the name is missing");
    };
    let title = options.title.as_ref().unwrap_or(name);
    let redirect = options
        .redirect
        .as_ref()
        .map(|r| quote!(spec.redirect = #some(#string(#r));));
    let page = options
        .page
        .as_ref()
        .map(|p| quote!(spec.page = #some(#string(#p));));
    let auth = options.auth.as_ref().map(|a| {
        let requirement = auth::requirement(a);
        quote! {
            fn auth() -> ::mizan::AuthRequirement {
                #requirement
            }
        }
    });
    let rules: Vec<_> = fields
        .iter()
        .filter_map(|field| {
            let rule = field.options.clean.as_ref()?;
            let (ty, name) = (&field.ty, &field.wire_name);
            // Spanned at the user's rule, so a rule of the wrong shape is reported there.
            let call = quote_spanned! {rule.span()=> #rule(request, &value).await };
            Some(quote! {
                if let #some(value) = #private::field_value::<#ty>(values, #name, passed)? {
                    #private::collect_field_rule(&mut issues, #name, #call)?;
                }
            })
        })
        .collect();
    let rules = (!rules.is_empty()).then(|| {
        quote! {
            fn field_rules<'a>(
                request: &'a ::mizan::Request,
                values: &'a #private::Value,
                passed: &'a (dyn ::core::ops::Fn(&str) -> bool + ::core::marker::Send + ::core::marker::Sync),
            ) -> ::mizan::BoxFuture<'a, ::mizan::Result<::std::vec::Vec<::mizan::forms::FieldIssue>>> {
                ::std::boxed::Box::pin(async move {
                    let mut issues = ::std::vec::Vec::new();
                    #(#rules)*
                    ::core::result::Result::Ok(issues)
                })
            }
        }
    });
    let choices: Vec<_> = fields
        .iter()
        .filter_map(|field| {
            let from = field.options.choices_from.as_ref()?;
            let name = &field.wire_name;
            let call = quote_spanned! {from.span()=> #from(request).await };
            Some(quote!(choices.push((#name, #call?));))
        })
        .collect();
    let choices = (!choices.is_empty()).then(|| {
        quote! {
            fn dynamic_choices<'a>(
                request: &'a ::mizan::Request,
            ) -> ::mizan::BoxFuture<'a, ::mizan::Result<::std::vec::Vec<(&'static str, ::std::vec::Vec<#private::Choice>)>>> {
                ::std::boxed::Box::pin(async move {
                    let mut choices = ::std::vec::Vec::new();
                    #(#choices)*
                    ::core::result::Result::Ok(choices)
                })
            }
        }
    });
    quote! {
        impl ::mizan::forms::Form for #ident {
            fn spec() -> #private::FormSpec {
                #[allow(unused_mut)]
                let mut spec = #private::FormSpec::new(
                    #name,
                    #title,
                    <Self as ::mizan::forms::FormFields>::fields(),
                );
                #redirect
                #page
                spec
            }
            #auth
            #rules
            #choices
        }
    }
}
