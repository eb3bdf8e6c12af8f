//! House passes over the `types` module: how the API's objects decode, encode and grow.
//!
//! - [`lenient_variants`], [`lenient_fields`]: scalar, list and map fields (and the scalar
//!   alternatives of `oneOf` enums) decode through `crate::lenient` helpers chosen by the type
//!   (numbers sent as strings, integral floats, `null`, `{}` for unset, JSON inside strings).
//! - [`keep_unknown_properties`]: every object gets `#[serde(flatten)] extra`, so fields the spec
//!   does not know survive a read-modify-write.
//! - [`serialize_impls`]: `Serialize` through `crate::unfit::Writer`, so an isolated property is
//!   written back under its own name only while its field is unset.
//! - [`redact_secrets`]: members the spec marks `format: password` show as `<redacted>` in
//!   `Debug`.
//! - [`body_setters`]: chainable setters on the types sent as request bodies.
//! - [`starts_action`]: types with an `action_uid` implement `crate::extras::StartsAction`.
//! - [`open_enums`]: the open enums of [`crate::enums`] join the module.
//! - [`non_exhaustive`]: every struct and enum is `#[non_exhaustive]`; structs that cannot be
//!   `Default` get `new(required…)`.

use std::collections::BTreeSet;

use quote::quote;
use syn::{parse_quote, Fields, File, Item, Type};

use super::{object_fields, parse};
use crate::prepare::Prepared;
use crate::syntax::{self, Scalar};
use crate::{enums, Error};

