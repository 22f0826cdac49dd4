//! Office Open XML: DOCX, XLSX, PPTX and their macro variants.
//!
//! Every XML part of the package is read, not just the main document: headers, footers,
//! footnotes, endnotes, comments, text boxes, slides, speaker notes, charts and the document
//! properties (`docProps/core.xml` holds the author and who saved it last, `app.xml` the
//! company) all leak. Tracked deletions (`w:delText`) are scanned too: the text is still in
//! the file. Workbooks get cell-aware handling in [`super::xlsx`]; embedded files (an Excel
//! sheet in a Word document) are extracted as members of their own.

use super::{Buffers, Ctx, Problem, Sink, archive, extract_member, flow, part_failed};
use std::io::{Read, Seek};

pub fn extract<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let workbook = za.index_for_name("xl/workbook.xml").is_some();
    if workbook {
        super::xlsx::extract(za, ctx, sink)?;
    }
    let names = archive::entry_names(za);
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() || name.ends_with('/') {
            continue;
        }
        if workbook && super::xlsx::handles(name) {
            continue;
        }
        ctx.check_time()?;
        if is_xml_part(name) {
            if let Err(p) = part(za, i, name, ctx, sink) {
                part_failed(p, |reason| sink.not_examined(Some(name), reason))?;
            }
        } else if is_embedded(name) {
            let entry = match za.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    sink.not_examined(Some(name), &archive::zip_problem(&e).describe());
                    continue;
                }
            };
            let compressed = entry.compressed_size();
            extract_member(entry, name, Some(compressed), ctx, bufs, sink)?;
        }
    }
    Ok(())
}

fn part<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    index: usize,
    name: &str,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let data = archive::read_part(za, index, ctx)?;
    let xml = super::decode_text(&data);
    flow::extract(&xml, name, &flow::OOXML, ctx, sink)
}

/// XML parts worth reading. Relationship parts only hold targets and ids; themes, styles,
/// fonts and settings hold no document text.
pub fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if !(lower.ends_with(".xml") || lower.ends_with(".vml")) || lower.ends_with(".rels") {
        return false;
    }
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    !(lower.contains("/theme/")
        || base == "[content_types].xml"
        || base == "styles.xml"
        || base == "fonttable.xml"
        || base == "settings.xml"
        || base == "websettings.xml"
        || base == "numbering.xml"
        || base.starts_with("tablestyles")
        || base.starts_with("presprops")
        || base.starts_with("viewprops")
        || lower.contains("/slidelayouts/")
        || lower.contains("/slidemasters/")
        || lower.contains("/printersettings/"))
}

/// Embedded files: OLE objects, packages and attachments inside the document.
pub fn is_embedded(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("/embeddings/")
        || lower.starts_with("customxml/") && !lower.ends_with(".xml") && !lower.ends_with(".rels")
}
