//! Tests of the JSON helpers.
use super::*;
use crate::error::ErrorKind;
use crate::event::Scalar;
use crate::scan::*;
use proptest::prelude::*;
use serde_json::value::RawValue;
use std::borrow::Cow;

proptest! {
    #![proptest_config(crate::testing::proptest_config(256))]

    /// Lines split at the escapes the string skip noted are the lines a
    /// search finds ([`StrLines::next`]), with the same text, breaks,
    /// escape flags and positions, for two strings noted in one list:
    /// `\n` and `\u000a` breaks, escaped backslashes before an `n`,
    /// lone and paired surrogates, `\r`, other escapes, a last line
    /// with or without a break, empty strings.
    #[test]
    fn marked_lines_agree_with_searched_lines(
        strings in prop::array::uniform2(prop::collection::vec(prop_oneof![
            4 => "[ -!#-\\[\\]-~]{0,12}",
            1 => "[ -!#-\\[\\]-~]{40,140}",
            1 => Just("é中&lt;".to_owned()),
            1 => Just("&".to_owned()),
            1 => Just("&amp;&#13;".to_owned()),
            6 => Just(r"\n".to_owned()),
            2 => Just(r"\u000a".to_owned()),
            1 => Just(r"\u000A".to_owned()),
            1 => Just(r"\u000b".to_owned()),
            2 => Just(r"\\n".to_owned()),
            1 => Just(r"\\".to_owned()),
            2 => Just(r#"\""#.to_owned()),
            2 => Just(r"\r".to_owned()),
            1 => Just(r"\t\b\f\/".to_owned()),
            1 => Just(r"\u00e9".to_owned()),
            1 => Just(r"\u000d".to_owned()),
            1 => Just(r"\ud83d\ude00".to_owned()),
            1 => Just(r"\ud800".to_owned()),
            1 => Just(r"\udc00x".to_owned()),
            1 => Just(r"\ud800\u000a".to_owned()),
        ], 0..24)),
        lead in "[ a-z:{]{0,5}",
    ) {
        let bodies: Vec<String> = strings.iter().map(|p| p.concat()).collect();
        let doc = format!("{lead}\"{}\",\"{}\"", bodies[0], bodies[1]);
        let b = doc.as_bytes();
        let strings = StringScan::with_amp();
        let mut marks = Vec::new();
        // Both strings noted first, as the skim does before any line
        // is read: a string's lines see the list up to its own end.
        let mut spans = Vec::new();
        let mut at = lead.len();
        for body in &bodies {
            let start = marks.len();
            let end = strings.skip(b, at, |k, _| marks.push(u32::try_from(k).unwrap()));
            prop_assert_eq!(end, Some(at + body.len() + 2), "{}", doc);
            spans.push((at + 1, start, marks.len()));
            at += body.len() + 3;
        }
        for (body, &(base, start, end)) in bodies.iter().zip(&spans) {
            let span = &marks[..end];
            let (mut searched, mut marked) = (StrLines::new(body), StrLines::new(body));
            let mut mark = start;
            loop {
                let (p1, p2) = (searched.position(), marked.position());
                let split = marked.clone().split_marked(span, &mut mark.clone(), base);
                let (l1, l2) = (searched.next(), marked.next_marked(span, &mut mark, base));
                prop_assert_eq!(p1, p2, "{}", body);
                prop_assert_eq!(&l1, &l2, "{}", body);
                let (Some(l1), Some(split)) = (l1, split) else {
                    break;
                };
                // What the split says is in the line is there.
                let raw = &body[split.start..split.end];
                let has = |f| split.has & f != 0;
                prop_assert_eq!(has(MarkedLine::ESCAPED), matches!(l1.text, Cow::Owned(_)));
                prop_assert_eq!(has(MarkedLine::AMP), raw.contains('&'));
                prop_assert_eq!(
                    has(MarkedLine::UNICODE),
                    (0..raw.len()).any(|k| raw.as_bytes()[k..].starts_with(b"\\u")
                        && raw.as_bytes()[..k].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0)
                );
                // And its own marks are the ones inside it.
                let inside: Vec<u32> = span[split.first..split.last].to_vec();
                let want: Vec<u32> = span[start..end]
                    .iter()
                    .copied()
                    .filter(|&m| (base + split.start..base + split.end).contains(&(m as usize)))
                    .collect();
                prop_assert_eq!(inside, want);
            }
            prop_assert_eq!(mark, end);
        }
        // Every backslash that starts an escape and every `&`, and
        // nothing else.
        let mut want = Vec::new();
        let mut k = 0;
        while k < b.len() {
            if b[k] == b'\\' || b[k] == b'&' {
                want.push(u32::try_from(k).unwrap());
                k += usize::from(b[k] == b'\\');
            }
            k += 1;
        }
        prop_assert_eq!(marks, want);
    }
}

/// Serde's derive reads `[1, "a"]` into a struct field by field; `Obj`
/// takes objects only, borrowing as the derive does.
#[test]
fn obj_takes_objects_only() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct S<'a> {
        #[serde(default)]
        n: Option<u32>,
        #[serde(borrow, default)]
        s: Option<&'a str>,
    }
    let plain: S<'_> = serde_json::from_str(r#"[1, "a"]"#).unwrap();
    assert_eq!(
        plain,
        S {
            n: Some(1),
            s: Some("a")
        }
    );
    let err = serde_json::from_str::<Obj<S<'_>>>(r#"[1, "a"]"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid type: sequence, expected a JSON object"),
        "{err}"
    );
    let Obj(ok) = serde_json::from_str::<Obj<S<'_>>>(r#"{"s": "a", "n": 1}"#).unwrap();
    assert_eq!(
        ok,
        S {
            n: Some(1),
            s: Some("a")
        }
    );
    let v = objs(serde_json::from_str::<Option<Vec<Obj<S<'_>>>>>(r#"[{"n": 2}]"#).unwrap());
    assert_eq!(
        v,
        [S {
            n: Some(2),
            s: None
        }]
    );
    assert!(serde_json::from_str::<Vec<Obj<S<'_>>>>(r#"[[2]]"#).is_err());
}

fn raw(s: &str) -> Raw<'_> {
    Raw(serde_json::from_str::<&RawValue>(s).unwrap())
}

