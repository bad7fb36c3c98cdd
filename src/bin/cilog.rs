//! The `cilog` command: vendor job-log payloads in, NDJSON events out.
//!
//! Arguments, I/O and exit codes only; all parsing is in the library.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use cilog::codearts::Follower;
use cilog::{Error, LogEvent, Note, Options, Source, TextMode};

/// How much is read before detection, and per chunk when streaming text.
const CHUNK: usize = 64 * 1024;

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

    /// Keep message text exactly as sent: do not strip ANSI escape
    /// sequences or resolve carriage-return overwrites.
    #[arg(long)]
    raw_text: bool,

    /// Do not mask secrets (passwords in URLs, tokens, keys) in messages.
    /// Masking is on by default in the CLI.
    #[arg(long)]
    no_redact: bool,

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
    opts = opts.with_redact(!args.no_redact);
    if args.raw_text {
        opts = opts.with_text(TextMode::Raw);
    }
    let files: Vec<PathBuf> = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let mut sink = Sink {
        out,
        line: String::new(),
        binary: false,
    };
    if source == Some(Source::CodeartsRealtimeLog) && files.len() > 1 {
        // Pages of one live log: stitched through one follower.
        return report(stitch(&files, &opts, &mut sink), err);
    }
    let mut status = 0;
    for path in &files {
        let name = display_name(path);
        sink.binary = false;
        let result = one_input(path, source, &opts, &mut sink);
        if sink.binary {
            let _ = writeln!(
                err,
                "cilog: {name}: warning: the input looks binary (NUL bytes); read as text, every event noted binary_input"
            );
        }
        match result {
            Ok(()) => {}
            Err(Failure::Write(e)) => return report(Err((name, Failure::Write(e))), err),
            Err(f) => status = report(Err((name, f)), err),
        }
    }
    status
}

/// Prints a failure; returns the exit status.
fn report(result: Result<(), (String, Failure)>, err: &mut impl Write) -> u8 {
    match result {
        Ok(()) => 0,
        Err((name, Failure::Parse(e))) => {
            let _ = writeln!(err, "cilog: {name}: {e}");
            1
        }
        Err((name, Failure::Read(e))) => {
            let _ = writeln!(err, "cilog: {}: {}", name, escape(&e.to_string()));
            1
        }
        Err((_, Failure::Write(e))) => {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(err, "cilog: writing output: {}", escape(&e.to_string()));
            }
            1
        }
    }
}

enum Failure {
    Parse(Error),
    Read(io::Error),
    Write(io::Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Parse(e)
    }
}

/// NDJSON output, one whole line per write.
struct Sink<'w, W: Write> {
    out: &'w mut W,
    line: String,
    /// An event of the current input was noted `binary_input`.
    binary: bool,
}

impl<W: Write> Sink<'_, W> {
    fn event(&mut self, e: &LogEvent<'_>) -> Result<(), Failure> {
        self.binary |= e.notes.contains(Note::BinaryInput);
        self.line.clear();
        e.write_ndjson_to(&mut self.line);
        self.out
            .write_all(self.line.as_bytes())
            .map_err(Failure::Write)
    }
}

/// Parses one input. A CodeArts text log is streamed in chunks (memory stays
/// at the longest line); everything else is read whole.
fn one_input<W: Write>(
    path: &Path,
    source: Option<Source>,
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
    let mut reader = open(path).map_err(Failure::Read)?;
    let mut data = Vec::with_capacity(CHUNK);
    read_up_to(&mut *reader, &mut data, CHUNK).map_err(Failure::Read)?;
    let detected = source.or_else(|| cilog::detect(&data));
    let json_first = data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    // Input with a NUL byte is read whole, so that the library judges it
    // binary (a strict error, or every event noted) as `parse_as` does.
    let nul = memchr::memchr(0, &data).is_some();
    if detected == Some(Source::CodeartsLog) && !json_first && !nul {
        return stream_text(&mut *reader, &data, opts, sink);
    }
    reader.read_to_end(&mut data).map_err(Failure::Read)?;
    let events = match detected {
        Some(s) => cilog::parse_as(s, &data, opts),
        None => cilog::parse(&data, opts),
    }
    .map_err(Failure::Parse)?;
    for ev in events {
        sink.event(&ev.map_err(Failure::Parse)?)?;
    }
    Ok(())
}

/// Feeds a text log to a follower chunk by chunk.
fn stream_text<W: Write>(
    reader: &mut dyn Read,
    first: &[u8],
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
    let mut f = Follower::new(opts.clone());
    feed_text(&mut f, first, sink)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Read(e)),
        };
        feed_text(&mut f, buf.get(..n).unwrap_or_default(), sink)?;
    }
    f.finish(|e| sink.event(&e))
}

fn feed_text<W: Write>(
    f: &mut Follower,
    chunk: &[u8],
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
    f.feed_text(chunk, |e| sink.event(&e))
}

/// Pages of one CodeArts real-time log, in the order given.
fn stitch<W: Write>(
    files: &[PathBuf],
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), (String, Failure)> {
    let mut f = Follower::new(opts.clone());
    let mut last = String::new();
    for path in files {
        last = display_name(path);
        let mut data = Vec::new();
        open(path)
            .and_then(|mut r| r.read_to_end(&mut data))
            .map_err(|e| (last.clone(), Failure::Read(e)))?;
        f.feed_page(&data, |e| sink.event(&e))
            .map_err(|w| (last.clone(), w))?;
    }
    f.finish(|e| sink.event(&e)).map_err(|w| (last, w))
}

fn open(path: &Path) -> io::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        Ok(Box::new(std::fs::File::open(path)?))
    }
}

/// Reads until `buf` holds `limit` bytes or the input ends.
fn read_up_to(r: &mut dyn Read, buf: &mut Vec<u8>, limit: usize) -> io::Result<()> {
    let mut chunk = vec![0u8; limit];
    while buf.len() < limit {
        let want = limit - buf.len();
        match r.read(chunk.get_mut(..want).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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
