//! TraceLogging self-description: the event metadata blob (extended item 11) that names the event
//! and its fields and gives each field's type, and the payload walk it makes possible.
//!
//! Metadata layout (from Microsoft's `TraceLoggingDynamic.h`): `u16` size of the whole blob; tag
//! bytes (read until one has its high bit clear); the event name, NUL-terminated UTF-8; then,
//! until the end, one entry per field: name (NUL-terminated UTF-8), `InMeta` byte (type in the low
//! 5 bits, array kind in bits 5–6, bit 7 = an `OutMeta` byte follows), `OutMeta` (format in the
//! low 7 bits, bit 7 = tag bytes follow), tags, a `u16` element count for fixed-size arrays, or a
//! `u16` size and schema bytes for custom fields. A struct field groups the next `OutMeta & 0x7F`
//! fields.
//!
//! Payload values are packed tightly in field order: fixed-size values as they are,
//! NUL-terminated strings with their terminator, binary and counted strings as a `u16` byte count
//! then the bytes, variable arrays as a `u16` element count then the elements.

use std::borrow::Cow;
use std::fmt;

use super::bytes::{
    ansi_string, array, cstr_len, i64_at, slice, u8_at, u16_at, utf16_string, utf16z_len,
};
use super::event::Guid;
use super::time::filetime_to_utc;

/// Field types (`InType`) this reader decodes.
mod in_type {
    pub(super) const NULL: u8 = 0;
    pub(super) const UNICODE_STRING: u8 = 1;
    pub(super) const ANSI_STRING: u8 = 2;
    pub(super) const INT8: u8 = 3;
    pub(super) const UINT8: u8 = 4;
    pub(super) const INT16: u8 = 5;
    pub(super) const UINT16: u8 = 6;
    pub(super) const INT32: u8 = 7;
    pub(super) const UINT32: u8 = 8;
    pub(super) const INT64: u8 = 9;
    pub(super) const UINT64: u8 = 10;
    pub(super) const FLOAT: u8 = 11;
    pub(super) const DOUBLE: u8 = 12;
    pub(super) const BOOL32: u8 = 13;
    pub(super) const BINARY: u8 = 14;
    pub(super) const GUID: u8 = 15;
    /// Pointer-sized (TDH's POINTER); its size follows the event's 32/64-bit header flag.
    pub(super) const POINTER: u8 = 16;
    pub(super) const FILETIME: u8 = 17;
    pub(super) const SYSTEMTIME: u8 = 18;
    pub(super) const SID: u8 = 19;
    pub(super) const HEX_INT32: u8 = 20;
    pub(super) const HEX_INT64: u8 = 21;
    pub(super) const COUNTED_STRING: u8 = 22;
    pub(super) const COUNTED_ANSI_STRING: u8 = 23;
    pub(super) const STRUCT: u8 = 24;
    pub(super) const COUNTED_BINARY: u8 = 25;
}

/// Output formats (`OutType`) that change how a value is shown.
mod out_type {
    pub(super) const BOOLEAN: u8 = 0x03;
    pub(super) const HEX: u8 = 0x04;
}

/// Deepest struct nesting accepted, so hostile metadata cannot exhaust the stack.
const MAX_DEPTH: usize = 16;

/// Values an event may hold beyond one per payload byte: values that take no bytes (empty
/// structs, null fields) are rare, and this bound keeps arrays of them from spinning.
const EXTRA_VALUES: usize = 1024;

/// How many values a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Count {
    /// A single value.
    One,
    /// A fixed number of values, from the metadata.
    Fixed(u16),
    /// A `u16` count in the payload, then that many values.
    Variable,
    /// A custom-serialised value: a `u16` byte count in the payload, then the bytes.
    Custom,
}

/// One field of an event, as the metadata declares it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FieldDef {
    pub(crate) name: Box<str>,
    pub(crate) in_type: u8,
    pub(crate) out_type: u8,
    pub(crate) count: Count,
    /// Members of a struct field.
    pub(crate) members: Vec<FieldDef>,
}

impl FieldDef {
    fn is_string(&self) -> bool {
        self.count == Count::One
            && matches!(
                self.in_type,
                in_type::UNICODE_STRING
                    | in_type::ANSI_STRING
                    | in_type::COUNTED_STRING
                    | in_type::COUNTED_ANSI_STRING
            )
    }
}

/// The parsed metadata of one kind of event.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Schema {
    /// Byte range of the event name inside the metadata blob (valid UTF-8).
    pub(crate) name: std::ops::Range<usize>,
    /// The event name.
    pub(crate) event_name: Box<str>,
    /// Top-level fields.
    pub(crate) fields: Vec<FieldDef>,
    /// Index of the top-level field that is the event's message: the string field `Info`
    /// (Windows Update, SIH), else the only field when it is a string.
    pub(crate) message_field: Option<usize>,
}

