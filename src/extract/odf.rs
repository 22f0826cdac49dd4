//! OpenDocument: ODT, ODS, ODP (and their templates).
//!
//! `content.xml` holds the body, tables, notes, annotations and tracked changes (deleted text
//! is kept in `text:tracked-changes` and scanned); `styles.xml` holds headers and footers
//! (master pages); `meta.xml` the author (`meta:initial-creator`, `dc:creator`). Spreadsheet
//! cells get sheet names and cell references; a 10-digit float cell that is a valid identity
//! number with its leading zero back is reported with a note, as for Excel. Embedded objects
//! (`Object 1/content.xml`) are walked like the main document. A password-protected file is
//! reported as not examined: its parts are encrypted.

use super::{Buffers, Ctx, Problem, Sink, archive, flow, part_failed};
use std::io::{Read, Seek};

pub fn extract<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    ctx: &Ctx<'_>,
    _bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    if let Some(i) = za.index_for_name("META-INF/manifest.xml") {
        let manifest = archive::read_part(za, i, ctx)?;
        if memchr::memmem::find(&manifest, b"encryption-data").is_some() {
            return Err(Problem::reason(
                "password-protected OpenDocument file (its content is encrypted)",
            ));
        }
    }
    let spreadsheet = match za.index_for_name("mimetype") {
        Some(i) => archive::read_part(za, i, ctx)?.ends_with(b"spreadsheet"),
        None => false,
    };
    let names = archive::entry_names(za);
    for (i, name) in names.iter().enumerate() {
        let base = name.rsplit('/').next().unwrap_or(name);
        if !matches!(base, "content.xml" | "styles.xml" | "meta.xml") {
            continue;
        }
        let dialect = flow::Dialect {
            spreadsheet: spreadsheet && name == "content.xml",
            ..flow::ODF
        };
        ctx.check_time()?;
        let outcome = archive::read_part(za, i, ctx).and_then(|data| {
            let xml = super::decode_text(&data);
            flow::extract(&xml, name, &dialect, ctx, sink)
        });
        if let Err(p) = outcome {
            part_failed(p, |reason| sink.not_examined(Some(name), reason))?;
        }
    }
    Ok(())
}
