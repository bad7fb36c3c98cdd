//! What CI runners print into text logs, read the same way for every text
//! source: the phrases that give a failed step's exit code, and
//! GitHub-Actions-style workflow commands (`::error::…`, `::group::…`,
//! and the older `##[error]…`), which runners on CodeArts-based platforms
//! (GitCode's, for one) print into the same logs.
//!
//! Both are looked for at the start of a message only, behind a one-byte
//! test ([`exit_code`], [`workflow_command`]): an ordinary line pays one
//! compare. Nothing here knows a vendor; the text sources decide what a
//! command does to their events.

use std::borrow::Cow;

use crate::event::Scalar;
use crate::severity::Severity;

/// The exit code a runner's phrase at the start of `message` reports, if
/// it is one and not 0:
///
/// - `script returned exit code N` (CodeArts' platform record
///   `[ERROR]  : script returned exit code 1, exitMessage is: …`; Jenkins'
///   `ERROR: script returned exit code N`), then the end or a comma;
/// - `Process exited with code N`, then the end or a full stop (GitCode's
///   runner, often inside `::error::`);
/// - GitHub's `Process completed with exit code N.`;
/// - make's `make: *** [target] Error N`, top-level make only.
///
/// make prints one such line per make that fails: a recursive make prints
/// `make[2]: *** … Error 2`, then `make[1]: …`, then `make: *** … Error 2`.
/// The issue asks for the step's last such line; a streaming reader cannot
/// wait for the step's end, so only the top-level form (`make:`) counts,
/// which is the last line of one make run. (`make -k` prints one top-level
/// line per failed target; each carries its code.) The code is the one make
/// reports for the failed command, as printed.
///
/// Only whole phrases count: trailing prose after the number, an exit code
/// of 0, or prose that merely mentions an exit code ("if the exit code is
/// 1, retry") give `None`.
#[inline]
pub(crate) fn exit_code(message: &str) -> Option<i64> {
    match message.as_bytes().first_chunk::<4>() {
        Some(b"scri" | b"ERRO" | b"Proc" | b"make") => exit_code_phrase(message),
        _ => None,
    }
}

/// Whether `text` may start with an exit-code phrase or a workflow
/// command: the tests of [`exit_code`] and [`workflow_command`] at once,
/// on the first four bytes (no command or phrase is shorter), behind a
/// test of the first byte alone, which settles most lines (ordinary tool
/// output): callgrind counted 8 instructions a line in this test on the
/// codearts-log path with the four-byte test alone.
#[inline(always)]
pub(crate) fn may_matter(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b's' | b'E' | b'P' | b'm' | b':' | b'#')
    ) && may_matter_head(text)
}

/// [`may_matter`] past its first-byte test.
#[inline(never)]
fn may_matter_head(text: &str) -> bool {
    match text.as_bytes().first_chunk::<4>() {
        Some(head) => {
            matches!(head, b"scri" | b"ERRO" | b"Proc" | b"make")
                || matches!(head.first_chunk::<2>(), Some(b"::" | b"##"))
        }
        None => false,
    }
}

/// [`exit_code`] past its first-byte test.
#[inline(never)]
fn exit_code_phrase(message: &str) -> Option<i64> {
    let m = message.trim_end();
    let code = if let Some(rest) = m
        .strip_prefix("script returned exit code ")
        .or_else(|| m.strip_prefix("ERROR: script returned exit code "))
    {
        number_then(rest, &["", ","])
    } else if let Some(rest) = m.strip_prefix("Process exited with code ") {
        number_then(rest, &["", "."])
    } else if let Some(rest) = m.strip_prefix("Process completed with exit code ") {
        number_then(rest, &["", "."])
    } else if let Some(rest) = m.strip_prefix("make: *** [") {
        // The target may hold `]` (`[Makefile:12: all]`): the last one.
        let at = rest.rfind("] Error ")?;
        number_then(rest.get(at + "] Error ".len()..)?, &[""])
    } else {
        None
    }?;
    (code != 0).then_some(code)
}