/// Why event metadata could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SchemaError {
    /// The blob is shorter than it says, or ends inside an entry.
    Truncated,
    /// A name is not valid UTF-8.
    BadName,
    /// Structs nested deeper than this reader accepts, or a struct without its members.
    BadStruct,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => "the event's TraceLogging metadata is cut short",
            Self::BadName => "a name in the event's TraceLogging metadata is not UTF-8",
            Self::BadStruct => "the event's TraceLogging metadata nests structs badly",
        })
    }
}

/// A field entry before struct members are grouped.
struct FlatField {
    name: Box<str>,
    in_type: u8,
    out_type: u8,
    count: Count,
}

/// Parses an event metadata blob (the data of extended item 11).
pub(crate) fn parse_schema(meta: &[u8]) -> Result<Schema, SchemaError> {
    let size = usize::from(u16_at(meta, 0).ok_or(SchemaError::Truncated)?);
    let meta = meta.get(..size).ok_or(SchemaError::Truncated)?;
    let mut pos = 2;
    pos = skip_tags(meta, pos)?;
    let (name, next) = c_name(meta, pos)?;
    let name_range = pos..pos + name.len();
    pos = next;
    let mut flat = Vec::new();
    while pos < meta.len() {
        let (field_name, next) = c_name(meta, pos)?;
        pos = next;
        let in_meta = u8_at(meta, pos).ok_or(SchemaError::Truncated)?;
        pos += 1;
        let mut out_type = 0;
        if in_meta & 0x80 != 0 {
            let out_meta = u8_at(meta, pos).ok_or(SchemaError::Truncated)?;
            pos += 1;
            out_type = out_meta & 0x7F;
            if out_meta & 0x80 != 0 {
                pos = skip_tags(meta, pos)?;
            }
        }
        let count = match in_meta & 0x60 {
            0x20 => {
                let n = u16_at(meta, pos).ok_or(SchemaError::Truncated)?;
                pos += 2;
                Count::Fixed(n)
            }
            0x40 => Count::Variable,
            0x60 => {
                let schema_len = u16_at(meta, pos).ok_or(SchemaError::Truncated)?;
                pos += 2 + usize::from(schema_len);
                if pos > meta.len() {
                    return Err(SchemaError::Truncated);
                }
                Count::Custom
            }
            _ => Count::One,
        };
        flat.push(FlatField {
            name: field_name.into(),
            in_type: in_meta & 0x1F,
            out_type,
            count,
        });
    }
    let mut entries = flat.into_iter();
    let mut fields = Vec::new();
    while let Some(entry) = entries.next() {
        fields.push(group(entry, &mut entries, 0)?);
    }
    let message_field = fields
        .iter()
        .position(|f| &*f.name == "Info" && f.is_string())
        .or_else(|| (fields.len() == 1 && fields[0].is_string()).then_some(0));
    Ok(Schema {
        name: name_range,
        event_name: name.into(),
        fields,
        message_field,
    })
}

/// Builds a field from its entry, taking a struct's members from the entries that follow.
fn group(
    entry: FlatField,
    rest: &mut impl Iterator<Item = FlatField>,
    depth: usize,
) -> Result<FieldDef, SchemaError> {
    let mut members = Vec::new();
    if entry.in_type == in_type::STRUCT {
        if depth >= MAX_DEPTH {
            return Err(SchemaError::BadStruct);
        }
        for _ in 0..entry.out_type {
            let member = rest.next().ok_or(SchemaError::BadStruct)?;
            members.push(group(member, rest, depth + 1)?);
        }
    }
    Ok(FieldDef {
        name: entry.name,
        in_type: entry.in_type,
        out_type: entry.out_type,
        count: entry.count,
        members,
    })
}

/// Skips tag bytes: every byte with its high bit set is followed by another.
fn skip_tags(meta: &[u8], mut pos: usize) -> Result<usize, SchemaError> {
    loop {
        let b = u8_at(meta, pos).ok_or(SchemaError::Truncated)?;
        pos += 1;
        if b & 0x80 == 0 {
            return Ok(pos);
        }
    }
}

/// A NUL-terminated UTF-8 name at `pos`, and the position after its terminator.
fn c_name(meta: &[u8], pos: usize) -> Result<(&str, usize), SchemaError> {
    let (len, found) = cstr_len(meta, pos);
    if !found {
        return Err(SchemaError::Truncated);
    }
    let bytes = slice(meta, pos, len).ok_or(SchemaError::Truncated)?;
    let name = std::str::from_utf8(bytes).map_err(|_| SchemaError::BadName)?;
    Ok((name, pos + len + 1))
}

