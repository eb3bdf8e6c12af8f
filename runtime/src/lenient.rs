//! Serde helpers that accept what real Redis Software clusters send, not only what the reference
//! documents. codegen attaches them to generated fields by type (see `codegen/src/passes/types.rs`);
//! nothing here is chosen per field.
//!
//! Accepted on top of the documented type:
//! - integers sent as strings (`"104857600"`, `"1e3"`, `"8.0"`: read on their digits, so an
//!   integer beyond 2^53 is not rounded) or as integral floats (`1081100128256.0`);
//! - floats sent as strings (`"0.5"`);
//! - booleans sent as `"true"`/`"false"`, `"enabled"`/`"disabled"`, `"yes"`/`"no"` or `0`/`1`;
//! - strings sent as numbers or booleans (a uid `1` where `"1"` is documented);
//! - `null`, `{}` and `[]` where a scalar is unset, and `""` where a number or boolean is (a
//!   string's `""` is its value); `null`, `{}` and `""` for an empty list or map;
//! - a list or map sent as a JSON document inside a string (`"[]"`).
//!
//! What it does not do: guess. A value that means something else (a string that is not a
//! number where a number is documented) is still an error, reported with its JSON path.
//! Values are decoded into the documented type, so a number the server sent as a string is
//! written back as a number.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

fn int_from_f64<E: de::Error>(v: f64) -> Result<i64, E> {
    // `i64::MAX as f64` is 2^63, which does not fit: the upper bound is exclusive, or 2^63
    // would saturate to `i64::MAX` (a different number).
    if v.is_finite() && v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
        Ok(v as i64)
    } else {
        Err(E::invalid_value(de::Unexpected::Float(v), &"an integer"))
    }
}

/// The integer a decimal text holds exactly (`"90"`, `"8.0"`, `"1e3"`, `"9007199254740993.0"`),
/// computed on the digits rather than through `f64`, so that integers beyond 2^53 are not
/// rounded. `None` when the text is not a decimal number, is not integral, or does not fit.
fn exact_integer(t: &str) -> Option<i64> {
    let (negative, rest) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let scale = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    let digits = if scale < 0 {
        // The digits dropped by a negative scale must all be zeros.
        let cut = digits.len().checked_sub(scale.unsigned_abs() as usize);
        match cut {
            Some(cut) if digits[cut..].bytes().all(|b| b == b'0') => &digits[..cut],
            _ if digits.bytes().all(|b| b == b'0') => "",
            _ => return None,
        }
    } else {
        digits
    };
    let mut value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    if scale > 0 && value != 0 {
        value = value.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?;
    }
    i64::try_from(if negative { -value } else { value }).ok()
}

fn int_from_str<E: de::Error>(s: &str) -> Result<i64, E> {
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Ok(v);
    }
    exact_integer(t).ok_or_else(|| {
        E::invalid_value(
            de::Unexpected::Str(s),
            &"an integer or a string holding one",
        )
    })
}

fn float_from_str<E: de::Error>(s: &str) -> Result<f64, E> {
    // Only finite numbers: Rust also parses "NaN", "inf" and "1e400" (infinity), which JSON
    // cannot hold, so they would be written back as `null`.
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            E::invalid_value(de::Unexpected::Str(s), &"a number or a string holding one")
        })
}

fn bool_from_str<E: de::Error>(s: &str) -> Result<bool, E> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "enabled" | "1" | "on" => Ok(true),
        "false" | "no" | "disabled" | "0" | "off" => Ok(false),
        _ => Err(E::invalid_value(
            de::Unexpected::Str(s),
            &"a boolean or a string holding one",
        )),
    }
}

fn bool_from_int<E: de::Error>(v: i64) -> Result<bool, E> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(E::invalid_value(
            de::Unexpected::Signed(v),
            &"a boolean, 0 or 1",
        )),
    }
}

/// Consumes a map and succeeds only if it is empty (`{}` meaning "unset").
fn empty_map<'de, A: MapAccess<'de>>(mut map: A, expected: &str) -> Result<(), A::Error> {
    match map.next_key::<de::IgnoredAny>()? {
        None => Ok(()),
        Some(_) => Err(de::Error::invalid_type(de::Unexpected::Map, &expected)),
    }
}

