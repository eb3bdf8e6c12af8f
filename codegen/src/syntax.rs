//! Structural predicates over `syn` trees: how the passes recognise what progenitor and typify
//! emitted ("is `Option<T>`", "is progenitor's match arm for an error response", "calls
//! `.status(…)`") by the shape of the syntax, never by comparing stringified tokens.
//!
//! Paths are compared segment by segment, without their leading `::`: `::std::option::Option<T>`
//! and `std::option::Option<T>` are the same path. A standard type is recognised under its full
//! path or its bare name (`String`, `::std::string::String`).

use std::collections::BTreeSet;

use proc_macro2::Ident;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, Expr, Path, Type};

/// Whether `path` is exactly `segments` (leading `::` ignored; generic arguments not compared).
pub fn path_is(path: &Path, segments: &[&str]) -> bool {
    path.segments.len() == segments.len()
        && path
            .segments
            .iter()
            .zip(segments)
            .all(|(seg, name)| seg.ident == name)
}

/// Whether `path` ends with `segments` (`Error::ErrorResponse` matches
/// `progenitor_client::Error::ErrorResponse`).
pub fn path_ends_with(path: &Path, segments: &[&str]) -> bool {
    let n = path.segments.len();
    n >= segments.len()
        && path
            .segments
            .iter()
            .skip(n - segments.len())
            .zip(segments)
            .all(|(seg, name)| seg.ident == name)
}

/// The path of a plain type path (no `<T as Trait>::` qualification).
pub fn type_path(ty: &Type) -> Option<&Path> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(&p.path),
        _ => None,
    }
}

/// The type arguments of a path's last segment (`BTreeMap<K, V>` → `[K, V]`).
fn type_args(path: &Path) -> Vec<&Type> {
    let Some(last) = path.segments.last() else {
        return Vec::new();
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Whether `path` names the standard item `name` of `module` (`std::option::Option` or the bare
/// `Option`), with or without generic arguments.
fn is_std(path: &Path, module: &str, name: &str) -> bool {
    path_is(path, &[name])
        || path_is(path, &["std", module, name])
        || path_is(path, &["core", module, name])
        || path_is(path, &["alloc", module, name])
}

/// The single type argument of a type path of the standard `module::name<T>`.
fn std_wrapper<'a>(ty: &'a Type, module: &str, name: &str) -> Option<&'a Type> {
    let path = type_path(ty)?;
    if !is_std(path, module, name) {
        return None;
    }
    match type_args(path).as_slice() {
        [inner] => Some(inner),
        _ => None,
    }
}

/// `Option<T>` → `T`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    std_wrapper(ty, "option", "Option")
}

/// `Vec<T>` → `T`.
pub fn vec_item(ty: &Type) -> Option<&Type> {
    std_wrapper(ty, "vec", "Vec")
}

/// `BTreeMap<K, V>` → `(K, V)`.
pub fn btree_map_entry(ty: &Type) -> Option<(&Type, &Type)> {
    let path = type_path(ty)?;
    if !is_std(path, "collections", "BTreeMap") {
        return None;
    }
    match type_args(path).as_slice() {
        [k, v] => Some((k, v)),
        _ => None,
    }
}

/// Whether `ty` is `serde_json::Map<…>` (a free-form JSON object).
pub fn is_json_object(ty: &Type) -> bool {
    type_path(ty).is_some_and(|p| path_is(p, &["serde_json", "Map"]))
}

/// The JSON scalars the generated types hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// `String`.
    String,
}

/// The scalar `ty` is, if it is one (`i64`, `f64`, `bool`, `String`; no other integer width is
/// generated).
pub fn scalar(ty: &Type) -> Option<Scalar> {
    let path = type_path(ty)?;
    if !type_args(path).is_empty() {
        return None;
    }
    if path_is(path, &["i64"]) {
        Some(Scalar::Int)
    } else if path_is(path, &["f64"]) {
        Some(Scalar::Float)
    } else if path_is(path, &["bool"]) {
        Some(Scalar::Bool)
    } else if is_std(path, "string", "String") {
        Some(Scalar::String)
    } else {
        None
    }
}

