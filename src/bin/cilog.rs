//! The `cilog` command: vendor job-log payloads in, NDJSON events out;
//! `cilog summary` prints what failed, where and why.
//!
//! Arguments, I/O and exit codes only; all parsing and summarizing is in
//! the library.

use std::ffi::OsString;
use std::io::{self, IsTerminal as _, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Parser;

use cilog::codearts::Follower;
use cilog::output::ecs::{EcsOptions, EcsWriter};
use cilog::output::otlp::{OtlpOptions, OtlpWriter};
use cilog::output::pretty::PrettyWriter;
use cilog::summary::Summarizer;
use cilog::{Error, LogEvent, Note, Notes, Options, Source, TextMode};

#[path = "cilog/jobs.rs"]
mod jobs;
#[path = "cilog/push.rs"]
mod push;

/// How much is read before detection, and per chunk when streaming text.
const CHUNK: usize = 64 * 1024;

/// A fixed clock (the hidden `--observed-at`), for repeatable output.
static CLOCK: std::sync::OnceLock<SystemTime> = std::sync::OnceLock::new();

/// The time now, or the fixed clock.
fn observed_now() -> SystemTime {
    CLOCK.get().copied().unwrap_or_else(SystemTime::now)
}

/// Turn CI/CD job-log payloads (Huawei ContainerOps/SWR, CodeArts Build,
/// Tencent BlueKing JOB) into events on stdout: NDJSON lines, a human view,
/// OTLP/JSON requests or ECS documents.
///
/// `cilog summary FILES…` prints what failed, where and why instead (see
/// `cilog summary --help`).
///
/// Exit codes: 0 success, 1 an input could not be parsed (the others still
/// are) or, with --otlp-endpoint, a request was rejected; 2 usage error.
#[derive(Parser, Debug)]
#[command(name = "cilog", version, about, long_about = None)]
struct Args {
    /// Input files; `-` or none reads standard input. Consecutive CodeArts
    /// real-time page files are stitched into one log. (A file named
    /// `summary` first: write `./summary`.)
    files: Vec<PathBuf>,

    /// Output format: `auto` (`pretty` on a terminal, else `ndjson`),
    /// `ndjson`, `pretty`, `otlp-json` (one OTLP/JSON request per line) or
    /// `ecs` (one ECS document per line).
    #[arg(long, value_enum, default_value = "auto")]
    format: OutFormat,

    /// Colour of the pretty view: `auto` follows NO_COLOR, CLICOLOR_FORCE,
    /// CLICOLOR and whether stdout is a terminal.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: Colour,

    /// POST the OTLP/JSON requests to this OTLP/HTTP receiver (such as
    /// `http://127.0.0.1:4318/v1/logs`; plain http only) instead of
    /// printing them. 429/502/503/504 and connection errors are retried;
    /// exit status 1 if a request was rejected, with the records lost on
    /// stderr.
    #[arg(long, value_name = "URL", value_parser = push::parse_endpoint)]
    otlp_endpoint: Option<String>,

    /// A header of every OTLP/HTTP request (repeatable), such as
    /// `Authorization=Bearer …`.
    #[arg(long, value_name = "KEY=VALUE", value_parser = push::parse_header, requires = "otlp_endpoint")]
    otlp_header: Vec<(String, String)>,

    /// The first retry's delay in milliseconds (doubling, at most 20 times
    /// it); for tests.
    #[arg(long, hide = true, default_value_t = 100, value_name = "MS")]
    otlp_backoff_ms: u64,

    #[command(flatten)]
    input: InputArgs,

    /// List the source names and exit.
    #[arg(long)]
    list_sources: bool,
}

/// Summarize job logs: for each run, its outcome, and for a failing run
/// each failing step or host with its exit code, error type and first
/// error lines (`gh run view` style), or one JSON object per run
/// (`cilog.summary/v1`).
///
/// Exit codes: 0 the inputs were read, 1 an input could not be read or
/// parsed (or, with --exit-status, a run failed, timed out or errored),
/// 2 usage error.
#[derive(Parser, Debug)]
#[command(name = "cilog summary", version, long_about = None)]
struct SummaryArgs {
    /// Input files; `-` or none reads standard input. Consecutive CodeArts
    /// real-time page files are stitched into one log.
    files: Vec<PathBuf>,

    /// Output format: `text` (a short report) or `json` (one object per
    /// run, one per line).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,

    /// Exit with status 1 when any run failed, timed out or errored
    /// (not when cancelled).
    #[arg(long)]
    exit_status: bool,

    /// Colour of the text report: `auto` follows NO_COLOR, CLICOLOR_FORCE,
    /// CLICOLOR and whether stdout is a terminal.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: Colour,

    #[command(flatten)]
    input: InputArgs,
}

/// `cilog summary --format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// A short human report.
    Text,
    /// One JSON object per run, one per line.
    Json,
}

