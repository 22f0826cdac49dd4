//! Extraction: a file's bytes in, text segments with locations out.
//!
//! Each format family has one module. Extractors push *records* (segments that belong
//! together: a text chunk, a paragraph, a spreadsheet row) into a [`Sink`], so a 2 GiB text
//! file streams through in bounded memory and a nested archive never needs to be unpacked to
//! disk. Anything that cannot be read becomes a `not_examined` call with a reason that names
//! the limit, format or OS error — never the file's content.

pub mod sniff;
pub mod text;

use crate::detect::Segment;
use crate::model::Location;
use std::io::Read;
use std::path::Path;

/// Resource limits for one file. Breaking one makes the file (or archive member) "not
/// examined" with the limit named; the scan goes on.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Text is detected in chunks of this many bytes (the last line is never split unless
    /// it is longer than a chunk).
    pub chunk_size: usize,
    /// Bytes of the previous chunk repeated before the next one, as context. Must exceed the
    /// keyword window on both sides plus the longest candidate.
    pub overlap: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            chunk_size: 8 << 20,
            overlap: 4096,
        }
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
}

/// Per-thread reusable buffers.
#[derive(Debug, Default)]
pub struct Buffers {
    pub raw: Vec<u8>,
    pub text: Vec<u8>,
}

/// Extracts one file from disk.
pub fn extract_file(
    path: &Path,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    extract_reader(file, limits, bufs, sink)
}

/// Extracts from any reader (files, standard input).
pub fn extract_reader(
    mut reader: impl Read,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let mut head = [0u8; sniff::HEAD];
    let n = read_full(&mut reader, &mut head)?;
    let head = &head[..n];
    match sniff::sniff(head) {
        sniff::Kind::Text(encoding) => {
            let reader = head.chain(reader);
            text::extract(reader, encoding, limits, bufs, sink)
        }
        sniff::Kind::Binary => {
            sink.binary(None);
            Ok(())
        }
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
