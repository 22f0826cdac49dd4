//! Extraction: a file's bytes in, text segments with locations out.
//!
//! Each format family has one module. Extractors push *records* (segments that belong
//! together: a text chunk, a paragraph, a spreadsheet row) into a [`Sink`], so a 2 GiB text
//! file streams through in bounded memory and a nested archive never needs to be unpacked to
//! disk. Anything that cannot be read becomes a `not_examined` call with a reason that names
//! the limit, format or OS error — never the file's content.
//!
//! [`sniff`] decides the format from the first 8 KiB (magic bytes first, the file name's
//! extension second). Containers (archives, e-mail attachments) hand each member back to the
//! same dispatcher one level deeper, behind a [`PrefixSink`] that names the member, so a docx in
//! a zip in an e-mail is found like any other file. Parsers that can crash, hang or allocate
//! without bound (PDF, OLE) run in a worker subprocess ([`worker`]).

pub mod archive;
pub mod delimited;
pub mod doc;
pub mod flow;
pub mod mail;
pub mod markup;
pub mod odf;
pub mod ole;
pub mod ooxml;
pub mod pdf;
pub mod rtf;
pub mod sniff;
pub mod srcmap;
pub mod text;
pub mod worker;
pub mod xlsx;

use crate::detect::Segment;
use crate::model::Location;
use serde::{Deserialize, Serialize};
use sniff::Format;
use std::cell::Cell;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Resource limits for one file. Breaking one makes the file (or archive member) "not
/// examined" with the limit named; the scan goes on. README "Security and limits" lists them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    /// Text is detected in chunks of this many bytes (the last line is never split unless
    /// it is longer than a chunk).
    pub chunk_size: usize,
    /// Bytes of the previous chunk repeated before the next one, as context. Must exceed the
    /// keyword window on both sides plus the longest candidate.
    pub overlap: usize,
    /// Containers inside containers: a member deeper than this is not examined.
    pub max_depth: usize,
    /// Decompressed bytes of one archive member, document part or in-memory document.
    pub max_member_bytes: u64,
    /// Decompressed bytes of everything inside one file on disk, at every nesting level.
    pub max_total_bytes: u64,
    /// Decompressed : compressed size of an archive member (zip bombs). A member may always
    /// produce [`RATIO_FLOOR`] bytes, so tiny, highly compressible members pass.
    pub max_ratio: u64,
    /// Members of one archive (zip, tar) or attachments of one message.
    pub max_entries: usize,
    /// Element nesting of an XML part.
    pub max_xml_depth: usize,
    /// Wall-clock time a worker subprocess may spend on one file.
    pub worker_timeout: Duration,
    /// Address space of a worker subprocess (RLIMIT_AS), bytes.
    pub worker_memory: u64,
    /// Findings kept for one file (`--max-findings`). They are held until the file is done,
    /// so this bounds the memory a file full of values can take; past it the file is reported
    /// as not examined further.
    pub max_findings: usize,
    /// Wall-clock time one file may take (`--file-timeout`), checked between members, parts
    /// and XML events and imposed on workers. Plain text and CSV files on disk stream at a
    /// linear cost in bounded memory and are not cut off (a 5 GiB log legitimately takes
    /// longer); text inside containers is. `None`: no budget.
    pub file_timeout: Option<Duration>,
    /// The sladd binary that runs risky parsers as `sladd __extract-worker`. `None` runs them
    /// in-process behind `catch_unwind` only: for unit tests of the library, never the CLI.
    #[serde(skip)]
    pub worker: Option<PathBuf>,
}

/// A member may produce this many bytes whatever its compression ratio.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// The default of `--file-timeout`.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            chunk_size: 8 << 20,
            overlap: 4096,
            max_depth: 5,
            max_member_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
            max_ratio: 100,
            max_entries: 10_000,
            max_xml_depth: 256,
            worker_timeout: Duration::from_secs(30),
            worker_memory: 2 << 30,
            max_findings: 100_000,
            file_timeout: Some(DEFAULT_FILE_TIMEOUT),
            worker: None,
        }
    }
}

