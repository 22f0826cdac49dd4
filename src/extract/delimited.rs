//! CSV and TSV: streamed as text, with the header row as context.
//!
//! Rows are not split into cells: detection runs over whole chunks as for plain text (this
//! path is benchmarked against ripgrep) and only a candidate's own column is looked up, via
//! [`Columns`]. The header row's names are keyword context for the values below them and
//! become the finding's `field`. The row number is the line of the location.

use super::sniff::{self, Kind, TextEncoding};
use super::{Buffers, Limits, Problem, Sink, read_full, text};
use crate::detect::Columns;
use std::io::Read;

pub fn extract(
    mut reader: impl Read,
    delimiter: u8,
    limits: &Limits,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut head = [0u8; sniff::HEAD];
    let n = read_full(&mut reader, &mut head)?;
    let head = &head[..n];
    let encoding = match sniff::sniff(head) {
        Kind::Text(e) => e,
        Kind::Binary => {
            sink.binary(None);
            return Ok(());
        }
    };
    let columns = Columns {
        delimiter,
        headers: headers(&first_line(head, encoding), delimiter),
    };
    text::extract(
        head.chain(reader),
        encoding,
        Some(&columns),
        false,
        limits,
        bufs,
        sink,
    )?;
    Ok(())
}

/// The first line of the head as UTF-8 text.
fn first_line(head: &[u8], encoding: TextEncoding) -> String {
    let text = match encoding {
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE.decode(head).0,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE.decode(head).0,
        TextEncoding::Utf8OrLegacy => super::decode_text(head),
    };
    let text = text.trim_start_matches('\u{feff}');
    text.lines().next().unwrap_or_default().to_string()
}

/// Splits a header line into names, honouring double quotes.
fn headers(line: &str, delimiter: u8) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if !quoted && c as u32 == delimiter as u32 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.iter().map(|h| h.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert_eq!(
            headers(r#"Navn;"Fødsels;nummer";"Si ""hei"""#, b';'),
            ["Navn", "Fødsels;nummer", "Si \"hei\""]
        );
        assert_eq!(headers("a\tb", b'\t'), ["a", "b"]);
    }
}
