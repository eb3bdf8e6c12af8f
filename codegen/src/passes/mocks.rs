//! House passes over the httpmock module.

use syn::{parse_quote, File, Item};

use crate::Error;

/// Seals `MockServerExt` (a supertrait in a private module, implemented for `MockServer` only):
/// nobody else can implement it, so the stub method of an operation a later spec adds is not a
/// breaking change.
pub fn seal_mock_trait(file: &mut File) -> Result<(), Error> {
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
            pass: "seal_mock_trait",
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
