//! What the `Deserialize` of every generated object is made of. codegen emits, per object, one
//! visitor whose `visit_map` matches each property name and hands the value to [`set`] with the
//! [`Decode`] kind that codegen chose for the field's type (the helpers of [`crate::lenient`]);
//! a property the spec does not describe goes to the object's `extra` map through [`keep`].
//!
//! It decodes exactly what `#[derive(Deserialize)]` with `#[serde(flatten)] extra` and
//! `deserialize_with` decoded (same errors: duplicate members, missing required members, the
//! `struct Name` expectation), without the derive's cost: the derive emits a wrapper type with
//! its own `Deserialize` impl for every field that has a `deserialize_with` (1,739 of them in
//! this crate), and buffers unknown members as `Content` before decoding them again. Here every
//! field of one kind shares one generic impl, and an unknown member is decoded once, straight
//! into a `serde_json::Value`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::lenient::{self, LenientScalar, OpenEnum};

/// A property name as sent: borrowed from the input where the input allows it.
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
                std::str::from_utf8(v)
                    .map(|s| Key(Cow::Borrowed(s)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                std::str::from_utf8(v)
                    .map(|s| Key(Cow::Owned(s.to_owned())))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// How one member's value is decoded into its field's type `T`. Each kind below stands for one
/// helper of [`crate::lenient`] (or for `T`'s own `Deserialize`: [`Plain`]).
pub trait Decode<T> {
    /// Decodes one value.
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error>;
}

/// `T`'s own `Deserialize`, for a field without a lenient helper.
pub enum Plain {}

impl<T: DeserializeOwned> Decode<T> for Plain {
    fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident: $ty:ty => $helper:path;)*) => {$(
        $(#[$doc])*
        pub enum $kind {}
        impl Decode<$ty> for $kind {
            fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                $helper(d)
            }
        }
    )*};
}

kinds! {
    /// [`lenient::opt_i64`].
    OptI64: Option<i64> => lenient::opt_i64;
    /// [`lenient::opt_f64`].
    OptF64: Option<f64> => lenient::opt_f64;
    /// [`lenient::opt_bool`].
    OptBool: Option<bool> => lenient::opt_bool;
    /// [`lenient::opt_string`].
    OptString: Option<String> => lenient::opt_string;
    /// [`lenient::int`].
    Int: i64 => lenient::int;
    /// [`lenient::float`].
    Float: f64 => lenient::float;
    /// [`lenient::boolean`].
    Boolean: bool => lenient::boolean;
    /// [`lenient::string`].
    Str: String => lenient::string;
    /// [`lenient::object`].
    Object: serde_json::Map<String, serde_json::Value> => lenient::object;
    /// [`lenient::opt_object`].
    OptObject: Option<serde_json::Map<String, serde_json::Value>> => lenient::opt_object;
}

macro_rules! generic_kinds {
    ($($(#[$doc:meta])* $kind:ident<$($p:ident),*>($($bounds:tt)*): $ty:ty => $helper:path;)*) => {$(
        $(#[$doc])*
        pub enum $kind {}
        impl<$($p),*> Decode<$ty> for $kind where $($bounds)* {
            fn decode<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                $helper(d)
            }
        }
    )*};
}

generic_kinds! {
    /// [`lenient::opt_enum`].
    OptEnum<T>(T: OpenEnum): Option<T> => lenient::opt_enum;
    /// [`lenient::enum_value`].
    EnumValue<T>(T: OpenEnum): T => lenient::enum_value;
    /// [`lenient::opt_nested`].
    OptNested<T>(T: DeserializeOwned): Option<T> => lenient::opt_nested;
    /// [`lenient::opt_seq`].
    OptSeq<T>(T: DeserializeOwned): Option<Vec<T>> => lenient::opt_seq;
    /// [`lenient::seq`].
    Seq<T>(T: DeserializeOwned): Vec<T> => lenient::seq;
    /// [`lenient::opt_seq_scalar`].
    OptSeqScalar<T>(T: LenientScalar): Option<Vec<T>> => lenient::opt_seq_scalar;
    /// [`lenient::seq_scalar`].
    SeqScalar<T>(T: LenientScalar): Vec<T> => lenient::seq_scalar;
    /// [`lenient::opt_map`].
    OptMap<K, V>(K: DeserializeOwned + Ord, V: DeserializeOwned): Option<BTreeMap<K, V>> => lenient::opt_map;
    /// [`lenient::map`].
    Map<K, V>(K: DeserializeOwned + Ord, V: DeserializeOwned): BTreeMap<K, V> => lenient::map;
    /// [`lenient::opt_map_scalar`].
    OptMapScalar<T>(T: LenientScalar): Option<BTreeMap<String, T>> => lenient::opt_map_scalar;
    /// [`lenient::map_scalar`].
    MapScalar<T>(T: LenientScalar): BTreeMap<String, T> => lenient::map_scalar;
}

/// A value decoded by kind `K`.
struct Via<T, K>(T, PhantomData<K>);

impl<'de, T, K: Decode<T>> Deserialize<'de> for Via<T, K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        K::decode(d).map(|v| Via(v, PhantomData))
    }
}

/// Decodes the value of member `name` with kind `K` into `slot`. A member sent twice is an
/// error (`duplicate field`), as with serde's derive.
pub fn set<'de, K: Decode<T>, T, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value::<Via<T, K>>()?.0);
    Ok(())
}

/// Decodes the value of member `name` with kind `K` straight into `field`, the field of a
/// default value of the object being decoded (an object whose type is `Default`): no slot per
/// field to move into the object at the end. `seen` holds a bit per member, set at `index`; a
/// member sent twice is an error (`duplicate field`), as with serde's derive.
pub fn put<'de, K: Decode<T>, T, A: MapAccess<'de>>(
    map: &mut A,
    field: &mut T,
    seen: &mut [u64],
    index: usize,
    name: &'static str,
) -> Result<(), A::Error> {
    let (word, bit) = (index / 64, 1u64 << (index % 64));
    if seen[word] & bit != 0 {
        return Err(de::Error::duplicate_field(name));
    }
    seen[word] |= bit;
    *field = map.next_value::<Via<T, K>>()?.0;
    Ok(())
}

/// The `missing field` error for a required member that [`put`] did not see.
pub fn present<E: de::Error>(seen: &[u64], index: usize, name: &'static str) -> Result<(), E> {
    if seen[index / 64] & (1u64 << (index % 64)) == 0 {
        return Err(E::missing_field(name));
    }
    Ok(())
}

/// Keeps a member the object does not describe in its `extra` map, as sent (a member sent twice
/// keeps its last value).
pub fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut serde_json::Map<String, serde_json::Value>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value = map.next_value::<serde_json::Value>()?;
    extra.insert(key.0.into_owned(), value);
    Ok(())
}

/// The value of a required member, or the `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}
