//! Layout: which file each generated item lands in, by resource (tag), so that a change to one
//! object in the spec shows in that object's file only. Nothing here changes a generated item.
//!
//! - operations: `builder/<tag>.rs`, each operation's `Client` method and its request builder
//!   ([`crate::builders`]); a tag that has both stats or alerts operations (a path segment
//!   `stats`, `alerts` or `…_stats`) and others keeps the former in `builder/<tag>_monitoring.rs`
//!   (`bdbs`, `cluster`, `nodes`, `shards`), so that the database operations stay readable;
//! - types: `types/<tag>.rs`, each type followed by all its `impl` blocks, types in name order.
//!   A type's owner is the tag of the operation that reaches it in the fewest steps (its
//!   parameters and result name the type: 0 steps; a field of such a type: 1 step; …), ties going
//!   to the operation first in spec order. `Bdb` is named by the bdbs operations, so it lives in
//!   `types/bdbs.rs`. Types no operation reaches live in `types/unreached.rs`; items that are no
//!   type (typify's `error` module) in `types/mod.rs`;
//! - mocks: `mock/operations/<tag>.rs` (and `<tag>_monitoring.rs`, as for the operations), the
//!   `…When`/`…Then` wrappers of that tag's operations;
//! - `mod.rs` (the client and the module tree), `operations.rs` (the operation table),
//!   `mock/mod.rs` (`MockServerExt`).
//!
//! Files are not split by size: a file holds one resource whatever its length.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use quote::ToTokens;
use syn::{parse_quote, File, Item};

use crate::builders::OperationItems;
use crate::passes::Trees;
use crate::prepare::Prepared;
use crate::{syntax, Error};

/// Items by the name of the file they land in.
type Groups = BTreeMap<String, Vec<Item>>;

/// The file that holds types no operation reaches.
pub const UNREACHED: &str = "unreached";

/// Every generated file as a syntax tree, by path relative to the output folder.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// `mod.rs`, `types/bdbs.rs`, …
    pub files: BTreeMap<String, File>,
}

fn fail(pass: &'static str, message: String) -> Error {
    Error::Pass { pass, message }
}

/// The name a type-like item defines, or the type an `impl` block is for.
fn owner(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => syntax::last_ident(&i.self_ty).map(|i| i.to_string()),
        _ => None,
    }
}