impl Limits {
    /// The limits `sladd scan` and `sladd redact` share, from their command-line options:
    /// container depth, the decompressed-bytes budget (which also caps one member) and the
    /// text chunk size (at least 1 KiB; the overlap stays under half a chunk). Risky parsers
    /// run in this same binary, re-executed as a worker.
    pub fn from_options(
        max_depth: usize,
        max_decompressed: Option<u64>,
        chunk_size: Option<u64>,
    ) -> Limits {
        let mut limits = Limits {
            max_depth,
            worker: std::env::current_exe().ok(),
            ..Limits::default()
        };
        if let Some(b) = max_decompressed {
            limits.max_total_bytes = b;
            limits.max_member_bytes = limits.max_member_bytes.min(b);
        }
        if let Some(c) = chunk_size {
            limits.chunk_size = usize::try_from(c).unwrap_or(usize::MAX).max(1024);
            limits.overlap = limits.overlap.min(limits.chunk_size / 2);
        }
        limits
    }
}

/// Receives what extraction produces.
pub trait Sink {
    /// A record: segments that share context, each with the location of its first byte.
    /// `inner` names the member inside a container, `None` for the file itself.
    fn record(&mut self, inner: Option<&str>, segs: &[Segment<'_>], places: &[Location]);
    /// A file or member could not be examined.
    fn not_examined(&mut self, inner: Option<&str>, reason: &str);
    /// A file or member is binary data of no supported format: skipped, counted.
    fn binary(&mut self, inner: Option<&str>);
    /// Plain text is decoded from `encoding` (called once, before its first record). The
    /// redactor writes the same encoding back; extraction has no use for it.
    fn text_encoding(&mut self, _encoding: &'static encoding_rs::Encoding) {}
}

/// Names everything a member's extractor reports after the member: the member itself
/// (`inner = None`) becomes `prefix`, a member of the member `prefix/inner`.
pub struct PrefixSink<'a> {
    pub parent: &'a mut dyn Sink,
    pub prefix: &'a str,
}

impl PrefixSink<'_> {
    fn name(&self, inner: Option<&str>) -> String {
        match inner {
            Some(i) => format!("{}/{i}", self.prefix),
            None => self.prefix.to_string(),
        }
    }
}

impl Sink for PrefixSink<'_> {
    fn record(&mut self, inner: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
        let name = self.name(inner);
        self.parent.record(Some(&name), segs, places);
    }
    fn not_examined(&mut self, inner: Option<&str>, reason: &str) {
        let name = self.name(inner);
        self.parent.not_examined(Some(&name), reason);
    }
    fn binary(&mut self, inner: Option<&str>) {
        let name = self.name(inner);
        self.parent.binary(Some(&name));
    }
}

/// Per-thread reusable buffers.
#[derive(Debug, Default)]
pub struct Buffers {
    pub raw: Vec<u8>,
    pub text: Vec<u8>,
}

/// Why something could not be examined. The text never quotes file content.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// An I/O error of the OS or a parser. Never a broken limit: see the `From` impl.
    #[error(transparent)]
    Io(std::io::Error),
    /// A limit of [`Limits`] was broken; `limit` is its README name.
    #[error("limit {limit} exceeded ({detail})")]
    Limit { limit: &'static str, detail: String },
    /// Malformed, encrypted or unsupported content; the text is safe to print.
    #[error("{0}")]
    Reason(String),
    /// The file's byte budget ran out and the member that hit it was reported: stop every
    /// enclosing container without reporting it again.
    #[error("decompressed-data budget spent")]
    Spent,
    /// The file's time budget ([`Limits::file_timeout`]) ran out: every enclosing container
    /// stops, and the file itself is reported (what was found before is kept).
    #[error("time budget exceeded (--file-timeout {0:?}); findings before it are reported")]
    Timeout(Duration),
}

impl Problem {
    pub fn reason(s: impl Into<String>) -> Problem {
        Problem::Reason(s.into())
    }

    /// The text for a not-examined entry.
    pub fn describe(&self) -> String {
        match self {
            Problem::Io(e) => crate::walk::io_reason(e),
            other => other.to_string(),
        }
    }

    /// True when the whole file's byte budget is spent, so nothing more can be examined.
    pub fn budget_spent(&self) -> bool {
        match self {
            Problem::Limit { limit, .. } => *limit == "max-total-bytes",
            Problem::Io(_) | Problem::Reason(_) | Problem::Timeout(_) => false,
            Problem::Spent => true,
        }
    }
}