macro_rules! scalar_visitor {
    ($visitor:ident, $ty:ty, $expecting:literal, $unset:expr, $wrap:expr, empty_str_unset: $empty:expr,
     int: $int:expr, uint: $uint:expr, float: $float:expr, string: $string:expr, boolean: $boolean:expr) => {
        struct $visitor;
        impl<'de> Visitor<'de> for $visitor {
            type Value = $ty;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($expecting)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                #[allow(clippy::redundant_closure_call)]
                ($int)(v).map($wrap)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                #[allow(clippy::redundant_closure_call)]
                ($uint)(v).map($wrap)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                #[allow(clippy::redundant_closure_call)]
                ($float)(v).map($wrap)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                #[allow(clippy::redundant_closure_call)]
                ($boolean)(v).map($wrap)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if $empty && v.trim().is_empty() {
                    return $unset;
                }
                #[allow(clippy::redundant_closure_call)]
                ($string)(v).map($wrap)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                $unset
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                $unset
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                empty_map(map, $expecting)?;
                $unset
            }
            // `[]` for unset: 8.x clusters send `data_cipher_suites_tls_1_3: []`.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                match seq.next_element::<de::IgnoredAny>()? {
                    None => $unset,
                    Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &$expecting)),
                }
            }
        }
    };
}

fn unsigned<E: de::Error>(v: u64) -> Result<i64, E> {
    i64::try_from(v).map_err(|_| {
        E::invalid_value(
            de::Unexpected::Unsigned(v),
            &"an integer that fits in 64 signed bits",
        )
    })
}

fn no_bool<T, E: de::Error>(v: bool, expected: &'static str) -> Result<T, E> {
    Err(E::invalid_type(de::Unexpected::Bool(v), &expected))
}

scalar_visitor!(OptI64, Option<i64>, "an integer", Ok(None), Some, empty_str_unset: true,
    int: Ok::<i64, E>, uint: unsigned::<E>, float: int_from_f64::<E>,
    string: int_from_str::<E>,
    boolean: |b| no_bool(b, "an integer"));

/// The largest integer an `f64` holds exactly (2^53).
const EXACT_F64_INT: u64 = 1 << 53;

/// An integer in a `number` member, refused when an `f64` would round it: the value then does
/// not fit, so the client isolates it and writes it back unaltered (`crate::unfit`) rather than
/// silently changing it.
fn exact_f64<E: de::Error>(magnitude: u64, value: f64) -> Result<f64, E> {
    if magnitude <= EXACT_F64_INT {
        Ok(value)
    } else {
        Err(E::invalid_value(
            de::Unexpected::Float(value),
            &"a number an f64 holds exactly (an integer up to 2^53)",
        ))
    }
}

scalar_visitor!(OptF64, Option<f64>, "a number", Ok(None), Some, empty_str_unset: true,
    int: |v: i64| exact_f64::<E>(v.unsigned_abs(), v as f64), uint: |v: u64| exact_f64::<E>(v, v as f64), float: Ok::<f64, E>,
    string: float_from_str::<E>,
    boolean: |b| no_bool(b, "a number"));

scalar_visitor!(OptBool, Option<bool>, "a boolean", Ok(None), Some, empty_str_unset: true,
    int: bool_from_int::<E>, uint: |v: u64| bool_from_int::<E>(v.min(2) as i64), float: |v: f64| bool_from_int::<E>(int_from_f64::<E>(v)?),
    string: bool_from_str::<E>,
    boolean: Ok::<bool, E>);

scalar_visitor!(OptString, Option<String>, "a string", Ok(None), Some, empty_str_unset: false,
    int: |v: i64| Ok::<String, E>(v.to_string()), uint: |v: u64| Ok::<String, E>(v.to_string()),
    float: |v: f64| Ok::<String, E>(serde_json::Number::from_f64(v).map(|n| n.to_string()).unwrap_or_else(|| v.to_string())),
    string: |s: &str| Ok::<String, E>(s.to_string()),
    boolean: |b: bool| Ok::<String, E>(b.to_string()));

