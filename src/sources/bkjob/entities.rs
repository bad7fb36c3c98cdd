//! The HTML entities BlueKing v2 servers write into `log_content`.

/// A line whose HTML entities were decoded.
pub(super) struct Decoded {
    pub(super) text: String,
    /// Whether an entity decoded to ESC or CR, which the line's cleaning
    /// must then see (the named entities never do).
    pub(super) control: bool,
}

/// Decodes the HTML entities BlueKing v2 servers write (`&lt; &gt; &amp;
/// &quot; &apos; &#NN; &#xHH;`). `None` when nothing was decoded. Unknown or
/// malformed entities, and numeric ones naming no character (or NUL), are
/// kept as written.
pub(super) fn html_decode(s: &str) -> Option<Decoded> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut control = false;
    while let Some(rel) = memchr::memchr(b'&', b.get(i..).unwrap_or_default()) {
        let at = i + rel;
        match entity(b, at) {
            Some((c, len)) => {
                let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                o.push_str(s.get(copied..at).unwrap_or_default());
                o.push(c);
                control |= c == '\x1b' || c == '\r';
                copied = at + len;
                i = copied;
            }
            None => i = at + 1,
        }
    }
    let mut text = out?;
    text.push_str(s.get(copied..).unwrap_or_default());
    Some(Decoded { text, control })
}

/// The entities `Utils.htmlEncode` writes, by the low five bits of the
/// first letter of their name (`l`, `g`, `a`, `q`, all different): the
/// name with its `;` as a little-endian word, the mask of its bytes, the
/// character, the entity's length with its `&` (0: no entity here).
// Built at compile time, where an index out of bounds is a compile error.
#[allow(clippy::indexing_slicing)]
const ENTITIES: [(u64, u64, u8, u8); 32] = {
    let mut t = [(0, 0, 0, 0); 32];
    t[(b'l' & 31) as usize] = (u64::from_le_bytes(*b"lt;\0\0\0\0\0"), 0xff_ffff, b'<', 4);
    t[(b'g' & 31) as usize] = (u64::from_le_bytes(*b"gt;\0\0\0\0\0"), 0xff_ffff, b'>', 4);
    t[(b'a' & 31) as usize] = (u64::from_le_bytes(*b"amp;\0\0\0\0"), 0xffff_ffff, b'&', 5);
    t[(b'q' & 31) as usize] = (u64::from_le_bytes(*b"quot;\0\0\0"), 0xff_ffff_ffff, b'"', 6);
    t
};

/// The entity at `at` (an `&`): (character, bytes used).
#[inline(always)]
pub(super) fn entity(b: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = b.get(at + 1..)?;
    // The entities `Utils.htmlEncode` writes, matched with one compare of
    // the word after the `&` (no branch on which one it is).
    if let Some(word) = rest.get(..8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        let (pattern, mask, c, len) = ENTITIES
            .get(usize::from(word[0] & 31))
            .copied()
            .unwrap_or_default();
        if len != 0 && w & mask == pattern {
            return Some((char::from(c), usize::from(len)));
        }
        return entity_general(rest);
    }
    if rest.starts_with(b"lt;") {
        return Some(('<', 4));
    }
    if rest.starts_with(b"gt;") {
        return Some(('>', 4));
    }
    if rest.starts_with(b"amp;") {
        return Some(('&', 5));
    }
    entity_general(rest)
}

/// [`entity`] for any entity, given the bytes after its `&`.
fn entity_general(rest: &[u8]) -> Option<(char, usize)> {
    let semi = rest.iter().take(9).position(|&c| c == b';')?;
    let name = rest.get(..semi)?;
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() && hex.len() <= 6 => {
            let mut v = 0u32;
            for &h in hex {
                v = v * 16 + (h as char).to_digit(16)?;
            }
            char::from_u32(v).filter(|&c| c != '\0')?
        }
        [b'#', dec @ ..] if !dec.is_empty() && dec.len() <= 7 => {
            let mut v = 0u32;
            for &d in dec {
                v = v * 10 + (d as char).to_digit(10)?;
            }
            char::from_u32(v).filter(|&c| c != '\0')?
        }
        _ => return None,
    };
    Some((c, semi + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`html_decode`]'s text alone.
    fn html_unescape(s: &str) -> Option<String> {
        html_decode(s).map(|d| d.text)
    }

    #[test]
    fn ok_html_unescape() {
        let cases = [
            ("a &lt; b &gt; c &amp;&amp; d", "a < b > c && d"),
            ("&quot;q&quot; &#39;s&#39; &apos;", "\"q\" 's' '"),
            ("&#20013;&#x6587;&#X41;", "中文A"),
            ("&amp;lt;", "&lt;"),
            ("&lt;&lt;", "<<"),
        ];
        for (input, want) in cases {
            assert_eq!(html_unescape(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn err_html_unescape_keeps_what_it_cannot_read() {
        for input in [
            "",
            "no entities",
            "a & b",
            "&nbsp;",
            "&LT;",
            "&lt",
            "&#;",
            "&#x;",
            "&#0;",
            "&#xD800;",
            "&#1114112;",
            "&#12345678;",
            "&#xzz;",
            "&verylongname;",
            "&",
        ] {
            assert_eq!(html_unescape(input), None, "{input}");
        }
        assert_eq!(html_unescape("&bogus; &lt;").as_deref(), Some("&bogus; <"));
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(3000))]

        /// The matches of `&lt; &gt; &amp;` without a search read every text
        /// as the general entity reader does, cut anywhere.
        #[test]
        fn fast_entities_agree_with_general(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "&lt;", "&gt;", "&amp;", "&lt", "&gt", "&amp", "&lt ;", "&ampx;",
                    "&quot", "&qu", "&q;", "&lt;&gt;&amp;&quot;", "&gt;;;;;;;;", "&l t;",
                    "&#108;t;", "aaaaaaaa", "&ap;", "&a;", "&L;", "&lT;", "&,t;", "&\u{6c}",
                    "&quot;", "&apos;", "&#27;", "&#x1B;", "&#13;", "&#0;", "&nbsp;",
                    "&", ";", "l", "t", "a", "m", "p", "x", " ", "中",
                ]),
                0..12,
            ),
        ) {
            let text: String = parts.concat();
            let b = text.as_bytes();
            for at in memchr::memchr_iter(b'&', b) {
                let general = b.get(at + 1..).and_then(entity_general);
                prop_assert_eq!(entity(b, at), general, "text {:?} at {}", text, at);
            }
        }
    }
}
