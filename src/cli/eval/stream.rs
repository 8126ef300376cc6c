//! The pipeline behind `accord eval --input`: the calling thread reads the input in chunks of
//! lines, workers decide whole chunks (reading each line's JSON too), and a writer thread
//! writes the chunks' output in input order. A fixed set of chunks circulates (reader, worker,
//! writer, back to the reader), so reading, deciding and writing overlap, every core decides,
//! buffers are reused, and memory stays flat however long the input is.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

/// Lines in a chunk, at most.
const CHUNK_LINES: usize = 4096;
/// Bytes of input in a chunk, about: a chunk ends with the line that reaches this.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks in circulation per worker: one being decided, one waiting for it, and one being
/// written or read, so that no stage waits for another in the steady state.
const CHUNKS_PER_WORKER: usize = 3;

/// One input line (or CSV record), as the reader found it.
pub(super) enum Line {
    /// JSON text: this range of the chunk's text (its newline included).
    Json(Range<usize>),
    /// A CSV record, already a scenario object.
    Object(serde_json::Value),
    /// A line that cannot be read, and why.
    Unreadable(String),
}

/// A run of consecutive input lines, and then their output.
#[derive(Default)]
pub(super) struct Chunk {
    /// The chunk's place in the input: chunks are written in this order.
    seq: usize,
    /// The text that [`Line::Json`] ranges index.
    pub(super) text: Vec<u8>,
    /// Each line's number and what it holds.
    pub(super) lines: Vec<(usize, Line)>,
    /// The output, one line per input line.
    out: Vec<u8>,
    /// How many of the lines failed.
    failed: usize,
    /// Set on the empty chunk a worker sends when it dies (a bug): its own chunk is lost.
    lost: bool,
}

impl Chunk {
    /// Whether the chunk has room for another line.
    pub(super) fn has_room(&self) -> bool {
        self.lines.len() < CHUNK_LINES && self.text.len() < CHUNK_BYTES
    }

    /// Empties the chunk for reuse, keeping its buffers unless one line made them huge.
    fn clear(&mut self) {
        self.text.clear();
        self.text.shrink_to(4 * CHUNK_BYTES);
        self.out.clear();
        self.out.shrink_to(4 * CHUNK_BYTES);
        self.lines.clear();
        self.failed = 0;
    }
}

/// What a run wrote.
pub(super) struct Written {
    /// Lines written.
    pub(super) lines: usize,
    /// Of those, lines that failed.
    pub(super) failed: usize,
    /// The first error in writing, which stopped the run.
    pub(super) error: Option<std::io::Error>,
}

/// Decides every line that `fill` reads and writes one output line for each, in input order.
///
/// `fill` adds lines to an empty chunk while it [has room](Chunk::has_room), and says whether
/// the input may have more (a chunk it leaves empty ends the input too). `decide` writes one line's output, its newline included, given the
/// line's number, the line and its chunk's text; it says whether the line is decided (not
/// failed). `written` hears how many lines have been written, after each chunk.
pub(super) fn run(
    mut fill: impl FnMut(&mut Chunk) -> bool,
    decide: impl Fn(usize, &Line, &[u8], &mut Vec<u8>) -> bool + Sync,
    out: impl Write + Send,
    written: impl FnMut(usize) + Send,
) -> Written {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let (to_workers, queue) = channel::<Chunk>();
    let queue = Mutex::new(queue);
    let (to_writer, done) = channel::<Chunk>();
    let (to_reader, free) = channel::<Chunk>();
    for _ in 0..workers * CHUNKS_PER_WORKER {
        // The reader holds `free`, so this cannot fail.
        let _ = to_reader.send(Chunk::default());
    }
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_in_order(&done, &to_reader, out, written));
        for _ in 0..workers {
            let to_writer = to_writer.clone();
            let (queue, decide) = (&queue, &decide);
            scope.spawn(move || work(queue, &to_writer, decide));
        }
        drop(to_writer);
        let mut seq = 0;
        // A chunk comes back once the writer has written it; none comes back once the writer
        // has stopped, and reading stops too.
        while let Ok(mut chunk) = free.recv() {
            let more = fill(&mut chunk);
            if chunk.lines.is_empty() {
                break;
            }
            chunk.seq = seq;
            seq += 1;
            if to_workers.send(chunk).is_err() || !more {
                break;
            }
        }
        drop(to_workers);
        writer.join().unwrap_or_else(|_| Written {
            lines: 0,
            failed: 0,
            error: Some(std::io::Error::other("the writer stopped")),
        })
    })
}

/// A worker: decides chunks until there are no more, or no writer.
fn work(
    queue: &Mutex<Receiver<Chunk>>,
    to_writer: &Sender<Chunk>,
    decide: &(impl Fn(usize, &Line, &[u8], &mut Vec<u8>) -> bool + Sync),
) {
    loop {
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(mut chunk) = next else { return };
        let alarm = Alarm(to_writer);
        let Chunk { text, lines, out, failed, .. } = &mut chunk;
        for (number, line) in lines.iter() {
            *failed += usize::from(!decide(*number, line, text, out));
        }
        drop(alarm);
        if to_writer.send(chunk).is_err() {
            return;
        }
    }
}

/// Tells the writer if a worker dies while deciding a chunk. Without it the writer would wait
/// for the lost chunk, and the reader for chunks the writer holds back, forever; told, the
/// writer stops, the run winds down, and the worker's panic reaches the caller.
struct Alarm<'a>(&'a Sender<Chunk>);

impl Drop for Alarm<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Chunk { lost: true, ..Chunk::default() });
        }
    }
}

/// The writer: writes chunks in input order as they are decided, and hands each back to the
/// reader.
fn write_in_order(
    done: &Receiver<Chunk>,
    to_reader: &Sender<Chunk>,
    mut out: impl Write,
    mut written: impl FnMut(usize),
) -> Written {
    let mut result = Written { lines: 0, failed: 0, error: None };
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for chunk in done {
        if chunk.lost {
            result.error = Some(std::io::Error::other("a worker stopped while deciding"));
            return result;
        }
        waiting.insert(chunk.seq, chunk);
        while let Some(mut chunk) = waiting.remove(&next) {
            next += 1;
            if let Err(e) = out.write_all(&chunk.out) {
                result.error = Some(e);
                return result;
            }
            result.lines += chunk.lines.len();
            result.failed += chunk.failed;
            written(result.lines);
            chunk.clear();
            // The reader may have finished; then the chunk is simply dropped.
            let _ = to_reader.send(chunk);
        }
    }
    result.error = out.flush().err();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A worker that panics ends the run with that panic, rather than leaving the writer and
    /// the reader waiting for each other.
    #[test]
    #[allow(clippy::panic, clippy::unwrap_used)] // the panic is the point
    fn a_worker_panic_ends_the_run() {
        let (report, outcome) = channel();
        std::thread::spawn(move || {
            let ran = std::panic::catch_unwind(|| {
                let mut next = 0;
                let fill = |chunk: &mut Chunk| {
                    while chunk.lines.len() < 10 && next < 100_000 {
                        chunk.lines.push((next, Line::Unreadable(String::new())));
                        next += 1;
                    }
                    next < 100_000
                };
                let decide = |number: usize, _: &Line, _: &[u8], out: &mut Vec<u8>| {
                    assert!(number != 5_000, "deliberate");
                    out.push(b'\n');
                    true
                };
                run(fill, decide, std::io::sink(), |_| {})
            });
            let _ = report.send(ran.is_err());
        });
        let panicked = outcome.recv_timeout(Duration::from_secs(60)).unwrap();
        assert!(panicked, "the run ended without the worker's panic");
    }
}
