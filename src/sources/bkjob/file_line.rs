//! The platform's file-transfer log lines: `[yyyy-MM-dd HH:mm:ss]
//! FileName: <path> FileSize: <size> Status: <n> StatusDesc: <text> Speed:
//! <speed> Progress: <pct> Detail: <text>` (`Directory:` for directories,
//! `State: <text>` in the docs' examples, any part left out, parts in
//! either order), and the error form `<message>. Status: <n>, StatusDesc:
//! <text>`. The reader returns byte ranges into the line.

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

/// The value ranges of a file-transfer line, by [`Label`] (its index in
/// [`LABELS`]), plus the leading message of the error form.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct FileLine {
    pub(super) fields: [Option<Range<usize>>; 9],
    pub(super) error: Option<Range<usize>>,
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
    let rest = s.get(body..)?;
    let mut line = FileLine::default();
    let mut seen = 0u16;
    // The first label: at the start, or after `<message>.` in the error form.
    let (mut label, mut pos) = match LABELS
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
            LABELS
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
