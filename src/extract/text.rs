//! Plain text in any common encoding, streamed in bounded chunks.
//!
//! UTF-8 passes through untouched (detection works on bytes, so invalid sequences cost
//! nothing). UTF-16 (with a BOM, or sniffed) and Windows-1252 — chosen when the text is not
//! valid UTF-8 where it first leaves ASCII, so "fødselsnummer" written by old Windows tools
//! still matches — are transcoded to UTF-8 as they stream.
//!
//! `\uXXXX` escapes (JSON, JavaScript, Java, Python) are decoded on request: an export written
//! with `ensure_ascii` spells "uføretrygd" as `uf\u00f8retrygd`, which no term would match.
//! Columns after an escape then count decoded characters.
//!
//! Chunks end at a line break where possible. The next chunk starts with the tail of the
//! previous one (`Limits::overlap`) as context only: a candidate is reported by the chunk in
//! whose report range it *starts*, so nothing on a boundary is missed or reported twice.

use super::sniff::TextEncoding;
use super::{Buffers, Limits, Sink, read_full};
use crate::detect::context::WindowMode;
use crate::detect::{Columns, Segment};
use crate::model::Location;
use encoding_rs::{Decoder, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::io::Read;

/// Bytes read from the source per decode step when transcoding.
const READ_BLOCK: usize = 256 << 10;
/// Bytes of text checked to tell UTF-8 from Windows-1252, counted from the first block that
/// is not ASCII. Windows-1252 text fails at its first æ, ø or å (a lone byte above 0x7F);
/// UTF-8 that stays valid this long is taken to be UTF-8. Checking every byte instead was
/// 5% of the CPU time of a scan of the benchmark tree's Norwegian prose.
const UTF8_CHECK: usize = 64 << 10;
/// Block size of the search for the first byte that is not ASCII.
const ASCII_BLOCK: usize = 4 << 10;

/// Streams text into the sink in chunks. `columns` marks delimited text (CSV/TSV): its
/// records are lines and a value's column header is context. `unescape` decodes `\uXXXX`
/// escapes (the redactor, which edits source bytes at the reported offsets, does not).
pub fn extract(
    mut reader: impl Read,
    encoding: TextEncoding,
    columns: Option<&Columns>,
    unescape: bool,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> std::io::Result<()> {
    let Buffers { raw, text } = bufs;
    text.clear();
    let mut decoder: Option<Decoder> = match encoding {
        TextEncoding::Utf16Le => Some(UTF_16LE.new_decoder_with_bom_removal()),
        TextEncoding::Utf16Be => Some(UTF_16BE.new_decoder_with_bom_removal()),
        TextEncoding::Utf8OrLegacy => None,
    };
    if let Some(d) = &decoder {
        sink.text_encoding(d.encoding());
    }
    let mut first_fill = true;
    let mut eof = false;
    // Text before `carry` was reported by the previous chunk.
    let mut carry = 0usize;
    // With `unescape`: text before this is decoded; after it, an escape cut off by a read.
    let mut decoded = 0usize;
    let mut place = Location {
        line: 1,
        column: 1,
        ..Location::default()
    };
    let want = limits.chunk_size.max(limits.overlap * 2);

    loop {
        while !eof && text.len() < carry + want {
            match decoder.as_mut() {
                None => {
                    // read_to_end fills spare capacity without zeroing it first: zeroing a
                    // chunk-sized buffer for every small file costs more than reading it.
                    let start = text.len();
                    let limit = (carry + want - start) as u64;
                    let n = (&mut reader).take(limit).read_to_end(text)?;
                    eof = n == 0 || start + n < carry + want;
                    if first_fill {
                        first_fill = false;
                        if text.starts_with(b"\xEF\xBB\xBF") {
                            text.drain(..3);
                        }
                        if reads_as_utf8(text) {
                            sink.text_encoding(UTF_8);
                        } else {
                            // Not UTF-8: re-decode what we have as Windows-1252.
                            sink.text_encoding(WINDOWS_1252);
                            raw.clear();
                            raw.extend_from_slice(text);
                            text.clear();
                            let mut d = WINDOWS_1252.new_decoder_without_bom_handling();
                            decode_into(&mut d, raw, text, eof);
                            decoder = Some(d);
                        }
                    }
                }
                Some(d) => {
                    raw.resize(READ_BLOCK, 0);
                    let n = read_full(&mut reader, raw)?;
                    raw.truncate(n);
                    eof = n < READ_BLOCK;
                    decode_into(d, raw, text, eof);
                }
            }
        }

        if unescape {
            decoded = unescape_unicode(text, decoded, eof);
        } else {
            decoded = text.len();
        }
        // At the end everything is decoded (an escape waits for more only before it).
        let cut = if eof {
            text.len()
        } else {
            safe_cut(&text[..decoded], carry + limits.chunk_size / 2)
        };
        let mut seg = Segment {
            report: (carry, cut),
            columns,
            ..Segment::new(&text[..cut])
        };
        if columns.is_some() {
            seg.window = WindowMode::Line;
        }
        if cut > carry {
            sink.record(None, &[seg], std::slice::from_ref(&place));
        }
        if eof {
            return Ok(());
        }

        // Keep the tail as context for the next chunk, starting at a line if possible.
        let lo = cut.saturating_sub(limits.overlap);
        let keep_from = match memchr::memchr(b'\n', &text[lo..cut]) {
            Some(p) => lo + p + 1,
            None => char_boundary(text, lo),
        };
        advance(&mut place, &text[..keep_from]);
        text.drain(..keep_from);
        carry = cut - keep_from;
        decoded -= keep_from;
    }
}

/// Decodes the `\uXXXX` escapes in `text[from..]` in place (UTF-8 is never longer than the
/// escape) and returns where the decoded text ends: before an escape cut off at the end by a
/// read, unless `eof`. `\\` is copied as a pair, so `\\u00f8` stays as written; so do lone
/// surrogates and escapes of control characters (a decoded `\u000a` would move line numbers).
fn unescape_unicode(text: &mut Vec<u8>, from: usize, eof: bool) -> usize {
    let end = text.len();
    let (mut r, mut w) = (from, from);
    let mut pending = None;
    while let Some(p) = memchr::memchr(b'\\', &text[r..end]).map(|p| r + p) {
        if w != r {
            text.copy_within(r..p, w);
        }
        w += p - r;
        r = p;
        let avail = end - p;
        let (decoded, len) = match text.get(p + 1) {
            None if !eof => {
                pending = Some(w);
                break;
            }
            None => (None, 1),
            Some(b'u') => {
                if avail < 6 && !eof {
                    pending = Some(w);
                    break;
                }
                match unit(&text[p..end]) {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        if avail < 12 && !eof {
                            pending = Some(w);
                            break;
                        }
                        match unit(&text[p + 6..end]) {
                            Some(lo @ 0xDC00..=0xDFFF) => (
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                                12,
                            ),
                            _ => (None, 6),
                        }
                    }
                    Some(u) if u >= 0x20 => (char::from_u32(u), 6),
                    Some(_) => (None, 6),
                    None => (None, 2),
                }
            }
            Some(_) => (None, 2),
        };
        match decoded {
            Some(c) => {
                let mut buf = [0u8; 4];
                let utf8 = c.encode_utf8(&mut buf).as_bytes();
                text[w..w + utf8.len()].copy_from_slice(utf8);
                w += utf8.len();
            }
            None => {
                text.copy_within(r..r + len, w);
                w += len;
            }
        }
        r += len;
    }
    if w != r {
        text.copy_within(r..end, w);
        text.truncate(w + (end - r));
    }
    pending.unwrap_or(text.len())
}

/// The code unit of a `\uXXXX` escape at the start of `s`.
fn unit(s: &[u8]) -> Option<u32> {
    match s.get(..6)? {
        [b'\\', b'u', hex @ ..] if hex.iter().all(u8::is_ascii_hexdigit) => {
            u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
        }
        _ => None,
    }
}

/// Decodes `src` (all of it) and appends UTF-8 to `dst`.
fn decode_into(d: &mut Decoder, src: &[u8], dst: &mut Vec<u8>, last: bool) {
    let need = d
        .max_utf8_buffer_length(src.len())
        .unwrap_or(src.len() * 3 + 16);
    let start = dst.len();
    dst.resize(start + need, 0);
    let (_, read, written, _) = d.decode_to_utf8(src, &mut dst[start..], last);
    debug_assert_eq!(read, src.len());
    dst.truncate(start + written);
}

/// True if `b` reads as UTF-8: the [`UTF8_CHECK`] bytes from its first block that is not
/// ASCII are valid, except possibly for a sequence cut off at their end.
fn reads_as_utf8(b: &[u8]) -> bool {
    let start = b
        .chunks(ASCII_BLOCK)
        .position(|block| !block.is_ascii())
        .map_or(b.len(), |i| i * ASCII_BLOCK);
    let b = &b[start..b.len().min(start + UTF8_CHECK)];
    // SIMD validation: std's from_utf8 cost 5% of a scan of Norwegian text, where æøå
    // keep breaking its ASCII fast path. The `basic` check, which only says yes or no, is
    // the faster; `compat` finds where the text goes wrong, needed only when it does.
    simdutf8::basic::from_utf8(b).is_ok()
        || simdutf8::compat::from_utf8(b).is_err_and(|e| e.error_len().is_none())
}

/// Where to end a chunk: after the last line break at or after `min`, else after the last
/// space, else at a character boundary at the end.
fn safe_cut(text: &[u8], min: usize) -> usize {
    let min = min.min(text.len());
    if let Some(p) = memchr::memrchr(b'\n', &text[min..]) {
        return min + p + 1;
    }
    if let Some(p) = memchr::memrchr(b' ', &text[min..]) {
        return min + p + 1;
    }
    complete_chars_end(text)
}

/// The end of the last complete UTF-8 character (a read may stop inside one).
fn complete_chars_end(text: &[u8]) -> usize {
    let Some(mut start) = text.len().checked_sub(1) else {
        return 0;
    };
    while start > 0 && (text[start] & 0xC0) == 0x80 && text.len() - start < 4 {
        start -= 1;
    }
    let width = match text[start] {
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        b if b >= 0xC0 => 2,
        _ => 1,
    };
    if start + width > text.len() {
        start
    } else {
        text.len()
    }
}

/// The nearest UTF-8 character boundary at or before `i`.
fn char_boundary(text: &[u8], mut i: usize) -> usize {
    while i > 0 && i < text.len() && (text[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Moves `place` (line and column of the first byte) past `consumed`.
fn advance(place: &mut Location, consumed: &[u8]) {
    let lines = memchr::memchr_iter(b'\n', consumed).count() as u64;
    match memchr::memrchr(b'\n', consumed) {
        Some(p) => {
            place.line += lines;
            place.column = 1 + count_chars(&consumed[p + 1..]);
        }
        None => place.column += count_chars(consumed),
    }
}

/// Characters in UTF-8 bytes (continuation bytes do not start a character).
pub fn count_chars(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u64
}

/// Line and column (in characters) of byte offsets in one text, moving forward. The column is
/// carried along, not recounted from the line start: one long line with many offsets
/// (minified HTML, a CSV export without line breaks) would make that quadratic.
#[derive(Debug, Clone, Copy)]
pub struct LineColumn {
    pos: usize,
    line: u64,
    column: u64,
}

impl LineColumn {
    /// A cursor at the start of a text that begins at `line`, `column`.
    pub fn new(line: u64, column: u64) -> LineColumn {
        LineColumn {
            pos: 0,
            line,
            column,
        }
    }

    /// Byte offset of the last answer; an earlier offset needs a new cursor.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Line and column of `offset`, which is not before [`LineColumn::pos`].
    pub fn advance(&mut self, text: &[u8], offset: usize) -> (u64, u64) {
        let seg = &text[self.pos..offset];
        match memchr::memrchr(b'\n', seg) {
            Some(p) => {
                self.line += memchr::memchr_iter(b'\n', seg).count() as u64;
                self.column = 1 + count_chars(&seg[p + 1..]);
            }
            None => self.column += count_chars(seg),
        }
        self.pos = offset;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects chunks and their places.
    #[derive(Default)]
    struct Collect {
        chunks: Vec<(String, (usize, usize), u64, u64)>,
    }

    impl Sink for Collect {
        fn record(&mut self, _: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
            let s = &segs[0];
            self.chunks.push((
                String::from_utf8_lossy(s.text).into_owned(),
                s.report,
                places[0].line,
                places[0].column,
            ));
        }
        fn not_examined(&mut self, _: Option<&str>, _: &str) {}
        fn binary(&mut self, _: Option<&str>) {}
    }

    fn run(bytes: &[u8], enc: TextEncoding, limits: &Limits) -> Collect {
        let mut c = Collect::default();
        extract(
            bytes,
            enc,
            None,
            true,
            limits,
            &mut Buffers::default(),
            &mut c,
        )
        .unwrap();
        c
    }

    /// 256-byte chunks with 64 bytes of overlap: many boundaries in a few lines of text.
    fn run_small_chunks(bytes: &[u8]) -> Collect {
        let limits = Limits {
            chunk_size: 256,
            overlap: 64,
            ..Limits::default()
        };
        let c = run(bytes, TextEncoding::Utf8OrLegacy, &limits);
        assert!(c.chunks.len() > 10);
        c
    }

    fn unescaped(s: &str, eof: bool) -> (String, usize) {
        let mut t = s.as_bytes().to_vec();
        let end = unescape_unicode(&mut t, 0, eof);
        (String::from_utf8(t).unwrap(), end)
    }

    #[test]
    fn unicode_escapes_are_decoded() {
        let all = |s: &str| unescaped(s, true).0;
        assert_eq!(all(r#"{"a": "uf\u00f8retrygd"}"#), r#"{"a": "uføretrygd"}"#);
        assert_eq!(all(r"\u00C6\u00d8\u00c5"), "ÆØÅ");
        // A surrogate pair is one character; a lone surrogate stays as written.
        assert_eq!(all(r"\ud83d\ude00!"), "\u{1F600}!");
        assert_eq!(all(r"\ud83d x \ude00"), r"\ud83d x \ude00");
        // An escaped backslash is not the start of an escape.
        assert_eq!(all(r"\\u00f8 \\\u00f8"), r"\\u00f8 \\ø");
        // Control characters, other escapes and broken ones stay.
        assert_eq!(
            all(r#"a\u000ab\n\t\"\uZZZZ\u12"#),
            r#"a\u000ab\n\t\"\uZZZZ\u12"#
        );
        assert_eq!(all("no escapes"), "no escapes");
    }

    #[test]
    fn an_escape_cut_off_by_a_read_waits_for_the_rest() {
        for cut in [r"ab\", r"ab\u", r"ab\u00f", r"ab\ud83d", r"ab\ud83d\ude0"] {
            let (text, end) = unescaped(cut, false);
            assert_eq!((text.as_str(), end), (cut, 2), "{cut}");
        }
        assert_eq!(unescaped(r"ab\u00f8", false), ("abø".to_string(), 4));
    }

    /// Escapes anywhere relative to read and chunk boundaries decode the same.
    #[test]
    fn escapes_across_chunk_boundaries() {
        let line = |i: usize, o: &str| format!("linje {i} {} sm{o}r\n", "x".repeat(i % 13));
        let text: String = (0..500).map(|i| line(i, r"\u00f8")).collect();
        let expected: String = (0..500).map(|i| line(i, "ø")).collect();
        let c = run_small_chunks(text.as_bytes());
        let rebuilt: String = c.chunks.iter().map(|(t, (a, b), ..)| &t[*a..*b]).collect();
        assert_eq!(rebuilt, expected);
    }

    #[test]
    fn utf8_whole() {
        let c = run(
            "fødselsnummer\n".as_bytes(),
            TextEncoding::Utf8OrLegacy,
            &Limits::default(),
        );
        assert_eq!(c.chunks.len(), 1);
        assert_eq!(c.chunks[0].0, "fødselsnummer\n");
    }

    #[test]
    fn windows_1252_is_transcoded() {
        let c = run(
            b"f\xf8dselsnummer \xe6\xe5",
            TextEncoding::Utf8OrLegacy,
            &Limits::default(),
        );
        assert_eq!(c.chunks[0].0, "fødselsnummer æå");
    }

    /// Where the text first leaves ASCII decides, however far into the file that is.
    #[test]
    fn windows_1252_after_a_long_ascii_start_is_transcoded() {
        let mut data = b"0123456789\n".repeat(3 * UTF8_CHECK / 11);
        data.extend_from_slice(b"f\xf8dselsnummer");
        let c = run(&data, TextEncoding::Utf8OrLegacy, &Limits::default());
        assert!(c.chunks[0].0.ends_with("\nfødselsnummer"));
    }

    /// UTF-8 is judged on the [`UTF8_CHECK`] bytes from the first block that is not ASCII: a
    /// character cut off at their end still counts as valid, and a stray byte after them
    /// passes through as it is (it would be Windows-1252 "ø", and "æ" would be "Ã¦", had the
    /// text been re-decoded).
    #[test]
    fn utf8_is_judged_where_the_text_leaves_ascii() {
        let (ascii, ae) = (ASCII_BLOCK + 1, UTF8_CHECK / 2 + 32);
        // The first "æ" starts the second block; the check ends inside an "æ".
        assert_eq!((UTF8_CHECK - 1) % 2, 1);
        let mut data = format!("{}{}", "a".repeat(ascii), "æ".repeat(ae)).into_bytes();
        data.extend_from_slice(b" \xf8 ");
        let c = run(&data, TextEncoding::Utf8OrLegacy, &Limits::default());
        let want = format!("{}{} \u{fffd} ", "a".repeat(ascii), "æ".repeat(ae));
        assert!(c.chunks[0].0 == want, "read as Windows-1252");
    }

    #[test]
    fn utf16_is_transcoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("fødselsnummer".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(
            run(&le, TextEncoding::Utf16Le, &Limits::default()).chunks[0].0,
            "fødselsnummer"
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend("ø".encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(
            run(&be, TextEncoding::Utf16Be, &Limits::default()).chunks[0].0,
            "ø"
        );
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let c = run(
            b"\xEF\xBB\xBFabc",
            TextEncoding::Utf8OrLegacy,
            &Limits::default(),
        );
        assert_eq!(c.chunks[0].0, "abc");
    }

    /// Report ranges tile the text exactly and places track lines.
    #[test]
    fn chunks_tile_the_text() {
        let text: String = (0..500).map(|i| format!("linje {i} æøå\n")).collect();
        let c = run_small_chunks(text.as_bytes());
        let mut rebuilt = String::new();
        for (t, (a, b), line, col) in &c.chunks {
            rebuilt.push_str(&t[*a..*b]);
            assert_eq!(*col, 1);
            let first_line: String = t.lines().next().unwrap().to_string();
            assert_eq!(first_line, format!("linje {} æøå", line - 1));
        }
        assert_eq!(rebuilt, text);
    }

    #[test]
    fn one_long_line_is_cut_on_char_boundaries() {
        let text = "ø".repeat(5000);
        let limits = Limits {
            chunk_size: 301,
            overlap: 50,
            ..Limits::default()
        };
        let c = run(text.as_bytes(), TextEncoding::Utf8OrLegacy, &limits);
        let rebuilt: String = c
            .chunks
            .iter()
            .map(|(t, (a, b), ..)| t[*a..*b].to_string())
            .collect();
        assert_eq!(rebuilt, text);
    }
}
