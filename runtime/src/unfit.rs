//! Field-level fault isolation: one property whose JSON does not fit its generated type (after
//! the leniency of [`crate::lenient`]) never costs the whole response.
//!
//! How it works, and why it costs nothing on the common path: a response is first decoded
//! plainly. Only when that fails is the body parsed as a JSON value; the document is decoded
//! again with the failing path recorded (from bytes, through the same path-tracking decoder as
//! strict mode, so isolation adds no decoder instantiations to the build), the member at that
//! path is renamed to a reserved key (`"\u{0}unfit:<name>"`) that no generated field matches, so
//! the enclosing object's `extra` map keeps it as sent, and decoding is retried until it
//! succeeds. Each isolated property is reported (a `tracing` warning naming the operation and
//! the JSON path, and [`DecodeReport::unfit_properties`] on the response); with
//! [`ClientBuilder::strict_decoding`](crate::ClientBuilder::strict_decoding) it is an
//! [`Error::Decode`](crate::Error::Decode) instead.
//!
//! Write-back: the generated `Serialize` impls write an isolated property back under its own
//! name, as sent, while its field is unset, and drop it once the caller sets the field (so it
//! is never sent twice). [`unfit_value`] reads it.
//!
//! The unit is a member of an object, at any depth: members of nested objects, of objects in
//! lists and of objects in maps are isolated one by one. What it does not do: isolate a list
//! element or map value that is itself of the wrong kind (a string in a list of objects: the
//! enclosing property is isolated as a whole), a wrong top-level shape, or a body that is not
//! JSON (those stay an `Error::Decode`).

use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};
use serde_path_to_error::Segment;

/// Prefix of the `extra` key that holds an isolated property.
const PREFIX: &str = "\u{0}unfit:";

/// Response header the client adds to a [`ResponseValue`] listing, as a JSON array of paths,
/// the properties that were isolated while decoding it.
pub const UNFIT_HEADER: &str = "x-redis-enterprise-api-unfit";

/// Response header the client adds to a [`ResponseValue`] whose body was not the documented
/// JSON document: `empty` (a 2xx without a body) or `unwrapped:<member>` (a documented array
/// that came wrapped in an object, taken from that member).
pub const BODY_HEADER: &str = "x-redis-enterprise-api-body";

/// A property whose JSON did not fit its generated type.
#[derive(Debug, Clone, PartialEq)]
pub struct UnfitProperty {
    /// JSON path of the property in the body (`[2].name`, `cluster.alert_settings`).
    pub path: String,
    /// Why it did not fit (serde's message).
    pub reason: String,
}

/// The body of every generated `Serialize` impl of a struct with an `extra` map: writes the
/// fields as the serde derive would (unset optional fields skipped), then the `extra` entries,
/// isolated properties under their own names, and none whose name is a field already written
/// (so a value the caller set is never sent twice).
#[doc(hidden)]
pub struct Writer<M> {
    map: M,
    written: Vec<&'static str>,
}

impl<M: SerializeMap> Writer<M> {
    /// Starts the JSON object.
    pub fn new<S>(serializer: S) -> Result<Self, S::Error>
    where
        S: serde::Serializer<SerializeMap = M, Error = M::Error>,
    {
        Ok(Self {
            map: serializer.serialize_map(None)?,
            written: Vec::new(),
        })
    }

    /// An optional field: written when set.
    pub fn opt<T: serde::Serialize>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        if let Some(v) = value {
            self.map.serialize_entry(key, v)?;
            self.written.push(key);
        }
        Ok(())
    }

    /// A required field: always written.
    pub fn req<T: serde::Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.map.serialize_entry(key, value)?;
        self.written.push(key);
        Ok(())
    }

    /// The `extra` entries, then the end of the object.
    pub fn end(mut self, extra: &Map<String, Value>) -> Result<M::Ok, M::Error> {
        for (key, value) in extra {
            let name = key.strip_prefix(PREFIX).unwrap_or(key);
            if !self.written.contains(&name) {
                self.map.serialize_entry(name, value)?;
            }
        }
        self.map.end()
    }
}

/// The value of `property` as the server sent it, when it was isolated because it did not fit
/// its field (the field is then `None`). Read it from the enclosing object's `extra`.
pub fn unfit_value<'a>(extra: &'a Map<String, Value>, property: &str) -> Option<&'a Value> {
    extra.get(&format!("{PREFIX}{property}"))
}

/// The isolated properties kept in one object's `extra`: `(name, value as sent)`.
pub fn unfit_values(extra: &Map<String, Value>) -> impl Iterator<Item = (&str, &Value)> {
    extra
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(PREFIX).map(|name| (name, v)))
}

/// What the client noted while decoding a response.
pub trait DecodeReport {
    /// JSON paths of the properties isolated because they did not fit their types; empty when
    /// everything fitted.
    fn unfit_properties(&self) -> Vec<String>;
    /// Whether the server answered a documented JSON body with an empty body (the value is then
    /// the type's empty form: an object with no members, or an empty list).
    fn body_was_empty(&self) -> bool;
    /// The member of the wrapper object a documented array was taken from, when the server
    /// wrapped it (`{"<member>": [...]}`).
    fn unwrapped_from(&self) -> Option<String>;
}

