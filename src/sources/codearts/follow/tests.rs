use super::reference::{old_feed_page, old_feed_text};
use super::*;

fn page(start: u64, end: u64, content: &str, more: bool) -> String {
    format!(
        r#"{{"result":{{"has_more_data":{more},"current_offset":{start},"offset":{end},"content":{}}},"error":null,"status":"success"}}"#,
        serde_json::to_string(content).unwrap()
    )
}

fn follow(pages: &[String], opts: &Options) -> Vec<String> {
    let mut f = Follower::new(opts.clone());
    let mut out = Vec::new();
    for p in pages {
        f.feed_page(p.as_bytes(), |e| out.push(render(&e))).unwrap();
    }
    f.finish(|e| out.push(render(&e))).unwrap();
    out
}

fn render(e: &LogEvent<'_>) -> String {
    let notes: Vec<_> = e.notes.iter().map(Note::code).collect();
    format!("{}|{}|{}", e.seq, e.message, notes.join(","))
}

#[test]
fn partial_lines_are_joined_across_pages() {
    let pages = [
        page(0, 4, "ab\ncd", true),
        page(4, 8, "ef\ngh", true),
        page(8, 8, "", false),
    ];
    assert_eq!(
        follow(&pages, &Options::default()),
        ["0|ab|no_prefix", "1|cdef|no_prefix", "2|gh|no_prefix"]
    );
}

#[test]
fn repeated_and_overlapping_pages_are_deduplicated() {
    let pages = [
        page(0, 6, "one\ntw", true),
        page(0, 6, "one\ntw", true),
        page(3, 10, "\ntwo\nthr", true),
        page(10, 10, "", true),
        page(10, 14, "ee\n", false),
    ];
    assert_eq!(
        follow(&pages, &Options::default()),
        [
            "0|one|no_prefix",
            "1|two|no_prefix,page_overlap",
            "2|three|no_prefix"
        ]
    );
}

#[test]
fn gaps_and_rewinds_are_noted() {
    let pages = [
        page(0, 4, "one\n", true),
        page(8, 12, "two\n", true),
        page(2, 6, "xxxx", true),
        page(12, 18, "three\n", false),
    ];
    assert_eq!(
        follow(&pages, &Options::default()),
        [
            "0|one|no_prefix",
            "1|two|page_gap,no_prefix",
            "2|three|offset_rewind,no_prefix"
        ]
    );
    let mut f = Follower::new(Options::strict());
    f.feed_page(pages[0].as_bytes(), |_| {}).unwrap();
    let err = f.feed_page(pages[1].as_bytes(), |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Offset);
    assert!(
        err.to_string()
            .contains("the page starts at offset 8 but the log so far ends at 4")
    );
}

/// Regression (found by `pages_equal_whole`): a page that was redundant
/// when it arrived (it ended where the log already was) was not
/// remembered, so a later stale copy of it was reported as a rewind.
#[test]
fn stale_copy_of_a_redundant_page_is_not_a_rewind() {
    let pages = [
        page(0, 4, "ab\nc", true),
        page(2, 8, "\ncdef\ng", true),
        page(4, 8, "def\ng", true),
        page(8, 10, "h\n", true),
        page(4, 8, "def\ng", true),
        page(10, 10, "", false),
    ];
    assert_eq!(
        follow(&pages, &Options::strict()),
        [
            "0|ab|no_prefix",
            "1|cdef|no_prefix,page_overlap",
            "2|gh|no_prefix"
        ]
    );
}

#[test]
fn gap_flushes_the_held_back_line() {
    let pages = [page(0, 6, "one\ntw", true), page(9, 13, "two\n", false)];
    assert_eq!(
        follow(&pages, &Options::default()),
        [
            "0|one|no_prefix",
            "1|tw|page_gap,no_prefix,unterminated_line",
            "2|two|page_gap,no_prefix"
        ]
    );
}

