//! Splitting the generated code into files by resource (tag), so that a change to one resource
//! in the spec shows in that resource's files and no file grows past [`MAX_LINES`]:
//!
//! - operations: `builder/<tag>.rs`, each operation's `Client` method and its request builder
//!   (`crate::builders`);
//! - types: `types/<tag>.rs` for the types only that tag's operations reach (through their
//!   parameters, bodies and the fields of those types), `types/shared.rs` for the rest; each
//!   type's `impl` blocks go with it;
//! - mocks: `mock/operations/<tag>.rs`, the `…When`/`…Then` wrappers of that tag's operations.
//!
//! A group larger than [`MAX_LINES`] continues in `<tag>_2.rs`, `<tag>_3.rs`, … (items in order).
//! Nothing here changes a generated item: it only decides which file each one lands in.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use proc_macro2::TokenTree;
use quote::ToTokens;
use syn::{File, Item};

/// The most lines a generated file should have (the header included, a little slack left).
pub const MAX_LINES: usize = 4_800;

/// Named groups of items, each to become one file or more.
pub type Groups = BTreeMap<String, Vec<Item>>;

/// The identifier a type-like item defines, or the type an `impl` block is for.
fn owner(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Impl(i) => match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// Every identifier in a token stream.
fn idents(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Groups the items of the `types` module by tag. `roots` maps each tag to the identifiers its
/// operations mention (signatures); a type reached from exactly one tag joins that tag's group.
pub fn group_types(types: File, roots: &BTreeMap<String, BTreeSet<String>>) -> Groups {
    let names: BTreeSet<String> = types
        .items
        .iter()
        .filter(|i| !matches!(i, Item::Impl(_)))
        .filter_map(owner)
        .collect();
    // Type → the types its definition mentions.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in &types.items {
        if matches!(item, Item::Impl(_)) {
            continue;
        }
        let Some(name) = owner(item) else { continue };
        let mut seen = BTreeSet::new();
        idents(item.to_token_stream(), &mut seen);
        seen.retain(|i| names.contains(i) && *i != name);
        edges.entry(name).or_default().extend(seen);
    }
    // Type → the tags that reach it.
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (tag, mentioned) in roots {
        let mut stack: Vec<String> = mentioned
            .iter()
            .filter(|i| names.contains(*i))
            .cloned()
            .collect();
        let mut visited = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !visited.insert(name.clone()) {
                continue;
            }
            reached.entry(name.clone()).or_default().insert(tag.clone());
            if let Some(next) = edges.get(&name) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    let group_of = |name: &str| -> String {
        match reached.get(name) {
            Some(tags) if tags.len() == 1 => tags.iter().next().cloned().unwrap_or_default(),
            _ => "shared".to_string(),
        }
    };
    let mut groups = Groups::new();
    for item in types.items {
        let group = owner(&item)
            .map(|n| group_of(&n))
            .unwrap_or_else(|| "shared".to_string());
        groups.entry(group).or_default().push(item);
    }
    groups
}

/// The identifiers each tag's operations mention in their signatures, from the `impl Client`
/// methods (the method name is the operationId).
pub fn signature_roots(
    methods: &[syn::ImplItem],
    tags: &BTreeMap<String, String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut roots: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in methods {
        let syn::ImplItem::Fn(f) = m else { continue };
        let Some(tag) = tags.get(&f.sig.ident.to_string()) else {
            continue;
        };
        idents(
            f.sig.to_token_stream(),
            roots.entry(tag.clone()).or_default(),
        );
    }
    roots
}

/// The tag of a mock wrapper (`BdbGetWhen`, `BdbGetThen`, or an `impl` of one).
pub fn mock_tag(item: &Item, tags: &BTreeMap<String, String>) -> Option<String> {
    tags.get(&mock_operation(item)?).cloned()
}

/// The operation id a mock item (`<Op>When`, `<Op>Then` or their impls) belongs to. A wrapper's
/// tuple field is private to its file, so its impls must be written in the same file: mocks
/// are chunked by operation.
pub fn mock_operation(item: &Item) -> Option<String> {
    let name = owner(item)?;
    Some(
        name.strip_suffix("When")
            .or_else(|| name.strip_suffix("Then"))?
            .to_snake_case(),
    )
}

/// Splits one group's items into files of at most [`MAX_LINES`] lines (after formatting):
/// `(file stem, formatted text)`, the first named `stem`, the next `stem_2`, and so on. `prelude`
/// items (imports) start every file.
pub fn chunk(
    stem: &str,
    prelude: &[Item],
    items: Vec<Item>,
    budget: usize,
) -> Vec<(String, String)> {
    chunk_units(
        stem,
        prelude,
        items.into_iter().map(|i| vec![i]).collect(),
        budget,
    )
}

/// [`chunk`] for units of items that must stay in one file (an operation's method and its
/// request builder).
pub fn chunk_units(
    stem: &str,
    prelude: &[Item],
    units: Vec<Vec<Item>>,
    budget: usize,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Vec<Item> = Vec::new();
    let mut lines = 0;
    let flush = |current: &mut Vec<Item>, out: &mut Vec<(String, String)>| {
        if current.is_empty() {
            return;
        }
        let mut file: File = syn::parse_quote!();
        file.items.extend(prelude.iter().cloned());
        file.items.append(current);
        let name = if out.is_empty() {
            stem.to_string()
        } else {
            format!("{stem}_{}", out.len() + 1)
        };
        out.push((name, prettyplease::unparse(&file)));
    };
    for unit in units {
        let mut one: File = syn::parse_quote!();
        one.items.extend(unit.iter().cloned());
        let n = prettyplease::unparse(&one).lines().count();
        if lines + n > budget && !current.is_empty() {
            flush(&mut current, &mut out);
            lines = 0;
        }
        lines += n;
        current.extend(unit);
    }
    flush(&mut current, &mut out);
    out
}
