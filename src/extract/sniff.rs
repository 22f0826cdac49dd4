//! Content sniffing: what is this file, judged from its first bytes?
//!
//! Magic bytes decide first (zip, PDF, OLE, gzip, tar, RTF), then the shape of text (e-mail
//! headers, mbox, HTML, XML), and the file name's extension last (CSV/TSV, and naming a
//! document whose content does not match, so a damaged `.docx` is reported rather than
//! silently skipped as binary). Only the 8 KiB head is looked at.
//!
//! Like ripgrep, a NUL byte in the head means binary — unless the NULs fall on every other
//! byte, which is UTF-16 text written without a byte-order mark by some Windows tools.

/// Bytes read before deciding.
pub const HEAD: usize = 8192;

/// How text bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, or ASCII. If the head is not valid UTF-8 the file is treated as Windows-1252.
    Utf8OrLegacy,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text(TextEncoding),
    Binary,
}

/// A file's format, as far as the dispatcher needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text(TextEncoding),
    /// CSV/TSV with this delimiter.
    Delimited(u8),
    /// Any zip: OOXML, ODF or a plain archive (decided from its entries).
    Zip,
    Gzip,
    Tar,
    Pdf,
    /// OLE compound file: legacy .doc/.xls, Outlook .msg.
    Ole,
    Eml,
    Mbox,
    Rtf,
    Html,
    Xml,
    Binary,
    /// Named like a document format (the text says which) but the content is not.
    NotA(&'static str),
}

/// Decides the format of a file from its head and (second) its name.
pub fn sniff_format(head: &[u8], name: Option<&str>) -> Format {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Format::Zip;
    }
    if memchr::memmem::find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Format::Ole;
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return Format::Gzip;
    }
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        return Format::Tar;
    }
    if head.starts_with(b"{\\rtf") {
        return Format::Rtf;
    }
    let document = document_ext(&ext);
    match sniff(head) {
        Kind::Binary => match document {
            Some(what) => Format::NotA(what),
            None => Format::Binary,
        },
        Kind::Text(enc) => {
            if enc == TextEncoding::Utf8OrLegacy
                && let Some(f) = text_shape(head)
            {
                return f;
            }
            match ext.as_str() {
                "csv" => Format::Delimited(guess_delimiter(head)),
                "tsv" | "tab" => Format::Delimited(b'\t'),
                "eml" => Format::Eml,
                "mbox" | "mbx" => Format::Mbox,
                "html" | "htm" | "xhtml" => Format::Html,
                "xml" | "svg" | "xsl" | "xslt" | "rss" | "atom" | "xlf" => Format::Xml,
                _ => match document {
                    Some(what) if !head.is_empty() => Format::NotA(what),
                    _ => Format::Text(enc),
                },
            }
        }
    }
}

/// Extensions of formats that are never plain text.
fn document_ext(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "docx" | "docm" | "dotx" => "a Word document (DOCX)",
        "xlsx" | "xlsm" | "xltx" => "an Excel workbook (XLSX)",
        "pptx" | "pptm" | "potx" => "a PowerPoint presentation (PPTX)",
        "odt" | "ods" | "odp" => "an OpenDocument file",
        "pdf" => "a PDF",
        "zip" => "a zip archive",
        "gz" | "tgz" => "a gzip file",
        "tar" => "a tar archive",
        "doc" | "xls" | "ppt" | "msg" => "an OLE compound file (legacy Office or Outlook)",
        _ => return None,
    })
}

/// E-mail, mbox, HTML or XML, recognised from the start of the text.
fn text_shape(head: &[u8]) -> Option<Format> {
    let t = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = t
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(t.len());
    let t = &t[start..];
    let starts = |p: &[u8]| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"<!doctype html") || starts(b"<html") {
        return Some(Format::Html);
    }
    if starts(b"<?xml") || starts(b"<!doctype") {
        let lower = t[..t.len().min(1024)].to_ascii_lowercase();
        let html = memchr::memmem::find(&lower, b"<html").is_some();
        return Some(if html { Format::Html } else { Format::Xml });
    }
    if t.starts_with(b"From ") {
        let second = t.split(|&b| b == b'\n').nth(1).unwrap_or_default();
        if header_name(second).is_some() {
            return Some(Format::Mbox);
        }
    }
    if start == 0 && looks_like_headers(t) {
        return Some(Format::Eml);
    }
    None
}