/// Picks the `crate::lenient` helper for a field type, if any: `(helper, optional)`.
fn lenient_helper(ty: &Type, enums: &BTreeSet<String>) -> Option<(&'static str, bool)> {
    let (inner, optional) = match syntax::option_inner(ty) {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    let pick = |required: &'static str, opt: &'static str| {
        Some(if optional {
            (opt, true)
        } else {
            (required, false)
        })
    };
    if let Some(name) = syntax::generated_type(inner) {
        if enums.contains(&name.to_string()) {
            return pick("enum_value", "opt_enum");
        }
        // An optional generated object or `oneOf` (`null` and `""` for unset).
        return if optional {
            pick("", "opt_nested")
        } else {
            None
        };
    }
    if let Some(s) = syntax::scalar(inner) {
        return match s {
            Scalar::Int => pick("int", "opt_i64"),
            Scalar::Float => pick("float", "opt_f64"),
            Scalar::Bool => pick("boolean", "opt_bool"),
            Scalar::String => pick("string", "opt_string"),
        };
    }
    if let Some(item) = syntax::vec_item(inner) {
        return match syntax::scalar(item) {
            Some(_) => pick("seq_scalar", "opt_seq_scalar"),
            None => pick("seq", "opt_seq"),
        };
    }
    if let Some((key, value)) = syntax::btree_map_entry(inner) {
        return match (syntax::scalar(key), syntax::scalar(value)) {
            (Some(Scalar::String), Some(_)) => pick("map_scalar", "opt_map_scalar"),
            _ => pick("map", "opt_map"),
        };
    }
    if syntax::is_json_object(inner) {
        return pick("object", "opt_object");
    }
    None
}

/// Adds `deserialize_with` (and `default` where the field may be missing) to every field of
/// every object whose type has a lenient helper.
pub fn lenient_fields(types: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let enums: BTreeSet<String> = prepared.enums.iter().map(|e| e.name.clone()).collect();
    for (_, fields) in object_fields(items) {
        for field in fields.named.iter_mut() {
            let Some((helper, optional)) = lenient_helper(&field.ty, &enums) else {
                continue;
            };
            let path = format!("crate::lenient::{helper}");
            if optional && !syntax::has_serde_flag(&field.attrs, &["default"]) {
                field
                    .attrs
                    .push(parse_quote!(#[serde(default, deserialize_with = #path)]));
            } else {
                field
                    .attrs
                    .push(parse_quote!(#[serde(deserialize_with = #path)]));
            }
        }
    }
    Ok(())
}

/// `oneOf` alternatives become untagged enums; their scalar variants get the same leniency as
/// scalar fields (an integer alternative also accepts `"5"`).
pub fn lenient_variants(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        if !syntax::has_serde_flag(&e.attrs, &["untagged"]) {
            continue;
        }
        for v in e.variants.iter_mut() {
            let Fields::Unnamed(f) = &v.fields else {
                continue;
            };
            if f.unnamed.len() != 1 {
                continue;
            }
            let helper = match syntax::scalar(&f.unnamed[0].ty) {
                Some(Scalar::Int) => "crate::lenient::int",
                Some(Scalar::Float) => "crate::lenient::float",
                Some(Scalar::Bool) => "crate::lenient::boolean",
                _ => continue,
            };
            v.attrs
                .push(parse_quote!(#[serde(deserialize_with = #helper)]));
        }
    }
    Ok(())
}

/// Appends the flattened map of unknown properties to every object.
pub fn keep_unknown_properties(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    for (_, fields) in object_fields(items) {
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
    Ok(())
}

/// Replaces `derive(Serialize)` on every object by an impl that writes the same bytes, except
/// that an `extra` entry never duplicates a field the caller has set: a property isolated while
/// decoding (`crate::unfit`) is kept in `extra` and written back under its own name only while
/// its field is unset.
pub fn serialize_impls(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if syntax::derives(&s.attrs, "Deserialize")
            && syntax::derives(&s.attrs, "Serialize")
            && matches!(s.fields, Fields::Named(_))
        {
            impls.push(serialize_impl(s)?);
        }
    }
    items.extend(impls);
    Ok(())
}

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
        let name = syntax::property_name(field);
        let skip = syntax::serde_str(&field.attrs, "skip_serializing_if");
        match skip {
            None => writes.push(quote!(w.req(#name, &self.#f);)),
            Some(text) => match syn::parse_str::<syn::Path>(&text) {
                Ok(path) if syntax::is_option_is_none(&path) => {
                    writes.push(quote!(w.opt(#name, &self.#f);))
                }
                _ => {
                    return Err(fail(format!(
                        "field {f}: unexpected skip_serializing_if `{text}`"
                    )))
                }
            },
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

/// Replaces `derive(Debug)` on every object by an `#[inline]` impl that prints the same, except
/// that a set member the spec marks `format: password` (passwords, keys, tokens) shows as
/// `"<redacted>"` (`Some("<redacted>")` when optional). `#[inline]`: a type's `Debug` is then
/// compiled where it is used, not for every object in every build of the crate (a derived
/// `Debug` is not inline; BENCHMARKS.md §4).
pub fn redact_secrets(types: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let mut impls = Vec::new();
    let mut redacted = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let schema = s.ident.to_string();
        let Fields::Named(fields) = &s.fields else {
            continue;
        };
        let secret = |field: &syn::Field| {
            prepared
                .secret_properties
                .contains(&(schema.clone(), syntax::property_name(field)))
        };
        let has_secret = fields.named.iter().any(secret);
        if !syntax::derives(&s.attrs, "Debug") {
            if has_secret {
                return Err(Error::Pass {
                    pass: "redact_secrets",
                    message: format!("{schema} has secrets but does not derive Debug"),
                });
            }
            continue;
        }
        let mut shown = Vec::new();
        for field in &fields.named {
            let ident = field.ident.as_ref().ok_or_else(|| Error::Pass {
                pass: "redact_secrets",
                message: format!("a named field of {schema} has no name"),
            })?;
            let name = ident.to_string().trim_start_matches("r#").to_string();
            let value = match (secret(field), syntax::option_inner(&field.ty).is_some()) {
                (false, _) => quote!(&self.#ident),
                (true, true) => quote!(&self.#ident.as_ref().map(|_| "<redacted>")),
                (true, false) => quote!(&"<redacted>"),
            };
            redacted += usize::from(secret(field));
            shown.push(quote!(.field(#name, #value)));
        }
        for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            let paths = attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .map_err(|e| Error::Pass {
                    pass: "redact_secrets",
                    message: format!("{schema}: {e}"),
                })?;
            let kept = paths
                .iter()
                .filter(|p| p.segments.last().is_none_or(|seg| seg.ident != "Debug"));
            *attr = parse_quote!(#[derive(#(#kept),*)]);
        }
        let ident = &s.ident;
        impls.push(parse_quote! {
            impl ::std::fmt::Debug for #ident {
                #[allow(deprecated)]
                #[inline]
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#schema) #(#shown)* .finish()
                }
            }
        });
    }
    if redacted != prepared.secret_properties.len() {
        return Err(Error::Pass {
            pass: "redact_secrets",
            message: format!(
                "{} properties are marked `format: password`, {redacted} fields were redacted",
                prepared.secret_properties.len()
            ),
        });
    }
    items.extend(impls);
    Ok(())
}

/// Chainable setters on every request-body type (`Bdb::default().name("cache")
/// .memory_size(100 * MB)`): one per member the caller may send (not `readOnly`), named after the
/// field, taking `impl Into<T>` and returning the value. Optional members are set to `Some`;
/// `action_uid` and the unknown-property map get none.
pub fn body_setters(types: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let mut impls = Vec::new();
    let mut found = 0;
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        let schema = s.ident.to_string();
        if !prepared.request_bodies.contains(&schema) {
            continue;
        }
        found += 1;
        let Fields::Named(fields) = &s.fields else {
            return Err(Error::Pass {
                pass: "body_setters",
                message: format!("request body {schema} has no named fields"),
            });
        };
        let mut setters = Vec::new();
        for field in &fields.named {
            let Some(ident) = &field.ident else { continue };
            let property = syntax::property_name(field);
            // `action_uid` is the server's, and a setter would shadow `StartsAction::action_uid`.
            if ident == "extra"
                || ident == "action_uid"
                || prepared
                    .read_only_properties
                    .contains(&(schema.clone(), property.clone()))
            {
                continue;
            }
            let deprecated = field.attrs.iter().any(|a| a.path().is_ident("deprecated"));
            let marker = deprecated.then(|| quote!(#[deprecated] #[allow(deprecated)]));
            let (value_ty, assign) = match syntax::option_inner(&field.ty) {
                Some(inner) => (inner, quote!(::std::option::Option::Some(value.into()))),
                None => (&field.ty, quote!(value.into())),
            };
            let doc = format!("Sets `{property}` and returns the value, for chaining.");
            setters.push(quote! {
                #[doc = #doc]
                #marker
                pub fn #ident(mut self, value: impl ::std::convert::Into<#value_ty>) -> Self {
                    self.#ident = #assign;
                    self
                }
            });
        }
        let name = &s.ident;
        impls.push(parse_quote! {
            /// Chainable setters, for building a request body.
            impl #name {
                #(#setters)*
            }
        });
    }
    if found != prepared.request_bodies.len() {
        return Err(Error::Pass {
            pass: "body_setters",
            message: format!(
                "{} schemas are request bodies, {found} generated structs found for them",
                prepared.request_bodies.len()
            ),
        });
    }
    items.extend(impls);
    Ok(())
}

/// Whether a struct has `action_uid: Option<String>` (a response that started an action).
fn has_action_uid(fields: &Fields) -> bool {
    let Fields::Named(named) = fields else {
        return false;
    };
    named.named.iter().any(|f| {
        f.ident.as_ref().is_some_and(|i| i == "action_uid")
            && syntax::option_inner(&f.ty).and_then(syntax::scalar) == Some(Scalar::String)
    })
}

/// `impl crate::extras::StartsAction` for every type with an `action_uid`.
pub fn starts_action(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let idents: Vec<syn::Ident> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if has_action_uid(&s.fields) => Some(s.ident.clone()),
            _ => None,
        })
        .collect();
    for ident in idents {
        items.push(parse_quote! {
            impl crate::extras::StartsAction for #ident {
                fn action_uid(&self) -> ::std::option::Option<&str> {
                    self.action_uid.as_deref()
                }
            }
        });
    }
    Ok(())
}

/// The open enums of [`crate::enums`], which progenitor was told to use instead of its own.
pub fn open_enums(types: &mut File, prepared: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    for e in &prepared.enums {
        items.extend(parse("open_enums", enums::open_enum(e))?.items);
    }
    Ok(())
}

/// Marks every struct with named fields and every enum `#[non_exhaustive]`, and adds a `new`
/// constructor to each such struct that does not derive `Default` (callers outside the crate can
/// no longer use a struct literal): it takes the required fields, in order, and leaves every
/// other field at its default.
pub fn non_exhaustive(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
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
                    let optional = syntax::has_serde_flag(&field.attrs, &["default", "flatten"])
                        || syntax::option_inner(&field.ty).is_some();
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
                if !syntax::derives(&s.attrs, "Default") {
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
    items.extend(constructors);
    Ok(())
}

/// The `crate::object` kind that stands for a `crate::lenient` helper.
fn decode_kind(helper: &str) -> Option<&'static str> {
    Some(match helper {
        "opt_i64" => "OptI64",
        "opt_f64" => "OptF64",
        "opt_bool" => "OptBool",
        "opt_string" => "OptString",
        "int" => "Int",
        "float" => "Float",
        "boolean" => "Boolean",
        "string" => "Str",
        "object" => "Object",
        "opt_object" => "OptObject",
        "opt_enum" => "OptEnum",
        "enum_value" => "EnumValue",
        "opt_nested" => "OptNested",
        "opt_seq" => "OptSeq",
        "seq" => "Seq",
        "opt_seq_scalar" => "OptSeqScalar",
        "seq_scalar" => "SeqScalar",
        "opt_map" => "OptMap",
        "map" => "Map",
        "opt_map_scalar" => "OptMapScalar",
        "map_scalar" => "MapScalar",
        _ => return None,
    })
}

/// Replaces `derive(Deserialize)` on every object by one visitor that decodes the same (see
/// `crate::object`: same members, same leniency, same errors) without the derive's per-field
/// wrapper types and its buffering of unknown members; then drops the `#[serde]` attributes of
/// those objects, which nothing reads any more. Last on types: every earlier pass reads them.
pub fn deserialize_impls(types: &mut File, _: &Prepared) -> Result<(), Error> {
    let items = &mut types.items;
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if syntax::derives(&s.attrs, "Deserialize") && matches!(s.fields, Fields::Named(_)) {
            impls.push(deserialize_impl(s)?);
        }
    }
    if impls.is_empty() {
        return Err(Error::Pass {
            pass: "deserialize_impls",
            message: "no struct derives Deserialize".into(),
        });
    }
    items.extend(impls);
    Ok(())
}

fn deserialize_impl(s: &mut syn::ItemStruct) -> Result<Item, Error> {
    let ident = s.ident.clone();
    let fail = |message: String| Error::Pass {
        pass: "deserialize_impls",
        message: format!("{ident}: {message}"),
    };
    let Fields::Named(fields) = &mut s.fields else {
        return Err(fail("not a struct with named fields".into()));
    };
    // An object whose type is `Default` (every field's missing value is its type's default) is
    // decoded in place: into the fields of a default value, a bit per member for duplicates and
    // required members. Any other object gets a slot per field, moved into it at the end.
    let in_place = syntax::derives(&s.attrs, "Default");
    let (mut locals, mut arms, mut inits, mut checks) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut has_extra = false;
    let mut index = 0usize;
    for (i, field) in fields.named.iter_mut().enumerate() {
        let f = field
            .ident
            .clone()
            .ok_or_else(|| fail("unnamed field".into()))?;
        let is_serde = |a: &syn::Attribute| a.path().is_ident("serde");
        if f == "extra" {
            if !syntax::has_serde_flag(&field.attrs, &["flatten"]) {
                return Err(fail("`extra` is not flattened".into()));
            }
            has_extra = true;
            inits.push(quote!(extra));
            field.attrs.retain(|a| !is_serde(a));
            continue;
        }
        let name = syntax::property_name(field);
        let ty = &field.ty;
        let kind = match syntax::serde_fn_path(&field.attrs, "deserialize_with") {
            None => "Plain",
            Some(path) => {
                let helper = path
                    .segments
                    .last()
                    .map(|seg| seg.ident.to_string())
                    .unwrap_or_default();
                let known = path.segments.len() == 3
                    && path.segments[0].ident == "crate"
                    && path.segments[1].ident == "lenient";
                match decode_kind(&helper).filter(|_| known) {
                    Some(kind) => kind,
                    None => return Err(fail(format!("field {f}: unknown deserialize_with"))),
                }
            }
        };
        let kind = syn::Ident::new(kind, proc_macro2::Span::call_site());
        let defaulted = syntax::has_serde_flag(&field.attrs, &["default"]);
        let plain_option = kind == "Plain" && syntax::option_inner(ty).is_some();
        field.attrs.retain(|a| !is_serde(a));
        if in_place {
            arms.push(quote!(#name => crate::object::put::<crate::object::#kind, _, _>(&mut map, &mut out.#f, &mut seen, #index, #name),));
            if !defaulted && !plain_option {
                checks.push(quote!(crate::object::present(&seen, #index, #name)?;));
            }
            index += 1;
            continue;
        }
        let slot = syn::Ident::new(&format!("f{i}"), proc_macro2::Span::call_site());
        locals
            .push(quote!(let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None;));
        arms.push(quote!(#name => crate::object::set::<crate::object::#kind, _, _>(&mut map, &mut #slot, #name),));
        inits.push(if defaulted {
            quote!(#f: #slot.unwrap_or_default())
        } else if plain_option {
            // serde's derive: a missing `Option` without a `deserialize_with` is `None`.
            quote!(#f: #slot.unwrap_or(::std::option::Option::None))
        } else {
            quote!(#f: crate::object::required(#slot, #name)?)
        });
    }
    if !has_extra {
        return Err(fail("no `extra` field".into()));
    }
    s.attrs.retain(|a| !a.path().is_ident("serde"));
    for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let paths = attr
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .map_err(|e| fail(e.to_string()))?;
        let kept = paths.iter().filter(|p| {
            p.segments
                .last()
                .is_none_or(|seg| seg.ident != "Deserialize")
        });
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
    let expecting = format!("struct {ident}");
    let visit_map = if in_place {
        let words = index.div_ceil(64).max(1);
        quote! {
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#ident, A::Error> {
                let mut out = <#ident as ::std::default::Default>::default();
                let mut seen = [0u64; #words];
                while let ::std::option::Option::Some(key) = map.next_key::<crate::object::Key<'de>>()? {
                    // One `?` for every member, not one per arm: the arms are the bulk of the
                    // crate's code to check (BENCHMARKS.md §4).
                    let step = match key.as_str() {
                        #(#arms)*
                        _ => crate::object::keep(&mut map, &mut out.extra, key),
                    };
                    step?;
                }
                #(#checks)*
                ::std::result::Result::Ok(out)
            }
        }
    } else {
        quote! {
            fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<#ident, A::Error> {
                #(#locals)*
                let mut extra = ::serde_json::Map::new();
                while let ::std::option::Option::Some(key) = map.next_key::<crate::object::Key<'de>>()? {
                    let step = match key.as_str() {
                        #(#arms)*
                        _ => crate::object::keep(&mut map, &mut extra, key),
                    };
                    step?;
                }
                ::std::result::Result::Ok(#ident { #(#inits),* })
            }
        }
    };
    Ok(parse_quote! {

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #ident;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    #[allow(deprecated)]
                    #visit_map
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_follow_the_field_type() {
        let enums = BTreeSet::from(["Status".to_string()]);
        let cases: [(Type, Option<(&str, bool)>); 9] = [
            (
                parse_quote!(::std::option::Option<i64>),
                Some(("opt_i64", true)),
            ),
            (parse_quote!(::std::string::String), Some(("string", false))),
            (
                parse_quote!(crate::types::Status),
                Some(("enum_value", false)),
            ),
            (
                parse_quote!(::std::option::Option<crate::types::Status>),
                Some(("opt_enum", true)),
            ),
            (
                parse_quote!(::std::option::Option<Bdb>),
                Some(("opt_nested", true)),
            ),
            (parse_quote!(Bdb), None),
            (
                parse_quote!(::std::collections::BTreeMap<::std::string::String, f64>),
                Some(("map_scalar", false)),
            ),
            (
                parse_quote!(::std::option::Option<::std::vec::Vec<Bdb>>),
                Some(("opt_seq", true)),
            ),
            (parse_quote!(::chrono::DateTime<::chrono::Utc>), None),
        ];
        for (ty, expected) in &cases {
            assert_eq!(lenient_helper(ty, &enums), *expected, "{}", quote!(#ty));
        }
    }
}
