//! Field-level fault isolation: one property whose JSON does not fit its generated type (after
//! the leniency of [`crate::lenient`]) never costs the whole response.
//!
//! How it works, and why it costs nothing on the common path: a response is first decoded
//! plainly. Only when that fails is the document decoded again with the failing path recorded
//! (from bytes, through the same path-tracking decoder as strict mode, so isolation adds no
//! decoder instantiations to the build); the member at that path is renamed, in the bytes, to a
//! reserved key (`"\u{0}unfit:<name>"`) that no generated field matches, so the enclosing
//! object's `extra` map keeps it as sent, and decoding is retried until it succeeds.
//!
//! Linear, whatever the number of unfit properties: when the failure lies in a list item, every
//! item from there on is checked and repaired in a document of its own that holds only that
//! item (the document around the list kept, the list's other items left out), then the whole
//! document is decoded once more. A list of N items with one drifted field each costs about
//! three decodes of the body, not N (BENCHMARKS.md, "Isolation"). A map value of the wrong kind
//! is reported once, as the map's member; nested reports inside a property isolated as a whole
//! are dropped. Each isolated property is reported (a `tracing` warning naming the operation and
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

use crate::decode::PathFailure;

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
///
/// A write does not return its error: the first one is kept, later writes are skipped, and
/// [`Writer::end`] returns it. The generated impls are then one call per field with no `?`,
/// which is a good part less code to check in the generated crate (BENCHMARKS.md §4).
#[doc(hidden)]
pub struct Writer<M: SerializeMap> {
    map: M,
    written: Vec<&'static str>,
    failed: Option<M::Error>,
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
            failed: None,
        })
    }

    /// An optional field: written when set.
    pub fn opt<T: serde::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.req(key, v);
        }
    }

    /// A required field: always written.
    pub fn req<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.failed.is_some() {
            return;
        }
        match self.map.serialize_entry(key, value) {
            Ok(()) => self.written.push(key),
            Err(e) => self.failed = Some(e),
        }
    }

    /// The `extra` entries, then the end of the object; or the first error of a field.
    pub fn end(mut self, extra: &Map<String, Value>) -> Result<M::Ok, M::Error> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
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
    if let Ok(value) = crate::decode::plain::<T>(body) {
        return Ok((value, Vec::new()));
    }
    isolate_bytes(body)
}

/// The isolating decode of a body the plain decode refused.
pub(crate) fn isolate_bytes<T: DeserializeOwned>(
    body: &[u8],
) -> Result<(T, Vec<UnfitProperty>), (String, serde_json::Error)> {
    let mut doc = body.to_vec();
    let mut unfit = Vec::new();
    let mut budget = Budget(MAX_ROUNDS);
    match repair::<T>(&mut doc, &[], &mut unfit, &mut budget, true, false) {
        Ok(Some(value)) => Ok((value, unfit)),
        Ok(None) => unreachable!("only a single-round repair returns no value"),
        Err(failure) => Err((render_path(&failure.segments, &[]), failure.source)),
    }
}

/// Decode rounds allowed for one body, all levels together: a guard against a bug, far above
/// what any body needs (a few per unfit property).
const MAX_ROUNDS: usize = 1_000_000;

struct Budget(usize);

impl Budget {
    fn spend(&mut self) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 > 0
    }
}

