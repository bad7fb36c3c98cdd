//! `--jobs N`: the inputs read on N threads, their output written in the
//! order given, byte for byte what one thread writes.
//!
//! Workers claim the inputs in argument order. Each reads its input into
//! an output of its own (the same format, options and clock) and hands
//! the bytes to the writing thread in chunks of about [`BATCH`] over a
//! channel of [`SLOTS`] chunks (the emptied buffers come back for reuse); the writing thread copies each input's
//! chunks, then its stderr messages and exit status, in argument order.
//!
//! **Memory.** A worker claims an input at most `2 × N` places past the
//! one being written, and blocks when its input's channel is full; so at
//! most `2 × N` inputs are in flight, each with at most `SLOTS` chunks
//! waiting (1 MiB, plus the line that ends a chunk) besides what reading
//! it takes with one thread (a text log streams, a JSON payload is read
//! whole).
//!
//! **Read by the writing thread, in order:** standard input, and in auto
//! mode a CodeArts real-time page (a run of pages is stitched across
//! inputs, so it cannot be read apart from the inputs before it).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex, MutexGuard};

use cilog::Source;

use super::{Head, Output, Pages, Settings, Sink, Spec, end_pages, input, read_head, report};

/// About how many bytes of output a worker hands on at once (fewer,
/// larger chunks: fewer wake-ups of the writing thread).
const BATCH: usize = 256 * 1024;

/// How many chunks of one input may wait for the writing thread.
const SLOTS: usize = 4;

/// The number of cores (1 when unknown): `--jobs`'s default.
pub(super) fn available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What a worker sends about its input.
enum Msg {
    /// Output bytes, whole lines.
    Out(Vec<u8>),
    /// The input is read by the writing thread: standard input (`None`), or
    /// a real-time page whose first bytes are read.
    Deferred(Option<Head>),
    /// The input is read: its stderr messages and exit status, and whether
    /// a summarized run failed.
    Done {
        status: u8,
        failed: bool,
        err: Vec<u8>,
    },
}

/// The claims, shared by the workers and the writing thread.
struct Queue {
    /// The next input to claim.
    next: usize,
    /// The input being written.
    writing: usize,
    /// The channels of claimed inputs the writing thread has not taken yet.
    ready: BTreeMap<usize, Receiver<Msg>>,
    /// Workers still running.
    alive: usize,
    /// Nothing more is written (the output failed, or all is done).
    stop: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
    /// How far past the input being written a worker may claim.
    window: usize,
    /// Emptied output buffers, for the workers to fill again.
    pool: Mutex<Vec<Vec<u8>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, q: MutexGuard<'a, Queue>) -> MutexGuard<'a, Queue> {
        self.changed.wait(q).unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the workers: they claim nothing more, and what they send is
    /// dropped.
    fn stop(&self) {
        let mut q = self.lock();
        q.stop = true;
        q.ready.clear();
        drop(q);
        self.changed.notify_all();
    }
}

/// A worker's count in [`Queue::alive`], given back however it ends.
struct Alive<'a>(&'a Shared);

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        self.0.lock().alive -= 1;
        self.0.changed.notify_all();
    }
}

/// Reads `files` on `jobs` threads into `sink`; returns the exit status
/// and whether a summarized run failed.
pub(super) fn read_all<W: Output>(
    files: &[PathBuf],
    set: &Settings,
    spec: &Spec,
    jobs: usize,
    sink: &mut Sink<'_, W>,
    err: &mut impl Write,
) -> (u8, bool) {
    let workers = jobs.min(files.len());
    let shared = Shared {
        queue: Mutex::new(Queue {
            next: 0,
            writing: 0,
            ready: BTreeMap::new(),
            alive: workers,
            stop: false,
        }),
        changed: Condvar::new(),
        window: 2 * jobs,
        pool: Mutex::new(Vec::new()),
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let _alive = Alive(&shared);
                work(files, set, spec, &shared);
            });
        }
        let done = write(files, set, &shared, sink, err);
        shared.stop();
        done
    })
}

/// A worker: claims inputs in order and reads them.
fn work(files: &[PathBuf], set: &Settings, spec: &Spec, shared: &Shared) {
    loop {
        let (i, tx) = {
            let mut q = shared.lock();
            let i = q.next;
            if q.stop || i >= files.len() {
                return;
            }
            q.next += 1;
            while i >= q.writing + shared.window && !q.stop {
                q = shared.wait(q);
            }
            if q.stop {
                return;
            }
            let (tx, rx) = sync_channel(SLOTS);
            q.ready.insert(i, rx);
            drop(q);
            shared.changed.notify_all();
            (i, tx)
        };
        let Some(path) = files.get(i) else { return };
        if read_one(path, set, spec, shared, tx).is_err() {
            // The writing thread stopped.
            return;
        }
    }
}

