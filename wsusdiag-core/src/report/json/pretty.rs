//! serde_json's pretty form (two spaces a level), byte for byte, written straight into a
//! buffer.
//!
//! serde_json looks at a string's bytes one at a time to find what to escape, and that loop
//! was most of the time of writing a report, whose bulk is log lines full of TABs. Here eight
//! bytes are looked at in one step, and a line break and its indent go out in one copy.
//! Numbers other than integers are left to serde_json itself.

use serde::Serialize;
use serde::ser::{self, Error as _};

/// The errors of serde_json, so that both writers fail alike.
type Error = serde_json::Error;

/// A comma, a line break and as many spaces as most reports' deepest indent takes.
const BREAKS: &[u8] = b",\n                                                                ";

/// Writes `value` into `out` in the pretty form, `indent` levels deep.
pub(super) fn render<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    indent: usize,
) -> Result<(), Error> {
    value.serialize(&mut Pretty { out, indent })
}

/// The serializer: where it writes and how deep it is.
struct Pretty<'o> {
    out: &'o mut Vec<u8>,
    indent: usize,
}

impl<'o> Pretty<'o> {
    /// A line break (after a comma unless `first`) and the indent.
    fn break_line(&mut self, first: bool) {
        let from = usize::from(first);
        let to = 2 + 2 * self.indent;
        match BREAKS.get(from..to) {
            Some(b) => self.out.extend_from_slice(b),
            None => {
                self.out.extend_from_slice(&BREAKS[from..2]);
                self.out.resize(self.out.len() + 2 * self.indent, b' ');
            }
        }
    }

    fn open(&mut self, bracket: u8) {
        self.indent += 1;
        self.out.push(bracket);
    }

    /// Closes a list or object; its last item, if any, ends its line.
    fn close(&mut self, bracket: u8, any: bool) {
        self.indent -= 1;
        if any {
            self.break_line(true);
        }
        self.out.push(bracket);
    }

    fn key(&mut self, first: bool, key: &str) {
        self.break_line(first);
        string(self.out, key);
        self.out.extend_from_slice(b": ");
    }

    fn integer(&mut self, n: impl itoa::Integer) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A list or object, opened.
    fn compound(&mut self, bracket: u8, variant: Option<&str>) -> Compound<'_, 'o> {
        if let Some(name) = variant {
            self.open(b'{');
            self.key(true, name);
        }
        self.open(bracket);
        Compound {
            ser: self,
            first: true,
            close: if bracket == b'[' { b']' } else { b'}' },
            variant: variant.is_some(),
        }
    }
}

impl<'s, 'o> ser::Serializer for &'s mut Pretty<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'s, 'o>;
    type SerializeTuple = Compound<'s, 'o>;
    type SerializeTupleStruct = Compound<'s, 'o>;
    type SerializeTupleVariant = Compound<'s, 'o>;
    type SerializeMap = Compound<'s, 'o>;
    type SerializeStruct = Compound<'s, 'o>;
    type SerializeStructVariant = Compound<'s, 'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut list = self.compound(b'[', None);
        v.iter().try_for_each(|b| list.item(b))?;
        list.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open(b'{');
        self.key(true, variant);
        value.serialize(&mut *self)?;
        self.close(b'}', true);
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'[', None))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'[', None))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'[', None))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'[', Some(variant)))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'{', None))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'{', None))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'s, 'o>, Error> {
        Ok(self.compound(b'{', Some(variant)))
    }
}

/// A list or object being written.
struct Compound<'s, 'o> {
    ser: &'s mut Pretty<'o>,
    /// No item written yet.
    first: bool,
    close: u8,
    /// Inside the object that names an enum variant, to close too.
    variant: bool,
}

impl Compound<'_, '_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.break_line(self.first);
        self.first = false;
        value.serialize(&mut *self.ser)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.ser.key(self.first, key);
        self.first = false;
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        self.ser.close(self.close, !self.first);
        if self.variant {
            self.ser.close(b'}', true);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    /// JSON keys are strings: a string is written as it is, a number or a boolean in quotes
    /// (as serde_json does); anything else is an error.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let mut text = Vec::new();
        render(key, &mut text, 0)?;
        let quoted = match text.first() {
            Some(b'"') => false,
            Some(b'-' | b'0'..=b'9' | b't' | b'f') if text != b"null" => true,
            _ => return Err(Error::custom("key must be a string")),
        };
        self.ser.break_line(self.first);
        self.first = false;
        let quote: &[u8] = if quoted { b"\"" } else { b"" };
        self.ser.out.extend_from_slice(quote);
        self.ser.out.extend_from_slice(&text);
        self.ser.out.extend_from_slice(quote);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

/// `s` as a JSON string, escaped as serde_json escapes it: `"`, `\` and the control
/// characters, with the short escapes where JSON has them.
fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut done = 0;
    while let Some(at) = next_escaped(b, done) {
        out.extend_from_slice(&b[done..at]);
        let short = match b[at] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            0x08 => Some(b'b'),
            0x0C => Some(b'f'),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            _ => None,
        };
        match short {
            Some(c) => out.extend_from_slice(&[b'\\', c]),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let c = usize::from(b[at]);
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[c >> 4], HEX[c & 15]]);
            }
        }
        done = at + 1;
    }
    out.extend_from_slice(&b[done..]);
    out.push(b'"');
}

