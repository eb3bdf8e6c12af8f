//! Open enums: every string enum component becomes a Rust enum with one variant per documented
//! value plus `Unknown(String)`, which keeps a value a newer server sends and writes it back
//! unchanged. progenitor's own enums are closed (an unknown value fails the whole response), so
//! `generate` tells progenitor to use these instead.

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::prepare::EnumDef;

/// Rust variant names for `values`, unique, never `Unknown` (that one is the catch-all).
pub fn variant_names(values: &[String]) -> Vec<String> {
    let mut used: BTreeSet<String> = BTreeSet::from(["Unknown".to_string()]);
    values
        .iter()
        .map(|v| {
            let mut base = v.to_upper_camel_case();
            if base.is_empty() {
                base = if v.is_empty() {
                    "Empty".into()
                } else {
                    "Value".into()
                };
            }
            if base.starts_with(|c: char| c.is_ascii_digit()) {
                base = format!("V{base}");
            }
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// The items of one open enum.
pub fn open_enum(def: &EnumDef) -> TokenStream {
    let name = Ident::new(&def.name, Span::call_site());
    let variants: Vec<Ident> = variant_names(&def.values)
        .iter()
        .map(|v| Ident::new(v, Span::call_site()))
        .collect();
    let values = &def.values;
    let docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let description = def
        .description
        .clone()
        .unwrap_or_else(|| format!("Values of `{}`.", def.name));
    let catch_all_doc =
        "A value this version of the spec does not list, kept exactly as the server sent it.";
    let indices = 0..values.len();
    let names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    // Build cost (BENCHMARKS.md §4): a value is looked up in `KNOWN` by one shared function of
    // the runtime and turned into its variant by its index, instead of three string matches per
    // enum; and every impl is `#[inline]`, so an enum's code is compiled where it is used, not
    // for all 139 enums in every build of this crate. Same behaviour and same `Debug` text as
    // the derives and matches they replace.
    quote! {
        #[doc = #description]
        ///
        /// Open: a value the spec does not list decodes into `Unknown` and is written back unchanged.
        // No `PartialOrd`/`Ord`: a derived order follows variant positions, so every value a later
        // release adds would reorder `Unknown` (cargo-semver-checks reports it), and the API's
        // values have no meaningful order.
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #( #[doc = #docs] #variants, )*
            #[doc = #catch_all_doc]
            Unknown(::std::string::String),
            /// A value the spec does not list that came as a number or boolean, kept as its JSON
            /// text and written back as that number or boolean.
            UnknownScalar(::std::string::String),
        }

        impl #name {
            /// Every documented value, in spec order.
            pub const KNOWN: &'static [&'static str] = &[ #( #values ),* ];

            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) | Self::UnknownScalar(value) => value.as_str(),
                }
            }

            /// Whether the value is one the spec documents.
            #[inline]
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_) | Self::UnknownScalar(_))
            }

            /// The documented value `value` is, if it is one.
            #[inline]
            fn documented(value: &str) -> ::std::option::Option<Self> {
                match crate::lenient::known_index(Self::KNOWN, value)? {
                    #( #indices => ::std::option::Option::Some(Self::#variants), )*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Debug for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants => f.write_str(#names), )*
                    Self::Unknown(value) => f.debug_tuple("Unknown").field(value).finish(),
                    Self::UnknownScalar(value) => f.debug_tuple("UnknownScalar").field(value).finish(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                Self::documented(value).unwrap_or_else(|| Self::Unknown(value.to_string()))
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            #[inline]
            fn from(value: ::std::string::String) -> Self {
                Self::documented(&value).unwrap_or(Self::Unknown(value))
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::lenient::OpenEnum for #name {
            #[inline]
            fn from_json_scalar(text: ::std::string::String) -> Self {
                Self::documented(&text).unwrap_or(Self::UnknownScalar(text))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    Self::UnknownScalar(text) => match ::serde_json::from_str::<::serde_json::Value>(text) {
                        ::std::result::Result::Ok(value) => ::serde::Serialize::serialize(&value, serializer),
                        ::std::result::Result::Err(_) => serializer.serialize_str(text),
                    },
                    _ => serializer.serialize_str(self.as_str()),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::lenient::open_enum(deserializer)
            }
        }
    }
}
