//! The payload walk: an event's field values, read in order by its schema.
//!
//! Values are packed tightly in field order: fixed-size values as they are, NUL-terminated
//! strings with their terminator, binary and counted strings as a `u16` byte count then the
//! bytes, variable arrays as a `u16` element count then the elements.

use std::borrow::Cow;

use super::super::bytes::{
    ansi_string, array, cstr_len, i64_at, u8_at, u16_at, utf16_string, utf16_to_string, utf16z_len,
};
use super::super::event::Guid;
use super::schema::{Count, FieldDef, MAX_DEPTH, Schema};
use super::{in_type, out_type};

/// Values an event may hold beyond one per payload byte: values that take no bytes (empty
/// structs, null fields) are rare, and this bound keeps arrays of them from spinning.
const EXTRA_VALUES: usize = 1024;

/// Why the payload walk stopped before the last field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WalkError {
    /// A field type this reader does not know: the payload after it cannot be located.
    UnknownType {
        /// The field's name.
        field: Box<str>,
        /// Its `InType`.
        in_type: u8,
    },
    /// The payload ends before this field's value.
    Truncated {
        /// The field's name.
        field: Box<str>,
    },
    /// Too many values (or structs nested too deep) to be a real event.
    TooComplex,
}

/// Where the message string of an event lies in its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MessageSpan {
    /// UTF-16LE bytes, without terminator.
    Utf16 { start: u32, end: u32 },
    /// 8-bit bytes (UTF-8 or ANSI), without terminator.
    Ansi { start: u32, end: u32 },
    /// No single message field: the message is all fields rendered.
    Fields,
    /// The payload cannot be decoded as far as the message.
    None,
}

/// What the read-time walk found: the message location and the first problem, if any.
pub(crate) struct Located {
    pub(crate) message: MessageSpan,
    pub(crate) problem: Option<WalkError>,
}

/// Walks an event's payload once without decoding values: finds the message field and checks
/// that every field can be located.
pub(crate) fn locate(schema: &Schema, payload: &[u8], pointer_size: u8) -> Located {
    let mut walker = Walker::new(payload, pointer_size);
    let mut message = match schema.message_field {
        Some(_) => MessageSpan::None,
        None if schema.fields.is_empty() => MessageSpan::None,
        None => MessageSpan::Fields,
    };
    for (index, field) in schema.fields.iter().enumerate() {
        let start = walker.pos;
        if let Err(problem) = walker.skip(field, 0) {
            return Located {
                message,
                problem: Some(problem),
            };
        }
        if schema.message_field == Some(index) {
            message = string_span(field, payload, start, walker.pos);
        }
    }
    Located {
        message,
        problem: None,
    }
}

/// The bytes of a string field's text, given where its encoded value starts and ends.
fn string_span(field: &FieldDef, payload: &[u8], start: usize, end: usize) -> MessageSpan {
    let (text_start, text_end, utf16) = match field.in_type {
        in_type::UNICODE_STRING => {
            let (len, _) = utf16z_len(payload, start);
            (start, start + len, true)
        }
        in_type::ANSI_STRING => {
            let (len, _) = cstr_len(payload, start);
            (start, (start + len).min(end), false)
        }
        in_type::COUNTED_STRING => (start + 2, end, true),
        _ => (start + 2, end, false),
    };
    match (u32::try_from(text_start), u32::try_from(text_end)) {
        (Ok(start), Ok(end)) if start <= end && utf16 => MessageSpan::Utf16 { start, end },
        (Ok(start), Ok(end)) if start <= end => MessageSpan::Ansi { start, end },
        _ => MessageSpan::None,
    }
}

/// A decoded field value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value<'e> {
    /// A string (UTF-16 and counted strings decoded; 8-bit strings as UTF-8, or Windows-1252
    /// when not UTF-8).
    Str(Cow<'e, str>),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// An integer meant to be shown in hexadecimal (HexInt32/64, pointers, `OutType` Hex).
    Hex(u64),
    /// A floating-point number.
    Float(f64),
    /// A Boolean.
    Bool(bool),
    /// A GUID.
    Guid(Guid),
    /// A FILETIME: 100 ns ticks since 1601-01-01 (UTC unless the provider says otherwise).
    FileTime(i64),
    /// A SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds.
    SystemTime([u16; 8]),
    /// A security identifier, in binary form.
    Sid(&'e [u8]),
    /// Binary data (also custom-serialised fields).
    Binary(&'e [u8]),
    /// An array's elements.
    Array(Vec<Value<'e>>),
    /// A struct's members.
    Struct(Vec<Field<'e>>),
}

/// A named field of an event with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<'e> {
    /// The field's name from the event's metadata.
    pub name: &'e str,
    /// Its value.
    pub value: Value<'e>,
}

/// Decodes every field it can; stops at the first that cannot be located.
pub(crate) fn decode<'e>(
    schema: &'e Schema,
    payload: &'e [u8],
    pointer_size: u8,
) -> Vec<Field<'e>> {
    let mut walker = Walker::new(payload, pointer_size);
    let mut out = Vec::with_capacity(schema.fields.len());
    for field in &schema.fields {
        match walker.value(field, 0) {
            Ok(value) => out.push(Field {
                name: &field.name,
                value,
            }),
            Err(_) => break,
        }
    }
    out
}

struct Walker<'p> {
    payload: &'p [u8],
    pos: usize,
    pointer_size: u8,
    /// Values still allowed: the work per event stays proportional to its size.
    budget: usize,
}