/// Reads the provider name from a provider-traits blob (extended item 12): a `u16` size, then
/// the NUL-terminated UTF-8 name, then the traits.
pub(crate) fn provider_name(traits: &[u8]) -> Option<&[u8]> {
    let size = usize::from(u16_at(traits, 0)?);
    let blob = traits.get(..size.min(traits.len()))?;
    let (len, _) = cstr_len(blob, 2);
    slice(blob, 2, len)
}

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

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Int(v) => write!(f, "{v}"),
            Self::UInt(v) => write!(f, "{v}"),
            Self::Hex(v) => write!(f, "0x{v:X}"),
            Self::Float(v) => write!(f, "{v}"),
            Self::Bool(v) => write!(f, "{v}"),
            Self::Guid(g) => write!(f, "{g}"),
            Self::FileTime(t) => match filetime_to_utc(*t) {
                Some(time) => write!(
                    f,
                    "{}.{:07}Z",
                    time.format("%Y-%m-%dT%H:%M:%S"),
                    time.and_utc().timestamp_subsec_nanos() / 100
                ),
                None => write!(f, "FILETIME({t})"),
            },
            Self::SystemTime([y, mo, _, d, h, mi, s, ms]) => {
                write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}")
            }
            Self::Sid(bytes) => fmt_sid(bytes, f),
            Self::Binary(bytes) => {
                f.write_str("0x")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
            }
            Self::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Struct(members) => {
                f.write_str("{")?;
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", member.name, member.value)?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Writes a SID as `S-1-5-21-…`.
fn fmt_sid(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let revision = u8_at(bytes, 0).unwrap_or_default();
    let authority = slice(bytes, 2, 6)
        .map(|a| a.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .unwrap_or_default();
    write!(f, "S-{revision}-{authority}")?;
    for sub in bytes.get(8..).unwrap_or_default().chunks_exact(4) {
        write!(
            f,
            "-{}",
            u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])
        )?;
    }
    Ok(())
}

/// Decodes the message span of a payload into `out`.
pub(crate) fn write_span(span: MessageSpan, payload: &[u8], out: &mut String) -> bool {
    match span {
        MessageSpan::Utf16 { start, end } => {
            let bytes = payload
                .get(start as usize..end as usize)
                .unwrap_or_default();
            super::bytes::utf16_to_string(bytes, out);
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
    use super::*;

    /// Builds a metadata blob: size, tags 0, event name, then raw field entries.
    pub(crate) fn meta(name: &str, fields: &[u8]) -> Vec<u8> {
        let mut m = vec![0, 0, 0];
        m.extend_from_slice(name.as_bytes());
        m.push(0);
        m.extend_from_slice(fields);
        let len = u16::try_from(m.len()).unwrap().to_le_bytes();
        m[..2].copy_from_slice(&len);
        m
    }

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
    fn unknown_types_and_bad_metadata() {
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
        assert_eq!(parse_schema(&[]), Err(SchemaError::Truncated));
        assert_eq!(parse_schema(&[9, 0, 0]), Err(SchemaError::Truncated));
        assert_eq!(
            parse_schema(&meta("E", b"f\0")),
            Err(SchemaError::Truncated)
        );
        assert_eq!(
            parse_schema(&meta("E", b"s\0\x98\x02a\0\x01")),
            Err(SchemaError::BadStruct)
        );
        // Structs nested beyond the limit.
        let mut deep: Vec<u8> = (0..40)
            .flat_map(|_| b"s\0\x98\x01".iter().copied())
            .collect();
        deep.extend_from_slice(b"x\0\x01");
        assert_eq!(parse_schema(&meta("E", &deep)), Err(SchemaError::BadStruct));
    }

    #[test]
    fn empty_struct_arrays_do_not_spin() {
        // A variable array of 65535 structs, each a fixed array of 65535 empty structs.
        let s = parse_schema(&meta("E", b"a\0\xD8\x01b\0\xB8\x00\xFF\xFF")).unwrap();
        let located = locate(&s, &[0xFF, 0xFF], 8);
        assert_eq!(located.problem, Some(WalkError::TooComplex));
    }

    #[test]
    fn scalar_values() {
        let fields = b"i8\0\x03u16\0\x06b\0\x0Dg\0\x0Fft\0\x11sid\0\x13cs\0\x16bin\0\x0Ep\0\x10";
        let s = parse_schema(&meta("E", fields)).unwrap();
        let mut p = vec![0xFF, 0x34, 0x12, 1, 0, 0, 0];
        p.extend_from_slice(&[0x19, 0x6f, 0x7a, 0x0b, 0xc4, 0x47, 0x4e, 0x45]);
        p.extend_from_slice(&[0x8c, 0x5c, 0xe8, 0x68, 0xd6, 0x37, 0xe4, 0xd8]);
        p.extend_from_slice(&134_044_310_069_403_716i64.to_le_bytes());
        p.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0]);
        p.extend_from_slice(&[4, 0, b'h', 0, b'i', 0]);
        p.extend_from_slice(&[2, 0, 0xAB, 0xCD]);
        p.extend_from_slice(&[0x10, 0, 0, 0]);
        let shown: Vec<String> = decode(&s, &p, 4)
            .iter()
            .map(|f| f.value.to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "-1",
                "4660",
                "true",
                "0b7a6f19-47c4-454e-8c5c-e868d637e4d8",
                "2025-10-08T21:03:26.9403716Z",
                "S-1-5-32-544",
                "hi",
                "0xABCD",
                "0x10",
            ]
        );
    }
}