/// The integer at the start of `s` (optionally negative: Windows codes
/// print so) when what follows it is exactly one of `ends` or starts with
/// one of the non-empty ones.
fn number_then(s: &str, ends: &[&str]) -> Option<i64> {
    let digits_from = usize::from(s.starts_with('-'));
    let len = s
        .get(digits_from..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if len == 0 {
        return None;
    }
    let (num, after) = s.split_at_checked(digits_from + len)?;
    let fits = ends.iter().any(|e| {
        if e.is_empty() {
            after.is_empty()
        } else {
            after.starts_with(e)
        }
    });
    if !fits {
        return None;
    }
    num.parse().ok()
}

/// A workflow command: the four annotation levels and the log group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `::error::`, `##[error]`.
    Error,
    /// `::warning::`, `##[warning]`.
    Warning,
    /// `::notice::`, `##[notice]`.
    Notice,
    /// `::debug::`, `##[debug]`.
    Debug,
    /// `::group::name`, `##[group]name`: a collapsible group opens.
    Group,
    /// `::endgroup::`, `##[endgroup]`: the group closes.
    EndGroup,
}

/// Every command by its name as written (names are lowercase, as the
/// runners' toolkits write them).
const COMMANDS: &[(&str, Command)] = &[
    ("error", Command::Error),
    ("warning", Command::Warning),
    ("notice", Command::Notice),
    ("debug", Command::Debug),
    ("group", Command::Group),
    ("endgroup", Command::EndGroup),
];

impl Command {
    /// The command's name as written (`"error"`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Command::Error => "error",
            Command::Warning => "warning",
            Command::Notice => "notice",
            Command::Debug => "debug",
            Command::Group => "group",
            Command::EndGroup => "endgroup",
        }
    }

    /// The severity of an annotation (`None` for the group commands).
    pub(crate) fn severity(self) -> Option<Severity> {
        match self {
            Command::Error => Some(Severity::Error),
            Command::Warning => Some(Severity::Warn),
            Command::Notice => Some(Severity::Info),
            Command::Debug => Some(Severity::Debug),
            Command::Group | Command::EndGroup => None,
        }
    }

    fn named(name: &str) -> Option<Command> {
        COMMANDS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }
}

/// A workflow command line, read: the command, its message (escapes
/// decoded) and the annotation properties it gave.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Workflow<'a> {
    /// The command (`None` only in the `Default` value).
    pub(crate) command: Option<Command>,
    /// The text after the command: the annotation's message, the group's
    /// name.
    pub(crate) message: Cow<'a, str>,
    /// `file=`.
    pub(crate) file: Option<Cow<'a, str>>,
    /// `line=`.
    pub(crate) line: Option<i64>,
    /// `endLine=`.
    pub(crate) end_line: Option<i64>,
    /// `col=`.
    pub(crate) col: Option<i64>,
    /// `endColumn=`.
    pub(crate) end_column: Option<i64>,
    /// `title=`.
    pub(crate) title: Option<Cow<'a, str>>,
}

impl<'a> Workflow<'a> {
    /// The message, and the attrs of an event of the command: `command`
    /// (its name), then the properties given, `file`, `line`, `end_line`,
    /// `col`, `end_column`, `title` (the numbers as integers).
    pub(crate) fn into_parts(self) -> (Cow<'a, str>, Vec<(&'static str, Scalar<'a>)>) {
        let mut attrs = Vec::new();
        if let Some(c) = self.command {
            attrs.push(("command", Scalar::Str(Cow::Borrowed(c.name()))));
        }
        if let Some(v) = self.file {
            attrs.push(("file", Scalar::Str(v)));
        }
        let numbers = [
            ("line", self.line),
            ("end_line", self.end_line),
            ("col", self.col),
            ("end_column", self.end_column),
        ];
        for (key, v) in numbers {
            if let Some(n) = v {
                attrs.push((key, Scalar::Int(n)));
            }
        }
        if let Some(v) = self.title {
            attrs.push(("title", Scalar::Str(v)));
        }
        (self.message, attrs)
    }
}

impl Workflow<'_> {
    /// Copies any borrowed text.
    pub(crate) fn into_owned(self) -> Workflow<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        Workflow {
            command: self.command,
            message: own(self.message),
            file: self.file.map(own),
            line: self.line,
            end_line: self.end_line,
            col: self.col,
            end_column: self.end_column,
            title: self.title.map(own),
        }
    }
}

