//! The scan driver: runs walk → extract → detect on worker threads; each worker hands its
//! [`FileResult`] to the consumer (the reporter) under one lock, as ripgrep's workers print,
//! so report output never interleaves and reporters need no locks of their own.
//!
//! Hits become [`Finding`]s here: located (line, column in characters, page/sheet/cell from the
//! extractor), masked and fingerprinted. The plain value travels with the finding only so that
//! `--reveal`, allowlists and the redactor can use it; reporters print `masked` otherwise.

mod helper;

use crate::detect::{ColumnCursor, Columns, Detector, Hit, Segment};
use crate::extract::text::LineColumn;
use crate::extract::{self, Buffers, Limits, Sink};
use crate::fingerprint::Fingerprinter;
use crate::mask;
use crate::model::{Category, Finding, Location, NotExamined, Severity};
use crate::walk::{self, Entry, WalkOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Scanned,
    /// Binary data of no supported format.
    Binary,
    NotExamined,
    /// A symbolic link that was not followed.
    Symlink,
}

/// Everything the scan learned about one file (and the members inside it).
#[derive(Debug, Clone)]
pub struct FileResult {
    pub path: String,
    pub status: FileStatus,
    pub bytes: u64,
    /// In location order.
    pub findings: Vec<Finding>,
    /// The file itself or members inside it that could not be examined.
    pub not_examined: Vec<NotExamined>,
}

impl FileResult {
    fn new(path: String, status: FileStatus) -> FileResult {
        FileResult {
            path,
            status,
            bytes: 0,
            findings: Vec::new(),
            not_examined: Vec::new(),
        }
    }
}

/// Counts for the whole run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_scanned: u64,
    pub files_with_findings: u64,
    pub files_binary: u64,
    pub files_not_examined: u64,
    pub symlinks_skipped: u64,
    pub bytes_scanned: u64,
    pub findings: u64,
    pub by_severity: BTreeMap<Severity, u64>,
    pub by_category: BTreeMap<Category, u64>,
    pub by_rule: BTreeMap<String, u64>,
    /// Entries in `not_examined` lists (files and container members).
    pub not_examined: u64,
    /// Findings left out because their value is on the config's allowlist.
    pub allowlisted: u64,
    /// Findings left out because they are in the `--baseline` file.
    pub baselined: u64,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Summary {
    pub fn add(&mut self, r: &FileResult) {
        match r.status {
            FileStatus::Scanned => self.files_scanned += 1,
            FileStatus::Binary => self.files_binary += 1,
            FileStatus::NotExamined => self.files_not_examined += 1,
            FileStatus::Symlink => self.symlinks_skipped += 1,
        }
        self.bytes_scanned += r.bytes;
        if !r.findings.is_empty() {
            self.files_with_findings += 1;
        }
        for f in &r.findings {
            self.findings += 1;
            *self.by_severity.entry(f.severity).or_default() += 1;
            *self.by_category.entry(f.category).or_default() += 1;
            // Not `entry`: it takes an owned key, a copy of the id per finding.
            match self.by_rule.get_mut(&f.rule) {
                Some(n) => *n += 1,
                None => {
                    self.by_rule.insert(f.rule.clone(), 1);
                }
            }
        }
        self.not_examined += r.not_examined.len() as u64;
    }

    /// Findings at or above `min`.
    pub fn at_or_above(&self, min: Severity) -> u64 {
        self.by_severity.range(min..).map(|(_, n)| n).sum()
    }
}

/// One worker's state: cloned per thread.
#[derive(Debug, Clone)]
pub struct Scanner {
    pub detector: Detector,
    pub fingerprinter: Fingerprinter,
    pub limits: Limits,
    /// Large text files get a second thread for detection ([`helper`]). On by default when
    /// the machine has more than one core; `--threads 1` turns it off.
    pub chunk_helper: bool,
}

impl Scanner {
    pub fn new(detector: Detector, fingerprinter: Fingerprinter, limits: Limits) -> Scanner {
        Scanner {
            detector,
            fingerprinter,
            limits,
            chunk_helper: crate::walk::thread_count(0) > 1,
        }
    }

