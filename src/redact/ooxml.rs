//! DOCX, XLSX and PPTX (and their macro and template variants).
//!
//! Every XML part the extractor reads is walked again with source maps and its findings
//! replaced in the text nodes (`w:t`, `w:delText`, `a:t`, shared and inline strings, ...);
//! all other bytes of the part stay. Beyond that:
//!
//! - a tracked deletion (`w:del`, `w:moveFrom`) holding a finding is removed (the deletion is
//!   accepted), as is a comment (`w:comment`, PowerPoint `p:cm`, Excel `comment` and its note
//!   shape) together with its anchors (`w:commentRangeStart/End`, `w:commentReference`) and
//!   its entries in `commentsExtended`, `commentsIds` and `commentsExtensible`;
//! - a document property (`docProps/*.xml`) holding a finding is emptied;
//! - unless `--keep-authors`: author names are emptied as Word's "remove personal
//!   information" does: `dc:creator` and `cp:lastModifiedBy` (core), `Manager` (app),
//!   `w:author`/`w:initials` of tracked changes and comments, `w15:person` and presence ids,
//!   PowerPoint comment authors, Excel comment authors and threaded-comment persons;
//! - the thumbnail (`docProps/thumbnail.*`, a picture of the first page) is dropped with its
//!   relationship;
//! - a number or formula result holding a finding becomes a text cell with the replacement;
//!   if a formula was dropped, `xl/calcChain.xml` goes too (Excel rebuilds it);
//! - embedded files are redacted as files of their own; one that cannot be (an OLE object) is
//!   kept only if a scan of it finds nothing to redact.
//!
//! Finally no replaced value may be left in any XML part of the result.

use super::edit::{self, Edit};
use super::xml::{self, PartKind, Structural, XmlText};
use super::zip::{Changes, join, names, rebuild, residue};
use super::{Action, Redacted, Redactor, Refusal, Target};
use crate::detect::Segment;
use crate::extract::archive::read_part;
use crate::extract::srcmap::{CellSource, Mapped};
use crate::extract::xlsx::{self, Cells};
use crate::extract::{Buffers, Ctx, flow, ooxml as ex};
use crate::model::Location;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, Write};

/// A part held while its edits are collected.
struct Part {
    xml: XmlText,
    edits: Vec<Edit>,
}

struct Package<'z, R> {
    za: &'z mut zip::ZipArchive<R>,
    parts: BTreeMap<String, Part>,
}

impl<R: Read + Seek> Package<'_, R> {
    fn part(&mut self, name: &str, ctx: &Ctx<'_>) -> Result<Option<&mut Part>, Refusal> {
        if !self.parts.contains_key(name) {
            let Some(i) = self.za.index_for_name(name) else {
                return Ok(None);
            };
            let data = read_part(self.za, i, ctx)?;
            let xml = XmlText::decode(&data, name)?;
            self.parts.insert(
                name.to_string(),
                Part {
                    xml,
                    edits: Vec::new(),
                },
            );
        }
        Ok(self.parts.get_mut(name))
    }
}