#[test]
fn unit_is_inferred_from_non_ascii_pages() {
    // "中\n" is 4 bytes, 2 chars.
    let mut f = Follower::new(Options::default());
    f.feed_page(page(0, 4, "中\n", true).as_bytes(), |_| {})
        .unwrap();
    assert_eq!(f.cursor().unit(), OffsetUnit::Bytes);
    let mut f = Follower::new(Options::default());
    f.feed_page(page(0, 2, "中\n", true).as_bytes(), |_| {})
        .unwrap();
    assert_eq!(f.cursor().unit(), OffsetUnit::Chars);
    // Overlap by 1 char: skip "中".
    let mut out = Vec::new();
    f.feed_page(page(1, 4, "\nb\n", false).as_bytes(), |e| {
        out.push(e.message.into_owned())
    })
    .unwrap();
    assert_eq!(out, ["b"]);
}

#[test]
fn text_chunks_split_inside_characters() {
    let text = "[2023/12/21 15:44:18.744 GMT+08:00] 中文\r\nsecond\n\nlast";
    let bytes = text.as_bytes();
    for cut in 0..bytes.len() {
        let mut f = Follower::new(Options::default());
        let mut out = Vec::new();
        f.feed_text(&bytes[..cut], |e| out.push(e.into_owned()))
            .unwrap();
        f.feed_text(&bytes[cut..], |e| out.push(e.into_owned()))
            .unwrap();
        f.finish(|e| out.push(e)).unwrap();
        let msgs: Vec<_> = out.iter().map(|e| e.message.to_string()).collect();
        assert_eq!(msgs, ["中文", "second", "", "last"], "cut at {cut}");
        assert!(out.iter().all(|e| !e.notes.contains(Note::InvalidUtf8)));
    }
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(crate::testing::proptest_config(1000))]

    /// `feed_text` (the whole-log text path over each chunk's complete
    /// lines, steps carried in from earlier chunks borrowed from the
    /// chunk) gives the events, errors and cursors of the old per-line
    /// path, for any chunking, options and starting cursor.
    #[test]
    fn feed_text_agrees_with_old_path(
        lines in prop::collection::vec((super::super::tests::any_line(), 0u8..4), 0..12),
        last in prop::bool::ANY,
        bom in prop::bool::ANY,
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        strict in prop::bool::ANY,
        raw in prop::bool::ANY,
        redact in prop::bool::ANY,
        max in prop::option::of(0usize..40),
        open in prop::option::of(prop_oneof![
            Just(("m2", "Maven构建")),
            Just(("co", "代码检出")),
            Just(("absent", "nowhere")),
        ]),
        pending in prop::bool::ANY,
    ) {
        let mut input = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        for (i, (line, brk)) in lines.iter().enumerate() {
            input.extend_from_slice(line);
            if i + 1 < lines.len() || last {
                input.extend_from_slice(match brk { 0 => "\r\n", 1 => "\r\r\n", 2 => "\r", _ => "\n" }.as_bytes());
            }
        }
        let mut opts = if strict { Options::strict() } else { Options::default() };
        if raw {
            opts = opts.with_text(crate::options::TextMode::Raw);
        }
        if let Some(max) = max {
            opts = opts.with_max_line_len(max);
        }
        opts.redact = redact;
        let cursor = Cursor {
            open_step: open.map(|(id, name)| (id.to_owned(), name.to_owned())),
            pending: if pending { Note::PageGap.into() } else { Notes::EMPTY },
            ..Cursor::default()
        };
        let mut cuts: Vec<usize> = picks.iter().map(|p| p.index(input.len() + 1)).collect();
        cuts.push(input.len());
        cuts.sort_unstable();
        let mut new = Follower::resume(cursor.clone(), opts.clone());
        let mut old = Follower::resume(cursor, opts);
        let mut prev = 0;
        for cut in cuts {
            let chunk = &input[prev..cut];
            prev = cut;
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let before = new.cursor().clone();
            let got_r = new.feed_text(chunk, |e| got.push(e)).map_err(|e| e.to_string());
            let want_r = old_feed_text(&mut old, chunk, |e| want.push(e)).map_err(|e| e.to_string());
            prop_assert_eq!(&got, &want, "input {:?}", String::from_utf8_lossy(&input));
            prop_assert_eq!(&got_r, &want_r);
            if got_r.is_err() {
                prop_assert_eq!(new.cursor(), &rolled_back(before, &got));
                return Ok(());
            }
            prop_assert_eq!(new.cursor(), old.cursor());
        }
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let got_r = new.finish(|e| got.push(e)).map_err(|e| e.to_string());
        let want_r = old.finish(|e| want.push(e)).map_err(|e| e.to_string());
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&got_r, &want_r);
        if got_r.is_ok() {
            prop_assert_eq!(new.cursor(), old.cursor());
        }
    }
}

