//! Runs the `cilog` binary as a user would, for the CLI tests: from the
//! repository, piped, with none of the colour variables but those given.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `cilog ARGS` with `env` set and `stdin` written to standard input
/// (from a thread, so a large input cannot block against the output).
pub fn run<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cilog"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the cilog binary starts");
    let mut pipe = child.stdin.take().expect("piped stdin");
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The binary may exit before reading it all (a usage error).
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().expect("cilog runs");
    feeder.join().expect("the stdin feeder ends");
    out
}