/// The first byte of `b`, at `from` or later, that a JSON string escapes: a control
/// character, `"` or `\`. Eight bytes a step: a byte's high bit is set where it is below
/// 0x20 or equal to either character; a step's lowest flag is exact (a borrow only runs
/// upwards from a true one), and that is the one taken.
fn next_escaped(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let mut at = from;
    while let Some(word) = b.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let below = x.wrapping_sub(ONES * 0x20) & !x;
        let is_quote = quote.wrapping_sub(ONES) & !quote;
        let is_backslash = backslash.wrapping_sub(ONES) & !backslash;
        let flags = (below | is_quote | is_backslash) & HIGH;
        if flags != 0 {
            return Some(at + flags.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let escaped = |c: &u8| *c < 0x20 || *c == b'"' || *c == b'\\';
    b.get(at..)?.iter().position(escaped).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours<T: Serialize + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        render(value, &mut out, 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// serde_json's own pretty form, the reference.
    fn serde<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string_pretty(value).unwrap()
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_does_at_every_place_in_a_word() {
        // Each ASCII character, and a few others, alone and then at each of the sixteen
        // places of a string long enough for two steps, among TABs as in a classic log line.
        let mut chars: Vec<char> = (0u8..0x80).map(char::from).collect();
        chars.extend(['é', '€', '\u{7f}', '\u{2028}', '𝄞']);
        for c in chars {
            assert_eq!(ours(&c), serde(&c), "{c:?}");
            for at in 0..16 {
                let mut s: String = "abc\tdefghijklmnopq\t".chars().cycle().take(19).collect();
                s.insert(at, c);
                assert_eq!(ours(&s), serde(&s), "{c:?} at {at}");
            }
        }
        assert_eq!(ours(""), "\"\"");
    }

    #[test]
    fn the_data_model_is_written_as_serde_json_writes_it() {
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct Newtype(u8);
        #[derive(Serialize)]
        struct Pair(i8, &'static str);
        #[derive(Serialize)]
        struct Empty {}
        #[derive(Serialize)]
        enum Kind {
            Plain,
            Wrapped(u32),
            Tuple(u8, u8),
            Named { a: bool, b: Option<u8> },
        }
        #[derive(Serialize)]
        struct All {
            unit: (),
            unit_struct: Unit,
            newtype: Newtype,
            pair: Pair,
            empty: Empty,
            kinds: Vec<Kind>,
            numbers: (i64, u64, i128, u128, f32, f64, f64),
            bytes: Bytes,
            keys: std::collections::BTreeMap<i32, Vec<()>>,
            bool_keys: std::collections::BTreeMap<bool, char>,
        }
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(b"\x00\xff")
            }
        }
        let all = All {
            unit: (),
            unit_struct: Unit,
            newtype: Newtype(7),
            pair: Pair(-3, "x"),
            empty: Empty {},
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped(9),
                Kind::Tuple(1, 2),
                Kind::Named { a: true, b: None },
            ],
            numbers: (
                i64::MIN,
                u64::MAX,
                i128::MIN,
                u128::MAX,
                1.5,
                -0.1,
                f64::NAN,
            ),
            bytes: Bytes,
            keys: [(-1, vec![]), (2, vec![()])].into(),
            bool_keys: [(true, 'y')].into(),
        };
        assert_eq!(ours(&all), serde(&all));
        let deep = (0..40).fold(serde_json::json!("leaf"), |v, _| serde_json::json!([v]));
        let value = serde_json::json!({
            "empty_list": [],
            "empty_map": {},
            "nested": [[], {}, [[]], {"a": [1, {"b": null}]}, "tab\there \"quoted\" é"],
            "deep": deep,
            "last": true
        });
        assert_eq!(ours(&value), serde(&value));
    }

    #[test]
    fn keys_that_are_not_strings_numbers_or_booleans_are_errors() {
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        let mut out = Vec::new();
        assert!(render(&map, &mut out, 0).is_err());
        assert!(serde_json::to_string_pretty(&map).is_err());
    }
}