#[test]
fn ok_loose_numbers() {
    assert_eq!(raw("1408").int(), Ok(Some(1408)));
    assert_eq!(raw("\"9\"").int(), Ok(Some(9)));
    assert_eq!(raw("\" 9 \"").int(), Ok(Some(9)));
    assert_eq!(raw("9.0").int(), Ok(Some(9)));
    assert_eq!(raw("\"100\"").int(), Ok(Some(100)));
    assert_eq!(raw("null").int(), Ok(None));
    assert_eq!(raw("\"\"").int(), Ok(None));
    assert_eq!(raw("-3").int(), Ok(Some(-3)));
}

#[test]
fn err_loose_numbers() {
    assert_eq!(raw("\"nine\"").int(), Err(WrongType));
    assert_eq!(raw("9.5").int(), Err(WrongType));
    assert_eq!(raw("true").int(), Err(WrongType));
    assert_eq!(raw("[1]").int(), Err(WrongType));
    assert_eq!(raw("99999999999999999999").int(), Err(WrongType));
}

#[test]
fn loose_bools() {
    assert_eq!(raw("true").boolean(), Ok(Some(true)));
    assert_eq!(raw("\"false\"").boolean(), Ok(Some(false)));
    assert_eq!(raw("\"TRUE\"").boolean(), Ok(Some(true)));
    assert_eq!(raw("1").boolean(), Ok(Some(true)));
    assert_eq!(raw("null").boolean(), Ok(None));
    assert_eq!(raw("\"yes\"").boolean(), Err(WrongType));
    assert_eq!(raw("2").boolean(), Err(WrongType));
}

#[test]
fn scalars_keep_their_kind() {
    assert_eq!(
        raw("\"success\"").scalar(),
        Ok(Some(Scalar::Str("success".into())))
    );
    assert_eq!(raw("3").scalar(), Ok(Some(Scalar::Int(3))));
    assert_eq!(raw("3.5").scalar(), Ok(Some(Scalar::Float(3.5))));
    assert_eq!(raw("false").scalar(), Ok(Some(Scalar::Bool(false))));
    assert_eq!(raw("null").scalar(), Ok(None));
    assert_eq!(raw("{\"a\":1}").scalar(), Err(WrongType));
    assert_eq!(raw("1408").text_value(), Ok(Some(Cow::Borrowed("1408"))));
}

