//! Post-processing of progenitor's tokens with `syn`. Each pass does one thing and fails loudly
//! (a `Pass` error) when progenitor's output no longer has the shape it expects, rather than
//! silently doing nothing.
//!
//! - `keep_unknown_properties`: every generated struct gets `#[serde(flatten)] extra`, so fields
//!   the spec does not know survive a read-modify-write.
//! - `lenient_fields`: scalar, list and map fields decode through `crate::lenient` helpers chosen
//!   by the field's type (numbers sent as strings, integral floats, `null`, `{}` for unset,
//!   JSON inside strings).
//! - `append_open_enums`: the open enums of `enums` join the `types` module.
//! - `own_error_type`: generated methods return `crate::Error`; success and error bodies are
//!   decoded by `crate::decode` (path-aware errors, raw body and status kept).
//! - `drop_default_constructor`: the generated `Client::new` builds a TLS-less client with an
//!   `unwrap()`; the hand-written builder replaces it.
//! - `starts_action`: types with an `action_uid` implement `crate::extras::StartsAction`.
//! - `operation_table`: `OPERATIONS`, every operation with method, path template, tag and
//!   version, for tracing, retries and the tests that count coverage.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Attribute, Fields, File, Item, ItemMod, Type};

use crate::enums;
use crate::generate::Tokens;
use crate::prepare::Prepared;
use crate::Error;

/// The processed syntax trees.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Everything except the `types` module.
    pub client: File,
    /// The items of the `types` module.
    pub types: File,
    /// The httpmock module.
    pub mock: File,
    /// The operation table.
    pub operations: File,
}

fn parse(pass: &'static str, tokens: TokenStream) -> Result<File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Pass {
        pass,
        message: e.to_string(),
    })
}

/// Runs every pass.
pub fn run(tokens: Tokens, prepared: &Prepared) -> Result<Processed, Error> {
    let mut client = parse("parse client", tokens.client)?;
    let mock = parse("parse mock", tokens.mock)?;

    let types_pos = client
        .items
        .iter()
        .position(|i| matches!(i, Item::Mod(m) if m.ident == "types"))
        .ok_or(Error::Pass {
            pass: "split types",
            message: "no `mod types` in progenitor output".into(),
        })?;
    let Item::Mod(types_mod) = client.items.remove(types_pos) else {
        unreachable!("position() matched a module")
    };
    let ItemMod { content, attrs, .. } = types_mod;
    let mut types_items = content.map(|(_, items)| items).unwrap_or_default();
    client
        .items
        .insert(types_pos, parse_quote! { #(#attrs)* pub mod types; });

    for item in types_items.iter_mut() {
        if let Item::Struct(s) = item {
            if derives(&s.attrs, "Deserialize") {
                if let Fields::Named(fields) = &mut s.fields {
                    for field in fields.named.iter_mut() {
                        lenient_field(&mut field.attrs, &field.ty);
                    }
                    keep_unknown_properties(fields);
                }
            }
        }
    }
    let starts_action: Vec<syn::Ident> = types_items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if has_action_uid(&s.fields) => Some(s.ident.clone()),
            _ => None,
        })
        .collect();
    for ident in starts_action {
        types_items.push(parse_quote! {
            impl crate::extras::StartsAction for #ident {
                fn action_uid(&self) -> ::std::option::Option<&str> {
                    self.action_uid.as_deref()
                }
            }
        });
    }
    for e in &prepared.enums {
        let file = parse("open enums", enums::open_enum(e))?;
        types_items.extend(file.items);
    }
    let mut types: File = parse_quote!();
    types.items = types_items;

    drop_default_constructor(&mut client)?;
    own_error_type(&mut client)?;
    let operations = parse("operation table", operation_table(prepared))?;
    Ok(Processed {
        client,
        types,
        mock,
        operations,
    })
}

/// Whether a struct has `action_uid: Option<String>` (a response that started an action).
fn has_action_uid(fields: &Fields) -> bool {
    let Fields::Named(named) = fields else {
        return false;
    };
    named.named.iter().any(|f| {
        f.ident.as_ref().map(|i| i == "action_uid").unwrap_or(false)
            && f.ty.to_token_stream().to_string().replace(' ', "")
                == "::std::option::Option<::std::string::String>"
    })
}

