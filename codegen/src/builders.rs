//! Named parameters: each operation becomes a `Client` method that takes what the operation
//! cannot do without (path parameters, required query or header parameters, the body) and
//! returns a request builder with one method per optional parameter, sent with `send()`:
//!
//! ```text
//! client.bdb_list().fields("uid,name").send().await?
//! client.bdb_create(&body).dry_run(true).send().await?
//! ```
//!
//! Forgetting a required parameter is a compile error; adding an optional parameter to an
//! operation adds a method to its builder and breaks no caller.
//!
//! The transformation takes progenitor's positional method (after every other pass has shaped
//! it) and moves its body, unchanged apart from `self` becoming `client`, into the builder's
//! `send`. The builder holds references and plain values only: no generic setters and no
//! per-field `Result`s (progenitor's own builder interface has both and costs about 1.7 times
//! the compile time of this interface, measured on this crate when it was chosen).

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::{parse_quote, FnArg, ImplItemFn, Item, ItemImpl, Pat, Type};

use crate::{syntax, Error};

/// One operation after this step: its `Client` method, request builder and the builder's impl.
#[derive(Debug, Clone)]
pub struct OperationItems {
    /// operationId (the method name).
    pub id: String,
    /// The positional method's signature, as progenitor and the passes left it: what the
    /// operation's parameters and result refer to.
    pub signature: syn::Signature,
    /// The items, in order.
    pub items: Vec<Item>,
}

/// Takes the operations out of the client's `impl Client` block and turns each into its method
/// and request builder ([`operation`]), in the block's order.
pub fn build(client: &mut syn::File) -> Result<Vec<OperationItems>, Error> {
    let at = client
        .items
        .iter()
        .position(|i| {
            matches!(i, Item::Impl(imp) if imp.trait_.is_none()
                && syntax::is_type_named(&imp.self_ty, "Client")
                && imp.items.iter().any(|m| matches!(m, syn::ImplItem::Fn(f) if f.sig.asyncness.is_some())))
        })
        .ok_or_else(|| err("no `impl Client` block with the operations".into()))?;
    let Item::Impl(methods) = client.items.remove(at) else {
        unreachable!("position() matched an impl block")
    };
    methods
        .items
        .iter()
        .map(|method| {
            let syn::ImplItem::Fn(f) = method else {
                return Err(err("an item of `impl Client` is not a method".into()));
            };
            Ok(OperationItems {
                id: f.sig.ident.to_string(),
                signature: f.sig.clone(),
                items: operation(&methods, f)?,
            })
        })
        .collect()
}

/// One parameter of a positional method.
struct Param {
    name: Ident,
    /// The type as progenitor wrote it.
    ty: Type,
    /// `Some(T)` when the parameter is `Option<T>`: optional, set through the builder.
    optional: Option<Type>,
    /// The parameter's line of the method doc, when it has one.
    doc: Option<String>,
}

fn err(message: String) -> Error {
    Error::Pass {
        pass: "named parameters",
        message,
    }
}

/// Replaces the identifiers `self` and `Self` everywhere in `tokens`, macro arguments included.
fn replace_self(tokens: TokenStream, receiver: &Ident, self_type: &Ident) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(i) if i == "self" => TokenTree::Ident(receiver.clone()),
            TokenTree::Ident(i) if i == "Self" => TokenTree::Ident(self_type.clone()),
            TokenTree::Group(g) => {
                let mut inner = proc_macro2::Group::new(
                    g.delimiter(),
                    replace_self(g.stream(), receiver, self_type),
                );
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

/// Splits progenitor's method doc into the text before `Arguments:` and the parameters' lines
/// (`- `name`: text`, continuation lines included).
fn split_doc(doc: &str) -> (String, Vec<(String, String)>) {
    let Some(at) = doc.find("\n\nArguments:\n") else {
        return (doc.to_string(), Vec::new());
    };
    let (head, rest) = doc.split_at(at);
    let mut params: Vec<(String, String)> = Vec::new();
    for line in rest["\n\nArguments:\n".len()..].lines() {
        if let Some(entry) = line.strip_prefix("- `") {
            let (name, text) = entry.split_once('`').unwrap_or((entry, ""));
            let text = text.strip_prefix(':').unwrap_or(text).trim();
            params.push((name.to_string(), text.to_string()));
        } else if let Some((_, text)) = params.last_mut() {
            text.push('\n');
            text.push_str(line);
        }
    }
    (head.to_string(), params)
}

fn doc_of(attrs: &[syn::Attribute]) -> Result<Option<String>, Error> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return Err(err("a doc attribute is not `doc = \"...\"`".into()));
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return Err(err("a doc attribute is not a string".into()));
        };
        let text: &mut String = found.get_or_insert_with(String::new);
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&s.value());
    }
    Ok(found)
}