/// Reads one input into its channel; `Err` when the writing thread no
/// longer listens.
fn read_one(
    path: &std::path::Path,
    set: &Settings,
    spec: &Spec,
    shared: &Shared,
    tx: SyncSender<Msg>,
) -> Result<(), Gone> {
    if path.as_os_str() == "-" {
        return tx.send(Msg::Deferred(None)).map_err(|_| Gone);
    }
    let mut head = None;
    if set.source.is_none()
        && let Ok(h) = read_head(path)
    {
        if cilog::detect(&h.1) == Some(Source::CodeartsRealtimeLog) {
            return tx.send(Msg::Deferred(Some(h))).map_err(|_| Gone);
        }
        head = Some(h);
    }
    // An input that cannot be opened is opened again by `input`, which
    // reports it as one thread does.
    let mut out = Chunks {
        tx: tx.clone(),
        pool: &shared.pool,
    };
    let mut err = Vec::new();
    let mut sink = Sink::new(&mut out, spec.mode());
    sink.batch = BATCH;
    let mut pages: Option<Pages> = None;
    let status = input(path, head, set, &mut sink, &mut pages, &mut err).map_err(|_| Gone)?;
    let status = status.max(sink.finish(&mut err));
    let failed = sink.failed();
    drop(sink);
    tx.send(Msg::Done {
        status,
        failed,
        err,
    })
    .map_err(|_| Gone)
}

/// The writing thread no longer listens.
struct Gone;

/// A worker's output: the sink's gathered lines, handed over whole.
struct Chunks<'a> {
    tx: SyncSender<Msg>,
    /// Emptied buffers, back from the writing thread.
    pool: &'a Mutex<Vec<Vec<u8>>>,
}

impl Chunks<'_> {
    fn send(&self, chunk: Vec<u8>) -> io::Result<()> {
        self.tx
            .send(Msg::Out(chunk))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl super::Output for Chunks<'_> {
    /// Sends `lines` itself (no copy), leaving an emptied buffer in its
    /// place (one the writing thread gave back, when there is one: fresh
    /// memory costs page faults).
    fn lines(&mut self, lines: &mut String) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let spare = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        // An empty buffer is valid UTF-8: nothing to check.
        let spare = spare
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_else(|| String::with_capacity(BATCH + BATCH / 8));
        let chunk = std::mem::replace(lines, spare);
        self.send(chunk.into_bytes())
    }
}

impl Write for Chunks<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.send(bytes.to_vec())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The writing thread: each input's output in argument order. Returns the
/// exit status and whether a summarized run failed.
fn write<W: Output>(
    files: &[PathBuf],
    set: &Settings,
    shared: &Shared,
    sink: &mut Sink<'_, W>,
    err: &mut impl Write,
) -> (u8, bool) {
    let mut status = 0;
    let mut failed = false;
    // Real-time pages stitched here, as one thread does.
    let mut pages: Option<Pages> = None;
    for (i, path) in files.iter().enumerate() {
        let rx = {
            let mut q = shared.lock();
            q.writing = i;
            shared.changed.notify_all();
            loop {
                if let Some(rx) = q.ready.remove(&i) {
                    break Some(rx);
                }
                if q.alive == 0 {
                    break None;
                }
                q = shared.wait(q);
            }
        };
        let mut first = true;
        loop {
            let msg = match rx.as_ref().map(Receiver::recv) {
                Some(Ok(m)) => m,
                _ => {
                    // A worker ended without finishing its input.
                    let _ = writeln!(
                        err,
                        "cilog: {}: internal error: the thread reading it stopped",
                        super::display_name(path)
                    );
                    return (1, failed);
                }
            };
            if let Msg::Deferred(head) = msg {
                match input(path, head, set, sink, &mut pages, err) {
                    Ok(s) => status = status.max(s),
                    Err(s) => return (s, failed),
                }
                break;
            }
            if first {
                // This input's output comes after a run of pages before it
                // ends, and after what the writing thread's output holds.
                first = false;
                status = status.max(end_pages(&mut pages, sink, err));
                status = status.max(sink.finish(err));
            }
            match msg {
                Msg::Out(mut bytes) => {
                    if let Err(e) = sink.copy(&bytes) {
                        return (report(Err((String::new(), e)), err), failed);
                    }
                    bytes.clear();
                    let mut pool = shared.pool.lock().unwrap_or_else(|p| p.into_inner());
                    if pool.len() < shared.window * SLOTS && bytes.capacity() <= 2 * BATCH {
                        pool.push(bytes);
                    }
                }
                Msg::Done {
                    status: s,
                    failed: f,
                    err: e,
                } => {
                    let _ = err.write_all(&e);
                    status = status.max(s);
                    failed |= f;
                    break;
                }
                Msg::Deferred(_) => {}
            }
        }
    }
    status = status.max(end_pages(&mut pages, sink, err));
    (status, failed)
}