pub fn redact<R: Read + Seek, W: Write + Seek>(
    red: &mut Redactor,
    za: &mut zip::ZipArchive<R>,
    out: W,
    ctx: &Ctx<'_>,
    inner: Option<&str>,
    bufs: &mut Buffers,
) -> Result<(W, Redacted), Refusal> {
    let names = names(za);
    let workbook = za.index_for_name("xl/workbook.xml").is_some();
    let mut pkg = Package {
        za,
        parts: BTreeMap::new(),
    };
    let mut done = Redacted::default();
    let mut changes = Changes::default();
    let mut book = Book::default();
    if workbook {
        book = plan_workbook(red, &mut pkg, ctx, inner)?;
        done.absorb(std::mem::take(&mut book.done));
    }

    // Text parts, as the extractor walks them.
    let mut comment_ids = HashSet::new();
    let mut para_ids = HashSet::new();
    for name in &names {
        if !ex::is_xml_part(name) || workbook && xlsx::handles(name) {
            continue;
        }
        let Some(part) = pkg.part(name, ctx)? else {
            continue;
        };
        let kind = if name.starts_with("docProps/") {
            PartKind::Metadata
        } else {
            PartKind::Text
        };
        let plan = xml::plan_flow(red, &part.xml.text, name, &flow::OOXML, kind, inner, ctx)
            .map_err(|r| Refusal(format!("{name}: {r}")))?;
        part.edits.extend(plan.edits);
        if part.edits.is_empty() {
            // Read again only if a later step changes it.
            pkg.parts.remove(name);
        }
        for c in plan.removed {
            if c.name == "comment" {
                comment_ids.extend(c.id);
                para_ids.extend(c.para_ids);
            }
        }
        done.absorb(plan.done);
    }

    // Embedded files.
    for (i, name) in names.iter().enumerate() {
        if !ex::is_embedded(name) {
            continue;
        }
        let data = read_part(pkg.za, i, ctx)?;
        let (result, d) = red
            .member(&data, name, &ctx.deeper(), &join(inner, name), bufs, true)
            .map_err(|r| Refusal(format!("embedded file {name}: {r}")))?;
        if let Some(bytes) = result {
            changes.changed.insert(name.clone(), bytes);
        }
        done.absorb(d);
    }

    // Thumbnails show the first page as it was.
    let thumbs: HashSet<String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().starts_with("docprops/thumbnail"))
        .flat_map(|n| [n.clone(), format!("/{n}")])
        .collect();
    for t in thumbs.iter().filter(|t| !t.starts_with('/')) {
        changes.dropped.insert(t.clone());
        done.notes.push(format!("thumbnail {t} removed"));
    }
    if book.formula_dropped && names.iter().any(|n| n == "xl/calcChain.xml") {
        changes.dropped.insert("xl/calcChain.xml".into());
    }

    // Structural edits: anchors of removed comments, author names, dropped parts' references.
    let durable = durable_ids(&mut pkg, &para_ids, ctx)?;
    let calc: HashSet<String> = ["/xl/calcChain.xml".to_string(), "calcChain.xml".to_string()]
        .into_iter()
        .filter(|_| changes.dropped.contains("xl/calcChain.xml"))
        .collect();
    let keep_authors = red.options().keep_authors;
    let mut authors = 0usize;
    for name in &names {
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml")) {
            continue;
        }
        let mut s = Structural::default();
        let refs_here = book.comment_refs.get(name);
        if name == "_rels/.rels" && !thumbs.is_empty() {
            s.remove_by_attr.push(("Relationship", "Target", &thumbs));
        }
        if !calc.is_empty() {
            if name == "[Content_Types].xml" {
                s.remove_by_attr.push(("Override", "PartName", &calc));
            }
            if name == "xl/_rels/workbook.xml.rels" {
                s.remove_by_attr.push(("Relationship", "Target", &calc));
            }
        }
        if name.starts_with("word/") {
            if !comment_ids.is_empty() {
                for el in ["commentRangeStart", "commentRangeEnd", "commentReference"] {
                    s.remove_by_attr.push((el, "id", &comment_ids));
                }
            }
            if !para_ids.is_empty() {
                s.remove_by_attr.push(("commentEx", "paraId", &para_ids));
                s.remove_by_attr.push(("commentId", "paraId", &para_ids));
            }
            if !durable.is_empty() {
                s.remove_by_attr
                    .push(("commentExtensible", "durableId", &durable));
            }
        }
        if let Some(refs) = refs_here {
            s.remove_by_attr.push(("comment", "ref", refs));
        }
        if !keep_authors {
            match name.as_str() {
                "docProps/core.xml" => s.clear_content = &["creator", "lastModifiedBy"],
                "docProps/app.xml" => s.clear_content = &["Manager"],
                // Parts with text (and comment extensions, people); not styles or settings.
                _ if name.starts_with("word/") && ex::is_xml_part(name) => {
                    s.clear_attrs = &["author", "initials", "userId"]
                }
                "ppt/commentAuthors.xml" => {
                    s.clear_attrs_of = &[("cmAuthor", &["name", "initials"])];
                }
                "ppt/authors.xml" => {
                    s.clear_attrs_of = &[("author", &["name", "initials", "userId"])];
                }
                _ if name.starts_with("xl/persons/") => {
                    s.clear_attrs_of = &[("person", &["displayName", "userId"])];
                }
                _ if book.comment_parts.contains(name) => s.clear_content = &["author"],
                _ => {}
            }
        }
        let vml_cells = book.note_shapes.get(name);
        let rels = lower.ends_with(".rels") && !done.values.is_empty();
        if s.is_empty() && vml_cells.is_none() && !rels {
            continue;
        }
        let Some(part) = pkg.part(name, ctx)? else {
            continue;
        };
        let (edits, cleared) = xml::structural(&part.xml.text, &s, name, ctx)?;
        authors += cleared;
        part.edits.extend(edits);
        if let Some(cells) = vml_cells {
            part.edits.extend(note_shapes(&part.xml.text, cells));
        }
        if rels {
            part.edits
                .extend(external_targets(&part.xml.text, &done.values));
        }
    }
    if authors > 0 {
        done.notes
            .push(format!("{authors} author name fields emptied"));
    }
    for (name, rebuilds) in &book.rebuilds {
        let Some(part) = pkg.part(name, ctx)? else {
            continue;
        };
        for (cell, text) in rebuilds {
            let (e, _) = xml::rebuild_xlsx_cell(&part.xml.text, *cell, text)?;
            part.edits.push(e);
        }
    }
    for (name, edits) in std::mem::take(&mut book.edits) {
        if let Some(part) = pkg.part(&name, ctx)? {
            part.edits.extend(edits);
        }
    }

    for (name, part) in std::mem::take(&mut pkg.parts) {
        if part.edits.is_empty() {
            continue;
        }
        let bytes = xml::apply(&part.xml, part.edits, &name)?;
        changes.changed.insert(name, bytes);
    }
    residue(pkg.za, &changes, &done.values, ctx)?;
    let out = rebuild(pkg.za, out, &changes)?;
    Ok((out, done))
}

