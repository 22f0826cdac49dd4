//! PDF: the text of every page, with the page number in the location, and the document
//! information dictionary (Author, Creator, Title, ...) as metadata.
//!
//! Uses pdf-extract (the best text quality among the simple crates) and its re-exported lopdf.
//! It panics on some damaged files by design, so this module only ever runs inside the worker
//! ([`super::worker`]). Encrypted PDFs are tried with the empty user password (permissions-only
//! encryption); otherwise they are not examined. A PDF whose pages hold no text is scanned
//! paper or images: reported as not examined, never as a silent zero.

use super::{Problem, Sink};
use crate::detect::Segment;
use crate::model::Location;
use pdf_extract::{Document, Object, PlainTextOutput, output_doc_page};

pub fn extract(data: &[u8], sink: &mut dyn Sink) -> Result<(), Problem> {
    let mut doc = Document::load_mem(data).map_err(|e| load_problem(&e))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Problem::reason(
            "encrypted PDF (password protected): its text cannot be read",
        ));
    }
    metadata(&doc, sink);
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Problem::reason("damaged PDF: no pages found"));
    }
    let mut with_text = 0usize;
    let mut failed = Vec::new();
    for &num in pages.keys() {
        let mut text = String::new();
        let result = {
            let mut out = PlainTextOutput::new(&mut text);
            output_doc_page(&doc, &mut out, num)
        };
        if result.is_err() {
            failed.push(num.to_string());
        }
        if text.trim().is_empty() {
            continue;
        }
        with_text += 1;
        let place = Location {
            line: 1,
            column: 1,
            page: Some(num),
            ..Location::default()
        };
        sink.record(None, &[Segment::new(text.as_bytes())], &[place]);
    }
    if !failed.is_empty() {
        let list = if failed.len() > 10 {
            format!("{} pages", failed.len())
        } else {
            format!("page {}", failed.join(", "))
        };
        sink.not_examined(None, &format!("damaged PDF: {list} could not be read"));
    }
    if with_text == 0 && failed.len() < pages.len() {
        return Err(Problem::reason(
            "PDF has no text layer (scanned or image-only; OCR is not supported)",
        ));
    }
    Ok(())
}

fn load_problem(e: &pdf_extract::Error) -> Problem {
    use pdf_extract::Error as E;
    match e {
        E::Decryption(_) => {
            Problem::reason("encrypted PDF (password protected): its text cannot be read")
        }
        _ => Problem::reason("damaged PDF: the file could not be parsed (truncated or corrupted?)"),
    }
}

/// The information dictionary's text fields, reported with `part = "Info"` and the key as
/// `field`.
fn metadata(doc: &Document, sink: &mut dyn Sink) {
    let Ok(info) = doc.trailer.get(b"Info").and_then(|o| match o {
        Object::Reference(id) => doc.get_dictionary(*id),
        Object::Dictionary(d) => Ok(d),
        _ => Err(pdf_extract::Error::ObjectNotFound((0, 0))),
    }) else {
        return;
    };
    for key in [
        "Author", "Creator", "Producer", "Title", "Subject", "Keywords",
    ] {
        let Ok(Object::String(bytes, _)) = info.get(key.as_bytes()) else {
            continue;
        };
        let text = pdf_string(bytes);
        if text.trim().is_empty() {
            continue;
        }
        let place = Location {
            line: 1,
            column: 1,
            part: Some("Info".to_string()),
            field: Some(key.to_string()),
            ..Location::default()
        };
        sink.record(
            None,
            &[Segment::new(text.as_bytes()).with_label(Some(key))],
            &[place],
        );
    }
}

/// A PDF text string: UTF-16BE with a BOM, else PDFDocEncoding (Latin-1 for our purposes).
fn pdf_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(rest)
            .0
            .into_owned();
    }
    if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| c as char).collect()
}