/// A limit or time budget broken inside a reader travels as an `io::Error` wrapping the
/// [`Problem`] (readers can only return `io::Error`); converting unwraps it, so every
/// `Problem` says what happened and callers match on it directly.
impl From<std::io::Error> for Problem {
    fn from(e: std::io::Error) -> Problem {
        if e.get_ref().is_some_and(|inner| inner.is::<Problem>()) {
            let inner = e.into_inner().expect("checked above");
            return *inner.downcast::<Problem>().expect("checked above");
        }
        Problem::Io(e)
    }
}

/// A part of a document (an XML part, a sheet) could not be read: reported on the part, and
/// the document goes on, unless the problem ends the whole file (its byte or time budget),
/// which is passed up.
pub fn part_failed(p: Problem, report: impl FnOnce(&str)) -> Result<(), Problem> {
    match p {
        p @ (Problem::Timeout(_) | Problem::Spent) => Err(p),
        p if p.budget_spent() => {
            report(&p.describe());
            Err(Problem::Spent)
        }
        p => {
            report(&p.describe());
            Ok(())
        }
    }
}

pub fn limit(limit: &'static str, detail: impl Into<String>) -> Problem {
    Problem::Limit {
        limit,
        detail: detail.into(),
    }
}

pub fn mib(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// When one file's time budget ends ([`Limits::file_timeout`]).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    pub at: Instant,
    /// The budget, for the reason.
    pub budget: Duration,
}

impl Deadline {
    /// A deadline `budget` from now, or none.
    pub fn start(budget: Option<Duration>) -> Option<Deadline> {
        budget.map(|budget| Deadline {
            at: Instant::now() + budget,
            budget,
        })
    }

    pub fn check(&self) -> Result<(), Problem> {
        if Instant::now() >= self.at {
            Err(Problem::Timeout(self.budget))
        } else {
            Ok(())
        }
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// Checks a deadline every few hundred steps of a parser's event loop, so the clock is read
/// rarely compared to the work.
pub struct Ticker {
    n: u32,
    deadline: Option<Deadline>,
}

impl Ticker {
    #[inline]
    pub fn tick(&mut self) -> Result<(), Problem> {
        self.n = self.n.wrapping_add(1);
        match self.deadline {
            Some(d) if self.n.is_multiple_of(256) => d.check(),
            _ => Ok(()),
        }
    }
}

/// State shared by every level of one file's extraction.
pub struct Ctx<'a> {
    pub limits: &'a Limits,
    /// 0 for the file on disk, +1 per container level.
    pub depth: usize,
    /// Decompressed bytes the file may still produce ([`Limits::max_total_bytes`]).
    pub budget: &'a Cell<u64>,
    /// When the file's time budget ends.
    pub deadline: Option<Deadline>,
}

impl<'a> Ctx<'a> {
    /// The context for a file on disk (depth 0), its budgets starting now.
    pub fn top(limits: &'a Limits, budget: &'a Cell<u64>) -> Ctx<'a> {
        budget.set(limits.max_total_bytes);
        Ctx {
            limits,
            depth: 0,
            budget,
            deadline: Deadline::start(limits.file_timeout),
        }
    }

    /// The context for the members of a container at this level.
    pub fn deeper(&self) -> Ctx<'a> {
        Ctx {
            limits: self.limits,
            depth: self.depth + 1,
            budget: self.budget,
            deadline: self.deadline,
        }
    }

    /// Fails once the file's time budget is spent.
    pub fn check_time(&self) -> Result<(), Problem> {
        self.deadline.map_or(Ok(()), |d| d.check())
    }

    /// A deadline check for a parser's event loop.
    pub fn ticker(&self) -> Ticker {
        Ticker {
            n: 0,
            deadline: self.deadline,
        }
    }

    /// A reader that counts what it produces against the member and file limits and the
    /// compression ratio (`compressed` = the member's stored size, if known).
    pub fn capped<R: Read>(&self, inner: R, compressed: Option<u64>) -> Capped<'a, R> {
        Capped {
            inner,
            produced: 0,
            member_limit: self.limits.max_member_bytes,
            budget: self.budget,
            compressed,
            max_ratio: self.limits.max_ratio,
            deadline: self.deadline,
        }
    }

    /// Reads a whole member into memory within the limits.
    pub fn read_all(&self, r: impl Read, compressed: Option<u64>) -> Result<Vec<u8>, Problem> {
        let mut v = Vec::new();
        self.capped(r, compressed).read_to_end(&mut v)?;
        Ok(v)
    }
}

