//! The operation table, `operations.rs`: every operation of the spec (method, path template,
//! tag, versions, flags) for tracing, retries and the tests that count coverage, and the body
//! codecs that decode any operation's JSON body into its generated type by operationId. It is
//! generated from the prepared spec and the signatures of the client methods, after the passes.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{File, Item, Type};

use crate::prepare::Prepared;
use crate::syntax;
use crate::Error;

/// Generates `operations.rs` from the prepared spec and the (processed) client.
pub fn generate(prepared: &Prepared, client: &File) -> Result<File, Error> {
    crate::passes::parse(
        "operation table",
        operation_table(prepared, codec_table(client)),
    )
}

/// Per generated operation: (operationId, success body type, request body type).
type Codec = (String, Option<Type>, Option<Type>);

/// Reads the body types of every generated operation from its signature.
fn codec_table(file: &File) -> Vec<Codec> {
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || !syntax::is_type_named(&imp.self_ty, "Client") {
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
                syn::FnArg::Typed(pt) if matches!(&*pt.pat, syn::Pat::Ident(p) if p.ident == "body") => match &*pt.ty {
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

/// `Result<ResponseValue<T>, E>` → `T`, unless `T` is a byte stream, `()` or `UndocumentedBody`.
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
    // No codec for bodies the spec does not type: streams, and bodies documented as absent
    // (`()`, or `UndocumentedBody` once the client pass has made them keep what was sent).
    if syntax::is_unit(t)
        || syntax::last_ident(t).is_some_and(|i| i == "ByteStream" || i == "UndocumentedBody")
    {
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
        let safety = match op.safety.as_str() {
            "read" => quote!(Safety::Read),
            "write" => quote!(Safety::Write),
            _ => quote!(Safety::Destructive),
        };
        quote! {
            Operation { id: #id, method: #method, path: #path, tag: #tag, since: #since, removed_in: #removed_in, served_in: &[#(#served_in),*], not_served_in: &[#(#not_served_in),*], deprecated: #deprecated, handwritten: #handwritten, safety: #safety },
        }
    });
    quote! {
        //! Every operation of the spec, in spec order: what tracing, retries and the coverage
        //! tests need to know about an operation without a request in hand; and body codecs
        //! that decode any operation's JSON body into its generated type by operationId.

        #[cfg(feature = "codecs")]
        use super::types;

        /// One operation of the spec, what it does to the cluster, and `(major, minor)` of a
        /// release string (defined in the runtime crate, which reads the table).
        pub use redis_enterprise_api_runtime::operation::{release_number, Operation, Safety};

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