impl<T> DecodeReport for ResponseValue<T> {
    fn unfit_properties(&self) -> Vec<String> {
        self.headers()
            .get(UNFIT_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    fn body_was_empty(&self) -> bool {
        self.headers()
            .get(BODY_HEADER)
            .map(|v| v.as_bytes() == b"empty")
            .unwrap_or(false)
    }

    fn unwrapped_from(&self) -> Option<String> {
        let v = self.headers().get(BODY_HEADER)?.to_str().ok()?;
        v.strip_prefix("unwrapped:").map(str::to_string)
    }
}

/// Header value listing `paths` as a JSON array, ASCII only (non-ASCII escaped as `\uXXXX`).
pub(crate) fn header_value(paths: &[UnfitProperty]) -> reqwest::header::HeaderValue {
    let list: Vec<&str> = paths.iter().map(|p| p.path.as_str()).collect();
    let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_string());
    let mut ascii = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            ascii.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                ascii.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    reqwest::header::HeaderValue::from_str(&ascii)
        .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("[]"))
}

/// Decodes `body` as `T` as the client decodes responses (without strict mode), isolating every
/// property that does not fit; also the way to decode a stored or captured body. Fails (with the
/// path) only when the failure is not inside an object property: the document itself has the
/// wrong shape, a required member is missing at the top, or it is not JSON.
pub fn decode_isolating<T: DeserializeOwned>(
    body: &[u8],
) -> Result<(T, Vec<UnfitProperty>), (String, serde_json::Error)> {
    if let Ok(value) = serde_json::from_slice::<T>(body) {
        return Ok((value, Vec::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => isolate_value(value),
        Err(_) => crate::decode::decode_body::<T>(body).map(|v| (v, Vec::new())),
    }
}

/// [`decode_isolating`] of a parsed document.
pub(crate) fn isolate_value<T: DeserializeOwned>(
    mut value: Value,
) -> Result<(T, Vec<UnfitProperty>), (String, serde_json::Error)> {
    let mut unfit = Vec::new();
    // Each round isolates one property (or a larger enclosing one), so the number of rounds is
    // bounded by the number of members in the document; the cap only guards against a bug. The
    // rounds decode from bytes through the same path-tracking decoder as strict mode, so
    // isolation adds no deserializer instantiation of its own to the build.
    for _ in 0..100_000 {
        let bytes = match serde_json::to_vec(&value) {
            Ok(b) => b,
            Err(e) => return Err((".".to_string(), e)),
        };
        match crate::decode::decode_with_path::<T>(&bytes) {
            Ok(decoded) => return Ok((decoded, unfit)),
            Err(failure) => match isolate(&mut value, &failure.segments) {
                Some(isolated) => unfit.push(UnfitProperty {
                    path: isolated,
                    reason: failure.source.to_string(),
                }),
                None => return Err((failure.path, failure.source)),
            },
        }
    }
    Err((
        ".".to_string(),
        <serde_json::Error as serde::de::Error>::custom("too many properties did not fit"),
    ))
}

/// Renames the deepest object member on `segments` that is not already isolated to its reserved
/// key. Returns the isolated member's JSON path.
fn isolate(root: &mut Value, segments: &[Segment]) -> Option<String> {
    for depth in (0..segments.len()).rev() {
        let Segment::Map { key } = &segments[depth] else {
            continue;
        };
        if key.starts_with(PREFIX) {
            continue;
        }
        let Some(Value::Object(parent)) = navigate(root, &segments[..depth]) else {
            continue;
        };
        let Some(mut raw) = parent.remove(key.as_str()) else {
            continue;
        };
        restore_names(&mut raw);
        parent.insert(format!("{PREFIX}{key}"), raw);
        return Some(render_path(&segments[..=depth]));
    }
    None
}

fn navigate<'a>(mut node: &'a mut Value, segments: &[Segment]) -> Option<&'a mut Value> {
    for segment in segments {
        node = match segment {
            Segment::Seq { index } => node.as_array_mut()?.get_mut(*index)?,
            Segment::Map { key } => node.as_object_mut()?.get_mut(key.as_str())?,
            Segment::Enum { .. } => node,
            Segment::Unknown => return None,
        };
    }
    Some(node)
}

/// Undoes earlier isolations inside a value that is now isolated as a whole, so it is kept
/// exactly as the server sent it.
fn restore_names(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.keys().any(|k| k.starts_with(PREFIX)) {
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, v) in entries {
                    let name = k.strip_prefix(PREFIX).map(str::to_string).unwrap_or(k);
                    map.insert(name, v);
                }
            }
            map.values_mut().for_each(restore_names);
        }
        Value::Array(items) => items.iter_mut().for_each(restore_names),
        _ => {}
    }
}

fn render_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => out.push('?'),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}
