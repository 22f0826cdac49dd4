//! Office packages assembled from fuzzed parts (stored, uncompressed), so mutations reach the
//! XML handling of workbooks, documents and OpenDocument files instead of breaking the zip.
#![no_main]

use arbitrary::Arbitrary;
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
];

#[derive(Debug, Arbitrary)]
struct Part {
    name: u8,
    data: Vec<u8>,
}

fuzz_target!(|parts: Vec<Part>| {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    for p in parts.iter().take(24) {
        let name = NAMES[p.name as usize % NAMES.len()];
        if zw.start_file(name, opts).is_err() {
            continue;
        }
        let _ = zw.write_all(&p.data);
    }
    let Ok(cursor) = zw.finish() else { return };
    sladd_fuzz::scan_as("input.docx", &cursor.into_inner());
});
