//! House passes over the client: the `Client` methods return the crate's own error type and
//! keep any body the server sends, documented or not.

use syn::visit_mut::VisitMut;
use syn::{parse_quote, File, Type};

use super::client_methods;
use crate::prepare::Prepared;
use crate::syntax::{self, ResponseArm};
use crate::Error;

fn fail(message: String) -> Error {
    Error::Pass {
        pass: "own_error_type",
        message,
    }
}

/// Makes generated operations return `crate::Error` and decode through `crate::decode`
/// (path-aware errors, raw body and status kept): the `Result`'s error type is replaced, and
/// each of progenitor's response arms (success, documented error, anything else) calls the
/// matching `crate::decode` function. A success documented without a body, which progenitor
/// types `ResponseValue<()>` and never reads, becomes `ResponseValue<crate::UndocumentedBody>`
/// read by `crate::decode::undocumented_response`: a body the server sends is never dropped.
pub fn own_error_type(file: &mut File, _: &Prepared) -> Result<(), Error> {
    struct Arms(usize);
    impl VisitMut for Arms {
        fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
            match syntax::response_arm(arm) {
                Some(ResponseArm::ErrorResponse) => {
                    *arm.body = parse_quote!(Err(crate::decode::error_response(response).await));
                }
                Some(ResponseArm::Success) => {
                    *arm.body = parse_quote!(
                        crate::decode::operation_response(self, &info, response).await
                    );
                }
                Some(ResponseArm::Unexpected) => {
                    *arm.body =
                        parse_quote!(Err(crate::decode::unexpected_response(response).await));
                }
                Some(ResponseArm::Empty) => {
                    *arm.body = parse_quote!(crate::decode::undocumented_response(response).await);
                }
                None => return syn::visit_mut::visit_arm_mut(self, arm),
            }
            self.0 += 1;
        }
    }
    let mut arms = Arms(0);
    let mut methods = 0;
    for f in client_methods(file) {
        rewrite_signature(&mut f.sig)?;
        arms.visit_block_mut(&mut f.block);
        methods += 1;
    }
    if methods == 0 {
        return Err(fail("no operation methods found".into()));
    }
    let leftovers = syntax::paths_ending_with(
        file,
        &[
            &["ResponseValue", "from_response"],
            &["ResponseValue", "empty"],
            &["Error", "ErrorResponse"],
            &["Error", "UnexpectedResponse"],
        ],
    );
    if let Some(leftover) = leftovers.first() {
        return Err(fail(format!(
            "`{}` left in the client after rewriting {} arms; progenitor's output changed shape",
            leftover.join("::"),
            arms.0
        )));
    }
    Ok(())
}

fn rewrite_signature(sig: &mut syn::Signature) -> Result<(), Error> {
    let syn::ReturnType::Type(_, ty) = &mut sig.output else {
        return Err(fail(format!("{} returns nothing", sig.ident)));
    };
    let Type::Path(tp) = ty.as_mut() else {
        return Err(fail(format!("{} has an unexpected return type", sig.ident)));
    };
    let last = tp
        .path
        .segments
        .last_mut()
        .expect("a type path has a segment");
    let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
        return Err(fail(format!("{} does not return a Result", sig.ident)));
    };
    let n = args.args.len();
    if n != 2 {
        return Err(fail(format!(
            "{} returns a Result with {n} arguments",
            sig.ident
        )));
    }
    args.args[1] = parse_quote!(crate::Error);
    // `ResponseValue<()>`: the reference documents no body, but whatever the server sends is
    // kept (`crate::decode::undocumented_response`).
    if let syn::GenericArgument::Type(ok) = &mut args.args[0] {
        if let Some(unit) = response_value_unit(ok) {
            *unit = parse_quote!(crate::UndocumentedBody);
        }
    }
    Ok(())
}