/// The name of a generated type: `crate::types::X` or a bare `X` that starts with an upper-case
/// letter and takes no generic arguments (standard names such as `String` excluded).
pub fn generated_type(ty: &Type) -> Option<&Ident> {
    let path = type_path(ty)?;
    let last = path.segments.last()?;
    if !matches!(last.arguments, syn::PathArguments::None) || scalar(ty).is_some() {
        return None;
    }
    let prefix_ok = path.segments.len() == 1
        || (path.segments.len() == 3
            && path.segments[0].ident == "crate"
            && path.segments[1].ident == "types");
    let upper = last
        .ident
        .to_string()
        .starts_with(|c: char| c.is_ascii_uppercase());
    (prefix_ok && path.leading_colon.is_none() && upper).then_some(&last.ident)
}

/// `&'a crate::types::X` or `&'a types::X` → `crate::types::X`: a reference to a generated type.
pub fn reference_to_generated(ty: &Type) -> Option<&Type> {
    let Type::Reference(r) = ty else { return None };
    let path = type_path(&r.elem)?;
    let segs: Vec<&Ident> = path.segments.iter().map(|s| &s.ident).collect();
    let in_types = path.leading_colon.is_none()
        && match segs.as_slice() {
            [c, t, _, ..] if *c == "crate" && *t == "types" => true,
            [t, _, ..] => *t == "types",
            _ => false,
        };
    in_types.then_some(&*r.elem)
}

/// Whether `ty` is exactly the type named `name` (one segment, no arguments): `Client`.
pub fn is_type_named(ty: &Type, name: &str) -> bool {
    type_path(ty).is_some_and(|p| {
        path_is(p, &[name]) && matches!(p.segments[0].arguments, syn::PathArguments::None)
    })
}

/// The identifier of the type a path type names (its last segment): `crate::types::Bdb` → `Bdb`.
pub fn last_ident(ty: &Type) -> Option<&Ident> {
    type_path(ty)?.segments.last().map(|s| &s.ident)
}

/// Whether `ty` is `()`.
pub fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// Whether the attributes derive `name` (`#[derive(::serde::Serialize, Debug)]` derives
/// `Serialize` and `Debug`).
pub fn derives(attrs: &[Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(Punctuated::<Path, syn::Token![,]>::parse_terminated)
                .map(|paths| {
                    paths
                        .iter()
                        .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
                })
                .unwrap_or(false)
        })
}

/// Calls `visit` with each argument of each `#[serde(…)]` attribute: its name and, for
/// `name = value` arguments, the value. Arguments that are not `name` or `name = expr` make the
/// attribute count as having none.
fn serde_args(attrs: &[Attribute], mut visit: impl FnMut(&Path, Option<&Expr>)) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut args = Vec::new();
        let parsed = attr.parse_nested_meta(|meta| {
            let value = if meta.input.peek(syn::Token![=]) {
                Some(meta.value()?.parse::<Expr>()?)
            } else {
                None
            };
            args.push((meta.path.clone(), value));
            Ok(())
        });
        if parsed.is_ok() {
            for (path, value) in &args {
                visit(path, value.as_ref());
            }
        }
    }
}

/// Whether a `#[serde(…)]` attribute names one of `flags` (`default`, `flatten`, `untagged`…),
/// bare or with a value.
pub fn has_serde_flag(attrs: &[Attribute], flags: &[&str]) -> bool {
    let mut found = false;
    serde_args(attrs, |path, _| {
        found |= flags.iter().any(|f| path.is_ident(f));
    });
    found
}

/// The string value of the `#[serde(name = "…")]` argument, if a serde attribute has it.
pub fn serde_str(attrs: &[Attribute], name: &str) -> Option<String> {
    let mut found = None;
    serde_args(attrs, |path, value| {
        if let (
            true,
            Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })),
        ) = (path.is_ident(name), value)
        {
            found = Some(s.value());
        }
    });
    found
}

/// The function path a serde argument names (`skip_serializing_if = "::std::vec::Vec::is_empty"`
/// → the path `::std::vec::Vec::is_empty`), when its string parses as one.
pub fn serde_fn_path(attrs: &[Attribute], name: &str) -> Option<Path> {
    syn::parse_str(&serde_str(attrs, name)?).ok()
}