    /// Scans one file from disk. Never fails: problems end up in `not_examined`.
    pub fn scan_path(&mut self, path: &Path, display: &str, bufs: &mut Buffers) -> FileResult {
        self.scan_file(path, display, true, bufs)
    }

    /// Scans one file from disk, opened through a symbolic link only if `follow` (see
    /// [`extract::open_regular`]).
    pub fn scan_file(
        &mut self,
        path: &Path,
        display: &str,
        follow: bool,
        bufs: &mut Buffers,
    ) -> FileResult {
        let mut result = FileResult::new(display.to_string(), FileStatus::Scanned);
        let limits = self.limits.clone();
        let outcome = extract::open_regular(path, follow).and_then(|(file, len)| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let chunks = len / limits.chunk_size.max(1) as u64;
            std::thread::scope(|scope| {
                let helper = (self.chunk_helper && chunks >= helper::MIN_FILE_CHUNKS)
                    .then(|| helper::Helper::spawn(scope, self, display));
                let mut sink = Collector::new(self, &mut result);
                sink.helper = helper;
                extract::extract_opened(file, name.as_deref(), &limits, bufs, &mut sink)?;
                Ok(sink.done())
            })
        });
        self.finish(result, outcome)
    }

    /// Scans a stream as if it were a file called `name` (its extension counts in sniffing),
    /// for tests and fuzzing.
    pub fn scan_named(
        &mut self,
        reader: impl std::io::Read,
        name: &str,
        display: &str,
        bufs: &mut Buffers,
    ) -> FileResult {
        self.scan_stream(reader, Some(name), display, bufs)
    }

    /// Scans a stream (standard input).
    pub fn scan_reader(
        &mut self,
        reader: impl std::io::Read,
        display: &str,
        bufs: &mut Buffers,
    ) -> FileResult {
        self.scan_stream(reader, None, display, bufs)
    }

    fn scan_stream(
        &mut self,
        reader: impl std::io::Read,
        name: Option<&str>,
        display: &str,
        bufs: &mut Buffers,
    ) -> FileResult {
        let mut result = FileResult::new(display.to_string(), FileStatus::Scanned);
        let limits = self.limits.clone();
        let outcome = {
            let mut sink = Collector::new(self, &mut result);
            extract::extract_named(reader, name, &limits, bufs, &mut sink).map(|()| sink.done())
        };
        self.finish(result, outcome)
    }

    fn finish(&self, mut result: FileResult, outcome: std::io::Result<u64>) -> FileResult {
        match outcome {
            Ok(bytes) => result.bytes = bytes,
            Err(e) => {
                result.status = FileStatus::NotExamined;
                result.findings.clear();
                result.not_examined.push(NotExamined {
                    path: result.path.clone(),
                    inner: None,
                    reason: walk::io_reason(&e),
                });
            }
        }
        if result.status == FileStatus::Scanned
            && result.not_examined.iter().any(|n| n.inner.is_none())
        {
            result.status = FileStatus::NotExamined;
        }
        result
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        result
    }
}

/// The extraction sink for one file: detects in each record and locates the hits.
struct Collector<'a> {
    scanner: &'a mut Scanner,
    result: &'a mut FileResult,
    hits: Vec<Hit>,
    bytes: u64,
    /// Findings were left out at [`Limits::max_findings`].
    capped: bool,
    helper: Option<helper::Helper>,
    /// The most findings one record has produced; `None` before the first is detected here.
    per_record: Option<usize>,
}

