//! The vendor docs print a job log whose `content` holds the inner array
//! with its quotes *not* escaped: not JSON. Lenient mode rewrites it into
//! JSON with a bare inner array (then read with the note
//! `inner_json_repaired`); strict mode reports the syntax error.

/// Rewrites `"content":"[ … ]"` whose inner quotes are not escaped into
/// `"content":[ … ]`, which is valid JSON. `None` if nothing was repaired.
pub(super) fn repair_bare_content(input: &str) -> Option<String> {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut copied = 0;
    let mut repaired = false;
    for at in memchr::memmem::find_iter(b, b"\"content\"") {
        if at < copied {
            continue;
        }
        let colon = crate::scan::skip_ws(b, at + 9);
        if b.get(colon) != Some(&b':') {
            continue;
        }
        let open_quote = crate::scan::skip_ws(b, colon + 1);
        if b.get(open_quote) != Some(&b'"') {
            continue;
        }
        let bracket = crate::scan::skip_ws(b, open_quote + 1);
        if b.get(bracket) != Some(&b'[') {
            continue;
        }
        let tail = input.get(bracket..)?;
        let mut stream =
            serde_json::Deserializer::from_str(tail).into_iter::<serde::de::IgnoredAny>();
        if !matches!(stream.next(), Some(Ok(_))) {
            continue;
        }
        let array_end = bracket + stream.byte_offset();
        let close_quote = crate::scan::skip_ws(b, array_end);
        if b.get(close_quote) != Some(&b'"') {
            continue;
        }
        out.push_str(input.get(copied..open_quote)?);
        out.push_str(input.get(bracket..array_end)?);
        copied = close_quote + 1;
        repaired = true;
    }
    if !repaired {
        return None;
    }
    out.push_str(input.get(copied..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repair_unescaped_content() {
        let bad = r#"{"log":[{"content":"[{"Type":"phase","Message":"a\"b"}]","created_at":"x"}]}"#;
        let fixed = repair_bare_content(bad).unwrap();
        assert_eq!(
            fixed,
            r#"{"log":[{"content":[{"Type":"phase","Message":"a\"b"}],"created_at":"x"}]}"#
        );
        assert!(repair_bare_content(r#"{"content":"[1,2"}"#).is_none());
        assert!(repair_bare_content(r#"{"content":"text"}"#).is_none());
    }
}