/// See [`Ctx::capped`].
pub struct Capped<'a, R> {
    inner: R,
    produced: u64,
    member_limit: u64,
    budget: &'a Cell<u64>,
    compressed: Option<u64>,
    max_ratio: u64,
    /// Members are inside containers, where the file's time budget applies to text too.
    deadline: Option<Deadline>,
}

impl<R: Read> Capped<'_, R> {
    /// Bytes this member may produce under the ratio limit: `max_ratio` times its stored
    /// size, and at least [`RATIO_FLOOR`] (tiny, highly compressible members pass).
    fn ratio_allowance(&self) -> u64 {
        self.compressed.map_or(u64::MAX, |c| {
            c.saturating_mul(self.max_ratio).max(RATIO_FLOOR)
        })
    }
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let err = |p: Problem| Err(std::io::Error::other(p));
        if let Some(d) = self.deadline
            && let Err(p) = d.check()
        {
            return err(p);
        }
        // Never read more than one byte past the nearest limit, so a limit is broken at the
        // same byte whatever the caller's buffer sizes (which depend on what the thread
        // scanned before): reports stay identical across runs and thread counts.
        let allowance = self
            .member_limit
            .min(self.ratio_allowance())
            .min(self.produced.saturating_add(self.budget.get()));
        let room = allowance.saturating_sub(self.produced).saturating_add(1);
        let take = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..take])?;
        let n64 = n as u64;
        self.produced += n64;
        if self.produced > self.member_limit {
            return err(limit(
                "max-member-bytes",
                format!("more than {} decompressed", mib(self.member_limit)),
            ));
        }
        if n64 > self.budget.get() {
            self.budget.set(0);
            return err(limit(
                "max-total-bytes",
                "the file holds more decompressed data than allowed",
            ));
        }
        self.budget.set(self.budget.get() - n64);
        if self.produced > self.ratio_allowance() {
            return err(limit(
                "max-ratio",
                format!(
                    "compressed more than {}:1, a likely zip bomb",
                    self.max_ratio
                ),
            ));
        }
        Ok(n)
    }
}

/// Extracts one file from disk (following a symbolic link, as for a path named explicitly).
pub fn extract_file(
    path: &Path,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let (file, _) = open_regular(path, true)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    extract_opened(file, name.as_deref(), limits, bufs, sink)
}

/// Opens a file to scan, safely against changes since the walk saw it: a FIFO swapped in is
/// not waited on (`O_NONBLOCK`), a symbolic link swapped in is not followed out of the tree
/// (`O_NOFOLLOW`, unless `follow`), and anything but a regular file is refused once open.
/// Returns the file and its length (from the same `fstat`, which costs a system call).
pub fn open_regular(path: &Path, follow: bool) -> std::io::Result<(std::fs::File, u64)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | nofollow);
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if !follow && e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::other(
                "not opened: it became a symbolic link during the scan (not followed)",
            );
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(crate::walk::special_file_reason(
            &meta,
        )));
    }
    Ok((file, meta.len()))
}

/// Extracts a file opened with [`open_regular`]; `name` is its file name, for sniffing.
pub fn extract_opened(
    mut file: std::fs::File,
    name: Option<&str>,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let budget = Cell::new(0);
    let ctx = Ctx::top(limits, &budget);
    let mut head = [0u8; sniff::HEAD];
    let (n, format) = sniff_head(&mut file, name, &mut head)?;
    let outcome = if format == Format::Zip {
        // Seekable on disk: the central directory is read in place, nothing is loaded whole.
        file.rewind()?;
        archive::zip(file, &ctx, bufs, sink)
    } else {
        extract_stream(&head[..n], file, format, name, &ctx, bufs, sink)
    };
    top_level(outcome, sink)
}

/// Extracts from a reader, as if it were a file called `name` if one is given (its
/// extension counts in sniffing): standard input, tests and fuzzing.
pub fn extract_named(
    mut reader: impl Read,
    name: Option<&str>,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let budget = Cell::new(0);
    let ctx = Ctx::top(limits, &budget);
    let mut head = [0u8; sniff::HEAD];
    let (n, format) = sniff_head(&mut reader, name, &mut head)?;
    let outcome = extract_stream(&head[..n], reader, format, name, &ctx, bufs, sink);
    top_level(outcome, sink)
}