impl<'a> Collector<'a> {
    fn new(scanner: &'a mut Scanner, result: &'a mut FileResult) -> Collector<'a> {
        Collector {
            scanner,
            result,
            hits: Vec::new(),
            bytes: 0,
            capped: false,
            helper: None,
            per_record: None,
        }
    }

    fn merge(&mut self, done: Vec<helper::Done>) {
        for d in done {
            match d {
                Ok((findings, capped)) => {
                    self.per_record = Some(self.per_record.unwrap_or(0).max(findings.len()));
                    self.result.findings.extend(findings);
                    self.capped |= capped;
                }
                Err(reason) => self.not_examined(None, &reason),
            }
        }
    }

    /// Waits for the helper, applies the findings limit; returns the bytes examined.
    fn done(mut self) -> u64 {
        if let Some(h) = self.helper.take() {
            let rest = h.finish();
            self.merge(rest);
        }
        let max = self.scanner.limits.max_findings;
        if self.capped || self.result.findings.len() > max {
            // The first `max` in document order, whichever thread found them.
            self.result
                .findings
                .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            self.result.findings.truncate(max);
            self.result.not_examined.push(NotExamined {
                path: self.result.path.clone(),
                inner: None,
                reason: format!(
                    "limit max-findings exceeded (more than {max} findings in this file; \
                     the rest of it is not examined)"
                ),
            });
        }
        self.bytes
    }
}

impl Sink for Collector<'_> {
    fn record(&mut self, inner: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
        self.bytes += segs
            .iter()
            .map(|s| (s.report.1 - s.report.0) as u64)
            .sum::<u64>();
        if let Some(h) = &mut self.helper {
            let ready = h.ready();
            self.merge(ready);
        }
        let max = self.scanner.limits.max_findings;
        if self.result.findings.len() >= max {
            // Every finding is held until the file is done: a file of millions of addresses
            // must not take gigabytes. Detection stops here; reading goes on.
            self.capped = true;
            return;
        }
        let room = max - self.result.findings.len();
        if let (Some(h), Some(per_record)) = (&mut self.helper, self.per_record)
            && h.offer(inner, segs, places, room, per_record)
        {
            return;
        }
        let before = self.result.findings.len();
        self.capped |= detect_into(
            self.scanner,
            &self.result.path,
            inner,
            segs,
            places,
            &mut self.hits,
            &mut self.result.findings,
            max,
        );
        let found = self.result.findings.len() - before;
        self.per_record = Some(self.per_record.unwrap_or(0).max(found));
    }

    fn not_examined(&mut self, inner: Option<&str>, reason: &str) {
        self.result.not_examined.push(NotExamined {
            path: self.result.path.clone(),
            inner: inner.map(str::to_string),
            reason: reason.to_string(),
        });
    }

    fn binary(&mut self, inner: Option<&str>) {
        if inner.is_none() {
            self.result.status = FileStatus::Binary;
        }
    }
}

