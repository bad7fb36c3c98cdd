//! The `cilog` command: vendor job-log payloads in, NDJSON events out.
//!
//! Arguments, I/O and exit codes only; all parsing is in the library.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use cilog::{Error, Options, Source};

/// Turn CI/CD job-log payloads (Huawei ContainerOps/SWR, CodeArts Build,
/// Tencent BlueKing JOB) into NDJSON events, one per line, on stdout.
///
/// Exit codes: 0 success, 1 an input could not be parsed (the others still
/// are), 2 usage error.
#[derive(Parser, Debug)]
#[command(name = "cilog", version, about, long_about = None)]
struct Args {
    /// Input files; `-` or none reads standard input.
    files: Vec<PathBuf>,

    /// Source kind: `auto` (detect per file) or a name (see --list-sources).
    #[arg(long, default_value = "auto", value_name = "NAME")]
    source: String,

    /// Strict mode: stop at the first malformed part of an input instead of
    /// keeping it raw with a note.
    #[arg(long)]
    strict: bool,

    /// Offset for zone-less timestamps (±HH:MM), overriding each source's
    /// documented default.
    #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
    default_offset: Option<String>,

    /// List the source names and exit.
    #[arg(long)]
    list_sources: bool,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let code = run(&args, &mut out, &mut err);
    let flushed = out.flush();
    if flushed.is_err() && code == 0 {
        return ExitCode::from(1);
    }
    ExitCode::from(code)
}

fn run(args: &Args, out: &mut impl Write, err: &mut impl Write) -> u8 {
    if args.list_sources {
        for s in Source::ALL {
            let _ = writeln!(out, "{:<24} {}", s.as_str(), s.description());
        }
        return 0;
    }
    let source = if args.source == "auto" {
        None
    } else {
        match args.source.parse::<Source>() {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = writeln!(err, "cilog: {e}");
                return 2;
            }
        }
    };
    let mut opts = if args.strict {
        Options::strict()
    } else {
        Options::default()
    };
    if let Some(off) = &args.default_offset {
        match cilog::parse_offset(off) {
            Ok(o) => opts = opts.with_default_offset(o),
            Err(e) => {
                let _ = writeln!(err, "cilog: --default-offset: {e}");
                return 2;
            }
        }
    }
    let files: Vec<PathBuf> = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let mut status = 0;
    for path in &files {
        let name = display_name(path);
        let data = match read_input(path) {
            Ok(d) => d,
            Err(e) => {
                let _ = writeln!(err, "cilog: {}: {}", name, escape(&e.to_string()));
                status = 1;
                continue;
            }
        };
        if let Err(e) = emit(&data, source, &opts, out) {
            match e {
                Failure::Parse(e) => {
                    let _ = writeln!(err, "cilog: {name}: {e}");
                    status = 1;
                }
                Failure::Write(e) => {
                    if e.kind() != io::ErrorKind::BrokenPipe {
                        let _ = writeln!(err, "cilog: writing output: {}", escape(&e.to_string()));
                    }
                    return 1;
                }
            }
        }
    }
    status
}

enum Failure {
    Parse(Error),
    Write(io::Error),
}

fn emit(
    data: &[u8],
    source: Option<Source>,
    opts: &Options,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let events = match source {
        Some(s) => cilog::parse_as(s, data, opts),
        None => cilog::parse(data, opts),
    }
    .map_err(Failure::Parse)?;
    let mut line = String::new();
    for ev in events {
        let ev = ev.map_err(Failure::Parse)?;
        line.clear();
        ev.write_ndjson_to(&mut line);
        out.write_all(line.as_bytes()).map_err(Failure::Write)?;
    }
    Ok(())
}

fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        escape(&path.display().to_string())
    }
}

/// Escapes control characters so file names and messages cannot drive the terminal.
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
