//! A response's JSON, written by hand, and objects written ahead of it as raw JSON.
//!
//! async-graphql answers with a tree of [`Value`]s that serde then serialises: every object an
//! `IndexMap` whose keys are hashed with SipHash as they go in, every key a reference-counted
//! name, every leaf an allocation, and the whole tree taken apart again once written. For a
//! dashboard page of ~3,500 fields that building, hashing and dropping cost more than writing
//! the JSON. So an HTTP request carries [`RawJson`], and under it [`super::plain::Fast`] objects
//! write their own JSON at once and hand it up as a [`raw`] value, which [`write_value`] copies
//! into the response as it stands. Other transports (the WebSocket) do not carry the marker, and
//! get ordinary values.
//!
//! A raw value is a [`Value::Binary`]: no type in Tandem's schema produces binary values, and
//! only this module's writer, which every HTTP response goes through, reads them.

use async_graphql::{Name, Value};

/// Request data: the response is written by [`write_value`], so objects may answer as [`raw`]
/// JSON.
#[derive(Debug, Clone, Copy)]
pub struct RawJson;

/// A value that is already JSON, to be written out as it stands.
pub fn raw(json: Vec<u8>) -> Value {
    Value::Binary(json.into())
}

/// Appends `value` as JSON to `out`: what serde_json writes for it, byte for byte, except that
/// a [`raw`] value is copied as it stands.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Enum(name) => write_str(out, name),
        Value::Binary(json) => out.extend_from_slice(json),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(fields) => write_object(out, fields.iter()),
    }
}

/// Appends a JSON object of `fields`, in their order.
pub fn write_object<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = (&'a Name, &'a Value)>,
) {
    out.push(b'{');
    for (i, (key, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, value);
    }
    out.push(b'}');
}

/// [`write_object`] for an object whose keys are response keys of a query (field names or
/// aliases): GraphQL names, letters, digits and underscores, which JSON writes as they are.
pub fn write_selection<'a>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = (&'a Name, &'a Value)>,
) {
    out.push(b'{');
    for (i, (key, value)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(out, key);
        write_value(out, value);
    }
    out.push(b'}');
}

/// Appends `"key":` for a response key of a query (see [`write_selection`]).
pub fn write_key(out: &mut Vec<u8>, key: &str) {
    debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_number(out: &mut Vec<u8>, n: &serde_json::Number) {
    // Writing into a vector cannot fail.
    serde_json::to_writer(&mut *out, n).unwrap_or_default();
}

/// What a byte becomes inside a JSON string: 0 for itself, else the letter after the backslash
/// (`u` for `\u00XX`). Exactly the bytes serde_json escapes, the same way.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any of the eight bytes in `word` needs escaping (a control character, `"` or `\`).
/// Exact as to whether there is one, which is all that is asked.
fn any_to_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let quote = zero_byte(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(word ^ (ONES * u64::from(b'\\')));
    control | quote | backslash != 0
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if any_in_to_escape(bytes) {
        write_escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// Whether any byte of `bytes` needs escaping, eight at a time.
fn any_in_to_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        if any_to_escape(u64::from_le_bytes(w)) {
            return true;
        }
    }
    // The last few bytes, padded with a letter (which needs no escaping).
    let mut w = [b'a'; 8];
    for (slot, b) in w.iter_mut().zip(words.remainder()) {
        *slot = *b;
    }
    any_to_escape(u64::from_le_bytes(w))
}

fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        out.push(b'\\');
        out.push(escape);
        if escape == b'u' {
            out.extend_from_slice(b"00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: &Value) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_ascii = String::new();
        for b in 0u8..0x80 {
            every_ascii.push(char::from(b));
        }
        let cases = [
            String::new(),
            "plain".to_owned(),
            "exactly8".to_owned(),
            "sixteen bytes ok".to_owned(),
            "quote \" and back\\slash in the middle of a longer string".to_owned(),
            "tab\tnewline\ncarriage\rbell\u{7}nul\u{0}del\u{7f}".to_owned(),
            "ünïcødé — 東京 🚀 \u{1f}".to_owned(),
            every_ascii,
        ];
        for s in cases {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let value: Value = serde_json::from_str(
            r#"{"a": null, "b": [true, false, 0, -7, 18446744073709551615, 1.5, 1e300, 0.1],
                "c": {"nested": "x\"y", "empty": {}, "list": []}, "d": "東京"}"#,
        )
        .unwrap();
        assert_eq!(written(&value), serde_json::to_string(&value).unwrap());
        let mut object = async_graphql::indexmap::IndexMap::new();
        object.insert(Name::new("status"), Value::Enum(Name::new("ACTIVE")));
        let value = Value::Object(object);
        assert_eq!(written(&value), serde_json::to_string(&value).unwrap());
    }

    #[test]
    fn a_selection_is_written_as_an_object() {
        let (id, name) = (Name::new("id"), Name::new("display_name2"));
        let (a, b) = (Value::String("A\n".into()), Value::Null);
        let mut out = Vec::new();
        write_selection(&mut out, [(&id, &a), (&name, &b)]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"id":"A\n","display_name2":null}"#
        );
    }

    #[test]
    fn a_raw_value_is_copied_as_it_stands() {
        let value = Value::List(vec![raw(br#"{"id":"A"}"#.to_vec()), Value::Null]);
        assert_eq!(written(&value), r#"[{"id":"A"},null]"#);
    }
}