/// Decodes `doc` as `T`, isolating unfit members at depth `pinned.len()` or deeper until it
/// decodes. `pinned` maps the list indices on the way to the item this document holds alone
/// (always index 0 here) to their index in the body, for the reported paths. `expect_failure`:
/// the first round goes straight to the path-tracking decoder. `once` (a list item): stop after
/// the first repair and return `None`, unverified; the decode of the whole document that follows
/// verifies every item at once, which spares a decode per item.
fn repair<T: DeserializeOwned>(
    doc: &mut Vec<u8>,
    pinned: &[(usize, usize)],
    unfit: &mut Vec<UnfitProperty>,
    budget: &mut Budget,
    mut expect_failure: bool,
    once: bool,
) -> Result<Option<T>, PathFailure> {
    let depth = pinned.last().map_or(0, |(position, _)| position + 1);
    // The last list repaired item by item, so that a list whose items all decode alone but not
    // together is not split again and again.
    let mut last_split: Option<(String, usize)> = None;
    loop {
        if !budget.spend() {
            return Err(PathFailure {
                segments: Vec::new(),
                path: ".".into(),
                source: <serde_json::Error as serde::de::Error>::custom(
                    "too many properties did not fit",
                ),
            });
        }
        if !expect_failure {
            if let Ok(value) = crate::decode::plain::<T>(doc) {
                return Ok(Some(value));
            }
        }
        expect_failure = false;
        let failure = match crate::decode::decode_with_path::<T>(doc) {
            Ok(value) => return Ok(Some(value)),
            Err(failure) => failure,
        };
        if matches!(
            failure.source.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        ) {
            return Err(failure);
        }
        let segments = &failure.segments;
        // A list item below the pinned part: repair that list item by item.
        let list = segments
            .iter()
            .enumerate()
            .skip(depth)
            .find_map(|(position, s)| match s {
                Segment::Seq { index } => Some((position, *index)),
                _ => None,
            });
        let list = list.filter(|(position, first)| {
            let here = (render_path(&segments[..*position], pinned), *first);
            let again = last_split
                .as_ref()
                .is_some_and(|(path, before)| *path == here.0 && *before >= here.1);
            last_split = Some(here);
            !again
        });
        if let Some((position, first)) = list {
            match repair_list::<T>(doc, &segments[..position], first, pinned, unfit, budget) {
                Ok(()) if once => return Ok(None),
                Ok(()) => continue,
                // An item that cannot be repaired inside itself: isolate around the list.
                Err(inner) => {
                    let reason = inner.source.to_string();
                    if isolate_member(doc, &inner.segments, depth, pinned, unfit, &reason) {
                        if once {
                            return Ok(None);
                        }
                        continue;
                    }
                    return Err(inner);
                }
            }
        }
        let reason = failure.source.to_string();
        if isolate_member(doc, segments, depth, pinned, unfit, &reason) {
            if once {
                return Ok(None);
            }
            continue;
        }
        return Err(failure);
    }
}