/// `cilog --format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OutFormat {
    /// `pretty` when stdout is a terminal, else `ndjson`.
    Auto,
    /// One JSON object per event and line.
    Ndjson,
    /// One line per event for a person.
    Pretty,
    /// One OTLP/JSON `ExportLogsServiceRequest` per line.
    OtlpJson,
    /// One ECS document per event and line.
    Ecs,
}

/// `--color`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Colour {
    /// By the environment and the terminal.
    Auto,
    /// Always, even when piped.
    Always,
    /// Never.
    Never,
}

/// The input options of both commands.
#[derive(clap::Args, Debug)]
struct InputArgs {
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

    /// Read up to N inputs at once (default: the number of cores). The
    /// output is the same as with `--jobs 1`: each input's output, in the
    /// order given.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

fn main() -> ExitCode {
    let mut argv: Vec<OsString> = std::env::args_os().collect();
    // `summary` as the first word is the subcommand; a file of that name
    // is read as `./summary`.
    let summary = argv.get(1).is_some_and(|a| a == "summary");
    // The clock of OTLP's observed time and ECS's `event.created`, fixed
    // for tests by a hidden `--observed-at SECONDS` anywhere in the line.
    if let Some(i) = argv.iter().position(|a| a == "--observed-at") {
        let secs = argv
            .get(i + 1)
            .and_then(|v| v.to_str()?.parse::<u64>().ok());
        let Some(secs) = secs else {
            let _ = writeln!(io::stderr(), "cilog: --observed-at takes whole seconds");
            return ExitCode::from(2);
        };
        let _ = CLOCK.set(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs));
        argv.drain(i..i + 2);
    }
    if summary {
        argv.remove(1);
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut err = stderr.lock();
    let code = if summary {
        let args = match SummaryArgs::try_parse_from(argv) {
            Ok(a) => a,
            Err(e) => return usage(&e),
        };
        let colour =
            args.format == Format::Text && colour_wanted(args.color, io::stdout().is_terminal());
        let spec = Spec::Summary(args.format, colour);
        let (code, failed) = run(&args.files, &args.input, &spec, &mut out, &mut err);
        if args.exit_status && failed {
            code.max(1)
        } else {
            code
        }
    } else {
        let args = match Args::try_parse_from(argv) {
            Ok(a) => a,
            Err(e) => return usage(&e),
        };
        if args.list_sources {
            for s in Source::ALL {
                let _ = writeln!(out, "{:<24} {}", s.as_str(), s.description());
            }
            return flushed(&mut out, 0);
        }
        if let Some(endpoint) = args.otlp_endpoint {
            if !matches!(args.format, OutFormat::Auto | OutFormat::OtlpJson) {
                let _ = writeln!(
                    err,
                    "cilog: --otlp-endpoint sends OTLP/JSON; --format must be otlp-json or left out"
                );
                return ExitCode::from(2);
            }
            let mut pusher = push::Pusher::new(push::PushOptions {
                endpoint,
                headers: args.otlp_header,
                backoff: std::time::Duration::from_millis(args.otlp_backoff_ms),
            });
            let code = run(&args.files, &args.input, &Spec::Otlp, &mut pusher, &mut err).0;
            return ExitCode::from(code.max(pusher.finish(&mut err)));
        }
        let terminal = io::stdout().is_terminal();
        let spec = match args.format {
            OutFormat::Auto if terminal => Spec::Pretty(colour_wanted(args.color, terminal)),
            OutFormat::Auto | OutFormat::Ndjson => Spec::Ndjson,
            OutFormat::Pretty => Spec::Pretty(colour_wanted(args.color, terminal)),
            OutFormat::OtlpJson => Spec::Otlp,
            OutFormat::Ecs => Spec::Ecs(observed_now()),
        };
        run(&args.files, &args.input, &spec, &mut out, &mut err).0
    };
    flushed(&mut out, code)
}

/// Prints a usage error (or the help); exit status 2 (0 for the help).
fn usage(e: &clap::Error) -> ExitCode {
    let code = if e.use_stderr() { 2 } else { 0 };
    let _ = e.print();
    ExitCode::from(code)
}

/// The exit status once the output is flushed (1 if it cannot be).
fn flushed(out: &mut impl Write, code: u8) -> ExitCode {
    if out.flush().is_err() && code == 0 {
        return ExitCode::from(1);
    }
    ExitCode::from(code)
}

/// Whether the pretty view or the text report is coloured: `--color
/// always` / `never` decide; else, in anstream's order, `NO_COLOR` (set, not
/// empty) turns colour off, `CLICOLOR_FORCE` (set, not `0`) on, `CLICOLOR=0`
/// off; else only on a terminal.
fn colour_wanted(choice: Colour, terminal: bool) -> bool {
    match choice {
        Colour::Always => return true,
        Colour::Never => return false,
        Colour::Auto => {}
    }
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    if set("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    terminal
}

/// Reads every input into the output `spec` describes, on `args.jobs`
/// threads; returns the exit status and whether a summarized run failed.
fn run(
    files: &[PathBuf],
    args: &InputArgs,
    spec: &Spec,
    out: &mut impl Output,
    err: &mut impl Write,
) -> (u8, bool) {
    let set = match settings(args, err) {
        Ok(s) => s,
        Err(code) => return (code, false),
    };
    let files: Vec<PathBuf> = if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    };
    let jobs = args.jobs.map_or_else(jobs::available, usize::from);
    let mut sink = Sink::new(out, spec.mode());
    let (mut code, failed) =
        if jobs > 1 && files.len() > 1 && set.source != Some(Source::CodeartsRealtimeLog) {
            jobs::read_all(&files, &set, spec, jobs, &mut sink, err)
        } else {
            (read_all(&files, &set, &mut sink, err), false)
        };
    code = code.max(sink.finish(err));
    (code, failed || sink.failed())
}

/// The input options, checked: the source (`None` for auto) and the
/// library options.
struct Settings {
    source: Option<Source>,
    opts: Options,
}

/// Checks the input options; a usage error is printed and its exit status
/// returned.
fn settings(args: &InputArgs, err: &mut impl Write) -> Result<Settings, u8> {
    let source = if args.source == "auto" {
        None
    } else {
        match args.source.parse::<Source>() {
            Ok(s) => Some(s),
            Err(e) => {
                let _ = writeln!(err, "cilog: {e}");
                return Err(2);
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
                return Err(2);
            }
        }
    }
    opts = opts.with_redact(!args.no_redact);
    if args.raw_text {
        opts = opts.with_text(TextMode::Raw);
    }
    Ok(Settings { source, opts })
}

/// Reads the inputs one after another.
fn read_all<W: Output>(
    files: &[PathBuf],
    set: &Settings,
    sink: &mut Sink<'_, W>,
    err: &mut impl Write,
) -> u8 {
    let (source, opts) = (set.source, &set.opts);
    let sink = &mut *sink;
    if source == Some(Source::CodeartsRealtimeLog) && files.len() > 1 {
        // Pages of one live log: stitched through one follower.
        if let Some(first) = files.first() {
            sink.start(first);
        }
        let stitched = stitch(files, opts, sink);
        sink.run_input = None;
        let last = files.last().map(|p| display_name(p)).unwrap_or_default();
        let ended = sink.end_log().map_err(|f| (last, f));
        return report(stitched, err).max(report(ended, err));
    }
    let mut status = 0;
    // Auto mode: consecutive real-time pages are stitched as one log.
    let mut pages: Option<Pages> = None;
    for path in files {
        match input(path, None, set, sink, &mut pages, err) {
            Ok(s) => status = status.max(s),
            Err(s) => return s,
        }
    }
    status.max(end_pages(&mut pages, sink, err))
}

/// Ends a run of real-time pages, if one is open; returns the exit status.
fn end_pages<W: Output>(
    pages: &mut Option<Pages>,
    sink: &mut Sink<'_, W>,
    err: &mut impl Write,
) -> u8 {
    match pages.take() {
        Some(run) => report(run.finish(sink), err),
        None => 0,
    }
}

/// Reads one input (its first bytes already read when `head` is given);
/// returns the exit status, or `Err` with it when the output cannot be
/// written (nothing more is read).
fn input<W: Output>(
    path: &Path,
    head: Option<Head>,
    set: &Settings,
    sink: &mut Sink<'_, W>,
    pages: &mut Option<Pages>,
    err: &mut impl Write,
) -> Result<u8, u8> {
    let (source, opts) = (set.source, &set.opts);
    let name = display_name(path);
    sink.binary = false;
    sink.start(path);
    let mut result = match source {
        Some(_) => one_input(path, head, source, opts, sink).map_err(|f| (name.clone(), f)),
        None => auto_input(path, head, name.clone(), opts, sink, pages, err),
    };
    if pages.is_none() {
        // The log of this input ends here (a run of pages ends later).
        let ended = sink.end_log().map_err(|f| (name.clone(), f));
        if result.is_ok() {
            result = ended;
        }
    }
    if sink.binary {
        let _ = writeln!(
            err,
            "cilog: {name}: warning: the input looks binary (NUL bytes); read as text, every event noted binary_input"
        );
    }
    match result {
        Ok(()) => Ok(0),
        Err((name, Failure::Write(e))) => Err(report(Err((name, Failure::Write(e))), err)),
        Err(e) => Ok(report(Err(e), err)),
    }
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

/// Where output lines go: standard output, the OTLP pusher, or a
/// `--jobs` worker's slot.
trait Output: Write {
    /// Writes `lines` (whole lines) and leaves it empty.
    fn lines(&mut self, lines: &mut String) -> io::Result<()> {
        let written = self.write_all(lines.as_bytes());
        lines.clear();
        written
    }
}

impl Output for io::BufWriter<io::StdoutLock<'_>> {}

impl Output for push::Pusher {}

/// Where events go: lines of the output format as they come, or a summary
/// per log.
struct Sink<'w, W: Output> {
    out: &'w mut W,
    /// Output lines gathered, written once they reach `batch` bytes.
    line: String,
    /// How many bytes of lines are gathered before they are written.
    batch: usize,
    /// The input being read: a path as given, `-` for standard input.
    input: String,
    /// The first page of the run of real-time pages being stitched: the
    /// input of the run's OTLP resource (one `resourceLogs` per run).
    run_input: Option<String>,
    /// An input started and no event of it was written yet.
    fresh: bool,
    /// The input of the last OTLP record before this input started.
    otlp_input: Option<String>,
    /// An OTLP record was written since this input started.
    pushed: bool,
    /// An event of the current input was noted `binary_input`.
    binary: bool,
    /// Writing the output failed (nothing more is written).
    write_failed: bool,
    mode: Mode,
}

/// The output, as each thread builds its own.
#[derive(Clone, Debug)]
enum Spec {
    Ndjson,
    /// With colour or not.
    Pretty(bool),
    Otlp,
    /// With this `event.created`.
    Ecs(SystemTime),
    /// The report's format, and colour.
    Summary(Format, bool),
}

impl Spec {
    fn mode(&self) -> Mode {
        match *self {
            Spec::Ndjson => Mode::Ndjson,
            Spec::Pretty(colour) => Mode::Pretty(PrettyWriter::new(colour)),
            Spec::Otlp => Mode::Otlp(OtlpWriter::new(OtlpOptions::new(observed_now()))),
            Spec::Ecs(created) => Mode::Ecs(EcsWriter::new(EcsOptions::new(created))),
            Spec::Summary(format, colour) => Mode::Summary(Summary {
                format,
                colour,
                name: String::new(),
                current: None,
                failed: false,
            }),
        }
    }
}

enum Mode {
    /// One NDJSON line per event, one whole line per write.
    Ndjson,
    /// `--format pretty`, one line per event.
    Pretty(PrettyWriter),
    /// `--format otlp-json`: one writer across inputs (a run per input).
    Otlp(OtlpWriter),
    /// `--format ecs`, one document per event.
    Ecs(EcsWriter),
    /// `cilog summary`.
    Summary(Summary),
}

/// The summary of the log being read.
struct Summary {
    format: Format,
    colour: bool,
    /// The name of the input the next log starts in.
    name: String,
    current: Option<Summarizer<'static>>,
    /// A run printed so far failed, timed out or errored.
    failed: bool,
}

impl<'w, W: Output> Sink<'w, W> {
    fn new(out: &'w mut W, mode: Mode) -> Self {
        Sink {
            out,
            line: String::new(),
            batch: CHUNK,
            input: String::new(),
            run_input: None,
            fresh: false,
            otlp_input: None,
            pushed: false,
            binary: false,
            write_failed: false,
            mode,
        }
    }

