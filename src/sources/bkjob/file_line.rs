//! The platform's file-transfer log lines: `[yyyy-MM-dd HH:mm:ss]
//! FileName: <path> FileSize: <size> Status: <n> StatusDesc: <text> Speed:
//! <speed> Progress: <pct> Detail: <text>` (`Directory:` for directories,
//! `State: <text>` in the docs' examples, any part left out, parts in
//! either order), and the error form `<message>. Status: <n>, StatusDesc:
//! <text>`; and the legacy server's full-width form (research/formats.md
//! §4.7, and bk-nodeman's 2019 mocks): `【yyyy-MM-dd HH:mm:ss.SSS】
//! 【Upload source files】FileName：<path>  FileSize：<size>  State：upload
//! Speed：<speed>  Progress：<pct>  Detail：Success`, full-width `：`,
//! parts two spaces apart, the `【phase】` tag optional. The readers return
//! byte ranges into the line.

use std::ops::Range;

/// The parts of a file-transfer line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    FileName,
    Directory,
    FileSize,
    Status,
    State,
    StatusDesc,
    Speed,
    Progress,
    Detail,
}

/// Each label as written, with the space before it, and its slot.
const LABELS: [(Label, &str); 9] = [
    (Label::FileName, " FileName: "),
    (Label::Directory, " Directory: "),
    (Label::FileSize, " FileSize: "),
    (Label::Status, " Status: "),
    (Label::State, " State: "),
    (Label::StatusDesc, " StatusDesc: "),
    (Label::Speed, " Speed: "),
    (Label::Progress, " Progress: "),
    (Label::Detail, " Detail: "),
];

/// [`LABELS`] with the full-width colon `：` (U+FF1A) of the legacy form.
const FULL_WIDTH_LABELS: [(Label, &str); 9] = [
    (Label::FileName, " FileName："),
    (Label::Directory, " Directory："),
    (Label::FileSize, " FileSize："),
    (Label::Status, " Status："),
    (Label::State, " State："),
    (Label::StatusDesc, " StatusDesc："),
    (Label::Speed, " Speed："),
    (Label::Progress, " Progress："),
    (Label::Detail, " Detail："),
];

/// The value ranges of a file-transfer line, by [`Label`] (its index in
/// [`LABELS`]), plus the leading message of the error form and the
/// `【phase】` tag of the full-width form.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct FileLine {
    pub(super) fields: [Option<Range<usize>>; 9],
    pub(super) error: Option<Range<usize>>,
    pub(super) phase: Option<Range<usize>>,
}

impl FileLine {
    pub(super) fn get(&self, label: Label) -> Option<Range<usize>> {
        self.fields.get(label as usize).cloned().flatten()
    }
}

/// Reads a file-transfer line whose message starts at `body`. `None` when the
/// message starts with no label and is not the error form.
///
/// A value runs to the next label not seen yet (so a path may hold spaces);
/// `Detail` runs to the end of the line. A `,` before a label (the error
/// form) is not part of the value.
pub(super) fn file_line(s: &str, body: usize) -> Option<FileLine> {
    read(s, body, &LABELS, FileLine::default())
}

/// Reads the full-width file-transfer line whose message starts at
/// `body` (after the `【time】` prefix): an optional `【phase】` tag, then
/// labels with `：`. `None` when no label follows. The white space that
/// separates the parts is not part of the values.
pub(super) fn full_width_file_line(s: &str, body: usize) -> Option<FileLine> {
    let mut line = FileLine::default();
    let mut start = body;
    if let Some(tag) = s.get(body..)?.strip_prefix('【') {
        let close = tag.find('】')?;
        let open = body + '【'.len_utf8();
        line.phase = Some(open..open + close);
        start = open + close + '】'.len_utf8();
        if s.as_bytes().get(start) == Some(&b' ') {
            start += 1;
        }
    }
    let mut line = read(s, start, &FULL_WIDTH_LABELS, line)?;
    if line.error.is_some() {
        return None;
    }
    for r in line.fields.iter_mut().flatten() {
        let value = s.get(r.clone()).unwrap_or_default();
        r.end = r.start + value.trim_end_matches(' ').len();
    }
    Some(line)
}