impl<'p> Walker<'p> {
    fn new(payload: &'p [u8], pointer_size: u8) -> Self {
        Self {
            payload,
            pos: 0,
            pointer_size,
            budget: payload.len() + EXTRA_VALUES,
        }
    }

    fn count_value(&mut self) -> Result<(), WalkError> {
        self.budget = self.budget.checked_sub(1).ok_or(WalkError::TooComplex)?;
        Ok(())
    }

    fn truncated(field: &FieldDef) -> WalkError {
        WalkError::Truncated {
            field: field.name.clone(),
        }
    }

    /// Number of elements and whether the field is an array.
    fn elements(&mut self, field: &FieldDef) -> Result<Option<usize>, WalkError> {
        match field.count {
            Count::One | Count::Custom => Ok(None),
            Count::Fixed(n) => Ok(Some(usize::from(n))),
            Count::Variable => {
                let n = u16_at(self.payload, self.pos).ok_or_else(|| Self::truncated(field))?;
                self.pos += 2;
                Ok(Some(usize::from(n)))
            }
        }
    }

    /// Steps over a field's value(s).
    fn skip(&mut self, field: &FieldDef, depth: usize) -> Result<(), WalkError> {
        if depth > MAX_DEPTH {
            return Err(WalkError::TooComplex);
        }
        match self.elements(field)? {
            None => self.skip_one(field, depth),
            Some(n) => {
                for _ in 0..n {
                    self.skip_one(field, depth)?;
                }
                Ok(())
            }
        }
    }

    fn skip_one(&mut self, field: &FieldDef, depth: usize) -> Result<(), WalkError> {
        self.count_value()?;
        if field.in_type == in_type::STRUCT {
            for member in &field.members {
                self.skip(member, depth + 1)?;
            }
            return Ok(());
        }
        let len = self.value_len(field)?;
        self.pos += len;
        Ok(())
    }

    /// Encoded length of one value of `field` at the current position.
    fn value_len(&self, field: &FieldDef) -> Result<usize, WalkError> {
        let p = self.payload;
        let at = self.pos;
        let fixed = |n: usize| {
            if at + n <= p.len() {
                Ok(n)
            } else {
                Err(Self::truncated(field))
            }
        };
        if field.count == Count::Custom {
            let n = u16_at(p, at).ok_or_else(|| Self::truncated(field))?;
            return fixed(2 + usize::from(n));
        }
        match field.in_type {
            in_type::NULL => Ok(0),
            in_type::UNICODE_STRING => {
                if at >= p.len() {
                    return Err(Self::truncated(field));
                }
                let (len, found) = utf16z_len(p, at);
                Ok(if found { len + 2 } else { p.len() - at })
            }
            in_type::ANSI_STRING => {
                if at >= p.len() {
                    return Err(Self::truncated(field));
                }
                let (len, found) = cstr_len(p, at);
                Ok(len + usize::from(found))
            }
            in_type::INT8 | in_type::UINT8 => fixed(1),
            in_type::INT16 | in_type::UINT16 => fixed(2),
            in_type::INT32
            | in_type::UINT32
            | in_type::FLOAT
            | in_type::BOOL32
            | in_type::HEX_INT32 => fixed(4),
            in_type::INT64
            | in_type::UINT64
            | in_type::DOUBLE
            | in_type::FILETIME
            | in_type::HEX_INT64 => fixed(8),
            in_type::GUID | in_type::SYSTEMTIME => fixed(16),
            in_type::POINTER => fixed(usize::from(self.pointer_size)),
            in_type::SID => {
                // Revision, sub-authority count, 6-byte authority, 4 bytes per sub-authority.
                let subs = u8_at(p, at + 1).ok_or_else(|| Self::truncated(field))?;
                fixed(8 + 4 * usize::from(subs))
            }
            in_type::BINARY
            | in_type::COUNTED_STRING
            | in_type::COUNTED_ANSI_STRING
            | in_type::COUNTED_BINARY => {
                let n = u16_at(p, at).ok_or_else(|| Self::truncated(field))?;
                fixed(2 + usize::from(n))
            }
            other => Err(WalkError::UnknownType {
                field: field.name.clone(),
                in_type: other,
            }),
        }
    }