#[test]
fn decode_borrows_when_possible() {
    assert!(matches!(
        decode_str("\"plain\""),
        Some(Cow::Borrowed("plain"))
    ));
    let d = decode_str(r#""a\"b\\c\/d\u003e\u4e2d\ud83d\ude00\t""#).unwrap();
    assert_eq!(d, "a\"b\\c/d>中😀\t");
    assert!(decode_str("plain").is_none());
}

/// Each escape decoded, and each kind of bad one: (body, text, valid).
#[test]
fn ok_and_err_unescapes() {
    let cases: &[(&str, &str, bool)] = &[
        ("plain", "plain", true),
        (r#"a\"b\\c\/d\b\f\n\r\t"#, "a\"b\\c/d\u{8}\u{c}\n\r\t", true),
        (r"\u003e\u4e2d\ud83d\ude00", ">中😀", true),
        (r"\ud800x", "\u{fffd}x", false),
        (r"\ud800\u0041", "\u{fffd}A", false),
        (r"\udc00", "\u{fffd}", false),
        (r"\u12", "\u{fffd}12", false),
        (r"\u+fff", "\u{fffd}+fff", false),
        ("end\\", "end\\", false),
        (r"\q", "\\q", false),
        ("\\中", "\\中", false),
    ];
    for &(body, text, valid) in cases {
        assert_eq!(unescape(body), (Cow::Borrowed(text), valid), "{body}");
    }
}

fn lines(body: &str) -> Vec<(String, bool)> {
    StrLines::new(body)
        .map(|l| (l.text.into_owned(), l.terminated))
        .collect()
}

#[test]
fn str_lines_split_on_newline_escapes() {
    assert_eq!(lines(""), Vec::<(String, bool)>::new());
    assert_eq!(lines(r"a\nb"), [("a".into(), true), ("b".into(), false)]);
    assert_eq!(lines(r"a\n"), [("a".into(), true)]);
    assert_eq!(lines(r"\n"), [("".into(), true)]);
    assert_eq!(
        lines(r"a\n\nb\n"),
        [("a".into(), true), ("".into(), true), ("b".into(), true)]
    );
    assert_eq!(
        lines(r"x\u000ay\u000Az"),
        [("x".into(), true), ("y".into(), true), ("z".into(), false)]
    );
    assert_eq!(
        lines(r"a\r\nb"),
        [("a\r".into(), true), ("b".into(), false)]
    );
    assert_eq!(lines(r#"q\"x\\n"#), [("q\"x\\n".into(), false)]);
    assert_eq!(lines(r"&lt;\t\n"), [("&lt;\t".into(), true)]);
}

#[test]
fn str_lines_borrow_plain_lines() {
    let mut it = StrLines::new(r"plain\nwith \u003e\n");
    assert!(matches!(it.next().unwrap().text, Cow::Borrowed("plain")));
    assert!(matches!(it.next().unwrap().text, Cow::Owned(ref s) if s == "with >"));
    assert!(it.next().is_none());
}

#[test]
fn serde_error_positions() {
    let input = "{\n  \"a\": 1,\n  \"b\": x\n}";
    let err = serde_json::from_str::<serde_json::Value>(input).unwrap_err();
    let e = serde_error(&err, input.as_bytes());
    assert_eq!(e.kind(), ErrorKind::Syntax);
    let p = e.position().unwrap();
    assert_eq!((p.line, p.column), (3, 8));
    assert_eq!(&input[p.byte..p.byte + 1], "x");
    assert_eq!(
        e.to_string(),
        "syntax error: expected value at line 3, column 8 (byte 19), near \"x\\n}\""
    );
    let err = serde_json::from_str::<serde_json::Value>("[1,").unwrap_err();
    let e = serde_error(&err, b"[1,");
    assert_eq!(e.kind(), ErrorKind::Eof);
    assert_eq!(e.position().unwrap().byte, 3);
}

#[test]
fn decoded_offsets_map_back() {
    let body = r#"a\"b\u003ec中d"#;
    let quoted = format!("\"{body}\"");
    let decoded = decode_str(&quoted).unwrap();
    assert_eq!(decoded, "a\"b>c中d");
    for (k, ch) in decoded.char_indices() {
        let raw = raw_offset_of_decoded(body, k);
        let expect = match ch {
            '"' => "\\\"",
            '>' => "\\u003e",
            _ => "",
        };
        if !expect.is_empty() {
            assert!(body[raw..].starts_with(expect), "{k} {ch}");
        } else {
            assert!(body[raw..].starts_with(ch), "{k} {ch}");
        }
    }
    assert_eq!(raw_offset_of_decoded(body, 999), body.len());
}

#[test]
fn decoded_len_counts_bytes_and_chars() {
    for body in [
        "",
        "abc",
        r"a\nb",
        r"中\u4e2d\ud83d\ude00",
        r#"q\"\\x"#,
        "é",
    ] {
        let quoted = format!("\"{body}\"");
        let decoded = decode_str(&quoted).unwrap();
        assert_eq!(
            decoded_len(body),
            (decoded.len(), decoded.chars().count()),
            "{body}"
        );
    }
}

#[test]
fn lossy_offsets_map_back() {
    let original: &[u8] = b"ab\xffcd\xe4\xb8xy";
    let lossy = String::from_utf8_lossy(original);
    assert_eq!(lossy, "ab\u{fffd}cd\u{fffd}xy");
    for (ch_at, want) in [("a", 0), ("b", 1), ("c", 3), ("d", 4), ("x", 7), ("y", 8)] {
        assert_eq!(
            original_offset(original, lossy.find(ch_at).unwrap()),
            want,
            "{ch_at}"
        );
    }
    assert_eq!(original_offset(original, lossy.len()), original.len());
    assert_eq!(original_offset(b"plain", 3), 3);
}

#[test]
fn truncated_documents_are_completed() {
    let c = |s: &str| complete_truncated(s).map(|c| (c.text, c.cut, c.partial_string));
    assert_eq!(
        c(r#"{"a":1,"b":[1,2"#),
        Some((r#"{"a":1,"b":[1]}"#.into(), 13, false))
    );
    assert_eq!(
        c(r#"{"a":1,"b":[1,2,"#),
        Some((r#"{"a":1,"b":[1,2]}"#.into(), 15, false))
    );
    assert_eq!(
        c(r#"{"a":"x","sta"#),
        Some((r#"{"a":"x"}"#.into(), 8, false))
    );
    assert_eq!(
        c(r#"{"a":"x","state":"succ"#),
        Some((r#"{"a":"x"}"#.into(), 8, false))
    );
    assert_eq!(c(r#"{"a":"#), Some((r#"{}"#.into(), 1, false)));
    assert_eq!(c(r#"[{"a":tru"#), Some((r#"[{}]"#.into(), 2, false)));
    assert_eq!(c(r#"{"a":true}"#), None);
    assert_eq!(c("  "), None);
    assert_eq!(c("tru"), None);
    let long = format!(r#"{{"log":"{}\u00"#, "x".repeat(70));
    let done = c(&long).unwrap();
    assert_eq!(done.0, format!(r#"{{"log":"{}"}}"#, "x".repeat(70)));
    assert!(done.2);
    let esc = format!(r#"{{"log":"{}\"#, "y".repeat(70));
    assert_eq!(
        c(&esc).unwrap().0,
        format!(r#"{{"log":"{}"}}"#, "y".repeat(70))
    );
    let surrogate = format!(r#"[["{}\ud83d\ude0"#, "z".repeat(70));
    assert_eq!(
        c(&surrogate).unwrap().0,
        format!(r#"[["{}"]]"#, "z".repeat(70))
    );
    // Every completion parses.
    let doc = r#"{"id":1,"log":[{"content":"[{\"Type\":\"x\"}]","created_at":"2018"},{"content":"abc"}],"state":"Successful"}"#;
    for n in 1..doc.len() {
        if let Some(done) = complete_truncated(&doc[..n]) {
            assert!(
                serde_json::from_str::<serde_json::Value>(&done.text).is_ok(),
                "{n}: {}",
                done.text
            );
        }
    }
}

#[test]
fn depth_check_skips_strings() {
    assert_eq!(depth_exceeded(b"[[[]]]", 3), None);
    assert_eq!(depth_exceeded(b"[[[[]]]]", 3), Some(3));
    assert_eq!(depth_exceeded(br#"["[[[[[", {"a":"\"[[[["}]"#, 2), None);
    assert_eq!(depth_exceeded(br#"["unterminated"#, 1), None);
    let deep = "[".repeat(100_000);
    assert_eq!(depth_exceeded(deep.as_bytes(), 64), Some(64));
}
