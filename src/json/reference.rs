//! A character-at-a-time JSON string decoder, the reference the property
//! tests compare [`super::unescape`] and [`super::nested_escape`] against.

/// The decoded form of a JSON string body and whether every escape was
/// valid; an invalid escape reads as [`super::unescape`] documents: a
/// `\u` without four hex digits, or a lone surrogate, as U+FFFD, and any
/// other bad escape as its backslash, followed by the rest as text.
pub(super) fn unescape(body: &str) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c != '\\' {
            out.push(c);
            continue;
        }
        let letter = rest.chars().next();
        let simple = match letter {
            Some('"') => Some('"'),
            Some('\\') => Some('\\'),
            Some('/') => Some('/'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            rest = &rest[1..];
        } else if letter == Some('u') {
            let (c, used) = unicode(&rest[1..]);
            out.push(c.unwrap_or('\u{fffd}'));
            ok &= c.is_some();
            rest = &rest[1 + used..];
        } else {
            out.push('\\');
            ok = false;
        }
    }
    (out, ok)
}

/// The character of the hex digits at the start of `s` (after a `\u`), a
/// surrogate pair read whole, and how many bytes of `s` it takes: `None`
/// for no four hex digits (taking none) or a lone surrogate (taking four).
fn unicode(s: &str) -> (Option<char>, usize) {
    let hex = |s: &str| -> Option<u32> {
        let h = s.get(..4)?;
        h.bytes()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(h, 16).ok())?
    };
    let Some(hi) = hex(s) else {
        return (None, 0);
    };
    if (0xD800..0xDC00).contains(&hi) {
        if let Some(lo) = s.get(4..).and_then(|r| r.strip_prefix("\\u")).and_then(hex)
            && (0xDC00..0xE000).contains(&lo)
        {
            return (
                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                10,
            );
        }
        return (None, 4);
    }
    (char::from_u32(hi), 4)
}