    /// Decodes a field's value(s).
    fn value(&mut self, field: &'p FieldDef, depth: usize) -> Result<Value<'p>, WalkError> {
        if depth > MAX_DEPTH {
            return Err(WalkError::TooComplex);
        }
        match self.elements(field)? {
            None => self.value_one(field, depth),
            Some(n) => {
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    items.push(self.value_one(field, depth)?);
                }
                Ok(Value::Array(items))
            }
        }
    }

    fn value_one(&mut self, field: &'p FieldDef, depth: usize) -> Result<Value<'p>, WalkError> {
        self.count_value()?;
        if field.in_type == in_type::STRUCT {
            let mut members = Vec::with_capacity(field.members.len());
            for member in &field.members {
                members.push(Field {
                    name: &member.name,
                    value: self.value(member, depth + 1)?,
                });
            }
            return Ok(Value::Struct(members));
        }
        let len = self.value_len(field)?;
        let at = self.pos;
        let bytes: &'p [u8] = self.payload.get(at..at + len).unwrap_or_default();
        self.pos += len;
        let p = bytes;
        let hex = field.out_type == out_type::HEX;
        let unsigned = |v: u64| if hex { Value::Hex(v) } else { Value::UInt(v) };
        let le = |n: usize| -> u64 {
            let mut raw = [0u8; 8];
            for (slot, b) in raw.iter_mut().zip(p.iter().take(n)) {
                *slot = *b;
            }
            u64::from_le_bytes(raw)
        };
        if field.count == Count::Custom {
            return Ok(Value::Binary(p.get(2..).unwrap_or_default()));
        }
        Ok(match field.in_type {
            in_type::NULL => Value::Binary(&[]),
            in_type::UNICODE_STRING => {
                let (n, _) = utf16z_len(p, 0);
                Value::Str(Cow::Owned(utf16_string(p.get(..n).unwrap_or_default())))
            }
            in_type::ANSI_STRING => {
                let (n, _) = cstr_len(p, 0);
                Value::Str(ansi_string(p.get(..n).unwrap_or_default()))
            }
            in_type::COUNTED_STRING => {
                Value::Str(Cow::Owned(utf16_string(p.get(2..).unwrap_or_default())))
            }
            in_type::COUNTED_ANSI_STRING => Value::Str(ansi_string(p.get(2..).unwrap_or_default())),
            in_type::BINARY | in_type::COUNTED_BINARY => {
                Value::Binary(p.get(2..).unwrap_or_default())
            }
            in_type::INT8 => Value::Int(i64::from(le(1) as u8 as i8)),
            in_type::INT16 => Value::Int(i64::from(le(2) as u16 as i16)),
            in_type::INT32 if hex => Value::Hex(le(4)),
            in_type::INT32 => Value::Int(i64::from(le(4) as u32 as i32)),
            in_type::INT64 if hex => Value::Hex(le(8)),
            in_type::INT64 => Value::Int(le(8) as i64),
            in_type::UINT8 if field.out_type == out_type::BOOLEAN => Value::Bool(le(1) != 0),
            in_type::UINT8 | in_type::UINT16 | in_type::UINT32 | in_type::UINT64 => {
                unsigned(le(len))
            }
            in_type::HEX_INT32 | in_type::HEX_INT64 | in_type::POINTER => Value::Hex(le(len)),
            in_type::FLOAT => Value::Float(f64::from(f32::from_bits(le(4) as u32))),
            in_type::DOUBLE => Value::Float(f64::from_bits(le(8))),
            in_type::BOOL32 => Value::Bool(le(4) != 0),
            in_type::GUID => Value::Guid(Guid(array(p, 0).unwrap_or_default())),
            in_type::FILETIME => Value::FileTime(i64_at(p, 0).unwrap_or_default()),
            in_type::SYSTEMTIME => {
                let mut st = [0u16; 8];
                for (i, slot) in st.iter_mut().enumerate() {
                    *slot = u16_at(p, 2 * i).unwrap_or_default();
                }
                Value::SystemTime(st)
            }
            in_type::SID => Value::Sid(p),
            other => {
                return Err(WalkError::UnknownType {
                    field: field.name.clone(),
                    in_type: other,
                });
            }
        })
    }
}

/// Decodes the message span of a payload into `out`.
pub(crate) fn write_span(span: MessageSpan, payload: &[u8], out: &mut String) -> bool {
    match span {
        MessageSpan::Utf16 { start, end } => {
            let bytes = payload
                .get(start as usize..end as usize)
                .unwrap_or_default();
            utf16_to_string(bytes, out);
            true
        }
        MessageSpan::Ansi { start, end } => {
            let bytes = payload
                .get(start as usize..end as usize)
                .unwrap_or_default();
            out.push_str(&ansi_string(bytes));
            true
        }
        MessageSpan::Fields | MessageSpan::None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::writer::tl_meta as meta;
    use super::super::schema::parse_schema;
    use super::*;

    #[test]
    fn windows_update_schema() {
        let s = parse_schema(&meta("Agent", b"Info\0\x01")).unwrap();
        assert_eq!(&*s.event_name, "Agent");
        assert_eq!(s.fields.len(), 1);
        assert_eq!(s.message_field, Some(0));
        let payload = [b'O', 0, b'K', 0, 0, 0];
        let located = locate(&s, &payload, 8);
        assert_eq!(located.message, MessageSpan::Utf16 { start: 0, end: 4 });
        assert_eq!(located.problem, None);
    }

    #[test]
    fn tags_chains_arrays_and_structs() {
        // Event tags with a continuation byte; a UInt32 with OutMeta and field tags; a fixed
        // array of 2 UInt16; a variable array of UInt8; a struct of two ANSI strings.
        let mut fields = Vec::new();
        fields.extend_from_slice(b"n\0\x88\x84\x81\x02");
        fields.extend_from_slice(b"pair\0\x26\x02\x00");
        fields.extend_from_slice(b"bytes\0\x44");
        fields.extend_from_slice(b"s\0\x98\x02");
        fields.extend_from_slice(b"b\0\x02c\0\x02");
        let mut m = meta("E", &fields);
        m.splice(2..3, [0x81, 0x02]);
        let len = u16::try_from(m.len()).unwrap().to_le_bytes();
        m[..2].copy_from_slice(&len);
        let s = parse_schema(&m).unwrap();
        assert_eq!(&*s.event_name, "E");
        assert_eq!(s.fields.len(), 4);
        assert_eq!(s.fields[0].out_type, 4);
        assert_eq!(s.fields[1].count, Count::Fixed(2));
        assert_eq!(s.fields[2].count, Count::Variable);
        assert_eq!(s.fields[3].members.len(), 2);
        assert_eq!(s.message_field, None);
        let mut payload = Vec::new();
        payload.extend_from_slice(&0xBEEFu32.to_le_bytes());
        payload.extend_from_slice(&[1, 0, 2, 0]);
        payload.extend_from_slice(&[3, 0, 9, 8, 7]);
        payload.extend_from_slice(b"Hello\0World!\0");
        assert_eq!(locate(&s, &payload, 8).problem, None);
        assert_eq!(locate(&s, &payload, 8).message, MessageSpan::Fields);
        let values = decode(&s, &payload, 8);
        let shown: Vec<String> = values
            .iter()
            .map(|f| format!("{}={}", f.name, f.value))
            .collect();
        assert_eq!(
            shown,
            [
                "n=0xBEEF",
                "pair=[1, 2]",
                "bytes=[9, 8, 7]",
                "s={b: Hello, c: World!}"
            ]
        );
        // Cut short: the walk reports which field is missing.
        let cut = locate(&s, &payload[..9], 8);
        assert_eq!(
            cut.problem,
            Some(WalkError::Truncated {
                field: "bytes".into()
            })
        );
    }

    #[test]
    fn unknown_types_stop_the_walk() {
        let s = parse_schema(&meta("E", b"a\0\x07b\0\x1Fc\0\x01")).unwrap();
        let payload = [1, 0, 0, 0, 5, 5, 5];
        let located = locate(&s, &payload, 8);
        assert_eq!(
            located.problem,
            Some(WalkError::UnknownType {
                field: "b".into(),
                in_type: 31
            })
        );
        assert_eq!(decode(&s, &payload, 8).len(), 1);
    }

    #[test]
    fn empty_struct_arrays_do_not_spin() {
        // A variable array of 65535 structs, each a fixed array of 65535 empty structs.
        let s = parse_schema(&meta("E", b"a\0\xD8\x01b\0\xB8\x00\xFF\xFF")).unwrap();
        let located = locate(&s, &[0xFF, 0xFF], 8);
        assert_eq!(located.problem, Some(WalkError::TooComplex));
    }
}