/// Edits replacing values in the targets of external relationships (a `mailto:` link whose
/// text was redacted), where the value is written as it is in the text.
fn external_targets(text: &str, values: &[(String, String)]) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut r = Reader::from_str(text);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                for a in e.attributes().with_checks(false).flatten() {
                    if a.key.local_name().as_ref() != "Target" {
                        continue;
                    }
                    let raw: &str = &a.value;
                    let off = (raw.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
                    if off > text.len() || off + raw.len() > text.len() {
                        continue;
                    }
                    for (v, with) in values {
                        for (at, _) in raw.match_indices(v.as_str()) {
                            out.push(Edit::new(
                                off + at,
                                off + at + v.len(),
                                edit::escape_xml(with),
                            ));
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// `durableId`s of removed comments (Word links `commentsExtensible` by them, through
/// `commentsIds`).
fn durable_ids<R: Read + Seek>(
    pkg: &mut Package<'_, R>,
    para_ids: &HashSet<String>,
    ctx: &Ctx<'_>,
) -> Result<HashSet<String>, Refusal> {
    let mut out = HashSet::new();
    if para_ids.is_empty() {
        return Ok(out);
    }
    let Some(part) = pkg.part("word/commentsIds.xml", ctx)? else {
        return Ok(out);
    };
    let mut r = Reader::from_str(&part.xml.text);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "commentId" => {
                let mut para = None;
                let mut durable = None;
                for a in e.attributes().with_checks(false).flatten() {
                    let v = a.value.to_string();
                    match a.key.local_name().as_ref() {
                        "paraId" => para = Some(v),
                        "durableId" => durable = Some(v),
                        _ => {}
                    }
                }
                if let (Some(p), Some(d)) = (para, durable)
                    && para_ids.contains(&p)
                {
                    out.insert(d);
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(out),
            _ => {}
        }
    }
}

/// What planning a workbook produced.
#[derive(Default)]
struct Book {
    edits: HashMap<String, Vec<Edit>>,
    rebuilds: HashMap<String, Vec<(CellSource, String)>>,
    /// Comments part → cell references of comments to remove.
    comment_refs: HashMap<String, HashSet<String>>,
    /// Every comments part (their authors are cleared).
    comment_parts: HashSet<String>,
    /// VML drawing → 0-based (row, column) of note shapes to remove.
    note_shapes: HashMap<String, HashSet<(u32, u32)>>,
    formula_dropped: bool,
    done: Redacted,
}

struct BookUnits<'r> {
    red: &'r mut Redactor,
    inner: Option<&'r str>,
    book: Book,
    error: Option<Refusal>,
}

impl Cells for BookUnits<'_> {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], maps: &[(&str, &Mapped)]) {
        let planned = self.red.plan(segs, places, self.inner, Target::Unicode);
        if planned.is_empty() {
            return;
        }
        Redactor::note_values(&planned, segs, &mut self.book.done);
        for (si, (part, map)) in maps.iter().enumerate() {
            let mine: Vec<&super::Planned> = planned.iter().filter(|p| p.seg == si).collect();
            if mine.is_empty() {
                continue;
            }
            let mut action = Action::Replaced;
            if places[si].part.is_some() {
                // A cell comment: removed whole.
                if let Some(cell) = &places[si].cell {
                    self.book
                        .comment_refs
                        .entry(part.to_string())
                        .or_default()
                        .insert(cell.clone());
                }
                action = Action::Removed;
            } else if let Some(cell) = map.cell {
                let repl: Vec<(usize, usize, &str)> = mine
                    .iter()
                    .map(|p| (p.start, p.end, p.with.as_str()))
                    .collect();
                let text = edit::replace_in(&map.text, &repl);
                self.book
                    .rebuilds
                    .entry(part.to_string())
                    .or_default()
                    .push((cell, text));
            } else {
                for p in &mine {
                    if !map
                        .pieces
                        .iter()
                        .any(|pc| pc.at < p.end && pc.at + pc.len > p.start)
                    {
                        self.error.get_or_insert(Refusal(
                            "a finding in a cell that cannot be traced back to the file".into(),
                        ));
                    }
                    self.book
                        .edits
                        .entry(part.to_string())
                        .or_default()
                        .extend(edit::edits_for(map, p.start, p.end, &p.with));
                }
            }
            for p in mine {
                let mut audit = p.audit.clone();
                audit.action = action;
                self.book.done.replacements.push(audit);
            }
        }
    }

    fn not_examined(&mut self, part: &str, reason: &str) {
        self.error
            .get_or_insert(Refusal(format!("{part}: {reason}")));
    }
}

fn plan_workbook<R: Read + Seek>(
    red: &mut Redactor,
    pkg: &mut Package<'_, R>,
    ctx: &Ctx<'_>,
    inner: Option<&str>,
) -> Result<Book, Refusal> {
    let mut u = BookUnits {
        red,
        inner,
        book: Book::default(),
        error: None,
    };
    xlsx::walk(pkg.za, ctx, true, &mut u)?;
    if let Some(e) = u.error {
        return Err(e);
    }
    let mut book = u.book;
    for name in names(pkg.za) {
        if name.starts_with("xl/comments") && name.ends_with(".xml") {
            book.comment_parts.insert(name);
        }
    }
    // Formulas dropped from rebuilt cells?
    for (name, rebuilds) in &book.rebuilds {
        if let Some(part) = pkg.part(name, ctx)? {
            for (cell, _) in rebuilds {
                let body = &part.xml.text[cell.tag_end.min(cell.end)..cell.end];
                if body.contains("<f") || body.contains(":f") {
                    book.formula_dropped = true;
                }
            }
        }
    }
    // Removed comments' note shapes live in the sheet's VML drawing.
    let removed: Vec<(String, HashSet<String>)> = book
        .comment_refs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (comments, refs) in removed {
        for vml in vml_for_comments(pkg, &comments, ctx)? {
            let cells = book.note_shapes.entry(vml).or_default();
            cells.extend(refs.iter().filter_map(|r| parse_ref(r)));
        }
    }
    Ok(book)
}

/// The VML drawings of the sheets that use this comments part.
fn vml_for_comments<R: Read + Seek>(
    pkg: &mut Package<'_, R>,
    comments: &str,
    ctx: &Ctx<'_>,
) -> Result<Vec<String>, Refusal> {
    let rels: Vec<String> = names(pkg.za)
        .into_iter()
        .filter(|n| n.starts_with("xl/worksheets/_rels/") && n.ends_with(".rels"))
        .collect();
    let file = comments.rsplit('/').next().unwrap_or(comments);
    let mut out = Vec::new();
    for r in rels {
        let Some(part) = pkg.part(&r, ctx)? else {
            continue;
        };
        let text = &part.xml.text;
        if !text.contains(file) {
            continue;
        }
        let mut reader = Reader::from_str(text);
        while let Ok(ev) = reader.read_event() {
            match ev {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                    for a in e.attributes().with_checks(false).flatten() {
                        if a.key.local_name().as_ref() == "Target" {
                            let t = a.value.to_string();
                            if t.ends_with(".vml") {
                                let base = t.trim_start_matches("../").trim_start_matches('/');
                                let full = if base.starts_with("xl/") {
                                    base.to_string()
                                } else {
                                    format!("xl/{base}")
                                };
                                out.push(full);
                            }
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    Ok(out)
}

/// `B7` → 0-based (row 6, column 1).
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: u32 = r[letters.len()..].parse().ok()?;
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

/// Edits removing the note shapes (`v:shape` with `x:ClientData ObjectType="Note"`) at
/// these cells from a VML drawing.
fn note_shapes(text: &str, cells: &HashSet<(u32, u32)>) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut r = Reader::from_str(text);
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    let mut shape: Option<usize> = None;
    let (mut row, mut col) = (None, None);
    let mut field: Option<&'static str> = None;
    loop {
        let before = r.buffer_position() as usize;
        let Ok(ev) = r.read_event() else { break };
        let after = r.buffer_position() as usize;
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                "shape" => {
                    shape = Some(before);
                    (row, col) = (None, None);
                }
                "Row" => field = Some("row"),
                "Column" => field = Some("col"),
                _ => {}
            },
            Event::Text(t) => {
                let v = t.xml10_content().trim().parse::<u32>().ok();
                match field {
                    Some("row") => row = v,
                    Some("col") => col = v,
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "Row" | "Column" => field = None,
                "shape" => {
                    if let (Some(s), Some(rw), Some(c)) = (shape.take(), row, col)
                        && cells.contains(&(rw, c))
                    {
                        out.push(Edit::remove(s, after));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_note_shapes() {
        assert_eq!(parse_ref("B7"), Some((6, 1)));
        assert_eq!(parse_ref("AA1"), Some((0, 26)));
        let vml = r#"<xml><v:shape id="a"><x:ClientData ObjectType="Note"><x:Row>1</x:Row><x:Column>1</x:Column></x:ClientData></v:shape><v:shape id="b"><x:ClientData><x:Row>4</x:Row><x:Column>0</x:Column></x:ClientData></v:shape></xml>"#;
        let cells: HashSet<(u32, u32)> = [(1, 1)].into();
        let (out, _) = edit::apply(vml.as_bytes(), note_shapes(vml, &cells));
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("id=\"a\""));
        assert!(out.contains("id=\"b\""));
    }
}