/// Whether a `skip_serializing_if` function is `Option::is_none`.
pub fn is_option_is_none(path: &Path) -> bool {
    path_is(path, &["std", "option", "Option", "is_none"]) || path_is(path, &["Option", "is_none"])
}

/// The JSON name of a generated field: its `serde(rename)` if it has one, else its identifier
/// (without `r#`).
pub fn property_name(field: &syn::Field) -> String {
    serde_str(&field.attrs, "rename").unwrap_or_else(|| {
        field
            .ident
            .as_ref()
            .map(|i| i.to_string().trim_start_matches("r#").to_string())
            .unwrap_or_default()
    })
}

/// Whether `expr` is the bare path `name` (`self`, `response`).
pub fn is_ident_expr(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// The arguments of `expr` when it is a call of the function at `segments`
/// (`ResponseValue::from_response(response)`).
pub fn call_args<'a>(
    expr: &'a Expr,
    segments: &[&str],
) -> Option<&'a Punctuated<Expr, syn::Token![,]>> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    (func.qself.is_none() && path_is(&func.path, segments)).then_some(&call.args)
}

/// The value of a block expression `{ e }` (progenitor wraps each match arm in one), else `expr`.
pub fn unblock(expr: &Expr) -> &Expr {
    match expr {
        Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => match b.block.stmts.as_slice()
        {
            [syn::Stmt::Expr(inner, None)] => unblock(inner),
            _ => expr,
        },
        _ => expr,
    }
}

/// What one arm of progenitor's response `match` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseArm {
    /// `ResponseValue::from_response(response).await`: a documented success.
    Success,
    /// `Err(Error::ErrorResponse(…))`: a documented error status.
    ErrorResponse,
    /// `Err(Error::UnexpectedResponse(response))`: any other status.
    Unexpected,
    /// `Ok(ResponseValue::empty(response))`: a documented success without a body, whose body
    /// progenitor would never read.
    Empty,
}

/// Which of progenitor's response arms `arm` is, if it is one.
pub fn response_arm(arm: &syn::Arm) -> Option<ResponseArm> {
    let body = unblock(&arm.body);
    if let Expr::Await(a) = body {
        let args = call_args(&a.base, &["ResponseValue", "from_response"])?;
        return (args.len() == 1 && is_ident_expr(&args[0], "response"))
            .then_some(ResponseArm::Success);
    }
    if let Some(args) = call_args(body, &["Ok"]) {
        let [ok] = args.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let args = call_args(ok, &["ResponseValue", "empty"])?;
        return (args.len() == 1 && is_ident_expr(&args[0], "response"))
            .then_some(ResponseArm::Empty);
    }
    let [err] = call_args(body, &["Err"])?.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if call_args(err, &["Error", "ErrorResponse"]).is_some() {
        return Some(ResponseArm::ErrorResponse);
    }
    let args = call_args(err, &["Error", "UnexpectedResponse"])?;
    (args.len() == 1 && is_ident_expr(&args[0], "response")).then_some(ResponseArm::Unexpected)
}

/// Whether `call` is `self.<method>(…)`.
pub fn is_self_call(call: &syn::ExprMethodCall, method: &str) -> bool {
    call.method == method && is_ident_expr(&call.receiver, "self")
}