/// OS errors on the file itself stay errors (the driver names them); everything else is a
/// reason on the file.
fn top_level(outcome: Result<(), Problem>, sink: &mut dyn Sink) -> std::io::Result<()> {
    match outcome {
        Ok(()) => Ok(()),
        Err(Problem::Io(e)) => Err(e),
        Err(Problem::Spent) => Ok(()),
        Err(p) => {
            sink.not_examined(None, &p.describe());
            Ok(())
        }
    }
}

/// Extracts a member (archive entry, decompressed stream) from a reader, one level deeper than
/// its container. Problems are reported on the member; the container goes on.
pub fn extract_member(
    mut reader: impl Read,
    name: &str,
    compressed: Option<u64>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let ctx = ctx.deeper();
    let mut sink = PrefixSink {
        parent: sink,
        prefix: name,
    };
    let mut capped = ctx.capped(&mut reader, compressed);
    let mut head = [0u8; sniff::HEAD];
    let name = Some(base_name(name));
    let outcome = sniff_head(&mut capped, name, &mut head)
        .map_err(Problem::from)
        .and_then(|(n, format)| {
            extract_stream(&head[..n], &mut capped, format, name, &ctx, bufs, &mut sink)
        });
    member_outcome(outcome, &mut sink)
}

/// Extracts a member already in memory (an e-mail attachment).
pub fn extract_member_bytes(
    data: &[u8],
    name: &str,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let ctx = ctx.deeper();
    let mut sink = PrefixSink {
        parent: sink,
        prefix: name,
    };
    let outcome = extract_bytes(data, Some(base_name(name)), &ctx, bufs, &mut sink);
    member_outcome(outcome, &mut sink)
}

/// A member's problem is reported on the member; only a spent byte budget or time budget
/// stops the container (the time budget is reported on the file, by [`top_level`]).
fn member_outcome(outcome: Result<(), Problem>, sink: &mut dyn Sink) -> Result<(), Problem> {
    outcome.or_else(|p| part_failed(p, |reason| sink.not_examined(None, reason)))
}

/// Reads the first bytes of a stream into `head` and sniffs the format from them and from
/// `name`'s extension; returns how many bytes were read.
fn sniff_head(
    reader: &mut impl Read,
    name: Option<&str>,
    head: &mut [u8; sniff::HEAD],
) -> std::io::Result<(usize, Format)> {
    let n = read_full(reader, head)?;
    Ok((n, sniff::sniff_format(&head[..n], name)))
}

/// The last path component of a member name, for extension sniffing.
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Dispatches on a sniffed format. Text streams through; formats that need the whole document
/// are read into memory within the limits.
fn extract_stream(
    head: &[u8],
    rest: impl Read,
    format: Format,
    name: Option<&str>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    enter(name, ctx)?;
    extract_from(head.chain(rest), format, name, ctx, bufs, sink)
}

/// Dispatches a document held in memory.
pub fn extract_bytes(
    data: &[u8],
    name: Option<&str>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let head = &data[..data.len().min(sniff::HEAD)];
    let format = sniff::sniff_format(head, name);
    enter(name, ctx)?;
    extract_held(data, format, name, ctx, bufs, sink)
}

/// What is checked before any file or member is opened: how deep it is nested (and, in
/// debug builds, the switch that makes it panic for the guard's tests).
fn enter(name: Option<&str>, ctx: &Ctx<'_>) -> Result<(), Problem> {
    if ctx.depth > ctx.limits.max_depth {
        return Err(limit(
            "max-depth",
            format!("nested more than {} containers deep", ctx.limits.max_depth),
        ));
    }
    crate::guard::debug_panic(name);
    Ok(())
}

/// Streams the formats that can be read as they come; the others are read whole (bounded by
/// `max-member-bytes`) and handed to [`extract_held`].
fn extract_from(
    reader: impl Read,
    format: Format,
    name: Option<&str>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    match format {
        Format::Text(enc) => Ok(text::extract(
            reader, enc, None, true, ctx.limits, bufs, sink,
        )?),
        Format::Delimited(d) => delimited::extract(reader, d, ctx.limits, bufs, sink),
        Format::Mbox => mail::mbox(reader, ctx, bufs, sink),
        Format::Binary => {
            sink.binary(None);
            Ok(())
        }
        _ => {
            // Members are already counted by their container's capped reader; this only
            // bounds how much of one document is held in memory.
            let max = ctx.limits.max_member_bytes;
            let mut data = Vec::new();
            reader.take(max + 1).read_to_end(&mut data)?;
            if data.len() as u64 > max {
                return Err(limit(
                    "max-member-bytes",
                    format!("a document larger than {}", mib(max)),
                ));
            }
            extract_held(&data, format, name, ctx, bufs, sink)
        }
    }
}