/// An optional integer: also from strings, integral floats, `null`, `{}` and `""`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(OptI64)
}

/// An optional number: also from strings, `null`, `{}` and `""`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(OptF64)
}

/// An optional boolean: also from `"true"`/`"false"`-style strings, `0`/`1`, `null`, `{}` and
/// `""`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(OptBool)
}

/// An optional string: also from numbers and booleans (kept as their JSON text), `null`, `{}`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(OptString)
}

fn required<T, E: de::Error>(v: Option<T>, what: &'static str) -> Result<T, E> {
    v.ok_or_else(|| E::invalid_type(de::Unexpected::Unit, &what))
}

/// A required integer (same leniency as [`opt_i64`], but `null` is an error).
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    required(opt_i64(d)?, "an integer")
}

/// A required number.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    required(opt_f64(d)?, "a number")
}

/// A required boolean.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    required(opt_bool(d)?, "a boolean")
}

/// A required string.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    required(opt_string(d)?, "a string")
}

/// A list: also from `null`, `{}`, `""` (all empty) and a JSON array inside a string.
pub fn seq<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(opt_seq(d)?.unwrap_or_default())
}

/// A map: also from `null`, `[]`, `""` (all empty) and a JSON object inside a string.
pub fn map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: DeserializeOwned + Ord,
    V: DeserializeOwned,
{
    Ok(opt_map(d)?.unwrap_or_default())
}

/// A free-form JSON object: also from `null`, `[]`, `""` (all empty) and an object inside a
/// string.
pub fn object<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    Ok(opt_object(d)?.unwrap_or_default())
}

/// An optional list: `null` and `{}` are unset; `[]` stays an empty list (so it is written back);
/// a JSON array inside a string is decoded.
pub fn opt_seq<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element::<T>()? {
                out.push(item);
            }
            Ok(Some(out))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            serde_json::from_str(v)
                .map(Some)
                .map_err(|e| E::custom(format_args!("a list inside a string did not decode: {e}")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            empty_map(map, "a list")?;
            Ok(None)
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// An optional map: `null`, `[]` and `""` are unset; `{}` stays an empty map; a JSON object
/// inside a string is decoded.
pub fn opt_map<'de, D, K, V>(d: D) -> Result<Option<BTreeMap<K, V>>, D::Error>
where
    D: Deserializer<'de>,
    K: DeserializeOwned + Ord,
    V: DeserializeOwned,
{
    struct Vis<K, V>(PhantomData<(K, V)>);
    impl<'de, K: DeserializeOwned + Ord, V: DeserializeOwned> Visitor<'de> for Vis<K, V> {
        type Value = Option<BTreeMap<K, V>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<K, V>()? {
                out.insert(k, v);
            }
            Ok(Some(out))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            serde_json::from_str(v)
                .map(Some)
                .map_err(|e| E::custom(format_args!("a map inside a string did not decode: {e}")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            match seq.next_element::<de::IgnoredAny>()? {
                None => Ok(None),
                Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &"a map")),
            }
        }
    }
    d.deserialize_any(Vis(PhantomData))
}

/// An optional free-form object: `null`, `[]` and `""` are unset; an object inside a string is
/// decoded.
pub fn opt_object<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Object(m)) => Ok(Some(m)),
        Some(serde_json::Value::Array(a)) if a.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => serde_json::from_str(&s).map(Some).map_err(|e| {
            de::Error::custom(format_args!(
                "an object inside a string did not decode: {e}"
            ))
        }),
        Some(other) => Err(de::Error::custom(format_args!(
            "expected an object, found {other}"
        ))),
    }
}

/// Implemented by every generated open enum: how a value sent as a number or boolean (not a
/// string) is kept, so that it is written back as that number or boolean.
pub trait OpenEnum: From<String> {
    /// The enum value for a number or boolean, given as its JSON text (`3`, `true`).
    fn from_json_scalar(text: String) -> Self;
}

/// The position of `value` in `known` (a generated open enum's `KNOWN`), if it is there: the
/// one lookup every generated open enum shares (a string match per enum and conversion cost the
/// crate's build more than it saved in decoding).
pub fn known_index(known: &[&str], value: &str) -> Option<usize> {
    known.iter().position(|k| *k == value)
}

