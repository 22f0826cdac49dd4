//! A second core for one large text file.
//!
//! The walker gives each file to one thread, so a 2 GiB log or CSV export would be detected
//! chunk after chunk on one core while the others idle. For a file of at least
//! [`MIN_FILE_CHUNKS`] chunks the collector hands chunks to a helper thread (a clone of the
//! scanner: the compiled rules are shared, scratch space is its own) whenever the helper has
//! room, and detects the others itself while the extractor reads ahead. Findings do not depend
//! on who detected what: each chunk carries its own place (line, column) and the file's
//! findings are sorted by location when it is done.

use super::{Scanner, detect_into};
use crate::detect::context::WindowMode;
use crate::detect::{Columns, Segment};
use crate::model::{Finding, Location, Text};
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use std::thread::Scope;

/// A file this many chunks long gets a helper.
pub const MIN_FILE_CHUNKS: u64 = 4;

/// Chunks handed over and not yet merged: one being detected, one waiting. Bounds the copies
/// held for the helper to two chunks.
const MAX_IN_FLIGHT: usize = 2;

/// One chunk, owned, for the helper thread.
struct Job {
    text: Vec<u8>,
    report: (usize, usize),
    window: WindowMode,
    label: Option<String>,
    note: Option<Text>,
    columns: Option<Columns>,
    place: Location,
    /// Findings the file may still take when the chunk was handed over.
    room: usize,
}

/// What the helper found in one chunk: findings (at most the job's `room`) and whether it
/// stopped at that limit, or the reason a panic gave.
pub type Done = Result<(Vec<Finding>, bool), String>;

pub struct Helper {
    jobs: Sender<Job>,
    done: Receiver<Done>,
    in_flight: usize,
    /// Segments shorter than this are detected in place: copying a paragraph costs more than
    /// detecting it.
    min_len: usize,
}

impl Helper {
    /// Starts the helper thread in `scope`; it ends when the `Helper` is dropped.
    pub fn spawn<'s>(scope: &'s Scope<'s, '_>, scanner: &Scanner, path: &str) -> Helper {
        let (jobs, rx) = crossbeam_channel::bounded::<Job>(MAX_IN_FLIGHT - 1);
        let (tx, done) = crossbeam_channel::bounded::<Done>(MAX_IN_FLIGHT);
        let mut scanner = scanner.clone();
        let path = path.to_string();
        let min_len = scanner.limits.chunk_size / 4;
        scope.spawn(move || {
            let mut hits = Vec::new();
            for job in rx {
                let outcome = crate::guard::catch(|| {
                    let seg = Segment {
                        report: job.report,
                        window: job.window,
                        label: job.label.as_deref(),
                        note: job.note.as_ref(),
                        columns: job.columns.as_ref(),
                        ..Segment::new(&job.text)
                    };
                    let mut out = Vec::new();
                    let capped = detect_into(
                        &mut scanner,
                        &path,
                        None,
                        &[seg],
                        std::slice::from_ref(&job.place),
                        &mut hits,
                        &mut out,
                        job.room,
                    );
                    (out, capped)
                });
                if tx.send(outcome).is_err() {
                    break;
                }
            }
        });
        Helper {
            jobs,
            done,
            in_flight: 0,
            min_len,
        }
    }

    /// Hands the record to the helper if it is one large top-level segment and the helper
    /// has room; false means detect it in place. `room` is how many findings the file may
    /// still take, and `per_chunk` the most any chunk of it has produced: a file whose chunks
    /// in flight could together reach the findings limit is detected in place, so a file
    /// dense with values holds one chunk's findings at a time, as without the helper.
    pub fn offer(
        &mut self,
        inner: Option<&str>,
        segs: &[Segment<'_>],
        places: &[Location],
        room: usize,
        per_chunk: usize,
    ) -> bool {
        let ([seg], [place], None) = (segs, places, inner) else {
            return false;
        };
        if seg.text.len() < self.min_len
            || self.in_flight >= MAX_IN_FLIGHT
            || (self.in_flight + 1) * 2 * per_chunk.max(1) >= room
        {
            return false;
        }
        let job = Job {
            text: seg.text.to_vec(),
            report: seg.report,
            window: seg.window,
            label: seg.label.map(str::to_string),
            note: seg.note.cloned(),
            columns: seg.columns.cloned(),
            place: place.clone(),
            room,
        };
        match self.jobs.try_send(job) {
            Ok(()) => {
                self.in_flight += 1;
                true
            }
            Err(_) => false,
        }
    }

    /// Chunks the helper has finished, without waiting.
    pub fn ready(&mut self) -> Vec<Done> {
        let mut out = Vec::new();
        loop {
            match self.done.try_recv() {
                Ok(d) => {
                    self.in_flight -= 1;
                    out.push(d);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }

    /// Every chunk handed over, waiting for the helper to finish them.
    pub fn finish(mut self) -> Vec<Done> {
        let mut out = Vec::new();
        while self.in_flight > 0 {
            match self.done.recv() {
                Ok(d) => out.push(d),
                // The helper is gone (it cannot be: panics are caught); nothing more comes.
                Err(_) => break,
            }
            self.in_flight -= 1;
        }
        out
    }
}
