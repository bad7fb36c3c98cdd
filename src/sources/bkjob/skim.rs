//! The fast path for v2 `get_job_instance_log`: reads the envelope, steps,
//! host groups and hosts by hand, without the JSON parser's byte-wise pass
//! over each (long) `log_content` string — [`StringScan::skip`]
//! finds where it ends with vector code, checking it is a well-formed JSON
//! string, and notes where its escapes and `&`s are, so that its lines are
//! later split and decoded without searching it again. The other members
//! are small: each is handed to the parser alone, which checks it and
//! gives the same borrowed [`RawValue`] the full parse gives. Which keys an
//! object has and how each value is read come from its wire struct's
//! declaration ([`Members`]), not from a list of its own.
//!
//! It builds exactly the values the serde path builds, or gives up (`None`)
//! and the caller parses the document with serde, which then also makes
//! the errors: on anything it does not fully understand or that serde
//! might read differently — a key with an escape, a known member given
//! twice, an array or scalar where an object is expected, a value nested
//! deeper than [`MAX_DEPTH`] inside an unknown member, any invalid JSON,
//! anything after the document. A property test checks both paths agree.

use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::json::{self, Obj, Skimmer as _, once};
use crate::scan::{StringScan, skip_string, skip_value, skip_ws};

use super::wire::{Envelope, LogContent, Marks, Members, RawField, ReadMember, Step};

/// The steps of a v2 log, as the serde path reads `data`.
pub(super) type Steps<'a> = Vec<Obj<Step<'a>>>;

/// How deep a value inside an unknown member may nest before the skim
/// leaves the document to serde.
const MAX_DEPTH: usize = 16;

/// Reads a v2 log document as `serde_json::from_str::<Obj<Envelope<_,
/// Steps>>>` would, or `None` where it cannot be sure to; with the
/// positions of the escapes of the `log_content` strings (see [`Marks`]).
pub(super) fn job_log(input: &str) -> Option<(Envelope<'_, Steps<'_>>, Vec<u32>)> {
    job_log_capped(input, marks_cap(input.len()))
}

/// [`job_log`] noting at most `cap` escape positions.
pub(super) fn job_log_capped(
    input: &str,
    cap: usize,
) -> Option<(Envelope<'_, Steps<'_>>, Vec<u32>)> {
    let mut p = Skim {
        s: input,
        b: input.as_bytes(),
        i: skip_ws(input.as_bytes(), 0),
        strings: StringScan::with_amp(),
        marks: Vec::new(),
        marks_cap: cap,
    };
    let env = p.members::<Envelope<'_, Steps<'_>>>()?;
    (skip_ws(p.b, p.i) == p.b.len()).then_some((env, p.marks))
}

/// How many escape positions the skim notes for a document of `len` bytes
/// (four bytes each): a sixteenth of its length, so that the list stays
/// small next to the document (a typical log has one escape, its line
/// break, per line of some 90 bytes). Past it, and for a document whose
/// positions do not fit a `u32`, the lines are found by searching.
fn marks_cap(len: usize) -> usize {
    if u32::try_from(len).is_ok() {
        len / 16
    } else {
        0
    }
}

struct Skim<'a> {
    s: &'a str,
    b: &'a [u8],
    /// The next byte to read.
    i: usize,
    /// Finds where a `log_content` string ends, and its escapes and `&`s.
    strings: StringScan<[u8; 3]>,
    /// The positions of the escapes of the `log_content` strings read.
    marks: Vec<u32>,
    /// The most positions `marks` may hold; 0 once it was reached.
    marks_cap: usize,
}

impl<'a> json::Skimmer<'a> for Skim<'a> {
    fn text(&self) -> &'a str {
        self.s
    }

    fn at(&mut self) -> &mut usize {
        &mut self.i
    }
}

