//! Office packages assembled from fuzzed parts (stored, uncompressed), so mutations reach the
//! XML handling of workbooks, documents and OpenDocument files instead of breaking the zip.
//!
//! Input: parts separated by `\0PART`; each part's first byte picks its name from `NAMES`
//! (seeds.sh writes the fixtures' parts in this form).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

const NAMES: &[&str] = &[
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/sharedStrings.xml",
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/_rels/sheet1.xml.rels",
    "xl/comments1.xml",
    "word/document.xml",
    "word/footer1.xml",
    "docProps/core.xml",
    "ppt/slides/slide1.xml",
    "word/embeddings/inner.xlsx",
    "mimetype",
    "content.xml",
    "styles.xml",
    "meta.xml",
    "META-INF/manifest.xml",
    "xl/worksheets/sheet2.xml",
    "word/comments.xml",
    "ppt/notesSlides/notesSlide1.xml",
];

const SEPARATOR: &[u8] = b"\0PART";

fuzz_target!(|data: &[u8]| {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    let mut rest = data;
    for _ in 0..24 {
        let (part, next) = match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(i) => (&rest[..i], Some(&rest[i + SEPARATOR.len()..])),
            None => (rest, None),
        };
        if let Some((&sel, body)) = part.split_first() {
            let name = NAMES[sel as usize % NAMES.len()];
            if zw.start_file(name, opts).is_ok() {
                let _ = zw.write_all(body);
            }
        }
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    let Ok(cursor) = zw.finish() else { return };
    sladd_fuzz::scan_as("input.docx", &cursor.into_inner());
});