/// `s` as a JSON string literal: line breaks as `\n` or `\u000a`,
/// `<` as `\u003c` (Go's encoder) or as itself.
fn json_literal(s: &str, unicode_breaks: bool, go: bool) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\n' if unicode_breaks => out.push_str("\\u000a"),
            '\n' => out.push_str("\\n"),
            '<' if go => out.push_str("\\u003c"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest! {
    #![proptest_config(crate::testing::proptest_config(1000))]

    /// `feed_page` (plain lines of a page straight to
    /// `Machine::plain_line`, the open step borrowed from the page)
    /// gives the events, errors and cursors of the old path, for any
    /// paging (byte or character offsets; repeated, empty, overlapping,
    /// missing and stale pages), escapes, options and starting cursor.
    #[test]
    fn feed_page_agrees_with_old_path(
        lines in prop::collection::vec((super::super::tests::any_line(), 0u8..4), 0..12),
        last in prop::bool::ANY,
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        extras in prop::collection::vec((0u8..5, any::<prop::sample::Index>()), 0..4),
        chars in prop::bool::ANY,
        unicode_breaks in prop::bool::ANY,
        go in prop::bool::ANY,
        strict in prop::bool::ANY,
        raw in prop::bool::ANY,
        redact in prop::bool::ANY,
        max in prop::option::of(0usize..40),
        open in prop::option::of(prop_oneof![
            Just(("m2", "Maven构建")),
            Just(("co", "代码检出")),
            Just(("absent", "nowhere")),
        ]),
        pending in prop::bool::ANY,
    ) {
        let mut bytes = Vec::new();
        for (i, (line, brk)) in lines.iter().enumerate() {
            bytes.extend_from_slice(line);
            if i + 1 < lines.len() || last {
                bytes.extend_from_slice(match brk { 0 => "\r\n", 1 => "\r\r\n", 2 => "\\n", _ => "\n" }.as_bytes());
            }
        }
        let log = String::from_utf8_lossy(&bytes).into_owned();
        let bounds: Vec<usize> = log.char_indices().map(|(i, _)| i).chain([log.len()]).collect();
        let unit = |byte: usize| -> usize {
            if chars { bounds.iter().position(|&b| b == byte).unwrap() } else { byte }
        };
        let page = |from: usize, to: usize, more: bool| -> String {
            format!(
                r#"{{"result":{{"has_more_data":{more},"current_offset":{},"offset":{},"content":{}}},"error":null,"status":"success"}}"#,
                unit(from), unit(to), json_literal(&log[from..to], unicode_breaks, go)
            )
        };
        let mut points: Vec<usize> = picks.iter().map(|p| bounds[p.index(bounds.len())]).collect();
        points.push(log.len());
        points.sort_unstable();
        points.dedup();
        let mut pages = Vec::new();
        let mut prev = 0;
        for (i, &cut) in points.iter().enumerate() {
            let mut skip = false;
            for (kind, at) in &extras {
                if at.index(points.len()) == i {
                    match kind {
                        0 => pages.push(page(prev, cut, true)),
                        1 => pages.push(page(prev, prev, true)),
                        2 => {
                            let k = bounds.iter().position(|&b| b == prev).unwrap();
                            pages.push(page(bounds[k.saturating_sub(3)], cut, true));
                        }
                        3 => skip = true,
                        _ => pages.push(page(0, prev, true)),
                    }
                }
            }
            if !skip {
                pages.push(page(prev, cut, i + 1 < points.len()));
            }
            prev = cut;
        }
        let mut opts = if strict { Options::strict() } else { Options::default() };
        if raw {
            opts = opts.with_text(crate::options::TextMode::Raw);
        }
        if let Some(max) = max {
            opts = opts.with_max_line_len(max);
        }
        opts.redact = redact;
        let cursor = Cursor {
            open_step: open.map(|(id, name)| (id.to_owned(), name.to_owned())),
            pending: if pending { Note::PageGap.into() } else { Notes::EMPTY },
            ..Cursor::default()
        };
        let mut new = Follower::resume(cursor.clone(), opts.clone());
        let mut old = Follower::resume(cursor, opts);
        for p in &pages {
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let before = new.cursor().clone();
            let got_r = new.feed_page(p.as_bytes(), |e| got.push(e)).map_err(|e| e.to_string());
            let want_r = old_feed_page(&mut old, p.as_bytes(), |e| want.push(e)).map_err(|e| e.to_string());
            prop_assert_eq!(&got, &want, "page {}", p);
            prop_assert_eq!(&got_r, &want_r);
            if got_r.is_err() {
                prop_assert_eq!(new.cursor(), &rolled_back(before, &got));
                return Ok(());
            }
            prop_assert_eq!(new.cursor(), old.cursor());
        }
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let got_r = new.finish(|e| got.push(e)).map_err(|e| e.to_string());
        let want_r = old.finish(|e| want.push(e)).map_err(|e| e.to_string());
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&got_r, &want_r);
        if got_r.is_ok() {
            prop_assert_eq!(new.cursor(), old.cursor());
        }
    }
}