    /// Writes what the output format still holds (the last OTLP request);
    /// returns the exit status.
    fn finish(&mut self, err: &mut impl Write) -> u8 {
        if let Mode::Otlp(w) = &mut self.mode
            && !self.write_failed
        {
            w.finish(&mut self.line);
        }
        if let Err(f) = self.write_line() {
            return report(Err((String::new(), f)), err);
        }
        0
    }

    /// Whether a summarized run failed, timed out or errored.
    fn failed(&self) -> bool {
        match &self.mode {
            Mode::Summary(s) => s.failed,
            _ => false,
        }
    }

    fn event(&mut self, e: &LogEvent<'_>) -> Result<(), Failure> {
        self.binary |= e.notes.contains(Note::BinaryInput);
        if let Mode::Summary(s) = &mut self.mode {
            s.current
                .get_or_insert_with(|| Summarizer::new(&s.name))
                .push_owned(e);
            return Ok(());
        }
        match &mut self.mode {
            Mode::Summary(_) | Mode::Ndjson => {
                e.write_ndjson_with_input(&self.input, &mut self.line)
            }
            Mode::Pretty(w) => w.push(e, &self.input, &mut self.line),
            Mode::Otlp(w) => {
                let input = self.run_input.as_deref().unwrap_or(&self.input);
                if self.fresh && self.run_input.is_none() {
                    // A file read again is another run (as with --jobs).
                    self.fresh = false;
                    if self.otlp_input.as_deref() == Some(input) {
                        w.finish(&mut self.line);
                    }
                }
                self.pushed = true;
                w.push(e, input, &mut self.line);
            }
            Mode::Ecs(w) => w.push(e, &self.input, &mut self.line),
        }
        if self.line.len() >= self.batch {
            self.write_line()?;
        }
        Ok(())
    }

