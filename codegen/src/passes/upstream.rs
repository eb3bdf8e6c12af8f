//! Workarounds for what progenitor 0.15 and typify emit. Each pass names the upstream behaviour
//! it works around; when upstream changes, the pass fails loudly (it finds nothing to do) rather
//! than silently doing nothing, and can then be dropped.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Attribute, Fields, File, Item};

use super::{client_methods, object_fields};
use crate::prepare::Prepared;
use crate::syntax::{self, Scalar};
use crate::Error;

/// progenitor's mocks build path regexes from caller values without escaping them (`"a.b"`
/// matches `"axb"`, `"a(b"` panics in `unwrap()`): escape every value and state the invariant
/// that makes the remaining `expect` unreachable.
pub fn escape_mock_regexes(file: &mut File) -> Result<(), Error> {
    #[derive(Default)]
    struct Escaper {
        calls: usize,
        formats: usize,
        escaped: usize,
    }
    /// `value.to_string()` → `regex::escape(&value.to_string())`; whether it replaced any.
    fn escape_values(args: &mut Punctuated<syn::Expr, syn::Token![,]>) -> bool {
        let mut replaced = false;
        for arg in args.iter_mut() {
            let syn::Expr::MethodCall(call) = arg else {
                continue;
            };
            if call.method == "to_string"
                && call.args.is_empty()
                && syntax::is_ident_expr(&call.receiver, "value")
            {
                *arg = parse_quote!(regex::escape(&#call));
                replaced = true;
            }
        }
        replaced
    }
    impl VisitMut for Escaper {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::MethodCall(call) = expr else {
                return;
            };
            if call.method != "unwrap"
                || syntax::call_args(&call.receiver, &["regex", "Regex", "new"]).is_none()
            {
                return;
            }
            let syn::Expr::Call(inner) = &mut *call.receiver else {
                return;
            };
            self.calls += 1;
            for arg in inner.args.iter_mut() {
                let syn::Expr::Reference(r) = arg else {
                    continue;
                };
                let syn::Expr::Macro(m) = &mut *r.expr else {
                    continue;
                };
                self.formats += 1;
                let Ok(mut format_args) = m
                    .mac
                    .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
                else {
                    continue;
                };
                if escape_values(&mut format_args) {
                    m.mac.tokens = quote!(#format_args);
                    self.escaped += 1;
                }
            }
            let receiver = &call.receiver;
            *expr = parse_quote!(#receiver.expect("a path template with escaped values is a valid regex"));
        }
    }
    let mut escaper = Escaper::default();
    escaper.visit_file_mut(file);
    if escaper.calls == 0 || escaper.escaped != escaper.formats {
        return Err(Error::Pass {
            pass: "escape_mock_regexes",
            message: format!(
                "{} regex constructions, {} built from values, {} escaped; progenitor's mock output changed shape",
                escaper.calls, escaper.formats, escaper.escaped
            ),
        });
    }
    Ok(())
}

fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// progenitor's httpmock output has no doc comments: every public item gets one, written from
/// its role (matcher, responder, parameter, status), so the crate needs no `missing_docs` allow.
pub fn document_mocks(file: &mut File) -> Result<(), Error> {
    let mut documented = 0usize;
    let mut doc = |attrs: &mut Vec<Attribute>, text: String| {
        if !has_doc(attrs) {
            attrs.push(parse_quote!(#[doc = #text]));
            documented += 1;
        }
    };
    for item in file.items.iter_mut() {
        match item {
            Item::Mod(m) => {
                let Some((_, items)) = &mut m.content else {
                    continue;
                };
                for inner in items.iter_mut() {
                    match inner {
                        Item::Struct(st) => {
                            let name = st.ident.to_string();
                            let text = if let Some(op) = name.strip_suffix("When") {
                                format!(
                                    "Matches requests of [`Client::{}`](crate::Client::{}).",
                                    op.to_snake_case(),
                                    op.to_snake_case()
                                )
                            } else if let Some(op) = name.strip_suffix("Then") {
                                format!("Builds the answer to requests of [`Client::{}`](crate::Client::{}).", op.to_snake_case(), op.to_snake_case())
                            } else {
                                format!("Mock helper `{name}`.")
                            };
                            doc(&mut st.attrs, text);
                        }
                        Item::Impl(imp) => {
                            let is_when = syntax::last_ident(&imp.self_ty)
                                .is_some_and(|i| i.to_string().ends_with("When"));
                            for ii in imp.items.iter_mut() {
                                let syn::ImplItem::Fn(f) = ii else { continue };
                                let name = f.sig.ident.to_string();
                                let text = match name.as_str() {
                                    "new" if is_when => "Wraps httpmock's request matcher, already limited to this operation's method and path.".to_string(),
                                    "new" => "Wraps httpmock's answer builder.".to_string(),
                                    "into_inner" => "The underlying httpmock value, for conditions this type does not cover.".to_string(),
                                    "body" if is_when => "Matches the JSON request body exactly.".to_string(),
                                    _ if is_when => format!("Matches the `{name}` parameter (`None` requires it to be absent where it is optional)."),
                                    _ => match syntax::status_code(&f.block) {
                                        Some(code) => format!("Answers with status {code} (`{name}`) and this body."),
                                        None => format!("Answers with `{name}`."),
                                    },
                                };
                                doc(&mut f.attrs, text);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Item::Trait(t) => {
                doc(&mut t.attrs, "Typed stubs of every generated operation on an httpmock `MockServer`: each method takes a closure that sets what the request must match and what the server answers.".to_string());
                for ti in t.items.iter_mut() {
                    let syn::TraitItem::Fn(f) = ti else { continue };
                    let op = f.sig.ident.to_string();
                    doc(
                        &mut f.attrs,
                        format!("Stubs [`Client::{op}`](crate::Client::{op})."),
                    );
                }
            }
            _ => {}
        }
    }
    if documented == 0 {
        return Err(Error::Pass {
            pass: "document_mocks",
            message: "no undocumented mock items found; progenitor's mock output changed shape"
                .into(),
        });
    }
    Ok(())
}

/// typify leaves the variants of untagged `oneOf` enums undocumented: name the form each holds.
pub fn document_variants(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        for v in e.variants.iter_mut() {
            if has_doc(&v.attrs) {
                continue;
            }
            let text = match &v.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    let ty = &f.unnamed[0].ty;
                    let integer = syntax::type_path(ty)
                        .is_some_and(|p| ["u64", "i32"].iter().any(|n| syntax::path_is(p, &[n])));
                    match syntax::scalar(ty) {
                        _ if integer => "The value sent as an integer.".to_string(),
                        Some(Scalar::Int) => "The value sent as an integer.".to_string(),
                        Some(Scalar::Float) => "The value sent as a number.".to_string(),
                        Some(Scalar::Bool) => "The value sent as a boolean.".to_string(),
                        Some(Scalar::String) => "The value sent as a string.".to_string(),
                        None => {
                            let shown = quote!(#ty).to_string().replace(' ', "");
                            format!("The value in the shape of [`{shown}`].")
                        }
                    }
                }
                _ => format!("The `{}` form.", v.ident),
            };
            v.attrs.push(parse_quote!(#[doc = #text]));
        }
    }
    Ok(())
}

/// typify makes optional lists and maps plain collections that skip serialising when empty
/// (`#[serde(default, skip_serializing_if = "Vec::is_empty")]`), which turns a server's `[]` into
/// "absent" on the way back (a PUT could then never clear a list): they become `Option<…>`.
pub fn optional_collections(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    for (_, fields) in object_fields(items) {
        for field in fields.named.iter_mut() {
            let skips_empty = syntax::serde_fn_path(&field.attrs, "skip_serializing_if")
                .is_some_and(|p| syntax::path_ends_with(&p, &["is_empty"]));
            let collection = syntax::vec_item(&field.ty).is_some()
                || syntax::btree_map_entry(&field.ty).is_some()
                || syntax::is_json_object(&field.ty);
            if !(skips_empty && collection) {
                continue;
            }
            let ty = field.ty.clone();
            let json_name = syntax::property_name(field);
            field.ty = parse_quote!(::std::option::Option<#ty>);
            field.attrs.retain(|a| !a.path().is_ident("serde"));
            // The serde attributes go, the JSON name stays (`state-machines`, `OU`).
            if syntax::property_name(field) != json_name {
                field
                    .attrs
                    .push(parse_quote!(#[serde(rename = #json_name)]));
            }
            field.attrs.push(
                parse_quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]),
            );
        }
    }
    Ok(())
}

/// typify ignores `deprecated: true` on properties: their fields get `#[deprecated]`.
pub fn deprecated_fields(types: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let mut marked = 0;
    for (schema, fields) in object_fields(items) {
        let schema = schema.to_string();
        for field in fields.named.iter_mut() {
            let prop = syntax::property_name(field);
            if prepared
                .deprecated_properties
                .contains(&(schema.clone(), prop))
            {
                field.attrs.push(parse_quote!(#[deprecated]));
                marked += 1;
            }
        }
    }
    if marked != prepared.deprecated_properties.len() {
        return Err(Error::Pass {
            pass: "deprecated_fields",
            message: format!(
                "{} properties are deprecated in the spec, {marked} fields were marked",
                prepared.deprecated_properties.len()
            ),
        });
    }
    Ok(())
}

/// progenitor ignores `deprecated: true` on operations: their client methods get `#[deprecated]`.
pub fn deprecate_operations(file: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let deprecated: BTreeSet<&str> = prepared
        .operations
        .iter()
        .filter(|op| op.deprecated && !op.handwritten)
        .map(|op| op.id.as_str())
        .collect();
    let mut marked = 0;
    for f in client_methods(file) {
        if deprecated.contains(f.sig.ident.to_string().as_str()) {
            f.attrs.push(parse_quote!(#[deprecated(note = "deprecated in the Redis Software REST API reference; see the method's documentation")]));
            marked += 1;
        }
    }
    if marked != deprecated.len() {
        return Err(Error::Pass {
            pass: "deprecate_operations",
            message: format!(
                "{} operations are deprecated, {marked} methods were marked",
                deprecated.len()
            ),
        });
    }
    Ok(())
}

/// progenitor's `Client::new` builds a TLS-less `reqwest` client with an `unwrap()`: it goes,
/// and the hand-written builder replaces it.
pub fn drop_default_constructor(file: &mut File, _: &Prepared) -> Result<(), Error> {
    let mut removed = false;
    for item in file.items.iter_mut() {
        if let Item::Impl(imp) = item {
            if imp.trait_.is_none() && syntax::is_type_named(&imp.self_ty, "Client") {
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

/// progenitor's `pre` hook can only fail with `Error::Custom(String)`: `self.pre(…)` becomes
/// `crate::hooks::before_send(self, …)`, which returns `crate::Error`, so an authentication
/// failure stays typed. Its `post` hook is generic over the error body type, which is never
/// inferred once every operation has one error type: it is named (`::<()>`).
pub fn typed_hooks(file: &mut File, _: &Prepared) -> Result<(), Error> {
    struct Hooks {
        before_send: usize,
    }
    impl VisitMut for Hooks {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::MethodCall(call) = expr {
                if syntax::is_self_call(call, "pre") {
                    let args = &call.args;
                    *expr = parse_quote!(crate::hooks::before_send(self, #args));
                    self.before_send += 1;
                    return;
                }
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }

        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            if syntax::is_self_call(call, "post") && call.turbofish.is_none() {
                call.turbofish = Some(parse_quote!(::<()>));
            }
            syn::visit_mut::visit_expr_method_call_mut(self, call);
        }
    }
    let mut hooks = Hooks { before_send: 0 };
    let mut methods = 0;
    for f in client_methods(file) {
        hooks.visit_block_mut(&mut f.block);
        methods += 1;
    }
    if methods == 0 || hooks.before_send != methods {
        return Err(Error::Pass {
            pass: "typed_hooks",
            message: format!(
                "{} of {methods} operations call the `pre` hook; progenitor's output changed shape",
                hooks.before_send
            ),
        });
    }
    Ok(())
}