/// Detects in one record and appends located, masked, fingerprinted findings to `out` until
/// it holds `max`; true if findings were left out at that limit.
#[allow(clippy::too_many_arguments)]
fn detect_into(
    scanner: &mut Scanner,
    path: &str,
    inner: Option<&str>,
    segs: &[Segment<'_>],
    places: &[Location],
    hits: &mut Vec<Hit>,
    out: &mut Vec<Finding>,
    max: usize,
) -> bool {
    hits.clear();
    scanner.detector.scan_record(segs, hits);
    let mut cursor: Option<(usize, LineCursor)> = None;
    for hit in hits.iter() {
        if out.len() >= max {
            return true;
        }
        let seg = &segs[hit.seg];
        let c = match &mut cursor {
            Some((i, c)) if *i == hit.seg => c,
            _ => {
                &mut cursor
                    .insert((hit.seg, LineCursor::new(&places[hit.seg])))
                    .1
            }
        };
        let location = c.locate(seg.text, hit.start, &places[hit.seg], seg.columns);
        let rule = &scanner.detector.rules().rules[hit.rule];
        let value = String::from_utf8_lossy(&seg.text[hit.start..hit.end]).into_owned();
        let fingerprint = scanner
            .fingerprinter
            .fingerprint(&rule.id, path, inner, &hit.normalized);
        out.push(Finding {
            path: path.to_string(),
            inner: inner.map(str::to_string),
            rule: rule.id.clone(),
            category: rule.category,
            severity: rule.severity,
            confidence: hit.confidence,
            masked: mask::mask(&value, rule.mask),
            value,
            normalized: hit.normalized.clone(),
            location,
            fingerprint,
            note: hit.note.clone(),
        });
    }
    false
}

/// Turns byte offsets into line and column (and, in delimited text, the column header),
/// moving forward through one segment so that many hits in a large chunk cost one pass, not
/// one pass each.
struct LineCursor {
    lines: LineColumn,
    /// Delimited text: the column at the last offset.
    columns: ColumnCursor,
}

impl LineCursor {
    fn new(place: &Location) -> LineCursor {
        LineCursor {
            lines: LineColumn::new(place.line.max(1), place.column.max(1)),
            columns: ColumnCursor::default(),
        }
    }

    fn locate(
        &mut self,
        text: &[u8],
        offset: usize,
        place: &Location,
        columns: Option<&Columns>,
    ) -> Location {
        if offset < self.lines.pos() {
            *self = LineCursor::new(place);
        }
        let (line, column) = self.lines.advance(text, offset);
        Location {
            line,
            column,
            field: match columns {
                Some(cols) => self
                    .columns
                    .header_at(cols, text, offset)
                    .map(str::to_string),
                None => place.field.clone(),
            },
            ..place.clone()
        }
    }
}

/// The display form of a path: as given, lossily decoded if it is not UTF-8.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The scanner of a run, set once the rules are compiled; `None` if compiling failed.
///
/// The walk starts before the rules are compiled and each worker waits for the scanner at its
/// first file: the workers start, read the first folders and sleep out the walker's
/// first idle millisecond meanwhile, which took 1.3 ms off 150 ms on the benchmark tree.
pub type Ready = std::sync::OnceLock<Option<Scanner>>;

/// Runs a scan of the walk options' paths on worker threads, calling `consume` for each file
/// as it completes, on the worker that scanned it, one call at a time. Returns when every file
/// is done, or at once if `ready` is set to `None`.
///
/// The workers take turns at `consume` under a lock rather than send results to a reporting
/// thread (as ripgrep's workers print under a lock): a third thread on two cores woke for
/// every file and yielded the CPU back and forth, ~6,000 `sched_yield` and ~2,700 futex
/// calls on the 2,335 files of the benchmark tree.
pub fn run(
    opts: &WalkOptions,
    ready: &Ready,
    consume: &mut (dyn FnMut(FileResult) + Send),
) -> Result<(), ignore::Error> {
    let consume = std::sync::Mutex::new(consume);
    walk::walk(opts, || {
        let mut own: Option<Scanner> = None;
        let mut bufs = Buffers::default();
        let mut outbox = Outbox::new(&consume);
        Box::new(move |entry| {
            let Some(shared) = ready.wait() else {
                return ControlFlow::Break(());
            };
            let scanner = own.get_or_insert_with(|| shared.clone());
            let result = match entry {
                Entry::File { path, follow, .. } => {
                    let display = display_path(&path);
                    guarded(&display, &mut bufs, |bufs| {
                        scanner.scan_file(&path, &display, follow, bufs)
                    })
                }
                Entry::NotExamined { path, reason } => {
                    let display = display_path(&path);
                    let mut r = FileResult::new(display.clone(), FileStatus::NotExamined);
                    r.not_examined.push(NotExamined {
                        path: display,
                        inner: None,
                        reason,
                    });
                    r
                }
                Entry::Symlink { path } => {
                    FileResult::new(display_path(&path), FileStatus::Symlink)
                }
            };
            outbox.deliver(result);
            ControlFlow::Continue(())
        })
    })
}

type Consume<'c> = std::sync::Mutex<&'c mut (dyn FnMut(FileResult) + Send)>;

/// A worker's results on their way to `consume`. A worker that finds the lock taken keeps
/// its result and scans on instead of sleeping until the lock is free: on this VM's two cores
/// a blocked worker waited ~50 us for the wake-up, some 200 times a run on the benchmark tree.
struct Outbox<'a, 'c> {
    consume: &'a Consume<'c>,
    pending: Vec<FileResult>,
}

impl<'a, 'c> Outbox<'a, 'c> {
    fn new(consume: &'a Consume<'c>) -> Outbox<'a, 'c> {
        Outbox {
            consume,
            pending: Vec::new(),
        }
    }

    /// Results held back before a worker waits for the lock after all: they are small (the
    /// findings, not the text), but a stalled output must not make them pile up unbounded.
    const MAX_PENDING: usize = 64;

    fn deliver(&mut self, result: FileResult) {
        self.pending.push(result);
        let consume = match self.consume.try_lock() {
            Ok(c) => c,
            // A panic in `consume` poisons the lock; the report is then broken anyway, but
            // the other workers should still finish rather than panic in turn.
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if self.pending.len() < Self::MAX_PENDING => {
                return;
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                self.consume.lock().unwrap_or_else(|e| e.into_inner())
            }
        };
        Self::flush(consume, &mut self.pending);
    }

    fn flush(
        mut consume: std::sync::MutexGuard<'_, &'c mut (dyn FnMut(FileResult) + Send)>,
        pending: &mut Vec<FileResult>,
    ) {
        for r in pending.drain(..) {
            (*consume)(r);
        }
    }
}

/// The walker drops each worker's visitor when the worker ends: what it held back goes out
/// then, before [`run`] returns.
impl Drop for Outbox<'_, '_> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let consume = self.consume.lock().unwrap_or_else(|e| e.into_inner());
            Self::flush(consume, &mut self.pending);
        }
    }
}