/// Reads the labels of `labels` from `body` on into `line` (see
/// [`file_line`]).
fn read(s: &str, body: usize, labels: &[(Label, &str); 9], mut line: FileLine) -> Option<FileLine> {
    let rest = s.get(body..)?;
    let mut seen = 0u16;
    // The first label: at the start, or after `<message>.` in the error form.
    let (mut label, mut pos) = match labels
        .iter()
        .find(|(_, text)| rest.starts_with(text.get(1..).unwrap_or_default()))
    {
        Some((l, text)) => (*l, body + text.len() - 1),
        None => {
            let at = memchr::memmem::find(rest.as_bytes(), b". Status: ")?;
            let after = rest.as_bytes().get(at + 10)?;
            if !after.is_ascii_digit() {
                return None;
            }
            line.error = Some(body..body + at);
            (Label::Status, body + at + 10)
        }
    };
    loop {
        seen |= 1 << (label as u16);
        let tail = s.get(pos..).unwrap_or_default();
        let next = if label == Label::Detail {
            None
        } else {
            labels
                .iter()
                .filter(|(l, _)| seen & (1 << (*l as u16)) == 0)
                .filter_map(|(l, text)| {
                    memchr::memmem::find(tail.as_bytes(), text.as_bytes()).map(|i| (i, *l, text))
                })
                .min_by_key(|(i, _, _)| *i)
        };
        let Some((i, next_label, text)) = next else {
            if let Some(slot) = line.fields.get_mut(label as usize) {
                *slot = Some(pos..s.len());
            }
            return Some(line);
        };
        let mut end = pos + i;
        if s.as_bytes().get(end.wrapping_sub(1)) == Some(&b',') && end > pos {
            end -= 1;
        }
        if let Some(slot) = line.fields.get_mut(label as usize) {
            *slot = Some(pos..end);
        }
        label = next_label;
        pos = pos + i + text.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Vec<(String, String)> {
        let f = file_line(s, 0).unwrap();
        let mut out = Vec::new();
        if let Some(r) = f.error.clone() {
            out.push(("error".to_owned(), s[r].to_owned()));
        }
        for (label, _) in LABELS {
            if let Some(r) = f.get(label) {
                out.push((format!("{label:?}"), s[r].to_owned()));
            }
        }
        out
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn ok_file_lines() {
        assert_eq!(
            fields(
                "FileName: /opt/my app/1.log FileSize: 9.0 Bytes Status: 5 StatusDesc: download failed Speed: 0 KB/s Progress: 0% Detail: disk full"
            ),
            pairs(&[
                ("FileName", "/opt/my app/1.log"),
                ("FileSize", "9.0 Bytes"),
                ("Status", "5"),
                ("StatusDesc", "download failed"),
                ("Speed", "0 KB/s"),
                ("Progress", "0%"),
                ("Detail", "disk full"),
            ])
        );
        // The docs' order and `State:`.
        assert_eq!(
            fields(
                "FileName: /tmp/1.log FileSize: 9.0 Bytes State: dest agent success download file Speed: 1 KB/s Progress: 100% StatusDesc: dest agent success download file Detail: success"
            ),
            pairs(&[
                ("FileName", "/tmp/1.log"),
                ("FileSize", "9.0 Bytes"),
                ("State", "dest agent success download file"),
                ("StatusDesc", "dest agent success download file"),
                ("Speed", "1 KB/s"),
                ("Progress", "100%"),
                ("Detail", "success"),
            ])
        );
        assert_eq!(
            fields("Directory: /data/logs/ Status: 3"),
            pairs(&[("Directory", "/data/logs/"), ("Status", "3")])
        );
        assert_eq!(
            fields("FileName: C:\\a b\\c.txt"),
            pairs(&[("FileName", "C:\\a b\\c.txt")])
        );
        // Detail runs to the end even when it holds a label.
        assert_eq!(
            fields("FileName: x Detail: retry. Status: 5 again"),
            pairs(&[("FileName", "x"), ("Detail", "retry. Status: 5 again")])
        );
        // The error form.
        assert_eq!(
            fields("Upload failed: no space left. Status: 5, StatusDesc: failed"),
            pairs(&[
                ("error", "Upload failed: no space left"),
                ("Status", "5"),
                ("StatusDesc", "failed"),
            ])
        );
        // A part left out in the middle, an empty value.
        assert_eq!(
            fields("FileName: a FileSize:  Status: 4"),
            pairs(&[("FileName", "a"), ("FileSize", ""), ("Status", "4")])
        );
    }

    fn full_width(s: &str) -> Option<Vec<(String, String)>> {
        let f = full_width_file_line(s, 0)?;
        let mut out = Vec::new();
        if let Some(r) = f.phase.clone() {
            out.push(("phase".to_owned(), s[r].to_owned()));
        }
        for (label, _) in LABELS {
            if let Some(r) = f.get(label) {
                out.push((format!("{label:?}"), s[r].to_owned()));
            }
        }
        Some(out)
    }

    #[test]
    fn ok_full_width_file_lines() {
        // bk-nodeman's 2019 mocks, after the `【time】 ` prefix.
        assert_eq!(
            full_width(
                "【Upload source files】FileName：dev_pipeline_unit_test  FileSize：9.0 Byte  State：upload  Speed：1KB/s  Progress：100%  Detail：Success"
            ),
            Some(pairs(&[
                ("phase", "Upload source files"),
                ("FileName", "dev_pipeline_unit_test"),
                ("FileSize", "9.0 Byte"),
                ("State", "upload"),
                ("Speed", "1KB/s"),
                ("Progress", "100%"),
                ("Detail", "Success"),
            ]))
        );
        assert_eq!(
            full_width(
                "FileName：/data/my app/x  FileSize：9.0 Byte  State：download  Speed：1KB/s  Progress：100%  Detail：succ  "
            ),
            Some(pairs(&[
                ("FileName", "/data/my app/x"),
                ("FileSize", "9.0 Byte"),
                ("State", "download"),
                ("Speed", "1KB/s"),
                ("Progress", "100%"),
                ("Detail", "succ"),
            ]))
        );
        // One space apart, a tag followed by a space, `Status：`.
        assert_eq!(
            full_width("【Download】 FileName：a Status：5 Detail：fail"),
            Some(pairs(&[
                ("phase", "Download"),
                ("FileName", "a"),
                ("Status", "5"),
                ("Detail", "fail"),
            ]))
        );
    }

    #[test]
    fn err_not_full_width_file_lines() {
        for s in [
            "",
            "hello",
            "FileName: ascii colon",
            "【tag】",
            "【unclosed FileName：x",
            "【tag】hello FileName：x",
            "failed. Status: 5",
        ] {
            assert_eq!(full_width(s), None, "{s}");
        }
    }

    #[test]
    fn err_not_file_lines() {
        for s in [
            "job_start",
            "copied FileName: x",
            "failed. Status: x",
            "",
            "Status:5",
        ] {
            assert_eq!(file_line(s, 0), None, "{s}");
        }
    }
}
