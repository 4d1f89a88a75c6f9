//! TraceLogging event metadata (extended item 11): the schema that names an event and its
//! fields and gives each field's type.
//!
//! Layout (from Microsoft's `TraceLoggingDynamic.h`): `u16` size of the whole blob; tag bytes
//! (read until one has its high bit clear); the event name, NUL-terminated UTF-8; then, until
//! the end, one entry per field: name (NUL-terminated UTF-8), `InMeta` byte (type in the low 5
//! bits, array kind in bits 5–6, bit 7 = an `OutMeta` byte follows), `OutMeta` (format in the
//! low 7 bits, bit 7 = tag bytes follow), tags, a `u16` element count for fixed-size arrays, or
//! a `u16` size and schema bytes for custom fields. A struct field groups the next
//! `OutMeta & 0x7F` fields.

use std::fmt;

use super::super::bytes::{cstr_len, slice, u8_at, u16_at};
use super::in_type;

/// Deepest struct nesting accepted, so hostile metadata cannot exhaust the stack.
pub(super) const MAX_DEPTH: usize = 16;

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

#[cfg(test)]
mod tests {
    use super::super::super::writer::tl_meta as meta;
    use super::*;

    #[test]
    fn bad_metadata() {
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
}
