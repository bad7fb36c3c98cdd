//! `--jobs N`: the inputs read on N threads, their output written in the
//! order given, byte for byte what one thread writes.
//!
//! N workers and the writing thread claim the inputs in argument order.
//! The writing thread reads an input it claims straight into the output,
//! as one thread does (it claims the input it is to write when no worker
//! has yet). A worker reads its input into an output of its own (the same
//! format, options and clock) and leaves the bytes in the input's slot in
//! chunks of about [`BATCH`]; the writing thread takes each input's chunks,
//! then its stderr messages and exit status, in argument order, and gives
//! the emptied buffers back for reuse. It sleeps until the input it waits
//! for is done or has [`WAKE`] bytes waiting (a wake-up per chunk cost more
//! than the copying).
//!
//! **Memory.** The output of the inputs after the one being written waits
//! up to [`BUDGET`] in all, and the one being written up to [`BUDGET`]; a
//! worker with more waits. A worker claims an input at most `8 × N` places
//! past the one being written. Besides, each worker takes what reading its
//! input takes with one thread (a text log streams, a JSON payload is read
//! whole).
//!
//! **Read by the writing thread, in order:** standard input, and in auto
//! mode a CodeArts real-time page (a run of pages is stitched across
//! inputs, so it cannot be read apart from the inputs before it).

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use cilog::Source;

use super::{Head, Output, Pages, Settings, Sink, Spec, end_pages, input, read_head, report};

/// About how many bytes of output a worker hands on at once.
const BATCH: usize = 64 * 1024;

/// How many bytes of output may wait: for the inputs after the one being
/// written, in all; and for the one being written.
const BUDGET: usize = 2 << 20;

/// How many bytes of the input being written wake the writing thread
/// before the input is done.
const WAKE: usize = 512 * 1024;

/// The number of cores (1 when unknown): `--jobs`'s default.
pub(super) fn available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A claimed input, as far as it is read.
#[derive(Default)]
struct Slot {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes in `chunks`.
    bytes: usize,
    /// To be read by the writing thread: standard input (`Some(None)`), or
    /// a real-time page whose first bytes are read.
    deferred: Option<Option<Head>>,
    /// Read: stderr messages, exit status, and whether a summarized run
    /// failed.
    done: Option<(Vec<u8>, u8, bool)>,
}

/// The claims and slots, shared by the workers and the writing thread.
struct Queue {
    /// The next input to claim.
    next: usize,
    /// The input being written.
    writing: usize,
    slots: BTreeMap<usize, Slot>,
    /// Bytes waiting in the slots of inputs after the one being written.
    ahead: usize,
    /// Workers still running.
    alive: usize,
    /// Workers waiting for room.
    waiting: usize,
    /// Nothing more is written (the output failed, or all is done).
    stop: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// The writing thread waits on this one, the workers on the other.
    to_writer: Condvar,
    to_workers: Condvar,
    /// How far past the input being written a worker may claim.
    window: usize,
    /// Emptied output buffers, for the workers to fill again.
    pool: Mutex<Vec<Vec<u8>>>,
    /// How many emptied buffers are kept.
    spares: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait_writer<'a>(&self, q: MutexGuard<'a, Queue>) -> MutexGuard<'a, Queue> {
        self.to_writer.wait(q).unwrap_or_else(|p| p.into_inner())
    }

    fn wait_workers<'a>(&self, q: MutexGuard<'a, Queue>) -> MutexGuard<'a, Queue> {
        self.to_workers.wait(q).unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the workers: they claim nothing more, and what they hand on
    /// is dropped.
    fn stop(&self) {
        let mut q = self.lock();
        q.stop = true;
        q.slots.clear();
        drop(q);
        self.to_workers.notify_all();
    }

    /// A worker hands on a chunk of input `i`; it waits while there is no
    /// room. `Err` when the writing thread stopped.
    fn put(&self, i: usize, chunk: Vec<u8>) -> Result<(), Gone> {
        let len = chunk.len();
        let mut q = self.lock();
        loop {
            if q.stop {
                return Err(Gone);
            }
            let mine = q.slots.get(&i).map_or(0, |s| s.bytes);
            let room = if i == q.writing {
                mine == 0 || mine + len <= BUDGET
            } else {
                q.ahead == 0 || q.ahead + len <= BUDGET
            };
            if room {
                break;
            }
            q.waiting += 1;
            q = self.wait_workers(q);
            q.waiting -= 1;
        }
        let writing = q.writing;
        if i != writing {
            q.ahead += len;
        }
        let slot = q.slots.entry(i).or_default();
        slot.chunks.push_back(chunk);
        slot.bytes += len;
        let wake = i == writing && slot.bytes >= WAKE;
        drop(q);
        if wake {
            self.to_writer.notify_one();
        }
        Ok(())
    }

    /// Input `i` is read (or is left to the writing thread).
    fn finish(&self, i: usize, end: impl FnOnce(&mut Slot)) {
        let mut q = self.lock();
        if q.stop {
            return;
        }
        end(q.slots.entry(i).or_default());
        let wake = i == q.writing;
        drop(q);
        if wake {
            self.to_writer.notify_one();
        }
    }
}