impl<'a> Skim<'a> {
    /// `null` (`None`) or an array of objects, each read by `elem`.
    fn array<T>(&mut self, elem: fn(&mut Self) -> Option<T>) -> Option<Option<Vec<Obj<T>>>> {
        if self.null() {
            return Some(None);
        }
        if self.b.get(self.i) != Some(&b'[') {
            return None;
        }
        self.i += 1;
        self.ws();
        let mut out = Vec::new();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Some(Some(out));
        }
        loop {
            out.push(Obj(elem(self)?));
            self.ws();
            match self.b.get(self.i)? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    return Some(Some(out));
                }
                _ => return None,
            }
        }
    }

    /// A member kept raw: `None` for `null`, else the value as the parser
    /// reads it alone.
    fn raw(&mut self) -> Option<RawField<'a>> {
        if self.null() {
            return Some(None);
        }
        let end = skip_value(self.b, self.i, MAX_DEPTH)?;
        let text = self.s.get(self.i..end)?;
        let raw = serde_json::from_str::<&'a RawValue>(text).ok()?;
        self.i = end;
        Some(Some(raw))
    }

    /// An unknown member's value, checked as serde checks what it ignores.
    fn ignore(&mut self) -> Option<()> {
        let end = if self.b.get(self.i) == Some(&b'"') {
            skip_string(self.b, self.i)?
        } else {
            let end = skip_value(self.b, self.i, MAX_DEPTH)?;
            serde_json::from_str::<IgnoredAny>(self.s.get(self.i..end)?).ok()?;
            end
        };
        self.i = end;
        Some(())
    }

    /// `log_content`: a string is only checked by [`StringScan`], which
    /// notes where its escapes are while the list has room.
    fn content(&mut self) -> Option<Option<LogContent<'a>>> {
        if self.b.get(self.i) == Some(&b'"') {
            let start = self.marks.len();
            let (marks, cap) = (&mut self.marks, self.marks_cap);
            let end = self.strings.skip(self.b, self.i, |k, _| {
                if marks.len() < cap {
                    marks.push(k as u32);
                }
            })?;
            let text = self.s.get(self.i..end)?;
            self.i = end;
            let span = if self.marks.len() < cap {
                Some(Marks {
                    start,
                    end: self.marks.len(),
                })
            } else {
                // Full (perhaps in the middle of this string): from here on
                // the lines are found by searching.
                self.marks.truncate(start);
                self.marks_cap = 0;
                None
            };
            return Some(Some(LogContent::Str(text, span)));
        }
        Some(self.raw()?.map(LogContent::Other))
    }

    /// An object read as serde reads `T` (each known member once, unknown
    /// ones checked and ignored).
    fn members<T: Members<'a>>(&mut self) -> Option<T> {
        let mut value = T::empty();
        let mut seen = 0u32;
        self.object(|p, key| {
            let Some(index) = T::KEYS.iter().position(|k| *k == key) else {
                return p.ignore();
            };
            once(&mut seen, u32::try_from(index).ok()?)?;
            value.read_member(index, p)
        })?;
        Some(value)
    }
}