/// The cursor a feed that failed after sending `sent` leaves: the one
/// from before it, the events sent marked to be skipped.
fn rolled_back(mut before: Cursor, sent: &[LogEvent<'_>]) -> Cursor {
    if let Some(e) = sent.last() {
        before.skip_to = before.skip_to.max(e.seq + 1);
    }
    before
}

/// A caller's reason to stop, or the follower's error.
#[derive(Debug)]
enum Stop {
    Here,
    Follower(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Follower(e)
    }
}

/// Feeds `inputs` (pages, or text chunks when `text`) and finishes;
/// the callback returns `Err(Stop::Here)` on the calls numbered in
/// `stops`, after which the cursor goes through JSON to a new follower
/// and the same input is fed again.
fn follow_with_stops(
    inputs: &[Vec<u8>],
    text: bool,
    opts: &Options,
    stops: &[usize],
) -> Result<(Vec<String>, usize), Error> {
    let mut f = Follower::new(opts.clone());
    let (mut out, mut calls, mut stopped) = (Vec::new(), 0usize, 0usize);
    let mut take = |e: LogEvent<'_>, out: &mut Vec<String>| {
        calls += 1;
        if stops.contains(&calls) {
            return Err(Stop::Here);
        }
        out.push(render(&e));
        Ok(())
    };
    let mut i = 0;
    while i <= inputs.len() {
        let r = match inputs.get(i) {
            Some(input) if text => f.feed_text(input, |e| take(e, &mut out)),
            Some(input) => f.feed_page(input, |e| take(e, &mut out)),
            None => f.finish(|e| take(e, &mut out)),
        };
        match r {
            Ok(()) => i += 1,
            Err(Stop::Here) => {
                stopped += 1;
                let saved = serde_json::to_string(f.cursor()).unwrap();
                f = Follower::resume(serde_json::from_str(&saved).unwrap(), opts.clone());
            }
            Err(Stop::Follower(e)) => return Err(e),
        }
    }
    Ok((out, stopped))
}