/// Every path in `file` that ends with one of `suffixes`, as the suffix it ends with.
pub fn paths_ending_with<'s>(file: &syn::File, suffixes: &[&'s [&'s str]]) -> Vec<&'s [&'s str]> {
    struct Finder<'a, 's> {
        suffixes: &'a [&'s [&'s str]],
        found: Vec<&'s [&'s str]>,
    }
    impl<'ast> Visit<'ast> for Finder<'_, '_> {
        fn visit_path(&mut self, path: &'ast Path) {
            for s in self.suffixes {
                if path_ends_with(path, s) {
                    self.found.push(s);
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut finder = Finder {
        suffixes,
        found: Vec::new(),
    };
    finder.visit_file(file);
    finder.found
}

/// The status code of the first `.status(N)` call in `block` (progenitor's mock responders:
/// `self.0.status(200u16)`).
pub fn status_code(block: &syn::Block) -> Option<u16> {
    struct Finder(Option<u16>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            if self.0.is_none() && call.method == "status" && call.args.len() == 1 {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(code),
                    ..
                }) = &call.args[0]
                {
                    self.0 = code.base10_parse().ok();
                }
            }
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut finder = Finder(None);
    finder.visit_block(block);
    finder.0
}

/// Every identifier the paths in an item name, in any segment (`crate::types::Bdb` gives
/// `crate`, `types`, `Bdb`): the names a definition refers to.
pub fn names_in_item(item: &syn::Item) -> BTreeSet<String> {
    let mut c = NameCollector::default();
    c.visit_item(item);
    c.0
}

/// [`names_in_item`] for a path (a trait with its arguments: `From<Blueprint>`).
pub fn names_in_path(path: &Path) -> BTreeSet<String> {
    let mut c = NameCollector::default();
    c.visit_path(path);
    c.0
}

/// [`names_in_item`] for a method signature: the names its parameters and result refer to.
pub fn names_in_signature(sig: &syn::Signature) -> BTreeSet<String> {
    let mut c = NameCollector::default();
    c.visit_signature(sig);
    c.0
}

#[derive(Default)]
struct NameCollector(BTreeSet<String>);

impl<'ast> Visit<'ast> for NameCollector {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        self.0.insert(seg.ident.to_string());
        syn::visit::visit_path_segment(self, seg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn types_are_recognised_by_shape() {
        let opt: Type = parse_quote!(::std::option::Option<::std::string::String>);
        assert_eq!(option_inner(&opt).and_then(scalar), Some(Scalar::String));
        let bare: Type = parse_quote!(Option<i64>);
        assert_eq!(option_inner(&bare).and_then(scalar), Some(Scalar::Int));
        let map: Type = parse_quote!(::std::collections::BTreeMap<::std::string::String, bool>);
        let (k, v) = btree_map_entry(&map).expect("a map");
        assert_eq!(
            (scalar(k), scalar(v)),
            (Some(Scalar::String), Some(Scalar::Bool))
        );
        let generated: Type = parse_quote!(crate::types::Bdb);
        assert_eq!(
            generated_type(&generated).map(|i| i.to_string()).as_deref(),
            Some("Bdb")
        );
        let not_generated: Type = parse_quote!(::chrono::DateTime);
        assert_eq!(generated_type(&not_generated), None);
        let reference: Type = parse_quote!(&'a types::Interval);
        assert!(reference_to_generated(&reference).is_some());
        let string: Type = parse_quote!(&'a str);
        assert!(reference_to_generated(&string).is_none());
    }

    #[test]
    fn progenitor_arms_are_recognised() {
        let arms: Vec<syn::Arm> = vec![
            parse_quote!(200u16 => { ResponseValue::from_response(response).await }),
            parse_quote!(400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?))),
            parse_quote!(_ => Err(Error::UnexpectedResponse(response))),
            parse_quote!(_ => Err(Error::Custom(response))),
        ];
        let kinds: Vec<_> = arms.iter().map(response_arm).collect();
        assert_eq!(
            kinds,
            [
                Some(ResponseArm::Success),
                Some(ResponseArm::ErrorResponse),
                Some(ResponseArm::Unexpected),
                None
            ]
        );
    }

    #[test]
    fn serde_arguments_and_status_calls() {
        let field: syn::Field = parse_quote!(
            #[serde(rename = "state-machines", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
            pub state_machines: Vec<String>
        );
        assert_eq!(property_name(&field), "state-machines");
        assert!(has_serde_flag(&field.attrs, &["default"]));
        let skip = serde_fn_path(&field.attrs, "skip_serializing_if").expect("a path");
        assert!(path_ends_with(&skip, &["is_empty"]));
        let block: syn::Block = parse_quote!({
            self.0 = self.0.status(404u16).json_body(value);
            self
        });
        assert_eq!(status_code(&block), Some(404));
        let attrs: Vec<Attribute> = vec![parse_quote!(#[derive(::serde::Deserialize, Clone)])];
        assert!(derives(&attrs, "Deserialize") && !derives(&attrs, "Serialize"));
    }
}