/// The workflow command `line` is, if it is one:
///
/// - `::name::message` or `::name key=value,…::message`, `name` one of
///   `error`, `warning`, `notice`, `debug`, `group`, `endgroup`; the keys
///   `file`, `line`, `endLine`, `col`, `endColumn`, `title`, the four
///   numbers integers. The message has `%25` `%0D` `%0A` decoded, the values
///   `%3A` `%2C` as well, as the runners' toolkits escape them.
/// - `##[name]message`, the older form, with no properties or escapes.
///
/// `raw` keeps the message's escapes as sent (the raw text mode: a
/// message is then exactly the end of its line); the values are decoded
/// either way.
///
/// The command starts the line (no leading space). A line with an unknown
/// command, or a property the list above does not hold or cannot read, is
/// not read as a command: it stays a plain line, whole, and nothing of it
/// is lost or guessed.
#[inline]
pub(crate) fn workflow_command(line: &str, raw: bool) -> Option<Workflow<'_>> {
    match line.as_bytes().first() {
        Some(b':' | b'#') => read_command(line, raw),
        _ => None,
    }
}

/// [`workflow_command`] past its first-byte test.
#[inline(never)]
fn read_command(line: &str, raw: bool) -> Option<Workflow<'_>> {
    if let Some(rest) = line.strip_prefix("::") {
        let end = rest.find("::")?;
        let (head, message) = (rest.get(..end)?, rest.get(end + 2..)?);
        let (name, props) = match head.split_once(' ') {
            Some((n, p)) => (n, Some(p)),
            None => (head, None),
        };
        let mut w = Workflow {
            command: Some(Command::named(name)?),
            message: if raw {
                Cow::Borrowed(message)
            } else {
                unescape(message, false)
            },
            ..Workflow::default()
        };
        for prop in props.unwrap_or_default().split(',') {
            if prop.trim().is_empty() {
                continue;
            }
            let (key, value) = prop.split_once('=')?;
            let value = unescape(value, true);
            let int = || value.trim().parse::<i64>().ok();
            match key.trim() {
                "file" => w.file = Some(value),
                "title" => w.title = Some(value),
                "line" => w.line = Some(int()?),
                "endLine" => w.end_line = Some(int()?),
                "col" => w.col = Some(int()?),
                "endColumn" => w.end_column = Some(int()?),
                _ => return None,
            }
        }
        return Some(w);
    }
    let rest = line.strip_prefix("##[")?;
    let (name, message) = rest.split_once(']')?;
    Some(Workflow {
        command: Some(Command::named(name)?),
        message: Cow::Borrowed(message),
        ..Workflow::default()
    })
}