/// A glob import that some of the split files do not need.
fn allow_unused(mut import: syn::ItemUse) -> Item {
    import
        .attrs
        .push(syn::parse_quote!(#[allow(unused_imports)]));
    Item::Use(import)
}

fn file_of(prelude: &[Item], items: impl IntoIterator<Item = Item>) -> File {
    let mut file: File = parse_quote!();
    file.items.extend(prelude.iter().cloned());
    file.items.extend(items);
    file
}

fn ident(name: &str) -> syn::Ident {
    syn::Ident::new(name, proc_macro2::Span::call_site())
}

/// Whether a path reads statistics or alerts: a segment `stats`, `alerts` or `…_stats`.
fn is_monitoring(path: &str) -> bool {
    path.split('/')
        .any(|s| s == "stats" || s == "alerts" || s.ends_with("_stats"))
}

/// Lays the processed trees, the operations ([`crate::builders`]) and the operation table out
/// in files.
pub fn layout(
    trees: Trees,
    operations: Vec<OperationItems>,
    table: File,
    prepared: &Prepared,
) -> Result<Layout, Error> {
    let Trees {
        mut client,
        types,
        mut mock,
    } = trees;
    let tags: BTreeMap<&str, &str> = prepared
        .operations
        .iter()
        .map(|op| (op.id.as_str(), op.tag.as_str()))
        .collect();
    // Tags with both monitoring and other operations: their monitoring ones get a file of their
    // own. Decided from the paths alone, never from sizes, so files do not trade items.
    let monitoring_ops: BTreeSet<&str> = prepared
        .operations
        .iter()
        .filter(|op| is_monitoring(&op.path))
        .map(|op| op.id.as_str())
        .collect();
    let mixed_tags: BTreeSet<&str> = prepared
        .operations
        .iter()
        .filter(|op| monitoring_ops.contains(op.id.as_str()))
        .map(|op| op.tag.as_str())
        .filter(|tag| {
            prepared
                .operations
                .iter()
                .any(|other| other.tag == *tag && !monitoring_ops.contains(other.id.as_str()))
        })
        .collect();
    // The file (under `builder/` and `mock/operations/`) of an operation of `tag`.
    let operation_file = |id: &str, tag: &str| -> String {
        if mixed_tags.contains(tag) && monitoring_ops.contains(id) {
            format!("{tag}_monitoring")
        } else {
            tag.to_string()
        }
    };
    let mut layout = Layout::default();

    // Operations: one file per tag.
    let mut signatures = BTreeMap::new();
    let mut by_file: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for op in operations {
        let tag = tags.get(op.id.as_str()).ok_or_else(|| {
            fail(
                "layout operations",
                format!("method {} is not an operation", op.id),
            )
        })?;
        let file = operation_file(&op.id, tag);
        by_file.entry(file).or_default().extend(op.items);
        signatures.insert(op.id, op.signature);
    }
    let prelude = [allow_unused(parse_quote!(
        use super::super::*;
    ))];
    let builder_modules: Vec<syn::Ident> = by_file.keys().map(|t| ident(t)).collect();
    for (file, items) in by_file {
        layout
            .files
            .insert(format!("builder/{file}.rs"), file_of(&prelude, items));
    }

    // Types: one file per owning tag.
    let mut roots = Vec::new();
    for op in &prepared.operations {
        if let Some(sig) = signatures.get(&op.id) {
            roots.push((op.tag.as_str(), syntax::names_in_signature(sig)));
        }
    }
    let (groups, loose) = group_types(types.items, &roots)?;
    let prelude = [allow_unused(parse_quote!(
        use super::*;
    ))];
    let type_modules: Vec<syn::Ident> = groups.keys().map(|t| ident(t)).collect();
    for (group, items) in groups {
        layout
            .files
            .insert(format!("types/{group}.rs"), file_of(&prelude, items));
    }
    let mut types_mod: File = parse_quote! {
        //! The types of the API, one file per resource: each type and its impls in the file of
        //! the resource whose operations reach it most directly.
    };
    types_mod.items.extend(loose);
    types_mod.items.extend(
        type_modules
            .iter()
            .flat_map(|m| [parse_quote!(mod #m;), parse_quote!(pub use #m::*;)]),
    );
    layout.files.insert("types/mod.rs".into(), types_mod);

    // Mocks: the `operations` wrappers by tag; the `MockServerExt` trait stays in `mock/mod.rs`.
    let ops_at = mock
        .items
        .iter()
        .position(|i| matches!(i, Item::Mod(m) if m.ident == "operations"))
        .ok_or_else(|| fail("layout mocks", "no `mod operations` in the mocks".into()))?;
    let Item::Mod(ops_mod) = &mut mock.items[ops_at] else {
        unreachable!("position() matched a module")
    };
    let (_, ops_items) = ops_mod
        .content
        .take()
        .ok_or_else(|| fail("layout mocks", "`mod operations` has no body".into()))?;
    let mut mock_prelude = Vec::new();
    let mut mock_groups: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for item in ops_items {
        if let Item::Use(import) = item {
            mock_prelude.push(allow_unused(import));
            continue;
        }
        let tag = owner(&item)
            .and_then(|name| {
                let op = name
                    .strip_suffix("When")
                    .or_else(|| name.strip_suffix("Then"))?
                    .to_snake_case();
                tags.get(op.as_str()).map(|t| operation_file(&op, t))
            })
            .ok_or_else(|| {
                fail(
                    "layout mocks",
                    format!(
                        "mock item `{}` belongs to no operation",
                        item.to_token_stream()
                            .to_string()
                            .chars()
                            .take(60)
                            .collect::<String>()
                    ),
                )
            })?;
        mock_groups.entry(tag).or_default().push(item);
    }
    let mock_modules: Vec<syn::Ident> = mock_groups.keys().map(|t| ident(t)).collect();
    for (file, items) in mock_groups {
        layout.files.insert(
            format!("mock/operations/{file}.rs"),
            file_of(&mock_prelude, items),
        );
    }
    let (inner, outer): (Vec<_>, Vec<_>) = ops_mod
        .attrs
        .iter()
        .cloned()
        .partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
    mock.items[ops_at] = parse_quote! {
        #(#outer)*
        pub mod operations {
            #(#inner)*
            #( mod #mock_modules; pub use #mock_modules::*; )*
        }
    };
    layout.files.insert("mock/mod.rs".into(), mock);

    let tree: File = parse_quote! {
        pub mod config;
        mod glue;
        pub mod operations;
        /// Typed [httpmock](https://docs.rs/httpmock) stubs for every operation (feature `mock`).
        #[cfg(feature = "mock")]
        #[allow(clippy::all)]
        pub mod mock;
        /// The OpenAPI document this crate was generated from (feature `openapi`).
        #[cfg(feature = "openapi")]
        pub mod openapi;
        /// The operations: the [`Client`] method of each one returns its request builder, found
        /// here under the operation's name in `UpperCamelCase` (`Client::bdb_list` returns a
        /// [`builder::BdbList`]). Required parameters are the method's arguments, optional ones
        /// are the builder's methods, and `send()` makes the request. One file per resource.
        pub mod builder {
            #( mod #builder_modules; pub use #builder_modules::*; )*
        }
    };
    client.items.splice(0..0, tree.items);
    layout.files.insert("mod.rs".into(), client);
    layout.files.insert("operations.rs".into(), table);
    // The spec-independent glue between `Client` and the runtime crate ([`crate::glue`]).
    layout
        .files
        .insert("config.rs".into(), crate::glue::config_module());
    layout
        .files
        .insert("glue.rs".into(), crate::glue::glue_module());
    Ok(layout)
}

/// Groups the items of the `types` module by owning tag (see the module doc): each type's
/// definition followed by its impls, types in name order. `roots` are the operations in spec
/// order, each with its tag and the names its signature refers to. Returns the groups and the
/// items that belong to no type.
fn group_types(
    types: Vec<Item>,
    roots: &[(&str, BTreeSet<String>)],
) -> Result<(Groups, Vec<Item>), Error> {
    let mut defs: BTreeMap<String, Item> = BTreeMap::new();
    let mut impls: Vec<(String, Item)> = Vec::new();
    let mut loose = Vec::new();
    for item in types {
        match (owner(&item), &item) {
            (Some(name), Item::Impl(_)) => impls.push((name, item)),
            (Some(name), _) => {
                if defs.insert(name.clone(), item).is_some() {
                    return Err(fail("layout types", format!("`{name}` is defined twice")));
                }
            }
            (None, _) => loose.push(item),
        }
    }
    let names: BTreeSet<&String> = defs.keys().collect();
    // Type → the types its definition refers to.
    let edges: BTreeMap<&String, Vec<String>> = defs
        .iter()
        .map(|(name, item)| {
            let refs = syntax::names_in_item(item)
                .into_iter()
                .filter(|n| n != name && names.contains(n))
                .collect();
            (name, refs)
        })
        .collect();
    // Type → (steps, operation index) of the nearest operation; the first in spec order wins ties.
    let mut nearest: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (index, (_, mentioned)) in roots.iter().enumerate() {
        let mut frontier: Vec<String> = mentioned
            .iter()
            .filter(|n| names.contains(n))
            .cloned()
            .collect();
        let mut seen: BTreeSet<String> = frontier.iter().cloned().collect();
        let mut steps = 0;
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for name in frontier {
                let best = nearest.entry(name.clone()).or_insert((steps, index));
                if (steps, index) < *best {
                    *best = (steps, index);
                }
                for to in edges.get(&name).into_iter().flatten() {
                    if seen.insert(to.clone()) {
                        next.push(to.clone());
                    }
                }
            }
            frontier = next;
            steps += 1;
        }
    }
    let mut by_owner: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for (name, item) in defs {
        by_owner.entry(name).or_default().push(item);
    }
    for (self_ty, item) in impls {
        // `impl From<Blueprint> for Vec<Entry>` belongs to the generated type it converts from.
        let name = match (&item, by_owner.contains_key(&self_ty)) {
            (_, true) => self_ty,
            (Item::Impl(imp), false) => imp
                .trait_
                .as_ref()
                .and_then(|(path, _)| {
                    syntax::names_in_path(path)
                        .into_iter()
                        .find(|n| by_owner.contains_key(n))
                })
                .unwrap_or(self_ty),
            _ => self_ty,
        };
        by_owner
            .get_mut(&name)
            .ok_or_else(|| {
                fail(
                    "layout types",
                    format!("an impl block for `{name}`, which `types` does not define"),
                )
            })?
            .push(item);
    }
    let mut groups = Groups::new();
    for (name, items) in by_owner {
        let group = match nearest.get(&name) {
            Some((_, index)) => roots[*index].0.to_string(),
            None => UNREACHED.to_string(),
        };
        groups.entry(group).or_default().extend(items);
    }
    Ok((groups, loose))
}