/// The members of the wire structs, read as [`Skim::members`] reads them.
impl<'a> ReadMember<'a> for Skim<'a> {
    fn raw(&mut self) -> Option<RawField<'a>> {
        Skim::raw(self)
    }

    fn content(&mut self) -> Option<Option<LogContent<'a>>> {
        Skim::content(self)
    }

    fn list<T: Members<'a>>(&mut self) -> Option<Option<Vec<Obj<T>>>> {
        self.array(Skim::members::<T>)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::wire::{Group, IpLog};
    use super::super::{front, walk};
    use super::*;
    use crate::options::Options;

    /// Everything a parse gives: the events as NDJSON and the errors as
    /// displayed, in order (a parse error is the only item).
    fn outcome(r: Result<super::super::BkParsed<'_>, crate::Error>) -> Vec<String> {
        match r {
            Err(e) => vec![format!("error: {e}")],
            Ok(events) => events
                .take(100_000)
                .map(|item| match item {
                    Ok(e) => e.to_ndjson(),
                    Err(e) => format!("error: {e}"),
                })
                .collect(),
        }
    }

    /// The skim-then-serde path and the serde-only path agree on `input`,
    /// strict and lenient.
    fn assert_same(input: &[u8]) -> Result<(), TestCaseError> {
        for opts in [Options::strict(), Options::lenient()] {
            let slow = outcome(front(input, &opts, walk::reference::job_log_serde_str));
            // The noted escape positions running out at any point: before
            // the first string, inside one, never.
            for fast in [
                walk::job_log_str,
                walk::reference::job_log_capped_str::<0>,
                walk::reference::job_log_capped_str::<1>,
                walk::reference::job_log_capped_str::<4>,
                walk::reference::job_log_capped_str::<9>,
            ] {
                let fast = outcome(front(input, &opts, fast));
                prop_assert_eq!(
                    &fast,
                    &slow,
                    "strict: {}, input: {}",
                    opts.is_strict(),
                    String::from_utf8_lossy(input)
                );
            }
        }
        Ok(())
    }

    #[test]
    fn corpus_files_read_the_same_through_the_skim() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/bkjob-log");
        let mut skimmed = 0;
        let mut files = 0;
        for dir in [root.clone(), root.join("err")] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    let input = std::fs::read(&path).unwrap();
                    assert_same(&input).unwrap();
                    files += 1;
                    let text = std::str::from_utf8(&input).unwrap();
                    skimmed += usize::from(job_log(text).is_some());
                }
            }
        }
        assert!(files >= 20, "{files}");
        // Most of the corpus is the common shape the skim reads itself.
        assert!(skimmed * 2 > files, "{skimmed} of {files}");
    }

    fn ws() -> impl Strategy<Value = &'static str> {
        prop_oneof![4 => Just(""), 1 => Just(" "), 1 => Just("\n  "), 1 => Just("\t\r\n")]
    }

    /// A small member value of any kind, as BlueKing or a broken server
    /// might send it.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            Just("\"\"".to_owned()),
            Just("\"true\"".to_owned()),
            Just("-0".to_owned()),
            Just("1.5e3".to_owned()),
            Just("0.25".to_owned()),
            Just("\"1.204\"".to_owned()),
            Just("\"2024-05-20 10:00:01\"".to_owned()),
            Just("\"2018-03-15 14:39:30 +0800\"".to_owned()),
            Just("\"10.0.0.\\u0031\"".to_owned()),
            Just("\"\\ud800\"".to_owned()),
            Just("\"a\\\"b\\\\c\\/\"".to_owned()),
            Just("[1,{\"a\":null}]".to_owned()),
            Just("{}".to_owned()),
            (-20i64..40).prop_map(|n| n.to_string()),
            (-20i64..40).prop_map(|n| format!("\"{n}\"")),
            any::<i64>().prop_map(|n| n.to_string()),
            "[a-z0-9 .:-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        ]
    }

    /// An unknown member's value, nested a little.
    fn unknown() -> impl Strategy<Value = String> {
        scalar().prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(("[a-z_]{1,6}", inner), 0..3).prop_map(|v| {
                    let m: Vec<_> = v.iter().map(|(k, v)| format!("\"{k}\" : {v}")).collect();
                    format!("{{{}}}", m.join(","))
                }),
            ]
        })
    }

    /// A `log_content` string: timestamped lines, escapes of every kind
    /// (surrogate pairs and lone ones too), HTML entities, long runs.
    fn content() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => Just("[2024-05-20 10:00:01][PID:56875] "),
            2 => Just("[2018-03-15 14:39:30] "),
            4 => Just("\\n"),
            1 => Just("\\r\\n"),
            1 => Just("\\r"),
            2 => Just("plain text "),
            1 => Just("a fairly long run of ordinary text that is longer than one block of sixty-four bytes "),
            2 => Just("\\\""),
            1 => Just("\\\\"),
            1 => Just("\\t\\b\\f\\/"),
            1 => Just("\\u00e9\\u4e2d"),
            1 => Just("\\ud83d\\ude00"),
            1 => Just("\\udc00"),
            1 => Just("\\u001b[32mOK\\u001b[0m"),
            1 => Just("&lt;b&gt; &amp;&amp; &quot;x&quot; &#39;y&#39; &#x41;"),
            1 => Just("&amp;&#13;\\r\\n"),
            1 => Just("&\\\"lt; &lt\\r\\n"),
            1 => Just("&#x1b;[31mred&#x1B;[0m &#0; &nbsp;"),
            1 => Just("50%&#13;100%"),
            1 => Just("\\u0026amp; \\\\&lt;"),
            1 => Just("检查磁盘"),
        ];
        prop_oneof![
            8 => prop::collection::vec(piece, 0..24).prop_map(|v| format!("\"{}\"", v.concat())),
            1 => scalar(),
        ]
    }

    /// An object with the given members (each maybe missing) and some
    /// unknown ones, in any order, with any spacing.
    fn object(
        members: Vec<BoxedStrategy<Option<(&'static str, String)>>>,
    ) -> impl Strategy<Value = String> {
        (
            members,
            prop::collection::vec(("[a-z_]{1,8}", unknown()), 0..2),
            ws(),
            ws(),
        )
            .prop_flat_map(|(known, extra, w1, w2)| {
                let mut parts: Vec<String> = known
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| format!("{w1}\"{k}\"{w2}:{w1}{v}"))
                    .collect();
                parts.extend(extra.into_iter().map(|(k, v)| format!("\"x_{k}\":{v}")));
                Just(parts).prop_shuffle()
            })
            .prop_map(|parts| format!("{{{}}}", parts.join(",")))
    }

    fn member(
        key: &'static str,
        value: impl Strategy<Value = String> + 'static,
    ) -> BoxedStrategy<Option<(&'static str, String)>> {
        prop::option::weighted(0.8, value.prop_map(move |v| (key, v))).boxed()
    }

    fn list(elem: impl Strategy<Value = String> + 'static) -> impl Strategy<Value = String> {
        prop_oneof![
            8 => prop::collection::vec(elem, 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
            1 => Just("null".to_owned()),
            1 => Just("[]".to_owned()),
        ]
    }

    /// The members of `T`, each maybe missing, each with the value `value`
    /// gives for its key: every member the skim reads, from the one list.
    fn members<T: Members<'static>>(
        value: impl Fn(&'static str) -> BoxedStrategy<String>,
    ) -> impl Strategy<Value = String> {
        object(T::KEYS.iter().map(|&k| member(k, value(k))).collect())
    }

    fn host() -> impl Strategy<Value = String> {
        members::<IpLog<'static>>(|key| match key {
            "log_content" => content().boxed(),
            _ => scalar().boxed(),
        })
    }

    fn group() -> impl Strategy<Value = String> {
        members::<Group<'static>>(|key| match key {
            "ip_logs" => list(host()).boxed(),
            _ => scalar().boxed(),
        })
    }

    fn step() -> impl Strategy<Value = String> {
        members::<Step<'static>>(|key| match key {
            "step_results" => list(group()).boxed(),
            _ => scalar().boxed(),
        })
    }

    fn document() -> impl Strategy<Value = String> {
        let doc = members::<Envelope<'static, Steps<'static>>>(|key| match key {
            "result" => prop_oneof![4 => Just("true".to_owned()), 1 => scalar()].boxed(),
            "code" => prop_oneof![
                4 => Just("0".to_owned()),
                1 => Just("\"0\"".to_owned()),
                1 => scalar(),
            ]
            .boxed(),
            "data" => list(step()).boxed(),
            _ => scalar().boxed(),
        });
        (doc, ws()).prop_map(|(o, w)| format!("{w}{o}{w}"))
    }

    /// Ways to break a document: a byte replaced, the end cut, a member
    /// inserted after an opening brace (a duplicate, an escaped key, a
    /// wrong type), a known key escaped.
    #[derive(Debug, Clone)]
    enum Mutation {
        None,
        Replace(usize, &'static str),
        Truncate(usize),
        InsertAfterBrace(usize, &'static str),
        EscapeKey(usize),
        /// Bytes glued to the end of a value (before a `,`, `}` or `]`).
        InsertBeforeClose(usize, &'static str),
        /// A comma before a closing `]` or `}`.
        TrailingComma(usize),
        /// A raw control character after a quote (in a string, when the
        /// quote opens one).
        ControlAfterQuote(usize, &'static str),
        Append(&'static str),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let bytes = prop_oneof![
            Just("\""),
            Just("\\"),
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(","),
            Just(":"),
            Just(" "),
            Just("n"),
            Just("0"),
            Just("-"),
            Just("x"),
            Just("\u{1}"),
            Just("é"),
        ];
        let members = prop_oneof![
            Just("\"ip\":\"10.0.0.9\","),
            Just("\"log_content\":\"x\","),
            Just("\"log_content\":null,"),
            Just("\"log_content\":7,"),
            Just("\"log_content\":[\"x\"],"),
            Just("\"data\":[],"),
            Just("\"data\":{},"),
            Just("\"step_results\":{},"),
            Just("\"step_results\":[[1]],"),
            Just("\"ip_logs\":[{\"ip\":1}],"),
            Just("\"ip_logs\":\"x\","),
            Just("\"tag\":null,"),
            Just("\"name\":01,"),
            Just("\"name\":1.,"),
            Just("\"name\":-,"),
            Just("\"name\":1e,"),
            Just("\"name\":tru,"),
            Just("\"n\\u0061me\":\"x\","),
            Just("\"result\":false,"),
            Just("\"code\":1,"),
            Just("\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]],"),
            Just("\"x\":\"\\ud800\","),
            Just("\"x\":\"\\u12\","),
            Just("\"x\":{\"a\":1,},"),
        ];
        prop_oneof![
            3 => Just(Mutation::None),
            3 => (any::<usize>(), bytes).prop_map(|(i, b)| Mutation::Replace(i, b)),
            2 => any::<usize>().prop_map(Mutation::Truncate),
            4 => (any::<usize>(), members).prop_map(|(i, m)| Mutation::InsertAfterBrace(i, m)),
            2 => any::<usize>().prop_map(Mutation::EscapeKey),
            3 => (
                any::<usize>(),
                prop_oneof![
                    Just("x"), Just("."), Just("e"), Just("0"), Just("\"a\""), Just("ull"),
                    Just(" 1"), Just("]"), Just("}"), Just(":1"), Just("\u{7f}"), Just(","),
                ],
            )
                .prop_map(|(i, s)| Mutation::InsertBeforeClose(i, s)),
            1 => any::<usize>().prop_map(Mutation::TrailingComma),
            2 => (any::<usize>(), prop_oneof![Just("\u{1}"), Just("\n"), Just("\t"), Just("\u{1f}")])
                .prop_map(|(i, s)| Mutation::ControlAfterQuote(i, s)),
            1 => prop_oneof![Just(" x"), Just("{}"), Just(" \n"), Just(",")].prop_map(Mutation::Append),
        ]
    }

    fn mutate(doc: &str, m: &Mutation) -> Vec<u8> {
        let b = doc.as_bytes();
        let at = |i: usize, of: &[usize]| of.get(i % of.len().max(1)).copied();
        let mut out = b.to_vec();
        match m {
            Mutation::None => {}
            Mutation::Replace(i, s) => {
                if !b.is_empty() {
                    let k = i % b.len();
                    out.splice(k..k + 1, s.bytes());
                }
            }
            Mutation::Truncate(i) => out.truncate(i % (b.len() + 1)),
            Mutation::InsertAfterBrace(i, s) => {
                let braces: Vec<_> = (0..b.len()).filter(|&k| b[k] == b'{').collect();
                if let Some(k) = at(*i, &braces) {
                    out.splice(k + 1..k + 1, s.bytes());
                }
            }
            Mutation::EscapeKey(i) => {
                // A key's first letter written as `\u00XX`.
                let keys: Vec<_> = (1..b.len())
                    .filter(|&k| b[k - 1] == b'"' && b[k].is_ascii_lowercase())
                    .collect();
                if let Some(k) = at(*i, &keys) {
                    let esc = format!("\\u{:04x}", b[k]);
                    out.splice(k..k + 1, esc.bytes());
                }
            }
            Mutation::InsertBeforeClose(i, s) => {
                let ends: Vec<_> = (0..b.len())
                    .filter(|&k| matches!(b[k], b',' | b'}' | b']'))
                    .collect();
                if let Some(k) = at(*i, &ends) {
                    out.splice(k..k, s.bytes());
                }
            }
            Mutation::TrailingComma(i) => {
                let ends: Vec<_> = (0..b.len())
                    .filter(|&k| matches!(b[k], b'}' | b']'))
                    .collect();
                if let Some(k) = at(*i, &ends) {
                    out.insert(k, b',');
                }
            }
            Mutation::ControlAfterQuote(i, s) => {
                let quotes: Vec<_> = (0..b.len()).filter(|&k| b[k] == b'"').collect();
                if let Some(k) = at(*i, &quotes) {
                    out.splice(k + 1..k + 1, s.bytes());
                }
            }
            Mutation::Append(s) => out.extend(s.bytes()),
        }
        out
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1024))]

        /// On generated v2 documents the skim reads (all of them), and on
        /// the same documents broken in many ways (where it should mostly
        /// give up), the skim-then-serde path gives exactly the events and
        /// errors of serde alone, strict and lenient.
        #[test]
        fn skim_path_equals_serde_path(doc in document(), m in mutation()) {
            if matches!(m, Mutation::None) {
                prop_assert!(job_log(&doc).is_some(), "the skim gave up on {}", doc);
            }
            assert_same(&mutate(&doc, &m))?;
        }
    }
}