/// `s` with the runners' percent escapes decoded: `%25` `%0D` `%0A`, and in
/// a property value `%3A` `%2C` as well. Borrowed when there is no `%`.
fn unescape(s: &str, property: bool) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let decoded = match from.get(1..3) {
            Some("25") => Some('%'),
            Some("0D") => Some('\r'),
            Some("0A") => Some('\n'),
            Some("3A") if property => Some(':'),
            Some("2C") if property => Some(','),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = from.get(3..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_phrases() {
        let ok: &[(&str, i64)] = &[
            (
                "script returned exit code 1, exitMessage is: command run failed",
                1,
            ),
            ("script returned exit code 137", 137),
            ("ERROR: script returned exit code 2", 2),
            ("Process exited with code 2", 2),
            ("Process exited with code 2.", 2),
            ("Process completed with exit code 1.", 1),
            ("Process completed with exit code 1", 1),
            (
                "Process completed with exit code -1073741819.",
                -1_073_741_819,
            ),
            ("make: *** [Makefile:12: all] Error 2", 2),
            ("make: *** [all] Error 1", 1),
            ("make: *** [build/a.o] Error 127  ", 127),
            ("make: *** [weird]] Error 3", 3),
        ];
        for (line, code) in ok {
            assert_eq!(exit_code(line), Some(*code), "ok_{line}");
        }
        let err: &[&str] = &[
            "script returned exit code 0, exitMessage is: ok",
            "Process exited with code 0",
            "Process completed with exit code 0.",
            "make: *** [all] Error 0",
            "if the exit code is 1, retry",
            "exit code was not captured",
            "the script returned exit code 1",
            "script returned exit code",
            "script returned exit code x",
            "script returned exit code 1 because of a typo",
            "Process exited with code 2 and then restarted",
            "Process exited with code -",
            "make[2]: *** [Makefile:12: all] Error 2",
            "make[1]: *** [sub] Error 2",
            "make: [all] Error 1 (ignored)",
            "make: *** No rule to make target 'x'.  Stop.",
            "make: *** [all] Error 2 (ignored)",
            "make: *** Waiting for unfinished jobs....",
            " Process exited with code 2",
            "",
            "script returned exit code 99999999999999999999",
        ];
        for line in err {
            assert_eq!(exit_code(line), None, "err_{line}");
        }
    }

    fn cmd(line: &str) -> Option<(Command, String)> {
        let w = workflow_command(line, false)?;
        Some((w.command?, w.message.into_owned()))
    }

    #[test]
    fn workflow_commands() {
        use Command::*;
        let ok: &[(&str, Command, &str)] = &[
            (
                "::error::Input required and not supplied: COMMIT_REF_NAME",
                Error,
                "Input required and not supplied: COMMIT_REF_NAME",
            ),
            ("::warning::careful", Warning, "careful"),
            ("::notice::fyi", Notice, "fyi"),
            ("::debug::x=1", Debug, "x=1"),
            ("::error::", Error, ""),
            ("::error::a::b", Error, "a::b"),
            (
                "::error::100%25 done%0Anext%0Dend",
                Error,
                "100% done\nnext\rend",
            ),
            ("::error::%3A stays%2C too", Error, "%3A stays%2C too"),
            ("::error::50% and %zz", Error, "50% and %zz"),
            ("::group::Build", Group, "Build"),
            ("::endgroup::", EndGroup, ""),
            (
                "##[error]Process completed with exit code 1.",
                Error,
                "Process completed with exit code 1.",
            ),
            ("##[warning]w", Warning, "w"),
            ("##[group]Run make", Group, "Run make"),
            ("##[endgroup]", EndGroup, ""),
            ("::error ::spaced", Error, "spaced"),
        ];
        for (line, c, m) in ok {
            assert_eq!(cmd(line), Some((*c, (*m).to_owned())), "ok_{line}");
        }
        let err: &[&str] = &[
            "",
            ":",
            "::",
            "::error",
            ":error::x",
            "::Error::x",
            "::set-output name=a::b",
            "::add-mask::secret",
            " ::error::x",
            "##[section]Starting",
            "##[error",
            "#error",
            "## heading",
            "::error file=a.c,line=three::x",
            "::error file=a.c,colour=red::x",
            "::error file::x",
            "error::x",
        ];
        for line in err {
            assert_eq!(cmd(line), None, "err_{line}");
        }
    }

    #[test]
    fn workflow_command_properties() {
        let w = workflow_command("::error file=src/a%2Cb.c,line=3,col=5,endLine=4,endColumn=9,title=Bad%3A thing::it%25s broken", false).unwrap();
        assert_eq!(w.command, Some(Command::Error));
        assert_eq!(w.file.as_deref(), Some("src/a,b.c"));
        assert_eq!(
            (w.line, w.col, w.end_line, w.end_column),
            (Some(3), Some(5), Some(4), Some(9))
        );
        assert_eq!(w.title.as_deref(), Some("Bad: thing"));
        assert_eq!(w.message, "it%s broken");
        let raw = workflow_command("::error title=a%2Cb::it%25s", true).unwrap();
        assert_eq!(
            (raw.message, raw.title.as_deref()),
            (Cow::Borrowed("it%25s"), Some("a,b"))
        );
        let w = workflow_command("::warning file=a.c,::m", false).unwrap();
        assert_eq!(w.file.as_deref(), Some("a.c"));
        assert!(matches!(w.message, Cow::Borrowed("m")));
        assert_eq!(w.line, None);
    }

    #[test]
    fn severities() {
        let got: Vec<_> = COMMANDS
            .iter()
            .map(|(n, c)| (*n, c.name(), c.severity()))
            .collect();
        assert_eq!(
            got,
            [
                ("error", "error", Some(Severity::Error)),
                ("warning", "warning", Some(Severity::Warn)),
                ("notice", "notice", Some(Severity::Info)),
                ("debug", "debug", Some(Severity::Debug)),
                ("group", "group", None),
                ("endgroup", "endgroup", None),
            ]
        );
    }
}
