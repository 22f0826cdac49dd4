//! Plain text files (text, Markdown, JSON, logs, CSV/TSV) redacted as they stream.
//!
//! The extractor's own chunking ([`crate::extract::text`]) decodes the file and hands over
//! chunks whose report ranges tile the text exactly; each chunk is detected as a scan would
//! (CSV keeps its column headers as context) and its report range is written out with the
//! replacements, re-encoded in the encoding the extractor chose: UTF-8 (with the byte-order
//! mark if the file had one; bytes that are not valid UTF-8 pass through untouched), UTF-16
//! LE/BE, or Windows-1252. Memory stays bounded by the chunk size.
//!
//! Masks keep the length in characters (so in single-byte encodings the byte length too);
//! labels and pseudonyms may be longer or shorter than the value. HTML and XML files are
//! redacted in memory through the markup walker instead ([`super::xml::redact_markup`]).

use super::{Redacted, Redactor, Refusal, Target};
use crate::detect::Segment;
use crate::extract::sniff::Format;
use crate::extract::{Buffers, Limits, Sink, delimited, text};
use crate::model::Location;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::io::{Read, Write};

/// Writes UTF-8 text out in the source's encoding.
enum Writer {
    Utf8,
    Windows1252,
    Utf16 { big_endian: bool },
}

impl Writer {
    fn new(enc: &'static Encoding) -> Writer {
        if enc == UTF_16LE {
            Writer::Utf16 { big_endian: false }
        } else if enc == UTF_16BE {
            Writer::Utf16 { big_endian: true }
        } else if enc == WINDOWS_1252 {
            Writer::Windows1252
        } else {
            Writer::Utf8
        }
    }

    fn target(&self) -> Target {
        match self {
            Writer::Windows1252 => Target::Windows1252,
            _ => Target::Unicode,
        }
    }

    fn write(&self, out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Writer::Utf8 => out.write_all(bytes),
            Writer::Windows1252 => {
                let s = String::from_utf8_lossy(bytes);
                out.write_all(&WINDOWS_1252.encode(&s).0)
            }
            Writer::Utf16 { big_endian } => {
                let s = String::from_utf8_lossy(bytes);
                let mut buf = Vec::with_capacity(s.len() * 2);
                for u in s.encode_utf16() {
                    buf.extend_from_slice(&if *big_endian {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    });
                }
                out.write_all(&buf)
            }
        }
    }
}

struct TextSink<'a> {
    red: &'a mut Redactor,
    out: &'a mut dyn Write,
    head: &'a [u8],
    writer: Option<Writer>,
    inner: Option<&'a str>,
    done: Redacted,
    error: Option<Refusal>,
}

impl Sink for TextSink<'_> {
    fn text_encoding(&mut self, enc: &'static Encoding) {
        let writer = Writer::new(enc);
        let bom: &[u8] = match &writer {
            Writer::Utf8 if self.head.starts_with(b"\xEF\xBB\xBF") => b"\xEF\xBB\xBF",
            Writer::Utf16 { big_endian: false } if self.head.starts_with(b"\xFF\xFE") => {
                b"\xFF\xFE"
            }
            Writer::Utf16 { big_endian: true } if self.head.starts_with(b"\xFE\xFF") => b"\xFE\xFF",
            _ => b"",
        };
        if let Err(e) = self.out.write_all(bom) {
            self.error.get_or_insert(e.into());
        }
        self.writer = Some(writer);
    }

    fn record(&mut self, _: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
        if self.error.is_some() {
            return;
        }
        let Some(writer) = &self.writer else {
            self.error = Some(Refusal("internal error: text encoding unknown".into()));
            return;
        };
        let seg = &segs[0];
        let planned = self.red.plan(segs, places, self.inner, writer.target());
        let (from, to) = seg.report;
        let mut pos = from;
        let mut result = Ok(());
        for p in &planned {
            if p.start < pos || p.end > to {
                continue;
            }
            result = result
                .and_then(|()| writer.write(self.out, &seg.text[pos..p.start]))
                .and_then(|()| writer.write(self.out, p.with.as_bytes()));
            pos = p.end;
        }
        result = result.and_then(|()| writer.write(self.out, &seg.text[pos..to]));
        if let Err(e) = result {
            self.error = Some(e.into());
        }
        self.done
            .replacements
            .extend(planned.into_iter().map(|p| p.audit));
    }

    fn not_examined(&mut self, _: Option<&str>, reason: &str) {
        self.error.get_or_insert(Refusal(reason.to_string()));
    }

    fn binary(&mut self, _: Option<&str>) {
        self.error
            .get_or_insert(Refusal("binary content: cannot be redacted".into()));
    }
}

/// Redacts a text file: `head` (already read) then `rest`, written to `out`.
pub fn redact(
    red: &mut Redactor,
    head: &[u8],
    rest: impl Read,
    format: Format,
    out: &mut dyn Write,
    inner: Option<&str>,
    bufs: &mut Buffers,
) -> Result<Redacted, Refusal> {
    let limits: Limits = red.limits.clone();
    let mut sink = TextSink {
        red,
        out,
        head,
        writer: None,
        inner,
        done: Redacted::default(),
        error: None,
    };
    let reader = head.chain(rest);
    match format {
        Format::Delimited(d) => delimited::extract(reader, d, &limits, bufs, &mut sink)?,
        Format::Text(enc) => text::extract(reader, enc, None, false, &limits, bufs, &mut sink)?,
        _ => return Err(Refusal("not a plain text format".into())),
    }
    if let Some(e) = sink.error {
        return Err(e);
    }
    Ok(sink.done)
}