/// A worker's count in [`Queue::alive`], given back however it ends.
struct Alive<'a>(&'a Shared);

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        self.0.lock().alive -= 1;
        self.0.to_writer.notify_one();
    }
}

/// The writing thread no longer listens.
struct Gone;

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
            slots: BTreeMap::new(),
            ahead: 0,
            alive: workers,
            waiting: 0,
            stop: false,
        }),
        to_writer: Condvar::new(),
        to_workers: Condvar::new(),
        window: 8 * jobs,
        pool: Mutex::new(Vec::new()),
        spares: 2 * BUDGET / BATCH + 2 * jobs,
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
        let i = {
            let mut q = shared.lock();
            let i = q.next;
            if q.stop || i >= files.len() {
                return;
            }
            q.next += 1;
            while i >= q.writing + shared.window && !q.stop {
                q.waiting += 1;
                q = shared.wait_workers(q);
                q.waiting -= 1;
            }
            if q.stop {
                return;
            }
            i
        };
        let Some(path) = files.get(i) else { return };
        if read_one(path, i, set, spec, shared).is_err() {
            return;
        }
    }
}

/// Reads input `i` into its slot; `Err` when the writing thread stopped.
fn read_one(
    path: &Path,
    i: usize,
    set: &Settings,
    spec: &Spec,
    shared: &Shared,
) -> Result<(), Gone> {
    if path.as_os_str() == "-" {
        shared.finish(i, |s| s.deferred = Some(None));
        return Ok(());
    }
    let mut head = None;
    if set.source.is_none()
        && let Ok(h) = read_head(path)
    {
        if cilog::detect(&h.1) == Some(Source::CodeartsRealtimeLog) {
            shared.finish(i, |s| s.deferred = Some(Some(h)));
            return Ok(());
        }
        head = Some(h);
    }
    // An input that cannot be opened is opened again by `input`, which
    // reports it as one thread does.
    let mut out = Chunks { shared, index: i };
    let mut err = Vec::new();
    let mut sink = Sink::new(&mut out, spec.mode());
    sink.batch = BATCH;
    let mut pages: Option<Pages> = None;
    let status = input(path, head, set, &mut sink, &mut pages, &mut err).map_err(|_| Gone)?;
    let status = status.max(sink.finish(&mut err));
    let failed = sink.failed();
    drop(sink);
    shared.finish(i, |s| s.done = Some((err, status, failed)));
    Ok(())
}

/// A worker's output: the sink's gathered lines, handed over whole.
struct Chunks<'a> {
    shared: &'a Shared,
    /// The input's place in the arguments.
    index: usize,
}