/// An enum value as sent: its text, and whether it came as a JSON string.
struct EnumText;

impl<'de> Visitor<'de> for EnumText {
    type Value = Option<(String, bool)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an enum value (a string)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some((v.to_string(), true)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some((v, true)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some((v.to_string(), false)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some((v.to_string(), false)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        let text = serde_json::Number::from_f64(v)
            .map(|n| n.to_string())
            .unwrap_or_else(|| v.to_string());
        Ok(Some((text, false)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some((v.to_string(), false)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // `{}` means unset, as for the other scalars.
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

fn enum_from<T: OpenEnum>(text: String, was_string: bool) -> T {
    if was_string {
        T::from(text)
    } else {
        T::from_json_scalar(text)
    }
}

/// The `Deserialize` of a generated open enum: a string, or a number or boolean kept as such;
/// `null` is an error.
pub fn open_enum<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: OpenEnum,
{
    match d.deserialize_any(EnumText)? {
        Some((text, was_string)) => Ok(enum_from(text, was_string)),
        None => Err(de::Error::invalid_type(
            de::Unexpected::Unit,
            &"an enum value (a string)",
        )),
    }
}

/// An optional open-enum value: `null` and `{}` are unset.
pub fn opt_enum<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: OpenEnum,
{
    Ok(d.deserialize_any(EnumText)?
        .map(|(text, was_string)| enum_from(text, was_string)))
}

/// A required open-enum value.
pub fn enum_value<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: OpenEnum,
{
    open_enum(d)
}

/// A scalar type with a lenient decoder, so lists and maps of scalars get the same leniency as
/// scalar fields (`["1", "2"]` for a list of integers).
pub trait LenientScalar: Sized {
    /// Decodes one value leniently.
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl LenientScalar for i64 {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        int(d)
    }
}

impl LenientScalar for f64 {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        float(d)
    }
}

impl LenientScalar for bool {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        boolean(d)
    }
}

impl LenientScalar for String {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string(d)
    }
}

/// Wraps a [`LenientScalar`] so that it can be an element type.
struct Scalar<T>(T);

impl<'de, T: LenientScalar> Deserialize<'de> for Scalar<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::decode(d).map(Scalar)
    }
}

/// An optional list of scalars, each decoded leniently (see [`opt_seq`]).
pub fn opt_seq_scalar<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: LenientScalar,
{
    Ok(opt_seq::<D, Scalar<T>>(d)?.map(|v| v.into_iter().map(|s| s.0).collect()))
}

/// A required list of scalars, each decoded leniently (see [`seq`]).
pub fn seq_scalar<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: LenientScalar,
{
    Ok(seq::<D, Scalar<T>>(d)?.into_iter().map(|s| s.0).collect())
}

/// An optional map of scalars, each value decoded leniently (see [`opt_map`]).
pub fn opt_map_scalar<'de, D, T>(d: D) -> Result<Option<BTreeMap<String, T>>, D::Error>
where
    D: Deserializer<'de>,
    T: LenientScalar,
{
    Ok(opt_map::<D, String, Scalar<T>>(d)?.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
}

/// A required map of scalars, each value decoded leniently (see [`map`]).
pub fn map_scalar<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: LenientScalar,
{
    Ok(map::<D, String, Scalar<T>>(d)?
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect())
}

/// An optional member whose type is a generated object (or `oneOf`): `null` and `""` are unset;
/// anything else decodes as `T` without buffering (maps and lists are handed over as they
/// stream, so a failure still names its JSON path inside the member).
pub fn opt_nested<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::de::IntoDeserializer;
    struct V<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            T::deserialize(v.into_deserializer()).map(Some)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            T::deserialize(v.into_deserializer()).map(Some)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            T::deserialize(v.into_deserializer()).map(Some)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            T::deserialize(v.into_deserializer()).map(Some)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            T::deserialize(v.into_deserializer()).map(Some)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            T::deserialize(SeqAccessDeserializer::new(seq)).map(Some)
        }
    }
    d.deserialize_any(V(PhantomData))
}