fn derives(attrs: &[Attribute], name: &str) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("derive") && a.to_token_stream().to_string().contains(name))
}

/// Appends the flattened map of unknown properties.
fn keep_unknown_properties(fields: &mut syn::FieldsNamed) {
    let field: syn::FieldsNamed = parse_quote! {
        {
            /// Properties this version of the spec does not describe, kept as sent so that they
            /// are written back unchanged.
            #[serde(flatten)]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>
        }
    };
    fields.named.extend(field.named);
}

/// Picks the `crate::lenient` helper for a field type, if any.
fn lenient_helper(ty: &Type) -> Option<(&'static str, bool)> {
    let text: String = ty
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    // (helper, optional-like: missing means default)
    let table: [(&str, &str, bool); 8] = [
        ("::std::option::Option<i64>", "opt_i64", true),
        ("::std::option::Option<f64>", "opt_f64", true),
        ("::std::option::Option<bool>", "opt_bool", true),
        (
            "::std::option::Option<::std::string::String>",
            "opt_string",
            true,
        ),
        ("i64", "int", false),
        ("f64", "float", false),
        ("bool", "boolean", false),
        ("::std::string::String", "string", false),
    ];
    for (pattern, helper, optional) in table {
        if text == pattern {
            return Some((helper, optional));
        }
    }
    if text.starts_with("::std::vec::Vec<") {
        return Some(("seq", true));
    }
    if text.starts_with("::std::collections::BTreeMap<") {
        return Some(("map", true));
    }
    if text.starts_with("::serde_json::Map<") {
        return Some(("object", true));
    }
    None
}

