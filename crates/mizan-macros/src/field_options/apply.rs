//! The statements that apply a field's options to the `FieldSpec` its type made.

use super::*;

impl FieldOptions {
    /// Statements applying the options to the `FieldSpec` named `f`.
    pub(crate) fn apply(&self, f: &syn::Ident) -> TokenStream {
        let private = quote!(::mizan::forms::__private);
        let string = quote!(::std::string::String::from);
        let some = quote!(::core::option::Option::Some);
        let mut out = TokenStream::new();
        let mut set = |member: &str, value: TokenStream| {
            let member = syn::Ident::new(member, Span::call_site());
            out.extend(quote!(#f.#member = #value;));
        };
        if let Some(label) = &self.label {
            set("label", quote!(#string(#label)));
        }
        for (member, value) in [
            ("help", &self.help),
            ("placeholder", &self.placeholder),
            ("pattern", &self.pattern),
            ("pattern_message", &self.pattern_message),
        ] {
            if let Some(value) = value {
                set(member, quote!(#some(#string(#value))));
            }
        }
        if let Some(initial) = &self.initial {
            set("initial", quote!(#some(#initial)));
        }
        if let Some(required) = self.required {
            set("required", quote!(#required));
        }
        for (member, value) in [
            ("min_length", self.min_length),
            ("max_length", self.max_length),
            ("min_items", self.min_items),
            ("max_items", self.max_items),
            ("max_size", self.max_size),
        ] {
            if let Some(n) = value {
                set(member, quote!(#some(#n)));
            }
        }
        for (member, value) in [
            ("max_digits", self.max_digits),
            ("decimal_places", self.decimal_places),
        ] {
            if let Some(n) = value {
                set(member, quote!(#some(#n)));
            }
        }
        // An integer bound narrows the range the type gave, never widens it: every value the
        // checks let through must still decode as the field's type.
        let value = quote!(#private::Value);
        match &self.min {
            Some(Bound::Integer(n)) => set(
                "min",
                quote!(#some(match #f.min.as_ref().and_then(#value::as_i64) {
                    ::core::option::Option::Some(t) if t > #n => #value::from(t),
                    _ => #value::from(#n),
                })),
            ),
            Some(Bound::Text(s)) => set("min", quote!(#some(#value::from(#s)))),
            None => {}
        }
        match &self.max {
            Some(Bound::Integer(n)) => set(
                "max",
                quote!(#some(match #f.max.as_ref().and_then(#value::as_i64) {
                    ::core::option::Option::Some(t) if t < #n => #value::from(t),
                    _ => #value::from(#n),
                })),
            ),
            Some(Bound::Text(s)) => set("max", quote!(#some(#value::from(#s)))),
            None => {}
        }
        if let Some(accept) = &self.accept {
            set("accept", quote!(#some(::std::vec![#(#string(#accept)),*])));
        }
        if let Some((kind, _)) = &self.kind {
            let variant = syn::Ident::new(kind.variant, Span::call_site());
            set("kind", quote!(#private::FieldKind::#variant));
        }
        let has_choices = self.choices.is_some() || self.choices_from.is_some();
        if let Some(choices) = &self.choices {
            let (values, labels): (Vec<_>, Vec<_>) = choices.iter().cloned().unzip();
            set(
                "choices",
                quote!(#some(::std::vec![#(#private::Choice::new(#values, #labels)),*])),
            );
        }
        if self.choices_from.is_some() {
            set("dynamic_choices", quote!(true));
        }
        if has_choices {
            // Choices make a text field a single choice; a multiple choice stays one.
            let text = quote!(#private::FieldKind::Text);
            let choice = quote!(#private::FieldKind::Choice);
            set(
                "kind",
                quote!(if #f.kind == #text { #choice } else { #f.kind }),
            );
        }
        match &self.widget {
            Some(widget) => set("widget", quote!(#string(#widget))),
            // The kind may have changed: its default widget, not the type's kind's.
            None if self.kind.is_some() || has_choices => {
                set("widget", quote!(#string(#f.kind.default_widget())));
            }
            None => {}
        }
        out
    }
}