/// Runs one file's scan with panics contained ([`crate::guard`]): a bug in an extractor or
/// rule costs this file, not the scan. The reason names the file only, never its content.
pub fn guarded(
    display: &str,
    bufs: &mut Buffers,
    scan: impl FnOnce(&mut Buffers) -> FileResult,
) -> FileResult {
    crate::guard::catch(|| scan(bufs)).unwrap_or_else(|reason| {
        // Buffers may be half-filled; start the next file clean.
        *bufs = Buffers::default();
        let mut r = FileResult::new(display.to_string(), FileStatus::NotExamined);
        r.not_examined.push(NotExamined {
            path: display.to_string(),
            inner: None,
            reason,
        });
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(seen: &[String]) -> Vec<&str> {
        seen.iter().map(String::as_str).collect()
    }

    #[test]
    fn outbox_holds_results_while_the_lock_is_taken_and_delivers_them_all_in_order() {
        let mut seen = Vec::new();
        let mut record = |r: FileResult| seen.push(r.path);
        let consume: Consume<'_> = std::sync::Mutex::new(&mut record);
        let result = |p: &str| FileResult::new(p.to_string(), FileStatus::Scanned);
        let mut outbox = Outbox::new(&consume);
        let held = consume.lock().unwrap();
        outbox.deliver(result("a"));
        outbox.deliver(result("b"));
        assert_eq!(
            outbox.pending.len(),
            2,
            "nothing delivered while another holds the lock"
        );
        drop(held);
        outbox.deliver(result("c"));
        assert!(outbox.pending.is_empty());
        let held = consume.lock().unwrap();
        outbox.deliver(result("d"));
        drop(held);
        drop(outbox);
        assert_eq!(paths(&seen), ["a", "b", "c", "d"]);
    }

    #[test]
    fn outbox_waits_for_the_lock_once_it_holds_its_limit() {
        let mut seen = Vec::new();
        let mut record = |r: FileResult| seen.push(r.path);
        let consume: Consume<'_> = std::sync::Mutex::new(&mut record);
        std::thread::scope(|s| {
            let held = consume.lock().unwrap();
            let worker = s.spawn(|| {
                let mut outbox = Outbox::new(&consume);
                for i in 0..Outbox::MAX_PENDING {
                    outbox.deliver(FileResult::new(i.to_string(), FileStatus::Scanned));
                }
                outbox.pending.len()
            });
            // The worker blocks on its last result until the lock is free.
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(!worker.is_finished(), "a full outbox waits for the lock");
            drop(held);
            assert_eq!(worker.join().unwrap(), 0, "and then delivers everything");
        });
        assert_eq!(seen.len(), Outbox::MAX_PENDING);
    }
}
