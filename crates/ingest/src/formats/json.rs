//! Shared JSON helpers for the readers: strings borrowed from the input, and parsing that
//! validates UTF-8 once per document instead of once per string.

use serde::de::{Deserialize, Deserializer, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// A JSON string borrowed from the input when it has no escapes, owned otherwise.
///
/// `Option<Cow<'a, str>>` looks borrowed but is not: serde borrows a `Cow` only when it is the
/// field's whole type, and otherwise allocates every string. This type always borrows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            // The words `String`'s own visitor uses, so error messages stay the same.
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Text<'a>, E> {
                std::str::from_utf8(v)
                    .map(|s| Text(Cow::Owned(s.to_string())))
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
            }
        }
        d.deserialize_string(V(std::marker::PhantomData))
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id that APIs send as a string (borrowed, like [`Text`]) and hand-made files sometimes as
/// an integer; `twitter_v2::Id` without the allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdText<'a>(pub Cow<'a, str>);

impl Deref for IdText<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for IdText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = IdText<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id (string or integer)")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<IdText<'a>, E> {
                Ok(IdText(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<IdText<'a>, E> {
                Ok(IdText(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<IdText<'a>, E> {
                Ok(IdText(Cow::Owned(n.to_string())))
            }
            fn visit_i64<E>(self, n: i64) -> Result<IdText<'a>, E> {
                Ok(IdText(Cow::Owned(n.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A JSON document parsed from bytes. When the bytes are valid UTF-8 (checked in one fast pass)
/// serde_json reads them as a `str` and skips validating each string; otherwise they are parsed
/// as bytes exactly as before, so invalid UTF-8 gives the same result and message either way.
pub fn from_bytes<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(s) => serde_json::from_str(s),
        Err(_) => serde_json::from_slice(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct S<'a> {
        #[serde(borrow)]
        a: Option<Text<'a>>,
    }

    #[test]
    fn text_borrows_plain_strings_and_owns_escaped_ones() {
        let s: S = from_bytes(br#"{"a":"plain"}"#).unwrap();
        assert!(matches!(s.a.unwrap().0, Cow::Borrowed("plain")));
        let s: S = from_bytes(br#"{"a":"a\nb"}"#).unwrap();
        assert!(matches!(s.a.unwrap().0, Cow::Owned(ref o) if o == "a\nb"));
        // Same messages as a String field.
        let e = from_bytes::<S>(br#"{"a":5}"#).err().unwrap().to_string();
        let want = serde_json::from_str::<Option<String>>("5")
            .err()
            .unwrap()
            .to_string();
        assert_eq!(e.split(" at ").next(), want.split(" at ").next());
    }

    #[test]
    fn invalid_utf8_is_parsed_as_before() {
        // In a string that is read: the same error as from_slice.
        let bad = b"{\"a\":\"\xff\"}";
        assert_eq!(
            from_bytes::<S>(bad).err().map(|e| e.to_string()),
            serde_json::from_slice::<S>(bad)
                .err()
                .map(|e| e.to_string())
        );
        // In a skipped field: accepted, as from_slice accepts it.
        let s: S = from_bytes(b"{\"b\":\"\xff\",\"a\":\"x\"}").unwrap();
        assert_eq!(s.a.as_deref(), Some("x"));
    }
}