/// The `()` of `ResponseValue<()>`.
fn response_value_unit(ty: &mut Type) -> Option<&mut Type> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last_mut()?;
    if last.ident != "ResponseValue" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
        return None;
    };
    match args.args.first_mut()? {
        syn::GenericArgument::Type(inner) if syntax::is_unit(inner) => Some(inner),
        _ => None,
    }
}

/// What a generated operation answers with on success, by the body of its success arm.
fn success_kind(body: &str) -> Option<&'static str> {
    if body.contains("operation_response") {
        Some("send_json")
    } else if body.contains("undocumented_response") {
        Some("send_undocumented")
    } else if body.contains("ResponseValue :: stream") {
        Some("send_stream")
    } else {
        None
    }
}

/// Replaces the request path every operation repeats once its request is built (the hooks, the
/// status match with one `error_response` arm per documented status, each its own await point)
/// by one call of a `crate::hooks::send_*` function, chosen by the success arm, with the success
/// status. Every other status already decoded as the same error (`error_response` and
/// `unexpected_response` do the same), so behaviour is unchanged; the compiler checks one
/// generic function instead of 218 state machines. Runs after [`own_error_type`], whose output
/// shape it checks statement by statement.
pub fn shared_send(file: &mut File, _: &Prepared) -> Result<(), Error> {
    let fail = |op: &str, message: String| Error::Pass {
        pass: "shared_send",
        message: format!("{op}: {message}"),
    };
    let expected = [
        quote::quote!(crate::hooks::before_send(self, &mut request, &info).await?;).to_string(),
        quote::quote!(let result = self.exec(request, &info).await;).to_string(),
        quote::quote!(self.post::<()>(&result, &info).await?;).to_string(),
        quote::quote!(let response = result?;).to_string(),
    ];
    let errors = [
        quote::quote!(Err(crate::decode::error_response(response).await)).to_string(),
        quote::quote!(Err(crate::decode::unexpected_response(response).await)).to_string(),
    ];
    let mut rewritten = 0;
    for f in client_methods(file) {
        let op = f.sig.ident.to_string();
        let stmts = &mut f.block.stmts;
        let at = stmts
            .iter()
            .position(|s| matches!(s, syn::Stmt::Local(l) if matches!(&l.pat, syn::Pat::Ident(p) if p.ident == "info")))
            .ok_or_else(|| fail(&op, "no `let info = OperationInfo { .. }`".into()))?;
        let tail = &stmts[at + 1..];
        if tail.len() != expected.len() + 1 {
            return Err(fail(&op, format!("{} statements after `info`", tail.len())));
        }
        for (stmt, want) in tail.iter().zip(&expected) {
            let got = quote::quote!(#stmt).to_string();
            if &got != want {
                return Err(fail(&op, format!("unexpected statement `{got}`")));
            }
        }
        let syn::Stmt::Expr(syn::Expr::Match(m), None) = &tail[expected.len()] else {
            return Err(fail(
                &op,
                "the last statement is not the status match".into(),
            ));
        };
        let mut success = None;
        for arm in &m.arms {
            let body = &arm.body;
            let body = quote::quote!(#body).to_string();
            if errors.contains(&body) {
                continue;
            }
            let kind = success_kind(&body)
                .ok_or_else(|| fail(&op, format!("unexpected arm body `{body}`")))?;
            let syn::Pat::Lit(lit) = &arm.pat else {
                return Err(fail(&op, "a success arm without a status literal".into()));
            };
            if success.replace((kind, lit.lit.clone())).is_some() {
                return Err(fail(&op, "more than one success arm".into()));
            }
        }
        let (kind, status) = success.ok_or_else(|| fail(&op, "no success arm".into()))?;
        let kind = syn::Ident::new(kind, proc_macro2::Span::call_site());
        stmts.truncate(at + 1);
        stmts.push(syn::Stmt::Expr(
            parse_quote!(crate::hooks::#kind(self, request, &info, #status).await),
            None,
        ));
        rewritten += 1;
    }
    if rewritten == 0 {
        return Err(fail("(all)", "no operation found".into()));
    }
    Ok(())
}
