//! The `cilog` binary on input that looks binary (issue 13, point 8): a
//! strict error; in lenient mode every line kept with `binary_input` and a
//! warning on stderr, streamed CodeArts text included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Output;

#[path = "support/bin.rs"]
mod bin;
fn cilog(args: &[&str], stdin: &[u8]) -> Output {
    bin::run(args, &[], stdin)
}

/// A CodeArts task log with a NUL byte in its second line.
const LOG: &[u8] = b"[2023/12/21 15:44:18.744 GMT+08:00] [INFO] one\n[2023/12/21 15:44:18.745 GMT+08:00] [INFO] t\0wo\n";

#[test]
fn lenient_keeps_every_line_noted_and_warns() {
    for args in [&[][..], &["--source", "codearts-log"][..]] {
        let o = cilog(args, LOG);
        assert!(o.status.success(), "{args:?}");
        let out = String::from_utf8(o.stdout).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: {out}");
        assert!(
            lines
                .iter()
                .all(|l| l.contains(r#""notes":["binary_input"]"#)),
            "{out}"
        );
        assert!(lines[1].contains(r#""message":"t\u0000wo""#), "{out}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(
            err,
            "cilog: <stdin>: warning: the input looks binary (NUL bytes); read as text, every event noted binary_input\n",
            "{args:?}"
        );
    }
}

#[test]
fn strict_is_a_binary_error_at_the_nul() {
    let o = cilog(&["--strict", "--source", "codearts-log"], LOG);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("cilog: <stdin>: binary input: the input looks binary (a NUL byte), not a log at line 2, column 45 (byte 91)"), "{err}");
}

#[test]
fn text_without_nul_is_not_warned() {
    let o = cilog(&[], b"[2023/12/21 15:44:18.744 GMT+08:00] [INFO] one\n");
    assert!(o.status.success());
    assert!(o.stderr.is_empty());
}