    /// Writes output made elsewhere (by a worker of `--jobs`).
    fn copy(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.write_line()?;
        self.out.write_all(bytes).map_err(|e| {
            self.write_failed = true;
            Failure::Write(e)
        })
    }

    /// Writes the lines gathered in `line`, if any, in one call.
    fn write_line(&mut self) -> Result<(), Failure> {
        if self.line.is_empty() {
            return Ok(());
        }
        self.out.lines(&mut self.line).map_err(|e| {
            self.write_failed = true;
            Failure::Write(e)
        })
    }

    /// An input starts: its events are named after it, and a log that
    /// starts in it too.
    fn start(&mut self, path: &Path) {
        if self.pushed {
            self.pushed = false;
            self.otlp_input = Some(self.run_input.clone().unwrap_or_else(|| self.input.clone()));
        }
        self.input = path.to_string_lossy().into_owned();
        self.fresh = true;
        if let Mode::Pretty(w) = &mut self.mode {
            w.start_input(&self.input);
        }
        if let Mode::Otlp(w) = &mut self.mode {
            w.set_observed(observed_now());
        }
        if let Mode::Summary(s) = &mut self.mode
            && s.current.is_none()
        {
            s.name = path.display().to_string();
        }
    }

    /// The log read so far ends: its summary is written.
    fn end_log(&mut self) -> Result<(), Failure> {
        self.write_line()?;
        let Mode::Summary(s) = &mut self.mode else {
            return Ok(());
        };
        let Some(summarizer) = s.current.take() else {
            return Ok(());
        };
        for run in summarizer.finish() {
            s.failed |= run.is_failure();
            match s.format {
                Format::Json => {
                    self.line.push_str(&run.to_json());
                    self.line.push('\n');
                }
                Format::Text => self.line.push_str(&run.to_text(s.colour)),
            }
        }
        self.write_line()
    }
}

/// Parses one input. A CodeArts text log is streamed in chunks (memory stays
/// at the longest line); everything else is read whole.
fn one_input<W: Output>(
    path: &Path,
    head: Option<Head>,
    source: Option<Source>,
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
    let (reader, data) = match head {
        Some(h) => h,
        None => read_head(path)?,
    };
    let detected = source.or_else(|| cilog::detect(&data));
    parse_input(reader, data, detected, opts, sink)
}

/// An open input and its first bytes.
type Head = (Box<dyn Read + Send>, Vec<u8>);

/// Opens an input and reads its first [`CHUNK`] bytes.
fn read_head(path: &Path) -> Result<Head, Failure> {
    let mut reader = open(path).map_err(Failure::Read)?;
    let mut data = Vec::with_capacity(CHUNK);
    read_up_to(&mut *reader, &mut data, CHUNK).map_err(Failure::Read)?;
    Ok((reader, data))
}

/// Parses an input whose first bytes are read, as `detected` (or detected
/// again by the library when `None`).
fn parse_input<W: Output>(
    mut reader: Box<dyn Read + Send>,
    mut data: Vec<u8>,
    detected: Option<Source>,
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
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
fn stream_text<W: Output>(
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

fn feed_text<W: Output>(
    f: &mut Follower,
    chunk: &[u8],
    sink: &mut Sink<'_, W>,
) -> Result<(), Failure> {
    f.feed_text(chunk, |e| sink.event(&e))
}

/// One input in auto mode. Consecutive CodeArts real-time pages are
/// stitched through one follower, as `--source codearts-realtime-log` does
/// with several files, so a line split over two pages is one event and an
/// overlap is not repeated. A page that starts over (offset 0, or before the
/// end of a log whose last page said no more data) begins a new log; a page
/// that leaves a gap or lies before the text so far is stitched with the
/// follower's `page_gap` / `offset_rewind` notes. Either way a warning on
/// stderr names the two files. A page that cannot be read ends its log.
///
/// A failure names its file: this one, or the page that ends a run.
fn auto_input<W: Output>(
    path: &Path,
    head: Option<Head>,
    name: String,
    opts: &Options,
    sink: &mut Sink<'_, W>,
    pages: &mut Option<Pages>,
    err: &mut impl Write,
) -> Result<(), (String, Failure)> {
    let here = |f: Failure| (name.clone(), f);
    let (mut reader, mut data) = match head {
        Some(h) => h,
        None => read_head(path).map_err(here)?,
    };
    let detected = cilog::detect(&data);
    if detected != Some(Source::CodeartsRealtimeLog) {
        if let Some(run) = pages.take() {
            run.finish(sink)?;
        }
        return parse_input(reader, data, detected, opts, sink).map_err(here);
    }
    reader
        .read_to_end(&mut data)
        .map_err(|e| here(Failure::Read(e)))?;
    let offsets = cilog::codearts::page_offsets(&data);
    if let Some(run) = pages.take() {
        let cursor = run.follower.cursor();
        let starts_over = match (cursor.offset(), offsets) {
            // A page that starts over, or after a gap (offsets that neither
            // chain nor overlap): another log, not this one's continuation.
            (Some(c), Some((s, _))) => {
                (c > 0 && (s == 0 || (cursor.no_more_data() && s < c))) || s > c
            }
            _ => false,
        };
        if starts_over {
            let prev = run.last.clone();
            run.finish(sink)?;
            let _ = writeln!(
                err,
                "cilog: warning: {name} does not continue {prev} (it starts at offset {}, \
                 not where {prev} ended): read as another log",
                offsets.map_or(0, |o| o.0)
            );
        } else {
            *pages = Some(run);
        }
    }
    let run = pages.get_or_insert_with(|| Pages {
        follower: Follower::new(opts.clone()),
        last: String::new(),
        input: String::new(),
    });
    run.input.clear();
    run.input.push_str(&sink.input);
    if sink.run_input.is_none() {
        sink.run_input = Some(sink.input.clone());
    }
    let before = run.follower.cursor().pending_notes();
    let mut seen = Notes::EMPTY;
    let mut sent = 0usize;
    let fed = run.follower.feed_page(&data, |e| {
        seen.extend(e.notes);
        sent += 1;
        sink.event(&e)
    });
    if let Err(Failure::Parse(_)) = &fed
        && sent == 0
        && !opts.is_strict()
    {
        // A page the follower cannot read (a truncated one) ends its log
        // and is read on its own, recovered as with an explicit source.
        if let Some(run) = pages.take() {
            run.finish(sink)?;
        }
        let source = Some(Source::CodeartsRealtimeLog);
        return parse_input(Box::new(io::empty()), data, source, opts, sink).map_err(here);
    }
    if let Err(f) = fed {
        // A page that fails ends its log, as with an explicit source. Strict
        // mode stops there; lenient mode still flushes the held-back line.
        if let Some(run) = pages.take()
            && !opts.is_strict()
            && !matches!(f, Failure::Write(_))
        {
            run.finish(sink)?;
        }
        return Err(here(f));
    }
    seen.extend(run.follower.cursor().pending_notes());
    let prev = std::mem::replace(&mut run.last, name.clone());
    let new = |n: Note| seen.contains(n) && !before.contains(n);
    let why = if new(Note::PageGap) {
        Some("text is missing between them, marked page_gap")
    } else if new(Note::OffsetRewind) {
        Some("it lies before the text so far, marked offset_rewind")
    } else {
        None
    };
    if let Some(why) = why {
        let _ = writeln!(
            err,
            "cilog: warning: {name} does not chain onto {prev}: {why}"
        );
    }
    Ok(())
}

/// A run of real-time pages being stitched in auto mode.
struct Pages {
    follower: Follower,
    /// The display name of the last page fed.
    last: String,
    /// The last page fed as given (the input of its held-back line).
    input: String,
}

impl Pages {
    /// Flushes the log's held-back last line, and ends the log; a failure
    /// names the last page.
    fn finish<W: Output>(mut self, sink: &mut Sink<'_, W>) -> Result<(), (String, Failure)> {
        let last = self.last;
        let current = std::mem::replace(&mut sink.input, self.input);
        let flushed = self.follower.finish(|e| sink.event(&e));
        sink.input = current;
        sink.run_input = None;
        let ended = sink.end_log();
        flushed.and(ended).map_err(|f| (last, f))
    }
}

/// Pages of one CodeArts real-time log, in the order given.
fn stitch<W: Output>(
    files: &[PathBuf],
    opts: &Options,
    sink: &mut Sink<'_, W>,
) -> Result<(), (String, Failure)> {
    let mut f = Follower::new(opts.clone());
    let mut last = String::new();
    sink.run_input = files.first().map(|p| p.to_string_lossy().into_owned());
    for path in files {
        last = display_name(path);
        sink.input = path.to_string_lossy().into_owned();
        let mut data = Vec::new();
        open(path)
            .and_then(|mut r| r.read_to_end(&mut data))
            .map_err(|e| (last.clone(), Failure::Read(e)))?;
        f.feed_page(&data, |e| sink.event(&e))
            .map_err(|w| (last.clone(), w))?;
    }
    f.finish(|e| sink.event(&e)).map_err(|w| (last, w))
}

fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
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
