//! Loading: spec bytes → YAML value (merge keys applied) → JSON value → `openapiv3::OpenAPI`.
//!
//! Only syntax and shape are checked here; what the generator can handle is `validate`'s job.
//! YAML errors carry `file:line:column`; shape errors carry the path of the offending node.

use crate::{Error, Problem};

/// A parsed spec: the raw JSON value (extensions, key order and all) and the typed document.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The document as JSON, in source key order.
    pub raw: serde_json::Value,
    /// The typed document.
    pub api: openapiv3::OpenAPI,
}

/// Parses `bytes` (YAML or JSON). `file` names the spec in error messages.
pub fn load_spec(file: &str, bytes: &[u8]) -> Result<Loaded, Error> {
    let invalid = |problems: Vec<Problem>| Error::Invalid {
        file: file.to_string(),
        problems,
    };
    let mut yaml: serde_yaml::Value = serde_yaml::from_slice(bytes).map_err(|e| {
        let location = match e.location() {
            Some(l) => format!("{file}:{}:{}", l.line(), l.column()),
            None => file.to_string(),
        };
        invalid(vec![Problem {
            location,
            message: format!("invalid YAML: {}", strip_location(&e.to_string())),
        }])
    })?;
    // serde_yaml does not apply `<<` merge keys when deserialising into a struct; do it here.
    yaml.apply_merge().map_err(|e| {
        invalid(vec![Problem {
            location: file.to_string(),
            message: format!("invalid YAML merge key: {e}"),
        }])
    })?;
    let raw: serde_json::Value = serde_json::to_value(&yaml).map_err(|e| {
        invalid(vec![Problem {
            location: file.to_string(),
            message: format!("YAML cannot be represented as JSON: {e}"),
        }])
    })?;
    if !raw.is_object() {
        return Err(invalid(vec![Problem {
            location: file.to_string(),
            message: "the document is not a mapping".into(),
        }]));
    }
    // The version gates everything else: a 3.1 or 2.0 document fails typed parsing in confusing
    // ways, so say what is wrong first.
    match raw.get("openapi").and_then(|v| v.as_str()) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => {
            return Err(invalid(vec![Problem {
                location: "openapi".into(),
                message: format!("version {v} is not supported: the generator needs OpenAPI 3.0.x"),
            }]))
        }
        None => {
            return Err(invalid(vec![Problem {
                location: "openapi".into(),
                message: "missing OpenAPI version string (need 3.0.x)".into(),
            }]))
        }
    }
    let api: openapiv3::OpenAPI = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let path = e.path().to_string();
        invalid(vec![Problem {
            location: if path == "." { "(root)".into() } else { path },
            message: format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        }])
    })?;
    Ok(Loaded { raw, api })
}

/// serde_yaml appends " at line X column Y" to its messages; the location is reported separately.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
