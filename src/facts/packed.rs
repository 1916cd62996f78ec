//! Lists held encoded. A run holds the facts of the whole workspace at once, but some lists — a
//! file's error-path sites, a function's calls — are read only a few times, one file or one
//! function at a time: they are kept as postcard bytes between extraction and use, and stored
//! in the cache that way, so a cached list is held encoded until it is read.
//!
//! Reading never fails: an encoded list is either one [`Packed::pack`] just encoded, or one read
//! back from a cache entry, and those are decoded once when the entry is read (and the entry
//! refused when one does not decode, or holds another number of items than it says) — a damaged
//! entry is a cache miss then and there, never a failure later in the run.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A list: plain while it is built, then encoded.
#[derive(Debug, Clone)]
pub enum Packed<T> {
    List(Vec<T>),
    Encoded { count: usize, bytes: Vec<u8> },
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed::List(Vec::new())
    }
}

impl<T> From<Vec<T>> for Packed<T> {
    fn from(v: Vec<T>) -> Self {
        Packed::List(v)
    }
}

impl<T: Clone + Serialize + DeserializeOwned> Packed<T> {
    /// The items, decoded if need be.
    pub fn read(&self) -> Cow<'_, [T]> {
        match self {
            Packed::List(v) => Cow::Borrowed(v),
            // The bytes were encoded from a list by `pack`, or checked to decode when they were
            // read (see `Deserialize`): this does not fail. Were it to, no items is the answer
            // that keeps the run going.
            Packed::Encoded { bytes, .. } => Cow::Owned(decode::<T>(bytes).unwrap_or_default()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Packed::List(v) => v.len(),
            Packed::Encoded { count, .. } => *count,
        }
    }

    /// The size of the encoded list (0 while it is plain).
    pub fn encoded_len(&self) -> usize {
        match self {
            Packed::List(_) => 0,
            Packed::Encoded { bytes, .. } => bytes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, item: T) {
        if let Packed::Encoded { .. } = self {
            *self = Packed::List(self.read().into_owned());
        }
        if let Packed::List(v) = self {
            v.push(item);
        }
    }

    /// Encodes the list in place; an empty list stays an empty list (nothing to save).
    pub fn pack(&mut self) {
        if let Packed::List(v) = self {
            if v.is_empty() {
                *v = Vec::new();
                return;
            }
            // Not encodable (cannot happen for plain data): kept as it is.
            if let Ok(bytes) = postcard::to_stdvec(v) {
                *self = Packed::Encoded { count: v.len(), bytes };
            }
        }
    }

    /// The plain list, to shrink or fix up before it is packed.
    pub fn list_mut(&mut self) -> Option<&mut Vec<T>> {
        match self {
            Packed::List(v) => Some(v),
            Packed::Encoded { .. } => None,
        }
    }
}

/// An encoded list built an item at a time (the sites of a large file's parts, facts::parts),
/// so that the whole list is never held decoded. A postcard list is its length then its items.
#[derive(Default)]
pub struct Builder {
    count: usize,
    items: Vec<u8>,
}

impl Builder {
    /// A builder for about `bytes` bytes of items.
    pub fn with_capacity(bytes: usize) -> Builder {
        Builder {
            count: 0,
            items: Vec::with_capacity(bytes),
        }
    }

    /// Appends one item; `None` if it cannot be encoded (plain data always can).
    pub fn push<T: Serialize>(&mut self, item: &T) -> Option<()> {
        self.items = postcard::to_extend(item, std::mem::take(&mut self.items)).ok()?;
        self.count += 1;
        Some(())
    }

    /// The list, encoded as [`Packed::pack`] encodes it (an empty list stays a plain one).
    pub fn finish<T>(self) -> Option<Packed<T>> {
        if self.count == 0 {
            return Some(Packed::List(Vec::new()));
        }
        // The length goes first: the items move up by its few bytes, within their allocation
        // when it has room.
        let mut bytes = self.items;
        bytes.splice(0..0, postcard::to_stdvec(&self.count).ok()?);
        Some(Packed::Encoded {
            count: self.count,
            bytes,
        })
    }
}

impl<T: Clone + Serialize + DeserializeOwned + PartialEq> PartialEq for Packed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.read() == other.read()
    }
}

impl<T: Serialize> Serialize for Packed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Packed::List(v) => {
                let bytes = postcard::to_stdvec(v).map_err(serde::ser::Error::custom)?;
                (v.len(), BytesRef(&bytes)).serialize(s)
            }
            Packed::Encoded { count, bytes } => (count, BytesRef(bytes)).serialize(s),
        }
    }
}