impl Output for Chunks<'_> {
    /// Hands `lines` itself on (no copy), leaving an emptied buffer in its
    /// place (one the writing thread gave back, when there is one: fresh
    /// memory costs page faults).
    fn lines(&mut self, lines: &mut String) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let spare = self
            .shared
            .pool
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        // An empty buffer is valid UTF-8: nothing to check.
        let spare = spare
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_else(|| String::with_capacity(BATCH + BATCH / 8));
        let chunk = std::mem::replace(lines, spare);
        self.shared
            .put(self.index, chunk.into_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl Write for Chunks<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.shared
            .put(self.index, bytes.to_vec())
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the writing thread takes from a slot at once.
enum Taken {
    Chunks(VecDeque<Vec<u8>>),
    Deferred(Option<Head>),
    Done(VecDeque<Vec<u8>>, (Vec<u8>, u8, bool)),
    /// No worker is left to read it.
    Lost,
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
        let mine = {
            let mut q = shared.lock();
            q.writing = i;
            // This input's bytes no longer count as ahead.
            let bytes = q.slots.get(&i).map_or(0, |s| s.bytes);
            q.ahead = q.ahead.saturating_sub(bytes);
            let mine = q.next == i;
            if mine {
                q.next += 1;
            }
            mine
        };
        shared.to_workers.notify_all();
        if mine {
            // No worker took it: read here, straight into the output.
            match input(path, None, set, sink, &mut pages, err) {
                Ok(s) => status = status.max(s),
                Err(s) => return (s, failed),
            }
            continue;
        }
        let mut first = true;
        loop {
            let taken = {
                let mut q = shared.lock();
                loop {
                    let claimed = i < q.next;
                    let alive = q.alive;
                    let slot = q.slots.get_mut(&i);
                    let ready = slot.as_ref().is_some_and(|s| {
                        s.done.is_some() || s.deferred.is_some() || s.bytes >= WAKE
                    });
                    if ready && let Some(s) = slot {
                        let chunks = std::mem::take(&mut s.chunks);
                        s.bytes = 0;
                        break if let Some(d) = s.deferred.take() {
                            q.slots.remove(&i);
                            Taken::Deferred(d)
                        } else if let Some(d) = s.done.take() {
                            q.slots.remove(&i);
                            Taken::Done(chunks, d)
                        } else {
                            Taken::Chunks(chunks)
                        };
                    }
                    if alive == 0 && !(claimed && ready) {
                        break Taken::Lost;
                    }
                    q = shared.wait_writer(q);
                }
            };
            if shared.lock().waiting > 0 {
                shared.to_workers.notify_all();
            }
            let (chunks, done) = match taken {
                Taken::Deferred(head) => {
                    match input(path, head, set, sink, &mut pages, err) {
                        Ok(s) => status = status.max(s),
                        Err(s) => return (s, failed),
                    }
                    break;
                }
                Taken::Lost => {
                    let _ = writeln!(
                        err,
                        "cilog: {}: internal error: the thread reading it stopped",
                        super::display_name(path)
                    );
                    return (1, failed);
                }
                Taken::Chunks(c) => (c, None),
                Taken::Done(c, d) => (c, Some(d)),
            };
            if first {
                // This input's output comes after a run of pages before it
                // ends, and after what the writing thread's output holds.
                first = false;
                status = status.max(end_pages(&mut pages, sink, err));
                status = status.max(sink.finish(err));
            }
            for mut bytes in chunks {
                if let Err(e) = sink.copy(&bytes) {
                    return (report(Err((String::new(), e)), err), failed);
                }
                bytes.clear();
                let mut pool = shared.pool.lock().unwrap_or_else(|p| p.into_inner());
                if pool.len() < shared.spares && bytes.capacity() <= 2 * BATCH {
                    pool.push(bytes);
                }
            }
            if let Some((e, s, f)) = done {
                let _ = err.write_all(&e);
                status = status.max(s);
                failed |= f;
                break;
            }
        }
    }
    status = status.max(end_pages(&mut pages, sink, err));
    (status, failed)
}