/// Adds `deserialize_with` (and `default` where the field may be missing) to a field.
fn lenient_field(attrs: &mut Vec<Attribute>, ty: &Type) {
    let Some((helper, optional)) = lenient_helper(ty) else {
        return;
    };
    let path = format!("crate::lenient::{helper}");
    let has_default = attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.to_token_stream()
                .to_string()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "default")
    });
    if optional && !has_default {
        attrs.push(parse_quote!(#[serde(default, deserialize_with = #path)]));
    } else {
        attrs.push(parse_quote!(#[serde(deserialize_with = #path)]));
    }
}

/// Removes the generated `Client::new`.
fn drop_default_constructor(file: &mut File) -> Result<(), Error> {
    let mut removed = false;
    for item in file.items.iter_mut() {
        if let Item::Impl(imp) = item {
            if imp.trait_.is_none() && imp.self_ty.to_token_stream().to_string() == "Client" {
                let before = imp.items.len();
                imp.items
                    .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
                removed |= imp.items.len() != before;
            }
        }
    }
    if removed {
        Ok(())
    } else {
        Err(Error::Pass {
            pass: "drop_default_constructor",
            message: "no `Client::new` found".into(),
        })
    }
}

/// Makes generated operations return `crate::Error` and decode through `crate::decode`.
fn own_error_type(file: &mut File) -> Result<(), Error> {
    let mut visitor = ErrorRewriter { methods: 0 };
    for item in file.items.iter_mut() {
        if let Item::Impl(imp) = item {
            if imp.trait_.is_none() && imp.self_ty.to_token_stream().to_string() == "Client" {
                for i in imp.items.iter_mut() {
                    if let syn::ImplItem::Fn(f) = i {
                        if f.sig.asyncness.is_some() {
                            visitor.rewrite_signature(&mut f.sig)?;
                            visitor.visit_block_mut(&mut f.block);
                            visitor.methods += 1;
                        }
                    }
                }
            }
        }
    }
    let text = file.to_token_stream().to_string().replace(' ', "");
    for leftover in [
        "ResponseValue::from_response",
        "Error::ErrorResponse",
        "Error::UnexpectedResponse",
    ] {
        if text.contains(leftover) {
            return Err(Error::Pass {
                pass: "own_error_type",
                message: format!("`{leftover}` left in the client after rewriting; progenitor's output changed shape"),
            });
        }
    }
    if visitor.methods == 0 {
        return Err(Error::Pass {
            pass: "own_error_type",
            message: "no operation methods found".into(),
        });
    }
    Ok(())
}

struct ErrorRewriter {
    methods: usize,
}

impl ErrorRewriter {
    fn rewrite_signature(&self, sig: &mut syn::Signature) -> Result<(), Error> {
        let syn::ReturnType::Type(_, ty) = &mut sig.output else {
            return Err(Error::Pass {
                pass: "own_error_type",
                message: format!("{} returns nothing", sig.ident),
            });
        };
        let Type::Path(tp) = ty.as_mut() else {
            return Err(Error::Pass {
                pass: "own_error_type",
                message: format!("{} has an unexpected return type", sig.ident),
            });
        };
        let last = tp
            .path
            .segments
            .last_mut()
            .expect("a type path has a segment");
        let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
            return Err(Error::Pass {
                pass: "own_error_type",
                message: format!("{} does not return a Result", sig.ident),
            });
        };
        let n = args.args.len();
        if n != 2 {
            return Err(Error::Pass {
                pass: "own_error_type",
                message: format!("{} returns a Result with {n} arguments", sig.ident),
            });
        }
        args.args[1] = parse_quote!(crate::Error);
        Ok(())
    }
}

impl VisitMut for ErrorRewriter {
    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        let mut body: String = arm
            .body
            .to_token_stream()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // progenitor wraps each arm body in a block.
        if body.starts_with('{') && body.ends_with('}') {
            body = body[1..body.len() - 1].to_string();
        }
        if body.starts_with("Err(Error::ErrorResponse(") {
            *arm.body = parse_quote!(Err(crate::decode::error_response(response).await));
        } else if body == "ResponseValue::from_response(response).await" {
            *arm.body = parse_quote!(crate::decode::from_response(response).await);
        } else if body == "Err(Error::UnexpectedResponse(response))" {
            *arm.body = parse_quote!(Err(crate::decode::unexpected_response(response).await));
        } else {
            syn::visit_mut::visit_arm_mut(self, arm);
        }
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        // The hooks are generic over the error body type; with one error type that type is
        // never inferred, so name it.
        let on_self = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if on_self && (call.method == "pre" || call.method == "post") && call.turbofish.is_none() {
            call.turbofish = Some(parse_quote!(::<()>));
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// `OPERATIONS`: one entry per spec operation, in spec order.
fn operation_table(prepared: &Prepared) -> TokenStream {
    let entries = prepared.operations.iter().map(|op| {
        let id = &op.id;
        let method = &op.method;
        let path = &op.path;
        let tag = &op.tag;
        let since = match &op.since {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let deprecated = op.deprecated;
        let handwritten = op.handwritten;
        quote! {
            Operation { id: #id, method: #method, path: #path, tag: #tag, since: #since, deprecated: #deprecated, handwritten: #handwritten },
        }
    });
    quote! {
        //! Every operation of the spec, in spec order: what tracing, retries and the coverage
        //! tests need to know about an operation without a request in hand.

        /// One operation of the spec.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Operation {
            /// operationId, which is also the client method name.
            pub id: &'static str,
            /// HTTP method, upper case.
            pub method: &'static str,
            /// Path template, such as `/v1/bdbs/{uid}`.
            pub path: &'static str,
            /// Resource group.
            pub tag: &'static str,
            /// Oldest Redis Software release whose reference documents it.
            pub since: Option<&'static str>,
            /// Deprecated (or removed from newer releases).
            pub deprecated: bool,
            /// Implemented by hand in the client layer (the generator cannot express it).
            pub handwritten: bool,
        }

        /// Every operation of the spec.
        pub const OPERATIONS: &[Operation] = &[ #(#entries)* ];

        /// Looks an operation up by operationId.
        pub fn operation(id: &str) -> Option<&'static Operation> {
            OPERATIONS.iter().find(|op| op.id == id)
        }
    }
}