/// `Name:` at the start of a header line.
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    let ok = !name.is_empty()
        && name.len() < 64
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-');
    ok.then_some(name)
}

/// An RFC 822 header block: the first line is a header and at least two well-known headers
/// appear before the first blank line.
fn looks_like_headers(t: &[u8]) -> bool {
    const KNOWN: [&[u8]; 12] = [
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"received",
        b"return-path",
        b"content-type",
        b"cc",
        b"reply-to",
        b"delivered-to",
    ];
    let mut lines = t.split(|&b| b == b'\n');
    let Some(first) = lines.next() else {
        return false;
    };
    if header_name(first).is_none() {
        return false;
    }
    let mut known = 0;
    for line in std::iter::once(first).chain(lines) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            continue;
        }
        match header_name(line) {
            Some(n) if KNOWN.iter().any(|k| n.eq_ignore_ascii_case(k)) => known += 1,
            Some(_) => {}
            None => return false,
        }
    }
    known >= 2
}

/// The delimiter of a CSV file: the most frequent of `;`, `,`, tab and `|` on its first line
/// (Norwegian Excel writes `;`).
pub fn guess_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    [b';', b',', b'\t', b'|']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

pub fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Kind::Text(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Kind::Text(TextEncoding::Utf16Be);
    }
    if memchr::memchr(0, head).is_none() {
        return Kind::Text(TextEncoding::Utf8OrLegacy);
    }
    // BOM-less UTF-16: mostly-ASCII text has NUL in every other byte and nowhere else.
    let pairs = head.len() / 2;
    if pairs >= 8 {
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        if odd * 10 >= pairs * 3 && even * 100 <= pairs {
            return Kind::Text(TextEncoding::Utf16Le);
        }
        if even * 10 >= pairs * 3 && odd * 100 <= pairs {
            return Kind::Text(TextEncoding::Utf16Be);
        }
    }
    Kind::Binary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn kinds() {
        assert_eq!(sniff(b"hello"), Kind::Text(TextEncoding::Utf8OrLegacy));
        assert_eq!(sniff(b""), Kind::Text(TextEncoding::Utf8OrLegacy));
        assert_eq!(sniff(b"\xff\xfeh\0"), Kind::Text(TextEncoding::Utf16Le));
        assert_eq!(sniff(b"\xfe\xff\0h"), Kind::Text(TextEncoding::Utf16Be));
        assert_eq!(
            sniff(&utf16le("fødselsnummer 123 og mer tekst")),
            Kind::Text(TextEncoding::Utf16Le)
        );
        assert_eq!(
            sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"),
            Kind::Binary
        );
    }

    #[test]
    fn formats() {
        use Format::*;
        let f = sniff_format;
        assert_eq!(f(b"PK\x03\x04rest", Some("a.bin")), Zip);
        assert_eq!(f(b"%PDF-1.7\n", None), Pdf);
        assert_eq!(f(b"{\\rtf1\\ansi", None), Rtf);
        assert_eq!(f(b"\x1f\x8b\x08\0", None), Gzip);
        assert_eq!(
            f(
                b"From: a@b.no\r\nTo: c@d.no\r\nSubject: x\r\n\r\nbody",
                None
            ),
            Eml
        );
        assert_eq!(f(b"From a@b Mon Jan 1\nFrom: a@b\n", None), Mbox);
        assert_eq!(
            f(b"Subject: only one header\n\ntext", None),
            Text(TextEncoding::Utf8OrLegacy)
        );
        assert_eq!(f(b"  <!DOCTYPE html><p>x", None), Html);
        assert_eq!(f(b"<?xml version='1.0'?><a/>", None), Xml);
        assert_eq!(f(b"navn;fnr\nx;y", Some("l.csv")), Delimited(b';'));
        assert_eq!(f(b"navn,fnr\nx,y", Some("l.CSV")), Delimited(b','));
        assert_eq!(f(b"a\tb", Some("l.tsv")), Delimited(b'\t'));
        assert!(matches!(f(b"\0\x01\x02garbage", Some("x.docx")), NotA(_)));
        assert_eq!(f(b"\0\x01\x02garbage", Some("x.bin")), Binary);
        assert_eq!(
            f(b"# Overskrift\n", Some("x.md")),
            Text(TextEncoding::Utf8OrLegacy)
        );
    }
}
