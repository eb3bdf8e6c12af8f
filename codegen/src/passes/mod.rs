//! Post-processing of progenitor's tokens with `syn`, as a list of named passes ([`PIPELINE`]),
//! run in order. Each pass does one thing and fails loudly (a `Pass` error) when progenitor's
//! output no longer has the shape it expects, rather than silently doing nothing.
//!
//! The passes are grouped by what they transform: [`types`] (the `types` module), [`client`]
//! (the `Client` methods) and [`mocks`] (the httpmock module) hold the house choices;
//! [`upstream`] holds the workarounds for what progenitor or typify emit, each naming the
//! upstream behaviour it works around. Code is recognised by its shape ([`crate::syntax`]).

pub mod client;
pub mod mocks;
pub mod types;
pub mod upstream;

use proc_macro2::TokenStream;
use syn::{parse_quote, File, Item, ItemMod};

use crate::generate::Tokens;
use crate::prepare::Prepared;
use crate::Error;

/// The syntax trees the passes work on.
#[derive(Debug, Clone)]
pub struct Trees {
    /// progenitor's client: everything but the `types` module (left as `pub mod types;`).
    pub client: File,
    /// The items of the `types` module.
    pub types: File,
    /// The httpmock module.
    pub mock: File,
}

impl Trees {
    /// Parses progenitor's output and takes the `types` module out of the client.
    pub fn parse(tokens: Tokens) -> Result<Self, Error> {
        let mut client = parse("parse client", tokens.client)?;
        let mock = parse("parse mock", tokens.mock)?;
        let at = client
            .items
            .iter()
            .position(|i| matches!(i, Item::Mod(m) if m.ident == "types"))
            .ok_or(Error::Pass {
                pass: "parse client",
                message: "no `mod types` in progenitor output".into(),
            })?;
        let Item::Mod(types_mod) = client.items.remove(at) else {
            unreachable!("position() matched a module")
        };
        let ItemMod { content, attrs, .. } = types_mod;
        client
            .items
            .insert(at, parse_quote! { #(#attrs)* pub mod types; });
        let mut types: File = parse_quote!();
        types.items = content.map(|(_, items)| items).unwrap_or_default();
        Ok(Trees {
            client,
            types,
            mock,
        })
    }
}

/// Parses tokens as a file; `pass` names the step in the error.
pub(crate) fn parse(pass: &'static str, tokens: TokenStream) -> Result<File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Pass {
        pass,
        message: e.to_string(),
    })
}

/// What a pass transforms, and the function that does it.
#[derive(Clone, Copy)]
pub enum Step {
    /// The items of the `types` module.
    Types(fn(&mut File, &Prepared) -> Result<(), Error>),
    /// The client (its `impl Client` methods).
    Client(fn(&mut File, &Prepared) -> Result<(), Error>),
    /// The httpmock module.
    Mock(fn(&mut File) -> Result<(), Error>),
}

/// One named pass.
#[derive(Clone, Copy)]
pub struct Pass {
    /// The pass's name, as its errors report it.
    pub name: &'static str,
    /// What it transforms and how.
    pub step: Step,
}

const fn pass(name: &'static str, step: Step) -> Pass {
    Pass { name, step }
}

/// Every pass, in the order they run. Order matters where noted: field attributes are pushed
/// in this order, and a pass that reads what another adds runs after it.
pub const PIPELINE: &[Pass] = &[
    // The httpmock module.
    pass(
        "escape_mock_regexes",
        Step::Mock(upstream::escape_mock_regexes),
    ),
    pass("document_mocks", Step::Mock(upstream::document_mocks)),
    pass("seal_mock_trait", Step::Mock(mocks::seal_mock_trait)),
    // Types: enums first, then the fields of every struct, then what follows from the fields.
    pass("lenient_variants", Step::Types(types::lenient_variants)),
    pass(
        "document_variants",
        Step::Types(upstream::document_variants),
    ),
    pass(
        "optional_collections",
        Step::Types(upstream::optional_collections),
    ),
    pass("lenient_fields", Step::Types(types::lenient_fields)),
    pass(
        "deprecated_fields",
        Step::Types(upstream::deprecated_fields),
    ),
    pass(
        "keep_unknown_properties",
        Step::Types(types::keep_unknown_properties),
    ),
    // Reads every field, `extra` included.
    pass("serialize_impl", Step::Types(types::serialize_impls)),
    pass("redact_secrets", Step::Types(types::redact_secrets)),
    pass("body_setters", Step::Types(types::body_setters)),
    pass("starts_action", Step::Types(types::starts_action)),
    pass("open_enums", Step::Types(types::open_enums)),
    // It sees every struct and enum, the open enums included.
    pass("non_exhaustive", Step::Types(types::non_exhaustive)),
    // After every pass that reads `#[serde]` attributes: it removes them with the derive.
    pass("deserialize_impls", Step::Types(types::deserialize_impls)),
    // The client.
    pass(
        "deprecate_operations",
        Step::Client(upstream::deprecate_operations),
    ),
    pass(
        "drop_default_constructor",
        Step::Client(upstream::drop_default_constructor),
    ),
    pass("typed_hooks", Step::Client(upstream::typed_hooks)),
    pass("own_error_type", Step::Client(client::own_error_type)),
    // Reads what own_error_type wrote.
    pass("shared_send", Step::Client(client::shared_send)),
];

/// Runs every pass of [`PIPELINE`] in order.
pub fn run(trees: &mut Trees, prepared: &Prepared) -> Result<(), Error> {
    for pass in PIPELINE {
        match pass.step {
            Step::Types(f) => f(&mut trees.types, prepared)?,
            Step::Client(f) => f(&mut trees.client, prepared)?,
            Step::Mock(f) => f(&mut trees.mock)?,
        }
    }
    Ok(())
}

/// The named fields of every struct of `types` that derives `Deserialize`.
pub(crate) fn object_fields(
    items: &mut [Item],
) -> impl Iterator<Item = (&syn::Ident, &mut syn::FieldsNamed)> {
    items.iter_mut().filter_map(|item| match item {
        Item::Struct(s) if crate::syntax::derives(&s.attrs, "Deserialize") => match &mut s.fields {
            syn::Fields::Named(fields) => Some((&s.ident, fields)),
            _ => None,
        },
        _ => None,
    })
}

/// The `impl Client` block with the operations (progenitor's inherent one with async methods).
pub(crate) fn client_methods(file: &mut File) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    file.items
        .iter_mut()
        .filter_map(|item| match item {
            Item::Impl(imp)
                if imp.trait_.is_none() && crate::syntax::is_type_named(&imp.self_ty, "Client") =>
            {
                Some(imp.items.iter_mut())
            }
            _ => None,
        })
        .flatten()
        .filter_map(|i| match i {
            syn::ImplItem::Fn(f) if f.sig.asyncness.is_some() => Some(f),
            _ => None,
        })
}