/// Turns one positional method of `impl Client` into items: the `impl Client` block with the
/// method that starts the request, the builder struct, and its `impl` with the setters and
/// `send`. `template` is the `impl Client` block the method came from (its attributes are kept).
pub fn operation(template: &ItemImpl, method: &ImplItemFn) -> Result<Vec<Item>, Error> {
    let op = &method.sig.ident;
    let builder = format_ident!("{}", op.to_string().to_upper_camel_case());
    if method.sig.asyncness.is_none() {
        return Err(err(format!("`{op}` is not an async method")));
    }
    let doc = doc_of(&method.attrs)?.unwrap_or_default();
    let (head, param_docs) = split_doc(&doc);

    let mut params = Vec::new();
    for input in method.sig.inputs.iter().skip(1) {
        let FnArg::Typed(pt) = input else {
            return Err(err(format!("`{op}` has a second receiver")));
        };
        let Pat::Ident(pi) = &*pt.pat else {
            return Err(err(format!("`{op}` has a parameter that is not a name")));
        };
        let name = pi.ident.clone();
        for reserved in ["client", "send", "request"] {
            if name == reserved {
                return Err(err(format!(
                    "`{op}` has a parameter named `{reserved}`, which its builder uses itself"
                )));
            }
        }
        let doc = param_docs
            .iter()
            .find(|(n, _)| name == n)
            .map(|(_, text)| text.clone())
            .filter(|t| !t.is_empty());
        params.push(Param {
            name,
            optional: syntax::option_inner(&pt.ty).cloned(),
            ty: (*pt.ty).clone(),
            doc,
        });
    }
    if !matches!(method.sig.inputs.first(), Some(FnArg::Receiver(_))) {
        return Err(err(format!("`{op}` takes no `&self`")));
    }
    let output = &method.sig.output;
    let generics = &method.sig.generics;
    if generics.lifetimes().count() != 1 || generics.params.len() != 1 {
        return Err(err(format!(
            "`{op}` does not have exactly one lifetime parameter"
        )));
    }

    // The builder: the client, each parameter (optional ones as `Option<T>`, by value when T is
    // a generated type).
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut restore = Vec::new();
    let mut required_args = Vec::new();
    let mut required_docs = Vec::new();
    let mut optional_docs = Vec::new();
    for p in &params {
        let name = &p.name;
        match &p.optional {
            None => {
                let ty = &p.ty;
                fields.push(quote!(#name: #ty));
                inits.push(quote!(#name));
                required_args.push(quote!(#name: #ty));
                required_docs.push(match &p.doc {
                    Some(d) => format!("- `{name}`: {d}"),
                    None if name == "body" => format!("- `{name}`: the request body"),
                    None => format!("- `{name}`"),
                });
            }
            Some(inner) => {
                let (stored, value_ty) = match syntax::reference_to_generated(inner) {
                    Some(owned) => {
                        restore.push(quote!(let #name = #name.as_ref();));
                        (
                            quote!(::std::option::Option<#owned>),
                            owned.to_token_stream(),
                        )
                    }
                    None => (
                        quote!(::std::option::Option<#inner>),
                        inner.to_token_stream(),
                    ),
                };
                fields.push(quote!(#name: #stored));
                inits.push(quote!(#name: ::std::option::Option::None));
                let setter_doc = match &p.doc {
                    Some(d) => format!("{d}\n\nOptional: the parameter is not sent unless set."),
                    None => "Optional: the parameter is not sent unless set.".to_string(),
                };
                setters.push(quote! {
                    #[doc = #setter_doc]
                    pub fn #name(mut self, value: #value_ty) -> Self {
                        self.#name = ::std::option::Option::Some(value);
                        self
                    }
                });
                optional_docs.push(match &p.doc {
                    Some(d) => format!("- [`{name}`]({builder}::{name}): {d}"),
                    None => format!("- [`{name}`]({builder}::{name})"),
                });
            }
        }
    }

    let mut ctor_doc = head.trim_end().to_string();
    if !required_docs.is_empty() {
        ctor_doc.push_str("\n\nArguments:\n");
        ctor_doc.push_str(&required_docs.join("\n"));
    }
    if optional_docs.is_empty() {
        ctor_doc.push_str(&format!(
            "\n\nReturns a [`{builder}`]; the request is made by [`send`]({builder}::send)."
        ));
    } else {
        ctor_doc.push_str(&format!(
            "\n\nOptional parameters, set on the returned [`{builder}`] before \
             [`send`]({builder}::send):\n{}",
            optional_docs.join("\n")
        ));
    }
    let struct_doc = format!(
        "Request builder for [`Client::{op}`]: set optional parameters, then [`send`]({builder}::send)."
    );
    let send_doc = format!(
        "Sends the request (`{op}`) and decodes the response.\n\n\
         The request is made here and sent when the returned future is first polled; the \
         future borrows the client and is `Send`."
    );

    // The constructor keeps every attribute of the method but its doc (`#[deprecated]` among them).
    let kept_attrs: Vec<&syn::Attribute> = method
        .attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc"))
        .collect();
    let vis = &method.vis;
    let mut ctor_impl = template.clone();
    let ctor: ImplItemFn = parse_quote! {
        #[doc = #ctor_doc]
        #(#kept_attrs)*
        #vis fn #op<'a>(&'a self, #(#required_args),*) -> #builder<'a> {
            #builder { client: self, #(#inits),* }
        }
    };
    ctor_impl.items = vec![syn::ImplItem::Fn(ctor)];

    let receiver = Ident::new("client", Span::call_site());
    let self_type = Ident::new("Client", Span::call_site());
    let body = replace_self(method.block.to_token_stream(), &receiver, &self_type);
    let body: syn::Block = syn::parse2(body).map_err(|e| {
        err(format!(
            "`{op}`: body no longer parses after renaming `self`: {e}"
        ))
    })?;
    let (stmts, send) = split_send(op, &body.stmts)?;
    let ok = result_ok(op, output)?;
    let names = params.iter().map(|p| &p.name);

    let strukt: Item = parse_quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone)]
        #[must_use = "the request is sent only by `send()`"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#fields,)*
        }
    };
    let imp: Item = parse_quote! {
        #[allow(clippy::all)]
        impl<'a> #builder<'a> {
            #(#setters)*
            #[doc = #send_doc]
            #[inline]
            pub fn send(
                self,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<#ok, crate::Error>> + 'a {
                let client = self.client;
                #send
            }
            /// The request `send` sends, or why it could not be made.
            #[inline]
            fn request(self) -> ::std::result::Result<::reqwest::Request, crate::Error> {
                let Self { client, #(#names),* } = self;
                #(#restore)*
                #(#stmts)*
                ::std::result::Result::Ok(request)
            }
        }
    };
    Ok(vec![Item::Impl(ctor_impl), strukt, imp])
}

/// Splits an operation's body as the client passes left it (the statements that build the
/// request, `let info = OperationInfo { operation_id: "…" };`, then
/// `crate::hooks::send_KIND(client, request, &info, STATUS).await`) into the statements that
/// build the request and the call that sends it: `crate::hooks::send_KIND(client,
/// self.request(), "…", STATUS)`, whose future `send` returns as it is.
fn split_send<'b>(
    op: &Ident,
    stmts: &'b [syn::Stmt],
) -> Result<(&'b [syn::Stmt], syn::Expr), Error> {
    let shape = |what: &str| err(format!("`{op}`: {what}; the client passes changed shape"));
    let [build @ .., info, last] = stmts else {
        return Err(shape("fewer than two statements"));
    };
    let syn::Stmt::Expr(syn::Expr::Await(awaited), None) = last else {
        return Err(shape("the last statement is not an awaited call"));
    };
    let syn::Expr::Call(call) = &*awaited.base else {
        return Err(shape("the last statement is not an awaited call"));
    };
    let syn::Expr::Path(func) = &*call.func else {
        return Err(shape("the awaited call is not a path"));
    };
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let kind = match segments.as_slice() {
        [krate, hooks, kind]
            if krate == "crate"
                && hooks == "hooks"
                && ["send_json", "send_undocumented", "send_stream"].contains(&kind.as_str()) =>
        {
            Ident::new(kind, Span::call_site())
        }
        _ => return Err(shape("the awaited call is not `crate::hooks::send_*`")),
    };
    let args: Vec<&syn::Expr> = call.args.iter().collect();
    let [_, _, _, status] = args.as_slice() else {
        return Err(shape("`crate::hooks::send_*` does not take four arguments"));
    };
    let want = quote!(client, request, &info).to_string();
    let got: Vec<String> = args[..3]
        .iter()
        .map(|a| a.to_token_stream().to_string())
        .collect();
    if got.join(" , ") != want {
        return Err(shape(
            "`crate::hooks::send_*` is not called with `client, request, &info`",
        ));
    }
    let id = op.to_string();
    let info_names_op = match info {
        syn::Stmt::Local(syn::Local {
            pat: Pat::Ident(name),
            init: Some(init),
            ..
        }) if name.ident == "info" => match &*init.expr {
            syn::Expr::Struct(st) if st.path.is_ident("OperationInfo") && st.fields.len() == 1 => {
                let field = &st.fields[0];
                matches!(&field.member, syn::Member::Named(m) if m == "operation_id")
                    && matches!(&field.expr, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(l), .. }) if l.value() == id)
            }
            _ => false,
        },
        _ => false,
    };
    if !info_names_op {
        return Err(shape(
            "the statement before the call is not `let info = OperationInfo { operation_id }` \
             naming the operation",
        ));
    }
    let send = parse_quote!(
        crate::hooks::#kind(client, self.request(), #id, #status)
    );
    Ok((build, send))
}

/// `T` of a method's `-> Result<T, crate::Error>`.
fn result_ok(op: &Ident, output: &syn::ReturnType) -> Result<Type, Error> {
    let shape = || err(format!("`{op}` does not return `Result<T, crate::Error>`"));
    let syn::ReturnType::Type(_, ty) = output else {
        return Err(shape());
    };
    let Type::Path(tp) = ty.as_ref() else {
        return Err(shape());
    };
    let last = tp.path.segments.last().ok_or_else(shape)?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return Err(shape());
    };
    match (last.ident == "Result", args.args.first(), args.args.len()) {
        (true, Some(syn::GenericArgument::Type(ok)), 2) => Ok(ok.clone()),
        _ => Err(shape()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_impl() -> ItemImpl {
        parse_quote!(
            impl Client {}
        )
    }

    #[test]
    fn required_parameters_are_arguments_and_optional_ones_setters() {
        let method: ImplItemFn = parse_quote! {
            #[doc = "Get one\n\nArguments:\n- `uid`: The uid.\n- `fields`: Fields to return,\nsplit by commas."]
            pub async fn thing_get<'a>(&'a self, uid: i64, fields: Option<&'a str>, interval: Option<&'a crate::types::Interval>) -> Result<(), crate::Error> {
                let url = format!("{}/v1/things/{}", self.baseurl, uid);
                let request = Self::call(self, url, &fields, &interval)?;
                let info = OperationInfo { operation_id: "thing_get" };
                crate::hooks::send_json(self, request, &info, 200u16).await
            }
        };
        let items = operation(&client_impl(), &method).expect("builder");
        assert_eq!(items.len(), 3);
        let text: Vec<String> = items
            .iter()
            .map(|i| i.to_token_stream().to_string())
            .collect();
        assert!(
            text[0].contains("pub fn thing_get < 'a > (& 'a self , uid : i64) -> ThingGet < 'a >"),
            "{}",
            text[0]
        );
        assert!(
            text[0].contains("[`fields`](ThingGet::fields): Fields to return,\\nsplit by commas."),
            "{}",
            text[0]
        );
        assert!(text[1].contains("pub struct ThingGet"), "{}", text[1]);
        assert!(
            text[2].contains("pub fn fields (mut self , value : & 'a str) -> Self"),
            "{}",
            text[2]
        );
        // Generated types are taken by value and lent back to the unchanged body.
        assert!(
            text[2].contains(
                "pub fn interval (mut self , value : crate :: types :: Interval) -> Self"
            ),
            "{}",
            text[2]
        );
        assert!(
            text[2].contains("let interval = interval . as_ref () ;"),
            "{}",
            text[2]
        );
        // `self` inside a macro call is renamed too.
        assert!(
            text[2].contains("format ! (\"{}/v1/things/{}\" , client . baseurl , uid)"),
            "{}",
            text[2]
        );
        assert!(
            text[2].contains("Client :: call (client , url"),
            "{}",
            text[2]
        );
        // `send` returns the shared request path's future, with the request `request` built.
        assert!(
            text[2].contains(
                "crate :: hooks :: send_json (client , self . request () , \"thing_get\" , 200u16)"
            ),
            "{}",
            text[2]
        );
        assert!(!text[2].contains("async fn"), "{}", text[2]);
        assert!(
            text[2].contains("fn request (self) -> :: std :: result :: Result < :: reqwest :: Request , crate :: Error >"),
            "{}",
            text[2]
        );
        assert!(!text[2].contains("self . baseurl"), "{}", text[2]);
    }

    #[test]
    fn a_body_of_another_shape_is_an_error_naming_the_operation() {
        for body in [
            quote!(Self::call(self).await),
            quote!(let info = OperationInfo { operation_id: "thing_get" }; other(self, request, &info, 200u16).await),
            quote!(let info = OperationInfo { operation_id: "other_op" }; crate::hooks::send_json(self, request, &info, 200u16).await),
            quote!(let x = 1; crate::hooks::send_json(self, request, &info, 200u16).await),
            quote!(let info = OperationInfo { operation_id: "thing_get" }; crate::hooks::send_json(self, request, &info, 200u16)),
        ] {
            let method: ImplItemFn = parse_quote! {
                pub async fn thing_get<'a>(&'a self) -> Result<(), crate::Error> { #body }
            };
            let e = operation(&client_impl(), &method).expect_err("unexpected shape");
            assert!(e.to_string().contains("`thing_get`"), "{e}");
        }
    }

    #[test]
    fn a_parameter_the_builder_needs_itself_is_an_error() {
        for name in ["client", "send", "request"] {
            let name = Ident::new(name, Span::call_site());
            let method: ImplItemFn = parse_quote! {
                pub async fn thing_get<'a>(&'a self, #name: Option<i64>) -> Result<(), crate::Error> {}
            };
            let e = operation(&client_impl(), &method).expect_err("reserved name");
            assert!(
                e.to_string().contains(&format!("parameter named `{name}`")),
                "{e}"
            );
        }
    }
}
