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
//!   decoded by `crate::decode` (path-aware errors, raw body and status kept), and progenitor's
//!   `pre` hook is replaced by `crate::hooks::before_send`, which fails with `crate::Error`.
//! - `drop_default_constructor`: the generated `Client::new` builds a TLS-less client with an
//!   `unwrap()`; the hand-written builder replaces it.
//! - `starts_action`: types with an `action_uid` implement `crate::extras::StartsAction`.
//! - `seal_mock_trait`: `MockServerExt` is implemented for httpmock's `MockServer` only, so the
//!   stub method of an operation a later spec adds is not a breaking change.
//! - `non_exhaustive`: every generated struct with named fields and every enum is
//!   `#[non_exhaustive]`, so a property or enum value that a later spec adds breaks no caller;
//!   structs that cannot be `Default` (they have required fields) get `new(required…)`.
//! - `operation_table`: `OPERATIONS`, every operation with method, path template, tag and
//!   version, for tracing, retries and the tests that count coverage.

use std::collections::BTreeSet;

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
    /// operationId → tag, for splitting the output by resource.
    pub operation_tags: std::collections::BTreeMap<String, String>,
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
    let mut mock = parse("parse mock", tokens.mock)?;
    escape_mock_regexes(&mut mock)?;
    document_mocks(&mut mock)?;
    seal_mock_trait(&mut mock)?;

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
        if let Item::Enum(e) = item {
            lenient_variants(e);
            document_variants(e);
        }
    }
    let enum_names: BTreeSet<String> = prepared.enums.iter().map(|e| e.name.clone()).collect();
    let mut deprecated_fields = 0;
    let mut own_serialize: Vec<Item> = Vec::new();
    for item in types_items.iter_mut() {
        if let Item::Struct(s) = item {
            if derives(&s.attrs, "Deserialize") {
                let schema = s.ident.to_string();
                if let Fields::Named(fields) = &mut s.fields {
                    for field in fields.named.iter_mut() {
                        lenient_field(field, &enum_names);
                        let prop = property_name(field);
                        if prepared
                            .deprecated_properties
                            .contains(&(schema.clone(), prop))
                        {
                            field.attrs.push(parse_quote!(#[deprecated]));
                            deprecated_fields += 1;
                        }
                    }
                    keep_unknown_properties(fields);
                    if derives(&s.attrs, "Serialize") {
                        own_serialize.push(serialize_impl(s)?);
                    }
                }
            }
        }
    }
    types_items.extend(own_serialize);
    if deprecated_fields != prepared.deprecated_properties.len() {
        return Err(Error::Pass {
            pass: "deprecated fields",
            message: format!(
                "{} properties are deprecated in the spec, {deprecated_fields} fields were marked",
                prepared.deprecated_properties.len()
            ),
        });
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
    let constructors = non_exhaustive(&mut types_items)?;
    types_items.extend(constructors);
    let mut types: File = parse_quote!();
    types.items = types_items;

    deprecate_operations(&mut client, prepared)?;
    drop_default_constructor(&mut client)?;
    own_error_type(&mut client)?;
    let codecs = codec_table(&client);
    let operations = parse("operation table", operation_table(prepared, codecs))?;
    Ok(Processed {
        client,
        types,
        mock,
        operations,
        operation_tags: prepared
            .operations
            .iter()
            .map(|op| (op.id.clone(), op.tag.clone()))
            .collect(),
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

/// Picks the `crate::lenient` helper for a field type, if any: `(helper, optional)`.
fn lenient_helper(text: &str, enums: &BTreeSet<String>) -> Option<(&'static str, bool)> {
    if let Some(name) = text
        .strip_prefix("::std::option::Option<crate::types::")
        .and_then(|t| t.strip_suffix('>'))
    {
        if enums.contains(name) {
            return Some(("opt_enum", true));
        }
    }
    if let Some(name) = text.strip_prefix("crate::types::") {
        if enums.contains(name) {
            return Some(("enum_value", false));
        }
    }
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
    const SCALARS: [&str; 4] = ["i64", "f64", "bool", "::std::string::String"];
    for scalar in SCALARS {
        let list = format!("::std::vec::Vec<{scalar}>");
        let map = format!("::std::collections::BTreeMap<::std::string::String,{scalar}>");
        if text == format!("::std::option::Option<{list}>") {
            return Some(("opt_seq_scalar", true));
        }
        if text == list {
            return Some(("seq_scalar", false));
        }
        if text == format!("::std::option::Option<{map}>") {
            return Some(("opt_map_scalar", true));
        }
        if text == map {
            return Some(("map_scalar", false));
        }
    }
    // An optional generated object or `oneOf` (`null` and `""` for unset).
    if let Some(inner) = text
        .strip_prefix("::std::option::Option<")
        .and_then(|t| t.strip_suffix('>'))
    {
        let name = inner.trim_start_matches("crate::types::");
        let generated = !inner.contains("::std::")
            && !inner.contains("::serde_json::")
            && !inner.contains("::chrono::")
            && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if generated && !enums.contains(name) {
            return Some(("opt_nested", true));
        }
    }
    let collections = [
        ("::std::vec::Vec<", "seq", "opt_seq"),
        ("::std::collections::BTreeMap<", "map", "opt_map"),
        ("::serde_json::Map<", "object", "opt_object"),
    ];
    for (prefix, required, optional) in collections {
        if text.starts_with(&format!("::std::option::Option<{prefix}")) {
            return Some((optional, true));
        }
        if text.starts_with(prefix) {
            return Some((required, false));
        }
    }
    None
}

fn compact(tokens: impl ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Adds `deserialize_with` (and `default` where the field may be missing) to a field.
///
/// Optional lists and maps become `Option<…>`: typify makes them plain collections that skip
/// serialising when empty, which would turn a server's `[]` into "absent" on the way back (and
/// a PUT could then never clear a list).
fn lenient_field(field: &mut syn::Field, enums: &BTreeSet<String>) {
    let text = compact(&field.ty);
    let is_serde = |a: &Attribute| a.path().is_ident("serde");
    let skips_empty = field
        .attrs
        .iter()
        .any(|a| is_serde(a) && compact(a).contains("::is_empty"));
    if skips_empty
        && [
            "::std::vec::Vec<",
            "::std::collections::BTreeMap<",
            "::serde_json::Map<",
        ]
        .iter()
        .any(|p| text.starts_with(p))
    {
        let ty = field.ty.clone();
        let json_name = property_name(field);
        field.ty = parse_quote!(::std::option::Option<#ty>);
        field.attrs.retain(|a| !is_serde(a));
        // The serde attributes go, the JSON name stays (`state-machines`, `OU`).
        if property_name(field) != json_name {
            field
                .attrs
                .push(parse_quote!(#[serde(rename = #json_name)]));
        }
        field
            .attrs
            .push(parse_quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]));
    }
    let text = compact(&field.ty);
    let Some((helper, optional)) = lenient_helper(&text, enums) else {
        return;
    };
    let path = format!("crate::lenient::{helper}");
    // `default` as a serde argument of its own, not inside a string such as a rename.
    let has_default = field.attrs.iter().any(|a| {
        let text = compact(a);
        is_serde(a)
            && ["(default,", ",default,", "(default)", ",default)"]
                .iter()
                .any(|p| text.contains(p))
    });
    if optional && !has_default {
        field
            .attrs
            .push(parse_quote!(#[serde(default, deserialize_with = #path)]));
    } else {
        field
            .attrs
            .push(parse_quote!(#[serde(deserialize_with = #path)]));
    }
}

/// `oneOf` alternatives become untagged enums; their scalar variants get the same leniency as
/// scalar fields (an integer alternative also accepts `"5"`).
fn lenient_variants(e: &mut syn::ItemEnum) {
    if !e.attrs.iter().any(|a| compact(a).contains("untagged")) {
        return;
    }
    for v in e.variants.iter_mut() {
        let Fields::Unnamed(f) = &v.fields else {
            continue;
        };
        if f.unnamed.len() != 1 {
            continue;
        }
        let helper = match compact(&f.unnamed[0].ty).as_str() {
            "i64" => "crate::lenient::int",
            "f64" => "crate::lenient::float",
            "bool" => "crate::lenient::boolean",
            _ => continue,
        };
        v.attrs
            .push(parse_quote!(#[serde(deserialize_with = #helper)]));
    }
}

/// progenitor's mocks build path regexes from caller values without escaping them (`"a.b"`
/// matches `"axb"`, `"a(b"` panics in `unwrap()`): escape every value and state the invariant
/// that makes the remaining `expect` unreachable.
fn escape_mock_regexes(file: &mut File) -> Result<(), Error> {
    struct Escaper {
        calls: usize,
        formats: usize,
        escaped: usize,
    }
    impl VisitMut for Escaper {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::MethodCall(call) = expr else {
                return;
            };
            if call.method != "unwrap" {
                return;
            }
            let syn::Expr::Call(inner) = &mut *call.receiver else {
                return;
            };
            if compact(&inner.func) != "regex::Regex::new" {
                return;
            }
            self.calls += 1;
            for arg in inner.args.iter_mut() {
                let syn::Expr::Reference(r) = arg else {
                    continue;
                };
                let syn::Expr::Macro(m) = &mut *r.expr else {
                    continue;
                };
                self.formats += 1;
                let text = m.mac.tokens.to_string();
                if text.contains("value . to_string ()") {
                    let replaced = text.replace(
                        "value . to_string ()",
                        "regex :: escape (& value . to_string ())",
                    );
                    if let Ok(tokens) = replaced.parse() {
                        m.mac.tokens = tokens;
                        self.escaped += 1;
                    }
                }
            }
            let receiver = &call.receiver;
            *expr = parse_quote!(#receiver.expect("a path template with escaped values is a valid regex"));
        }
    }
    let mut escaper = Escaper {
        calls: 0,
        formats: 0,
        escaped: 0,
    };
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

/// Replaces `derive(Serialize)` on a struct with unknown-property map by an impl that writes the
/// same bytes, except that an `extra` entry never duplicates a field the caller has set: a
/// property isolated while decoding (`crate::unfit`) is kept in `extra` and written back under
/// its own name only while its field is unset.
fn serialize_impl(s: &mut syn::ItemStruct) -> Result<Item, Error> {
    let ident = s.ident.clone();
    let fail = |message: String| Error::Pass {
        pass: "serialize_impl",
        message: format!("{ident}: {message}"),
    };
    for attr in s.attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let paths = attr
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .map_err(|e| fail(e.to_string()))?;
        let kept = paths.iter().filter(|p| {
            p.segments
                .last()
                .map(|seg| seg.ident != "Serialize")
                .unwrap_or(true)
        });
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    let Fields::Named(fields) = &s.fields else {
        return Err(fail("not a struct with named fields".into()));
    };
    let mut writes = Vec::new();
    let mut has_extra = false;
    for field in &fields.named {
        let f = field
            .ident
            .clone()
            .ok_or_else(|| fail("unnamed field".into()))?;
        if f == "extra" {
            has_extra = true;
            continue;
        }
        let name = property_name(field);
        let mut skip: Option<String> = None;
        for attr in &field.attrs {
            if !attr.path().is_ident("serde") {
                continue;
            }
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("skip_serializing_if") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    skip = Some(value.value());
                } else if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            parsed.map_err(|e| fail(format!("field {f}: {e}")))?;
        }
        match skip.as_deref() {
            Some("::std::option::Option::is_none") => writes.push(quote!(w.opt(#name, &self.#f)?;)),
            None => writes.push(quote!(w.req(#name, &self.#f)?;)),
            Some(other) => {
                return Err(fail(format!(
                    "field {f}: unexpected skip_serializing_if `{other}`"
                )))
            }
        }
    }
    if !has_extra {
        return Err(fail("no `extra` field".into()));
    }
    Ok(parse_quote! {
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let mut w = crate::unfit::Writer::new(serializer)?;
                #(#writes)*
                w.end(&self.extra)
            }
        }
    })
}

fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// typify leaves the variants of untagged `oneOf` enums undocumented: name the form each holds.
fn document_variants(e: &mut syn::ItemEnum) {
    for v in e.variants.iter_mut() {
        if has_doc(&v.attrs) {
            continue;
        }
        let text = match &v.fields {
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                let ty = compact(&f.unnamed[0].ty);
                match ty.as_str() {
                    "i64" | "u64" | "i32" => "The value sent as an integer.".to_string(),
                    "f64" => "The value sent as a number.".to_string(),
                    "bool" => "The value sent as a boolean.".to_string(),
                    "::std::string::String" | "String" => "The value sent as a string.".to_string(),
                    _ => format!("The value in the shape of [`{ty}`]."),
                }
            }
            _ => format!("The `{}` form.", v.ident),
        };
        v.attrs.push(parse_quote!(#[doc = #text]));
    }
}

/// progenitor's httpmock output has no doc comments; every public item gets one, written from
/// its role (matcher, responder, parameter, status), so the crate needs no `missing_docs` allow.
fn document_mocks(file: &mut File) -> Result<(), Error> {
    use heck::ToSnakeCase;
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
                            let is_when = compact(&imp.self_ty).ends_with("When");
                            for ii in imp.items.iter_mut() {
                                let syn::ImplItem::Fn(f) = ii else { continue };
                                let name = f.sig.ident.to_string();
                                let body = compact(&f.block);
                                let text = match name.as_str() {
                                    "new" if is_when => "Wraps httpmock's request matcher, already limited to this operation's method and path.".to_string(),
                                    "new" => "Wraps httpmock's answer builder.".to_string(),
                                    "into_inner" => "The underlying httpmock value, for conditions this type does not cover.".to_string(),
                                    "body" if is_when => "Matches the JSON request body exactly.".to_string(),
                                    _ if is_when => format!("Matches the `{name}` parameter (`None` requires it to be absent where it is optional)."),
                                    _ => match body.find(".status(").map(|i| &body[i + 8..]).and_then(|rest| rest.split("u16").next()) {
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

/// The JSON name of a generated field: its `serde(rename)` if it has one, else its identifier.
fn property_name(field: &syn::Field) -> String {
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut rename = None;
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if let (Ok(()), Some(r)) = (parsed, rename) {
            return r;
        }
    }
    field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .unwrap_or_default()
}

/// `#[deprecated]` on the client methods of operations the spec marks `deprecated: true`.
fn deprecate_operations(file: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let deprecated: BTreeSet<&str> = prepared
        .operations
        .iter()
        .filter(|op| op.deprecated && !op.handwritten)
        .map(|op| op.id.as_str())
        .collect();
    let mut marked = 0;
    for item in file.items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || compact(&imp.self_ty) != "Client" {
            continue;
        }
        for i in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = i else { continue };
            if f.sig.asyncness.is_some() && deprecated.contains(f.sig.ident.to_string().as_str()) {
                f.attrs.push(parse_quote!(#[deprecated(note = "deprecated in the Redis Software REST API reference; see the method's documentation")]));
                marked += 1;
            }
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
    let mut visitor = ErrorRewriter {
        methods: 0,
        before_send: 0,
    };
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
    if visitor.before_send != visitor.methods {
        return Err(Error::Pass {
            pass: "own_error_type",
            message: format!(
                "{} of {} operations call the `pre` hook; progenitor's output changed shape",
                visitor.before_send, visitor.methods
            ),
        });
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
    before_send: usize,
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
            *arm.body =
                parse_quote!(crate::decode::operation_response(self, &info, response).await);
        } else if body == "Err(Error::UnexpectedResponse(response))" {
            *arm.body = parse_quote!(Err(crate::decode::unexpected_response(response).await));
        } else {
            syn::visit_mut::visit_arm_mut(self, arm);
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        // progenitor's `pre` hook can only fail with `Error::Custom(String)`; the client's own
        // `before_send` returns `crate::Error`, so an authentication failure stays typed.
        if let syn::Expr::MethodCall(call) = expr {
            let on_self = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
            if on_self && call.method == "pre" {
                let args = &call.args;
                *expr = parse_quote!(crate::hooks::before_send(self, #args));
                self.before_send += 1;
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        // The hooks are generic over the error body type; with one error type that type is
        // never inferred, so name it.
        let on_self = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if on_self && call.method == "post" && call.turbofish.is_none() {
            call.turbofish = Some(parse_quote!(::<()>));
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// Per generated operation: (operationId, success body type, request body type).
type Codec = (String, Option<Type>, Option<Type>);

/// Reads the body types of every generated operation from its signature.
fn codec_table(file: &File) -> Vec<Codec> {
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || compact(&imp.self_ty) != "Client" {
            continue;
        }
        for i in &imp.items {
            let syn::ImplItem::Fn(f) = i else { continue };
            if f.sig.asyncness.is_none() {
                continue;
            }
            let response = match &f.sig.output {
                syn::ReturnType::Type(_, ty) => response_type(ty),
                syn::ReturnType::Default => None,
            };
            let request = f.sig.inputs.iter().find_map(|arg| match arg {
                syn::FnArg::Typed(pt) if compact(&pt.pat) == "body" => match &*pt.ty {
                    Type::Reference(r) => Some((*r.elem).clone()),
                    _ => None,
                },
                _ => None,
            });
            out.push((f.sig.ident.to_string(), response, request));
        }
    }
    out
}

/// `Result<ResponseValue<T>, E>` → `T`, unless `T` is a byte stream or `()`.
fn response_type(ty: &Type) -> Option<Type> {
    let Type::Path(tp) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &tp.path.segments.last()?.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(Type::Path(rv))) = args.args.first() else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(inner) = &rv.path.segments.last()?.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(t)) = inner.args.first() else {
        return None;
    };
    let text = compact(t);
    if text == "()" || text.ends_with("ByteStream") {
        None
    } else {
        Some(t.clone())
    }
}

/// `OPERATIONS`: one entry per spec operation, in spec order, and the body codecs.
fn operation_table(prepared: &Prepared, codecs: Vec<Codec>) -> TokenStream {
    let mut sorted: Vec<(&str, usize)> = prepared
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| (op.id.as_str(), i))
        .collect();
    sorted.sort();
    let by_id = sorted.iter().map(|(id, i)| quote!((#id, #i),));
    let response_arms = codecs.iter().filter_map(|(id, response, _)| {
        let ty = response.as_ref()?;
        Some(quote!(#id => Some(round_trip::<#ty>(body)),))
    });
    let isolating_arms = codecs.iter().filter_map(|(id, response, _)| {
        let ty = response.as_ref()?;
        Some(quote!(#id => Some(round_trip_isolating::<#ty>(body)),))
    });
    let request_arms = codecs.iter().filter_map(|(id, _, request)| {
        let ty = request.as_ref()?;
        Some(quote!(#id => Some(round_trip::<#ty>(body)),))
    });
    let entries = prepared.operations.iter().map(|op| {
        let id = &op.id;
        let method = &op.method;
        let path = &op.path;
        let tag = &op.tag;
        let since = match &op.since {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let removed_in = match &op.removed_in {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let served_in = &op.served_in;
        let not_served_in = &op.not_served_in;
        let deprecated = op.deprecated;
        let handwritten = op.handwritten;
        quote! {
            Operation { id: #id, method: #method, path: #path, tag: #tag, since: #since, removed_in: #removed_in, served_in: &[#(#served_in),*], not_served_in: &[#(#not_served_in),*], deprecated: #deprecated, handwritten: #handwritten },
        }
    });
    quote! {
        //! Every operation of the spec, in spec order: what tracing, retries and the coverage
        //! tests need to know about an operation without a request in hand; and body codecs
        //! that decode any operation's JSON body into its generated type by operationId.

        #[cfg(feature = "codecs")]
        use super::types;

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
            /// First release whose reference no longer documents it.
            pub removed_in: Option<&'static str>,
            /// Releases whose live clusters served it although `since`/`removed_in` say otherwise
            /// (from observed clusters); when not empty, this list alone decides.
            pub served_in: &'static [&'static str],
            /// Releases whose live clusters answered 404 although the reference documents it.
            pub not_served_in: &'static [&'static str],
            /// Deprecated (or removed from newer releases).
            pub deprecated: bool,
            /// Implemented by hand in the client layer (the generator cannot express it).
            pub handwritten: bool,
        }

        impl Operation {
            /// Whether a cluster of `release` (`"7.22"`, `"7.22.2-170"`, `"8.0.2"`) serves this
            /// operation: the observed lists when the spec has them, otherwise `since` and
            /// `removed_in`. A release that cannot be read as `major.minor` is assumed to serve it.
            pub fn served_by(&self, release: &str) -> bool {
                let Some(r) = release_number(release) else { return true };
                if !self.served_in.is_empty() {
                    return self.served_in.iter().any(|s| release_number(s) == Some(r));
                }
                if self.not_served_in.iter().any(|s| release_number(s) == Some(r)) {
                    return false;
                }
                let from_ok = self.since.and_then(release_number).map(|s| r >= s).unwrap_or(true);
                let until_ok = self.removed_in.and_then(release_number).map(|s| r < s).unwrap_or(true);
                from_ok && until_ok
            }
        }

        /// `(major, minor)` of a release string; `None` when it does not start with two numbers.
        pub fn release_number(release: &str) -> Option<(u32, u32)> {
            let mut parts = release.split(['.', '-']);
            let major = parts.next()?.trim().parse().ok()?;
            let minor = parts.next()?.trim().parse().ok()?;
            Some((major, minor))
        }

        /// Every operation of the spec.
        pub const OPERATIONS: &[Operation] = &[ #(#entries)* ];

        /// `(operationId, index in OPERATIONS)`, sorted by operationId.
        const BY_ID: &[(&str, usize)] = &[ #(#by_id)* ];

        /// Looks an operation up by operationId (a binary search: the hooks do this on every
        /// request).
        pub fn operation(id: &str) -> Option<&'static Operation> {
            BY_ID.binary_search_by(|(k, _)| (*k).cmp(id)).ok().map(|i| &OPERATIONS[BY_ID[i].1])
        }

        /// A body that did not decode: the JSON path of the failure and serde's error.
        #[cfg(feature = "codecs")]
        pub type CodecError = (::std::string::String, ::serde_json::Error);

        #[cfg(feature = "codecs")]
        fn round_trip<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(body: &[u8]) -> ::std::result::Result<::serde_json::Value, CodecError> {
            let value: T = crate::decode::decode_body(body)?;
            ::serde_json::to_value(&value).map_err(|e| (".".to_string(), e))
        }

        /// Decodes `body` as the JSON success body of `operation_id` (as the client does in strict
        /// mode) and encodes it back. `None` when the operation has no JSON success body.
        /// Feature `codecs` (tests and tools; kept out of ordinary builds for their cost).
        #[cfg(feature = "codecs")]
        pub fn response_round_trip(operation_id: &str, body: &[u8]) -> ::std::option::Option<::std::result::Result<::serde_json::Value, CodecError>> {
            match operation_id {
                #(#response_arms)*
                _ => None,
            }
        }

        #[cfg(feature = "codecs")]
        fn round_trip_isolating<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(body: &[u8]) -> ::std::result::Result<(::serde_json::Value, ::std::vec::Vec<crate::unfit::UnfitProperty>), CodecError> {
            let (value, unfit): (T, _) = crate::unfit::decode_isolating(body)?;
            let value = ::serde_json::to_value(&value).map_err(|e| (".".to_string(), e))?;
            Ok((value, unfit))
        }

        /// Decodes `body` as the JSON success body of `operation_id` as the client does by
        /// default (isolating every property that does not fit, see `crate::unfit`), and encodes
        /// it back, with the isolated properties. `None` when the operation has no JSON success
        /// body. Feature `codecs`.
        #[cfg(feature = "codecs")]
        pub fn response_round_trip_isolating(operation_id: &str, body: &[u8]) -> ::std::option::Option<::std::result::Result<(::serde_json::Value, ::std::vec::Vec<crate::unfit::UnfitProperty>), CodecError>> {
            match operation_id {
                #(#isolating_arms)*
                _ => None,
            }
        }

        /// Decodes `body` as the JSON request body of `operation_id` and encodes it back.
        /// `None` when the operation takes no generated JSON body. Feature `codecs`.
        #[cfg(feature = "codecs")]
        pub fn request_round_trip(operation_id: &str, body: &[u8]) -> ::std::option::Option<::std::result::Result<::serde_json::Value, CodecError>> {
            match operation_id {
                #(#request_arms)*
                _ => None,
            }
        }
    }
}

/// Marks every struct with named fields and every enum of `types` `#[non_exhaustive]`, and
/// returns a `new` constructor for each such struct that does not derive `Default` (callers
/// outside the crate can no longer use a struct literal): it takes the required fields, in
/// order, and leaves every other field at its default.
fn non_exhaustive(items: &mut [Item]) -> Result<Vec<Item>, Error> {
    let mut constructors = Vec::new();
    let (mut structs, mut enums) = (0, 0);
    for item in items.iter_mut() {
        match item {
            Item::Enum(e) => {
                e.attrs.push(parse_quote!(#[non_exhaustive]));
                enums += 1;
            }
            Item::Struct(s) => {
                let Fields::Named(fields) = &s.fields else {
                    continue;
                };
                let mut params = Vec::new();
                let mut inits = Vec::new();
                let mut required = Vec::new();
                for field in &fields.named {
                    let ident = field.ident.as_ref().ok_or(Error::Pass {
                        pass: "non_exhaustive",
                        message: format!("a named field of {} has no name", s.ident),
                    })?;
                    let optional = has_serde_flag(field, &["default", "flatten"])
                        || crate::builders::option_inner(&field.ty).is_some();
                    if optional {
                        inits.push(quote!(#ident: ::std::default::Default::default()));
                    } else {
                        let ty = &field.ty;
                        params.push(quote!(#ident: #ty));
                        inits.push(quote!(#ident));
                        required.push(ident.to_string());
                    }
                }
                s.attrs.push(parse_quote!(#[non_exhaustive]));
                structs += 1;
                if !derives(&s.attrs, "Default") {
                    let name = &s.ident;
                    let order = required
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let doc = format!(
                        "A `{name}` from its required fields, in this order: {order}. Every \
                         other field is unset; the struct is `#[non_exhaustive]` (a later release \
                         may add fields), so set them by assignment on the value this returns."
                    );
                    constructors.push(parse_quote! {
                        impl #name {
                            #[doc = #doc]
                            #[allow(clippy::too_many_arguments)]
                            pub fn new(#(#params),*) -> Self {
                                Self { #(#inits),* }
                            }
                        }
                    });
                }
            }
            _ => {}
        }
    }
    // Every struct and enum of `types` is a top-level item; one nested in a module would escape
    // (typify's `error` module holds its conversion error, not an API type).
    if let Some(Item::Mod(m)) = items
        .iter()
        .find(|i| matches!(i, Item::Mod(m) if m.ident != "error"))
    {
        return Err(Error::Pass {
            pass: "non_exhaustive",
            message: format!(
                "`types` has a module `{}` ({structs} structs and {enums} enums marked outside it)",
                m.ident
            ),
        });
    }
    Ok(constructors)
}

/// Whether a field's `#[serde(…)]` names one of `flags` (`default`, `flatten`, …), bare or with
/// a value; read like [`property_name`] reads `rename`.
fn has_serde_flag(field: &syn::Field, flags: &[&str]) -> bool {
    field
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|attr| {
            let mut found = false;
            let parsed = attr.parse_nested_meta(|meta| {
                found |= flags.iter().any(|f| meta.path.is_ident(f));
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
            parsed.is_ok() && found
        })
}

/// Seals `MockServerExt` (a supertrait in a private module, implemented for `MockServer` only):
/// nobody else can implement it, so a method for a new operation breaks no one.
fn seal_mock_trait(file: &mut File) -> Result<(), Error> {
    let mut sealed = 0;
    for item in file.items.iter_mut() {
        if let Item::Trait(t) = item {
            if t.ident == "MockServerExt" {
                t.supertraits.push(parse_quote!(sealed::Sealed));
                t.attrs.push(parse_quote!(
                    #[doc = "\n\nSealed: implemented for `MockServer` only."]
                ));
                sealed += 1;
            }
        }
    }
    if sealed != 1 {
        return Err(Error::Pass {
            pass: "seal mock trait",
            message: format!("{sealed} `MockServerExt` traits found, expected 1"),
        });
    }
    file.items.push(parse_quote! {
        mod sealed {
            pub trait Sealed {}
            impl Sealed for ::httpmock::MockServer {}
        }
    });
    Ok(())
}