/// The list encoded in `bytes`, if they hold exactly one list.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<Vec<T>> {
    match postcard::take_from_bytes::<Vec<T>>(bytes) {
        Ok((items, [])) => Some(items),
        _ => None,
    }
}

/// Read back encoded, after checking that the bytes decode into as many items as recorded: the
/// decoding that [`Packed::read`] does later then cannot fail, and damage is found while the
/// cache entry is read, when it can still be a miss.
impl<'de, T: DeserializeOwned> Deserialize<'de> for Packed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (count, bytes) = <(usize, Bytes)>::deserialize(d)?;
        match decode::<T>(&bytes.0) {
            Some(items) if items.len() == count => Ok(if count == 0 {
                Packed::List(Vec::new())
            } else {
                Packed::Encoded { count, bytes: bytes.0 }
            }),
            _ => Err(serde::de::Error::custom("a packed list that does not decode")),
        }
    }
}

/// Bytes written as one byte string (not a sequence of numbers).
struct BytesRef<'a>(&'a [u8]);

impl Serialize for BytesRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// Bytes read as one byte string; written by [`BytesRef`].
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_lists_read_back_unchanged_through_the_cache_encoding() {
        let mut p: Packed<String> = vec!["a".to_string(), "bc".to_string()].into();
        let plain = p.clone();
        p.pack();
        assert!(matches!(p, Packed::Encoded { count: 2, .. }));
        assert_eq!(p.len(), 2);
        assert_eq!(p, plain);
        assert_eq!(p.read().as_ref(), ["a".to_string(), "bc".to_string()]);
        // Both forms encode the same way, and come back encoded.
        let (a, b) = (postcard::to_stdvec(&p).unwrap(), postcard::to_stdvec(&plain).unwrap());
        assert_eq!(a, b);
        let back: Packed<String> = postcard::from_bytes(&a).unwrap();
        assert!(matches!(back, Packed::Encoded { .. }));
        assert_eq!(back, plain);
        // Pushing onto an encoded list decodes it first.
        let mut more = back;
        more.push("d".into());
        assert_eq!(more.read().len(), 3);
        // An empty list is never encoded.
        let mut empty: Packed<String> = Packed::default();
        empty.pack();
        assert!(matches!(empty, Packed::List(_)) && empty.is_empty());
    }

    #[test]
    fn a_packed_list_that_does_not_decode_or_miscounts_is_refused_when_read_back() {
        let mut p: Packed<String> = vec!["abc".to_string(), "de".to_string()].into();
        p.pack();
        let good = postcard::to_stdvec(&p).unwrap();
        // (count, bytes): count 2, then the byte string holding [len 2, "abc", "de"].
        assert_eq!(good[0], 2);
        let decode = |b: &[u8]| postcard::from_bytes::<Packed<String>>(b).ok();
        assert!(decode(&good).is_some());
        let with = |i: usize, v: u8| {
            let mut b = good.clone();
            b[i] = v;
            b
        };
        assert!(decode(&with(0, 3)).is_none(), "more items counted than encoded");
        assert!(
            decode(&with(0, 0)).is_none(),
            "an empty list with bytes that hold items"
        );
        assert!(decode(&with(2, 3)).is_none(), "the list's own length is wrong");
        assert!(decode(&with(3, 9)).is_none(), "a string running past the end");
        assert!(decode(&with(4, 0xff)).is_none(), "a string that is not UTF-8");
        // Every single-bit flip either is refused or still reads back as a whole list of the
        // recorded length: reading it later never fails.
        for bit in 0..good.len() * 8 {
            let mut b = good.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Some(back) = decode(&b) {
                assert_eq!(back.read().len(), back.len(), "bit {bit}");
            }
        }
    }

    #[test]
    fn a_list_built_an_item_at_a_time_is_encoded_as_packing_encodes_it() {
        // 300 items: a length of two bytes.
        let items: Vec<String> = (0..300).map(|i| "x".repeat(i % 7)).collect();
        let mut b = Builder::default();
        for i in &items {
            b.push(i).unwrap();
        }
        let built: Packed<String> = b.finish().unwrap();
        let mut packed: Packed<String> = items.clone().into();
        packed.pack();
        match (&built, &packed) {
            (Packed::Encoded { count: a, bytes: x }, Packed::Encoded { count: b, bytes: y }) => {
                assert_eq!((a, x), (b, y));
            }
            _ => panic!("both encoded"),
        }
        assert_eq!(built.read().as_ref(), items.as_slice());
        assert!(matches!(Builder::default().finish::<String>(), Some(Packed::List(v)) if v.is_empty()));
    }
}
