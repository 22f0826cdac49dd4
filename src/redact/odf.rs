//! OpenDocument: ODT, ODS, ODP.
//!
//! `content.xml`, `styles.xml` (headers, footers) and `meta.xml` are walked with source maps
//! as the extractor walks them, and findings are replaced in the character data. Besides:
//!
//! - an annotation (comment) holding a finding is removed with its `office:annotation-end`;
//!   a tracked deletion (`text:changed-region`) holding one is removed with its
//!   `text:change` marks (the deletion is accepted);
//! - a `meta.xml` field holding a finding is emptied, and unless `--keep-authors` the author
//!   names (`meta:initial-creator`, `dc:creator`, `meta:printed-by`, and `dc:creator` of
//!   annotations and tracked changes) are emptied;
//! - a spreadsheet cell holding a number, date or formula result with a finding becomes a
//!   text cell with the replacement;
//! - the thumbnail (`Thumbnails/thumbnail.png`, a picture of the first page) is dropped with
//!   its manifest entry.
//!
//! Every other entry is copied byte for byte, `mimetype` first and stored as before.
//! Pictures of embedded objects (`ObjectReplacements/`) are copied as they are.

use super::xml::{self, PartKind, Structural, XmlText};
use super::zip::{Changes, names, rebuild, residue};
use super::{Redacted, Redactor, Refusal};
use crate::extract::archive::read_part;
use crate::extract::{Ctx, flow};
use std::collections::HashSet;
use std::io::{Read, Seek, Write};

const THUMBNAIL: &str = "Thumbnails/thumbnail.png";

pub fn redact<R: Read + Seek, W: Write + Seek>(
    red: &mut Redactor,
    za: &mut zip::ZipArchive<R>,
    out: W,
    ctx: &Ctx<'_>,
    inner: Option<&str>,
) -> Result<(W, Redacted), Refusal> {
    if let Some(i) = za.index_for_name("META-INF/manifest.xml") {
        let manifest = read_part(za, i, ctx)?;
        if memchr::memmem::find(&manifest, b"encryption-data").is_some() {
            return Err(Refusal(
                "password-protected OpenDocument file: cannot be redacted".into(),
            ));
        }
    }
    let spreadsheet = match za.index_for_name("mimetype") {
        Some(i) => read_part(za, i, ctx)?.ends_with(b"spreadsheet"),
        None => false,
    };
    let names = names(za);
    let mut done = Redacted::default();
    let mut changes = Changes::default();
    let keep_authors = red.options().keep_authors;

    let mut parts: Vec<(String, XmlText, Vec<super::edit::Edit>)> = Vec::new();
    let mut annotations = HashSet::new();
    let mut regions = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        let base = name.rsplit('/').next().unwrap_or(name);
        if !matches!(base, "content.xml" | "styles.xml" | "meta.xml") {
            continue;
        }
        let data = read_part(za, i, ctx)?;
        let text = XmlText::decode(&data, name)?;
        let dialect = flow::Dialect {
            spreadsheet: spreadsheet && name == "content.xml",
            ..flow::ODF
        };
        let kind = if base == "meta.xml" {
            PartKind::Metadata
        } else {
            PartKind::Text
        };
        let plan = xml::plan_flow(red, &text.text, name, &dialect, kind, inner, ctx)
            .map_err(|r| Refusal(format!("{name}: {r}")))?;
        for c in &plan.removed {
            match c.name.as_str() {
                "annotation" => annotations.extend(c.id.clone()),
                "changed-region" => regions.extend(c.id.clone()),
                _ => {}
            }
        }
        done.absorb(plan.done);
        parts.push((name.clone(), text, plan.edits));
    }

    let thumbs: HashSet<String> = names
        .iter()
        .filter(|n| n.as_str() == THUMBNAIL)
        .cloned()
        .collect();
    for t in &thumbs {
        changes.dropped.insert(t.clone());
        done.notes.push(format!("thumbnail {t} removed"));
    }
    let mut authors = 0;
    for (name, text, edits) in &mut parts {
        let base = name.rsplit('/').next().unwrap_or(name);
        let mut s = Structural::default();
        if !annotations.is_empty() {
            s.remove_by_attr
                .push(("annotation-end", "name", &annotations));
        }
        if !regions.is_empty() {
            for el in ["change", "change-start", "change-end"] {
                s.remove_by_attr.push((el, "change-id", &regions));
            }
        }
        if !keep_authors {
            s.clear_content = if base == "meta.xml" {
                &["initial-creator", "creator", "printed-by"]
            } else {
                &["creator"]
            };
        }
        let (more, cleared) = xml::structural(&text.text, &s, name, ctx)?;
        authors += cleared;
        edits.extend(more);
    }
    if authors > 0 {
        done.notes
            .push(format!("{authors} author name fields emptied"));
    }
    if !thumbs.is_empty()
        && let Some(i) = za.index_for_name("META-INF/manifest.xml")
    {
        let data = read_part(za, i, ctx)?;
        let text = XmlText::decode(&data, "META-INF/manifest.xml")?;
        let s = Structural {
            remove_by_attr: vec![("file-entry", "full-path", &thumbs)],
            ..Structural::default()
        };
        let (edits, _) = xml::structural(&text.text, &s, "META-INF/manifest.xml", ctx)?;
        parts.push(("META-INF/manifest.xml".into(), text, edits));
    }
    for (name, text, edits) in parts {
        if edits.is_empty() {
            continue;
        }
        let bytes = xml::apply(&text, edits, &name)?;
        changes.changed.insert(name, bytes);
    }
    residue(za, &changes, &done.values, ctx)?;
    let out = rebuild(za, out, &changes)?;
    Ok((out, done))
}
