//! Generation: progenitor with the house settings, for the client and for the httpmock mocks.
//!
//! Positional methods on one `Client` (progenitor panics on positional + separate tags; the
//! named-parameter interface callers see is made from them by `crate::builders`, which is
//! cheaper to build than progenitor's own builder style), maps as
//! `BTreeMap` (stable serialisation order), enum components replaced by `enums`' open enums,
//! hooks expected from the hand-written runtime (retries, auth, tracing: its `hooks` module, tied to
//! `Client` by [`crate::glue`]), and the
//! client state as the inner type.

use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

use crate::prepare::Prepared;
use crate::Error;

/// Where the open enums live in the generated crate.
pub const ENUM_PATH: &str = "crate::types";

/// Raw progenitor output.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// Client, types and prelude.
    pub client: TokenStream,
    /// httpmock `When`/`Then` wrappers and `MockServerExt`.
    pub mock: TokenStream,
}

fn settings(prepared: &Prepared) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::config::ClientState))
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq");
    for e in &prepared.enums {
        settings.with_replacement(
            &e.name,
            format!("{ENUM_PATH}::{}", e.name),
            [
                progenitor_impl::TypeImpl::Display,
                progenitor_impl::TypeImpl::FromStr,
            ]
            .into_iter(),
        );
    }
    settings
}

/// Runs progenitor. The spec has been validated, so a panic here is a validator gap; it is caught
/// and reported rather than unwinding through the caller.
pub fn generate(prepared: &Prepared) -> Result<Tokens, Error> {
    let settings = settings(prepared);
    let api = &prepared.api;
    let result = std::panic::catch_unwind(|| {
        let mut generator = Generator::new(&settings);
        let client = generator.generate_tokens(api)?;
        let mock = generator.httpmock(api, "crate")?;
        Ok::<_, progenitor_impl::Error>(Tokens { client, mock })
    });
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::Generator {
            message: e.to_string(),
        }),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Generator {
                message: format!(
                    "progenitor panicked (the validator should have caught this): {message}"
                ),
            })
        }
    }
}