#[test]
fn a_stopped_feed_resumes_after_the_last_event_taken() {
    let pages = [
        page(0, 18, "one\ntwo\nthree\nfo", true),
        page(18, 24, "ur\nfive", false),
    ]
    .map(String::into_bytes);
    let all = follow_with_stops(&pages, false, &Options::default(), &[]).unwrap();
    assert_eq!(all.1, 0);
    assert_eq!(
        all.0,
        [
            "0|one|no_prefix",
            "1|two|no_prefix",
            "2|three|no_prefix",
            "3|four|no_prefix",
            "4|five|no_prefix"
        ]
    );
    // Stopped on the 2nd call (the event "two" is not taken), and on the
    // 1st call after that resume, and in finish.
    let (got, stopped) = follow_with_stops(&pages, false, &Options::default(), &[2, 3, 7]).unwrap();
    assert_eq!(stopped, 3);
    assert_eq!(got, all.0);
    // The stopped feed left the cursor where it was before the page,
    // the sent event marked.
    let mut f = Follower::new(Options::default());
    let mut n = 0;
    let r = f.feed_page(&pages[0], |_| {
        n += 1;
        if n == 2 { Err(Stop::Here) } else { Ok(()) }
    });
    assert!(matches!(r, Err(Stop::Here)));
    assert_eq!(f.cursor().offset(), None);
    assert_eq!(f.cursor().next_seq(), 0);
    let json = serde_json::to_string(f.cursor()).unwrap();
    assert!(json.contains(r#""skip_to":1"#), "{json}");
}

proptest! {
    #![proptest_config(crate::testing::proptest_config(300))]

    /// Stopping a feed with `Err` from the callback anywhere, saving the
    /// cursor and feeding the same page or chunk again to a resumed
    /// follower gives every event once, as following without stops does.
    #[test]
    fn stops_anywhere_lose_and_repeat_nothing(
        lines in prop::collection::vec((super::super::tests::any_line(), 0u8..4), 0..10),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        stops in prop::collection::vec(1usize..30, 0..6),
        text in prop::bool::ANY,
        redact in prop::bool::ANY,
    ) {
        let mut log = Vec::new();
        for (line, brk) in &lines {
            log.extend_from_slice(line);
            log.extend_from_slice(match brk { 0 => "\r\n", 1 => "\r", _ => "\n" }.as_bytes());
        }
        let log = if text { log } else { String::from_utf8_lossy(&log).into_owned().into_bytes() };
        let mut cuts: Vec<usize> = picks.iter().map(|p| p.index(log.len() + 1)).collect();
        cuts.push(log.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut inputs = Vec::new();
        let mut prev = 0;
        for (i, &cut) in cuts.iter().enumerate() {
            if text {
                inputs.push(log[prev..cut].to_vec());
            } else {
                let (mut from, mut to) = (prev, cut);
                let s = std::str::from_utf8(&log).unwrap();
                while !s.is_char_boundary(from) { from -= 1; }
                while !s.is_char_boundary(to) { to -= 1; }
                if to < from { continue; }
                inputs.push(page(from as u64, to as u64, &s[from..to], i + 1 < cuts.len()).into_bytes());
                prev = to;
                continue;
            }
            prev = cut;
        }
        let opts = Options { redact, ..Options::default() };
        let (want, _) = follow_with_stops(&inputs, text, &opts, &[]).unwrap();
        let (got, _) = follow_with_stops(&inputs, text, &opts, &stops).unwrap();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn cursor_round_trips_through_json() {
    let mut f = Follower::new(Options::default());
    f.feed_page(
        page(
            0,
            6,
            "[2023/12/21 15:44:18.744 GMT+08:00] [INFO] [构建:b1] : 该步骤开始执行\nhal",
            true,
        )
        .as_bytes(),
        |_| {},
    )
    .unwrap();
    let json = serde_json::to_string(f.cursor()).unwrap();
    let back: Cursor = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, f.cursor());
    assert_eq!(back.held_back(), 3);
    assert_eq!(back.next_seq(), 1);
}