/// Dispatches a document in memory; streamed formats stream from it.
fn extract_held(
    data: &[u8],
    format: Format,
    name: Option<&str>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    match format {
        Format::Text(_) | Format::Delimited(_) | Format::Mbox | Format::Binary => {
            extract_from(data, format, name, ctx, bufs, sink)
        }
        Format::Zip => archive::zip(std::io::Cursor::new(data), ctx, bufs, sink),
        Format::Gzip => archive::gzip(data, name, ctx, bufs, sink),
        Format::Tar => archive::tar(data, ctx, bufs, sink),
        Format::Pdf => worker::isolated(worker::Job::Pdf, data, ctx, sink),
        Format::Ole => worker::isolated(worker::Job::Ole, data, ctx, sink),
        Format::Eml => mail::eml(data, ctx, bufs, sink),
        Format::Rtf => rtf::extract(data, ctx, sink),
        Format::Html => markup::extract(data, markup::Dialect::Html, ctx, sink),
        Format::Xml => markup::extract(data, markup::Dialect::Xml, ctx, sink),
        Format::NotA(what) => Err(Problem::reason(format!(
            "named like {what} but its content is not (damaged or mislabelled)"
        ))),
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
pub fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Decodes a document's bytes to UTF-8 text: a BOM decides, else UTF-8 if valid, else
/// Windows-1252 (as for plain text).
pub fn decode_text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(data) {
        return enc.decode_without_bom_handling(&data[bom..]).0;
    }
    match std::str::from_utf8(data) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(data)
                .0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads through a capped reader with one buffer size; returns the bytes produced when a
    /// limit broke, and the file budget left.
    fn produced_until_limit(buf_len: usize, compressed: u64, budget: u64) -> (u64, u64, String) {
        let limits = Limits::default();
        let left = Cell::new(budget);
        let ctx = Ctx {
            limits: &limits,
            depth: 1,
            budget: &left,
            deadline: None,
        };
        let mut r = ctx.capped(std::io::repeat(b'A'), Some(compressed));
        let mut buf = vec![0; buf_len];
        let reason = loop {
            if let Err(e) = r.read(&mut buf) {
                break Problem::from(e).describe();
            }
        };
        (r.produced, left.get(), reason)
    }

    /// A limit breaks at the same byte whatever the caller's buffer size, so reports do not
    /// depend on which files a thread's reused buffers saw before.
    #[test]
    fn limits_break_at_the_same_byte_for_any_read_size() {
        let ratio: Vec<_> = [1, 7, 4096, 1 << 20, 3 << 20]
            .iter()
            .map(|&n| produced_until_limit(n, 100, 1 << 30))
            .collect();
        assert!(ratio.iter().all(|r| *r == ratio[0]), "{ratio:?}");
        assert_eq!(ratio[0].0, RATIO_FLOOR + 1);
        assert!(ratio[0].2.contains("max-ratio"), "{}", ratio[0].2);

        let budget: Vec<_> = [1, 4096, 3 << 20]
            .iter()
            .map(|&n| produced_until_limit(n, 1 << 30, 500_000))
            .collect();
        assert!(budget.iter().all(|r| *r == budget[0]), "{budget:?}");
        assert_eq!((budget[0].0, budget[0].1), (500_001, 0));
        assert!(budget[0].2.contains("max-total-bytes"), "{}", budget[0].2);
    }

    #[test]
    fn a_spent_time_budget_stops_reading() {
        let limits = Limits {
            file_timeout: Some(Duration::ZERO),
            ..Limits::default()
        };
        let budget = Cell::new(0);
        let ctx = Ctx::top(&limits, &budget);
        let mut r = ctx.capped(&b"text"[..], None);
        let e = r.read(&mut [0; 16]).unwrap_err();
        let p = Problem::from(e);
        assert!(matches!(p, Problem::Timeout(_)), "{p:?}");
        assert!(p.describe().starts_with("time budget exceeded"));
    }
}