/// Repairs the items `first..` of the list at `path` (one repair each), each in a document of its own, and puts
/// them back. On an item that cannot be repaired inside itself, returns its failure with the
/// item's index in this document (the items before it repaired and put back).
fn repair_list<T: DeserializeOwned>(
    doc: &mut Vec<u8>,
    path: &[Segment],
    first: usize,
    pinned: &[(usize, usize)],
    unfit: &mut Vec<UnfitProperty>,
    budget: &mut Budget,
) -> Result<(), PathFailure> {
    let not_found = || PathFailure {
        segments: path.to_vec(),
        path: ".".into(),
        source: <serde_json::Error as serde::de::Error>::custom("list not found"),
    };
    let (open, close) = scan::locate(doc, path).ok_or_else(not_found)?;
    let items = scan::elements(doc, open).ok_or_else(not_found)?;
    if first >= items.len() {
        return Err(not_found());
    }
    let position = path.len();
    let head = &doc[..open + 1];
    let tail = &doc[close - 1..];
    let mut repaired: Vec<Vec<u8>> = Vec::with_capacity(items.len() - first);
    let mut failed = None;
    // Whether the previous item needed a repair: the next one likely does too, so it goes
    // straight to the path-tracking decode.
    let mut item_failed = false;
    for (i, &(start, end)) in items.iter().enumerate().skip(first) {
        let mut sub = Vec::with_capacity(head.len() + (end - start) + tail.len());
        sub.extend_from_slice(head);
        sub.extend_from_slice(&doc[start..end]);
        sub.extend_from_slice(tail);
        let mut pins = pinned.to_vec();
        pins.push((position, i));
        let before = unfit.len();
        match repair::<T>(
            &mut sub,
            &pins,
            unfit,
            budget,
            i == first || item_failed,
            true,
        ) {
            Ok(_) => {
                item_failed = unfit.len() > before;
                repaired.push(sub[head.len()..sub.len() - tail.len()].to_vec());
            }
            Err(mut inner) => {
                if let Some(Segment::Seq { index }) = inner.segments.get_mut(position) {
                    *index = i;
                }
                failed = Some(inner);
                break;
            }
        }
    }
    let done = repaired.len();
    let mut out = Vec::with_capacity(doc.len() + 16 * done);
    out.extend_from_slice(&doc[..items[first].0]);
    for (n, item) in repaired.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    let rest = first + done;
    if rest < items.len() {
        if done > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&doc[items[rest].0..]);
    } else {
        out.extend_from_slice(&doc[close - 1..]);
    }
    *doc = out;
    match failed {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// Renames the deepest object member on `segments`, at depth `depth` or deeper, that is not
/// already isolated, to its reserved key: in place in `doc`, with isolations inside it undone
/// and their reports dropped (it is now kept whole, as sent; only a value holding reserved keys
/// has reports inside it, so the reports are searched only then). A member whose renamed key
/// failed again is a map entry (a map has no `extra`): the search goes on to the member around
/// the map.
fn isolate_member(
    doc: &mut Vec<u8>,
    segments: &[Segment],
    depth: usize,
    pinned: &[(usize, usize)],
    unfit: &mut Vec<UnfitProperty>,
    reason: &str,
) -> bool {
    for at in (depth..segments.len()).rev() {
        let Segment::Map { key } = &segments[at] else {
            continue;
        };
        if key.starts_with(PREFIX) {
            continue;
        }
        let Some((object, _)) = scan::locate(doc, &segments[..at]) else {
            continue;
        };
        let Some(member) = scan::member(doc, object, key) else {
            continue;
        };
        let Ok(new_key) = serde_json::to_vec(&format!("{PREFIX}{key}")) else {
            continue;
        };
        let value = scan::restore_keys(&doc[member.value.0..member.value.1]);
        let had_isolations = value.len() != member.value.1 - member.value.0;
        let mut replacement = new_key;
        replacement.extend_from_slice(&doc[member.key.1..member.value.0]);
        replacement.extend_from_slice(&value);
        doc.splice(member.key.0..member.value.1, replacement);
        let path = render_path(&segments[..=at], pinned);
        let inside = |u: &UnfitProperty| {
            u.path.starts_with(&path)
                && matches!(u.path.as_bytes().get(path.len()), Some(b'.' | b'['))
        };
        if had_isolations {
            unfit.retain(|u| !inside(u));
        }
        unfit.push(UnfitProperty {
            path,
            reason: reason.to_string(),
        });
        return true;
    }
    false
}

/// The path as the reports write it (`[2].name`, `m.a`; `.` for the whole body), list indices
/// of documents that hold one item mapped back to the body's, reserved key prefixes removed.
fn render_path(segments: &[Segment], pinned: &[(usize, usize)]) -> String {
    let mut out = String::new();
    for (position, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Seq { index } => {
                let index = pinned
                    .iter()
                    .rev()
                    .find(|(p, _)| *p == position)
                    .map_or(*index, |(_, r)| *r);
                out.push_str(&format!("[{index}]"));
            }
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key.strip_prefix(PREFIX).unwrap_or(key));
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// The first duplicate object key in `body` (a JSON document), as a path: strict decoding
/// refuses what the lenient decode lets the last value win.
pub(crate) fn duplicate_key(body: &[u8]) -> Option<String> {
    scan::duplicate_key(body)
}

/// The one member of the object that is the whole of `body`: its name and the byte range of its
/// value. `None` for anything else (another kind of document, no member, several members).
pub(crate) fn sole_member(body: &[u8]) -> Option<(String, std::ops::Range<usize>)> {
    scan::sole_member(body)
}

/// A byte-level walk of JSON text the decoder has accepted as syntactically valid (every
/// function returns `None` rather than panicking on anything else).
mod scan {
    use serde_path_to_error::Segment;

    /// One object member: byte ranges of its key (quotes included) and of its value.
    pub(super) struct Member {
        pub(super) key: (usize, usize),
        pub(super) value: (usize, usize),
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// `i` at the opening quote; the index after the closing one.
    fn string_end(b: &[u8], i: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            match b.get(j)? {
                b'"' => return Some(j + 1),
                b'\\' => j += 2,
                _ => j += 1,
            }
        }
    }

    /// `i` at the first byte of a value; the index after it.
    fn value_end(b: &[u8], i: usize) -> Option<usize> {
        match b.get(i)? {
            b'"' => string_end(b, i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut j = i;
                loop {
                    match b.get(j)? {
                        b'"' => {
                            j = string_end(b, j)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            _ => {
                let mut j = i;
                while let Some(c) = b.get(j) {
                    if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    j += 1;
                }
                (j > i).then_some(j)
            }
        }
    }

    /// Whether the raw key (quotes included) is `key`.
    fn key_is(raw: &[u8], key: &str) -> bool {
        if raw.contains(&b'\\') {
            serde_json::from_slice::<String>(raw).is_ok_and(|k| k == key)
        } else {
            raw.len() == key.len() + 2 && &raw[1..raw.len() - 1] == key.as_bytes()
        }
    }

    /// The members of the object opening at `open`.
    pub(super) fn members(b: &[u8], open: usize) -> Option<Vec<Member>> {
        if b.get(open) != Some(&b'{') {
            return None;
        }
        let mut out = Vec::new();
        let mut i = ws(b, open + 1);
        if b.get(i) == Some(&b'}') {
            return Some(out);
        }
        loop {
            let key_end = string_end(b, i)?;
            let colon = ws(b, key_end);
            if b.get(colon) != Some(&b':') {
                return None;
            }
            let start = ws(b, colon + 1);
            let end = value_end(b, start)?;
            out.push(Member {
                key: (i, key_end),
                value: (start, end),
            });
            i = ws(b, end);
            match b.get(i)? {
                b',' => i = ws(b, i + 1),
                b'}' => return Some(out),
                _ => return None,
            }
        }
    }

    /// The items of the list opening at `open`, as byte ranges.
    pub(super) fn elements(b: &[u8], open: usize) -> Option<Vec<(usize, usize)>> {
        if b.get(open) != Some(&b'[') {
            return None;
        }
        let mut out = Vec::new();
        let mut i = ws(b, open + 1);
        if b.get(i) == Some(&b']') {
            return Some(out);
        }
        loop {
            let end = value_end(b, i)?;
            out.push((i, end));
            i = ws(b, end);
            match b.get(i)? {
                b',' => i = ws(b, i + 1),
                b']' => return Some(out),
                _ => return None,
            }
        }
    }

    /// The member `key` of the object opening at `open` (the last one, as the decoder reads
    /// duplicates).
    pub(super) fn member(b: &[u8], open: usize, key: &str) -> Option<Member> {
        members(b, open)?
            .into_iter()
            .rev()
            .find(|m| key_is(&b[m.key.0..m.key.1], key))
    }

    /// The byte range of the value at `path`.
    pub(super) fn locate(b: &[u8], path: &[Segment]) -> Option<(usize, usize)> {
        let start = ws(b, 0);
        let mut at = (start, value_end(b, start)?);
        for segment in path {
            at = match segment {
                Segment::Seq { index } => *elements(b, at.0)?.get(*index)?,
                Segment::Map { key } => member(b, at.0, key)?.value,
                Segment::Enum { .. } => at,
                Segment::Unknown => return None,
            };
        }
        Some(at)
    }

    pub(super) fn sole_member(b: &[u8]) -> Option<(String, std::ops::Range<usize>)> {
        let open = ws(b, 0);
        let end = value_end(b, open)?;
        if ws(b, end) != b.len() {
            return None;
        }
        let members = members(b, open)?;
        let [only] = members.as_slice() else {
            return None;
        };
        let name = serde_json::from_slice::<String>(&b[only.key.0..only.key.1]).ok()?;
        Some((name, only.value.0..only.value.1))
    }

    /// `value` with every reserved key (`"\u0000unfit:name"`) given its own name back.
    pub(super) fn restore_keys(value: &[u8]) -> Vec<u8> {
        const RESERVED: &[u8] = br#""\u0000unfit:"#;
        let mut out = Vec::with_capacity(value.len());
        let mut i = 0;
        while i < value.len() {
            if value[i] != b'"' {
                out.push(value[i]);
                i += 1;
                continue;
            }
            let Some(end) = string_end(value, i) else {
                out.extend_from_slice(&value[i..]);
                break;
            };
            let is_key = value.get(ws(value, end)) == Some(&b':');
            if is_key && value[i..end].starts_with(RESERVED) {
                out.push(b'"');
                out.extend_from_slice(&value[i + RESERVED.len()..end]);
            } else {
                out.extend_from_slice(&value[i..end]);
            }
            i = end;
        }
        out
    }

    /// The path of the first key that appears twice in one object.
    pub(super) fn duplicate_key(b: &[u8]) -> Option<String> {
        let start = ws(b, 0);
        let mut path = String::new();
        find_duplicate(b, start, &mut path, 0).then_some(path)
    }

    fn find_duplicate(b: &[u8], at: usize, path: &mut String, depth: usize) -> bool {
        // The decoder already refused anything nested deeper than this.
        if depth > 256 {
            return false;
        }
        let len = path.len();
        match b.get(at) {
            Some(b'{') => {
                let Some(members) = members(b, at) else {
                    return false;
                };
                let mut seen = std::collections::HashSet::with_capacity(members.len());
                for m in &members {
                    let raw = &b[m.key.0..m.key.1];
                    let name = serde_json::from_slice::<String>(raw).unwrap_or_default();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&name);
                    if !seen.insert(name) || find_duplicate(b, m.value.0, path, depth + 1) {
                        return true;
                    }
                    path.truncate(len);
                }
                false
            }
            Some(b'[') => {
                let Some(items) = elements(b, at) else {
                    return false;
                };
                for (i, (start, _)) in items.iter().enumerate() {
                    path.push_str(&format!("[{i}]"));
                    if find_duplicate(b, *start, path, depth + 1) {
                        return true;
                    }
                    path.truncate(len);
                }
                false
            }
            _ => false,
        }
    }
}
