//! One XML part of a document: plan the text edits for its findings (with the flow walker's
//! source maps), the structural edits (removed comments and their anchors, cleared author
//! names), and apply them, keeping every other byte of the part.

use super::edit::{self, Edit, escape_xml};
use super::{Action, Redacted, Redactor, Refusal, Target};
use crate::detect::Segment;
use crate::extract::flow::{self, Dialect, Units};
use crate::extract::markup;
use crate::extract::srcmap::{CellSource, Container, Mapped};
use crate::extract::{Ctx, limit};
use crate::model::Location;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::{BTreeSet, HashSet};

/// A part's text and how to write it back in the same encoding.
pub struct XmlText {
    pub text: String,
    bom: &'static [u8],
    utf16: Option<bool>,
    /// Decoded from Windows-1252 (a markup file that is not UTF-8).
    legacy: bool,
}

impl XmlText {
    /// UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark.
    pub fn decode(data: &[u8], part: &str) -> Result<XmlText, Refusal> {
        if let Some(rest) = data.strip_prefix(b"\xEF\xBB\xBF") {
            return Self::utf8(rest, b"\xEF\xBB\xBF", part);
        }
        for (bom, enc, be) in [
            (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, false),
            (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, true),
        ] {
            if data.starts_with(bom) {
                let (text, had_errors) = enc.decode_without_bom_handling(&data[2..]);
                if had_errors {
                    break;
                }
                return Ok(XmlText {
                    text: text.into_owned(),
                    bom: if be { b"\xFE\xFF" } else { b"\xFF\xFE" },
                    utf16: Some(be),
                    legacy: false,
                });
            }
        }
        Self::utf8(data, b"", part)
    }

    fn utf8(data: &[u8], bom: &'static [u8], part: &str) -> Result<XmlText, Refusal> {
        match std::str::from_utf8(data) {
            Ok(s) => Ok(XmlText {
                text: s.to_string(),
                bom,
                utf16: None,
                legacy: false,
            }),
            Err(_) => Err(Refusal(format!(
                "{part} is not UTF-8 or UTF-16 text: cannot be redacted"
            ))),
        }
    }

    /// As [`XmlText::decode`], but text that is not UTF-8 is read as Windows-1252, as the
    /// extractor reads HTML and XML files.
    pub fn decode_file(data: &[u8], part: &str) -> Result<XmlText, Refusal> {
        XmlText::decode(data, part).or_else(|_| {
            Ok(XmlText {
                text: encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(data)
                    .0
                    .into_owned(),
                bom: b"",
                utf16: None,
                legacy: true,
            })
        })
    }

    /// What replacements may be written in.
    pub fn target(&self) -> Target {
        if self.legacy {
            Target::Windows1252
        } else {
            Target::Unicode
        }
    }

    /// `text` (edited) in the part's encoding.
    pub fn encode(&self, text: &[u8]) -> Vec<u8> {
        let mut out = self.bom.to_vec();
        if self.legacy {
            out.extend_from_slice(
                &encoding_rs::WINDOWS_1252
                    .encode(&String::from_utf8_lossy(text))
                    .0,
            );
            return out;
        }
        match self.utf16 {
            None => out.extend_from_slice(text),
            Some(be) => {
                for u in String::from_utf8_lossy(text).encode_utf16() {
                    out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
                }
            }
        }
        out
    }
}

/// Applies edits to a part's text and checks the result is still well-formed XML (when the
/// source was).
pub fn apply(xml: &XmlText, edits: Vec<Edit>, part: &str) -> Result<Vec<u8>, Refusal> {
    let (out, conflict) = edit::apply(xml.text.as_bytes(), edits);
    if conflict {
        return Err(Refusal(format!(
            "{part}: overlapping changes could not be made safely"
        )));
    }
    if well_formed(xml.text.as_bytes()) && !well_formed(&out) {
        return Err(Refusal(format!(
            "{part}: the redacted part would not be well-formed XML (please report this)"
        )));
    }
    Ok(xml.encode(&out))
}

/// True if the bytes parse as XML to the end with matching end tags.
pub fn well_formed(b: &[u8]) -> bool {
    let mut r = Reader::from_reader(b);
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Eof) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
        buf.clear();
    }
}

/// What planning a part produced.
#[derive(Default)]
pub struct PartPlan {
    pub edits: Vec<Edit>,
    /// Removable elements (tracked deletions, comments) removed because they hold a finding.
    pub removed: Vec<Container>,
    pub done: Redacted,
}

/// How a part is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// Document text: values are replaced, comments and deletions holding them removed.
    Text,
    /// Document properties: a field holding a finding is emptied.
    Metadata,
}

struct Collector<'r> {
    red: &'r mut Redactor,
    xml: &'r str,
    kind: PartKind,
    inner: Option<&'r str>,
    target: Target,
    plan: PartPlan,
    remove: BTreeSet<usize>,
    error: Option<Refusal>,
}

impl Units for Collector<'_> {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], maps: &[&Mapped]) {
        let planned = self.red.plan(segs, places, self.inner, self.target);
        if planned.is_empty() {
            return;
        }
        Redactor::note_values(&planned, segs, &mut self.plan.done);
        for (si, map) in maps.iter().enumerate() {
            let mine: Vec<&super::Planned> = planned.iter().filter(|p| p.seg == si).collect();
            if mine.is_empty() {
                continue;
            }
            let mut action = Action::Replaced;
            if self.kind == PartKind::Metadata {
                self.plan.edits.extend(edit::clear_all(map));
                action = Action::Cleared;
            } else if let Some(cell) = map.cell {
                let repl: Vec<(usize, usize, &str)> = mine
                    .iter()
                    .map(|p| (p.start, p.end, p.with.as_str()))
                    .collect();
                let text = edit::replace_in(&map.text, &repl);
                match rebuild_odf_cell(self.xml, cell, &text) {
                    Ok(e) => self.plan.edits.push(e),
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
            } else {
                for p in &mine {
                    let touched = pieces_in(map, p.start, p.end);
                    if touched.is_empty() {
                        self.error.get_or_insert(Refusal(
                            "a finding in text that cannot be traced back to the file".into(),
                        ));
                        continue;
                    }
                    if let Some(c) = touched.iter().find_map(|&i| map.pieces[i].container) {
                        self.remove.insert(c);
                        action = Action::Removed;
                    }
                    self.plan
                        .edits
                        .extend(edit::edits_for(map, p.start, p.end, &p.with));
                }
            }
            for p in mine {
                let mut audit = p.audit.clone();
                audit.action = action;
                self.plan.done.replacements.push(audit);
            }
        }
    }
}

/// Indexes of the pieces overlapping `start..end`.
fn pieces_in(m: &Mapped, start: usize, end: usize) -> Vec<usize> {
    m.pieces
        .iter()
        .enumerate()
        .filter(|(_, p)| p.at < end && p.at + p.len > start)
        .map(|(i, _)| i)
        .collect()
}

/// Plans the edits for one part walked as flowing text.
pub fn plan_flow(
    red: &mut Redactor,
    xml: &str,
    part: &str,
    dialect: &Dialect,
    kind: PartKind,
    inner: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<PartPlan, Refusal> {
    let mut c = Collector {
        red,
        xml,
        kind,
        inner,
        target: Target::Unicode,
        plan: PartPlan::default(),
        remove: BTreeSet::new(),
        error: None,
    };
    let containers = flow::walk(xml, part, dialect, ctx, true, &mut c)?;
    if let Some(e) = c.error {
        return Err(e);
    }
    let mut plan = c.plan;
    for i in c.remove {
        let Some(con) = containers.get(i) else {
            continue;
        };
        if con.end <= con.start {
            return Err(Refusal(format!(
                "{part}: a comment or tracked change holding a finding is not closed"
            )));
        }
        plan.edits.push(Edit::remove(con.start, con.end));
        plan.removed.push(con.clone());
    }
    Ok(plan)
}

/// Plans the edits for HTML or XML text (a file, an e-mail body), as the markup extractor
/// reads it; `part` labels the locations (an e-mail body).
pub fn plan_markup(
    red: &mut Redactor,
    text: &str,
    dialect: markup::Dialect,
    part: Option<&str>,
    inner: Option<&str>,
    target: Target,
    ctx: &Ctx<'_>,
) -> Result<PartPlan, Refusal> {
    let mut c = Collector {
        red,
        xml: text,
        kind: PartKind::Text,
        inner,
        target,
        plan: PartPlan::default(),
        remove: BTreeSet::new(),
        error: None,
    };
    markup::walk(text, dialect, part, ctx, true, &mut c)?;
    if let Some(e) = c.error {
        return Err(e);
    }
    Ok(c.plan)
}

/// Redacts an HTML or XML file held in memory, in its own encoding. None: nothing changed.
pub fn redact_markup(
    red: &mut Redactor,
    data: &[u8],
    dialect: markup::Dialect,
    inner: Option<&str>,
    ctx: &Ctx<'_>,
) -> Result<(Option<Vec<u8>>, Redacted), Refusal> {
    let text = XmlText::decode_file(data, "the file")?;
    let plan = plan_markup(red, &text.text, dialect, None, inner, text.target(), ctx)?;
    if plan.edits.is_empty() {
        return Ok((None, plan.done));
    }
    let bytes = apply(&text, plan.edits, "the file")?;
    Ok((Some(bytes), plan.done))
}

/// Rebuilds an OpenDocument spreadsheet cell holding a value (number, date, formula result)
/// as a text cell with `text`: the value attributes and the formula go, the style stays.
fn rebuild_odf_cell(xml: &str, cell: CellSource, text: &str) -> Result<Edit, Refusal> {
    let tag = tag_at(xml, cell)?;
    let name = tag.name().as_ref().to_string();
    let mut out = format!("<{name}");
    for a in tag.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref().to_string();
        let local = a.key.local_name().as_ref().to_string();
        match local.as_str() {
            "value" | "date-value" | "time-value" | "boolean-value" | "currency"
            | "string-value" | "formula" => {}
            "value-type" => out.push_str(&format!(" {key}=\"string\"")),
            _ => push_attr(&mut out, &key, &a.value),
        }
    }
    out.push('>');
    for line in text.split('\n') {
        out.push_str(&format!("<text:p>{}</text:p>", escape_xml(line)));
    }
    out.push_str(&format!("</{name}>"));
    Ok(Edit::new(cell.start, cell.end, out))
}

/// Rebuilds a workbook cell holding a number or formula result as an inline-string cell
/// with `text`. Returns the edit and whether a formula was dropped. A cell that is the
/// master of a shared formula is refused: other cells depend on its formula.
pub fn rebuild_xlsx_cell(xml: &str, cell: CellSource, text: &str) -> Result<(Edit, bool), Refusal> {
    let tag = tag_at(xml, cell)?;
    let name = tag.name().as_ref().to_string();
    let prefix = name
        .rsplit_once(':')
        .map_or(String::new(), |(p, _)| format!("{p}:"));
    let body = &xml[cell.tag_end.min(cell.end)..cell.end];
    let formula = body.contains(&format!("<{prefix}f"));
    if formula && body.contains("ref=") && body.contains("shared") {
        return Err(Refusal(
            "a finding in a cell whose formula other cells share: cannot be redacted".into(),
        ));
    }
    let mut out = format!("<{name}");
    for a in tag.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref().to_string();
        if !matches!(key.as_str(), "t" | "cm" | "vm") {
            push_attr(&mut out, &key, &a.value);
        }
    }
    out.push_str(&format!(
        " t=\"inlineStr\"><{prefix}is><{prefix}t xml:space=\"preserve\">{}</{prefix}t></{prefix}is></{name}>",
        escape_xml(text)
    ));
    Ok((Edit::new(cell.start, cell.end, out), formula))
}

fn tag_at(xml: &str, cell: CellSource) -> Result<BytesStart<'_>, Refusal> {
    let raw = xml
        .get(cell.start..cell.tag_end)
        .filter(|_| cell.end > cell.tag_end)
        .ok_or_else(|| Refusal("a spreadsheet cell could not be located".into()))?;
    let inner = raw
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(|| Refusal("a spreadsheet cell could not be located".into()))?;
    let name_len = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    Ok(BytesStart::from_content(inner, name_len))
}

/// Writes ` key="value"` with the raw (still escaped) value, quoted so it stays valid.
fn push_attr(out: &mut String, key: &str, raw: &str) {
    let v = raw;
    if v.contains('"') {
        out.push_str(&format!(" {key}='{v}'"));
    } else {
        out.push_str(&format!(" {key}=\"{v}\""));
    }
}

/// Changes to a part's structure, by element and attribute local names.
#[derive(Default)]
pub struct Structural<'a> {
    /// Remove elements `(element, attribute, values)` whose attribute has one of the values.
    pub remove_by_attr: Vec<(&'a str, &'a str, &'a HashSet<String>)>,
    /// Empty these attributes on every element (author names on revisions and comments).
    pub clear_attrs: &'a [&'a str],
    /// Empty attributes of particular elements `(element, attributes)`.
    pub clear_attrs_of: &'a [(&'a str, &'a [&'a str])],
    /// Empty the text of these elements (`dc:creator`, `cp:lastModifiedBy`, ...).
    pub clear_content: &'a [&'a str],
}

impl Structural<'_> {
    pub fn is_empty(&self) -> bool {
        self.remove_by_attr.is_empty()
            && self.clear_attrs.is_empty()
            && self.clear_attrs_of.is_empty()
            && self.clear_content.is_empty()
    }
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

/// The structural edits for a part; the count says how many author fields were emptied.
pub fn structural(
    xml: &str,
    s: &Structural<'_>,
    part: &str,
    ctx: &Ctx<'_>,
) -> Result<(Vec<Edit>, usize), Refusal> {
    let mut edits = Vec::new();
    let mut cleared = 0usize;
    if s.is_empty() {
        return Ok((edits, cleared));
    }
    let mut r = Reader::from_str(xml);
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    let mut depth = 0usize;
    // Open elements to remove whole (start, depth) or to empty ((content start), depth).
    let mut removing: Vec<(usize, usize)> = Vec::new();
    let mut emptying: Vec<(usize, usize)> = Vec::new();
    loop {
        let before = r.buffer_position() as usize;
        let ev = r.read_event().map_err(|_| {
            Refusal(format!(
                "malformed XML in {part} near byte {}",
                r.error_position()
            ))
        })?;
        let after = r.buffer_position() as usize;
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = after >= 2 && xml.as_bytes()[after - 2] == b'/';
                if !empty {
                    depth += 1;
                    if depth > ctx.limits.max_xml_depth {
                        return Err(limit(
                            "max-xml-depth",
                            format!(
                                "{part} nests elements more than {} deep",
                                ctx.limits.max_xml_depth
                            ),
                        )
                        .into());
                    }
                }
                let name = local(&e);
                let remove = s.remove_by_attr.iter().any(|(el, at, values)| {
                    *el == name
                        && e.attributes().with_checks(false).flatten().any(|a| {
                            a.key.local_name().as_ref() == *at && values.contains(&*a.value)
                        })
                });
                if remove {
                    if empty {
                        edits.push(Edit::remove(before, after));
                    } else {
                        removing.push((before, depth));
                    }
                    continue;
                }
                if !empty && s.clear_content.contains(&name.as_str()) {
                    emptying.push((after, depth));
                }
                let of: Vec<&str> = s
                    .clear_attrs_of
                    .iter()
                    .filter(|(el, _)| *el == name)
                    .flat_map(|(_, attrs)| attrs.iter().copied())
                    .collect();
                let clear = |k: &str| s.clear_attrs.contains(&k) || of.contains(&k);
                let hit = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .any(|a| clear(a.key.local_name().as_ref()) && !a.value.is_empty());
                if hit {
                    let qname = e.name().as_ref().to_string();
                    let mut tag = format!("<{qname}");
                    for a in e.attributes().with_checks(false).flatten() {
                        let key = a.key.as_ref().to_string();
                        if clear(a.key.local_name().as_ref()) {
                            if !a.value.is_empty() {
                                cleared += 1;
                            }
                            tag.push_str(&format!(" {key}=\"\""));
                        } else {
                            push_attr(&mut tag, &key, &a.value);
                        }
                    }
                    tag.push_str(if empty { "/>" } else { ">" });
                    edits.push(Edit::new(before, after, tag));
                }
            }
            Event::End(_) => {
                if let Some(&(start, d)) = removing.last()
                    && d == depth
                {
                    edits.push(Edit::remove(start, after));
                    removing.pop();
                }
                if let Some(&(start, d)) = emptying.last()
                    && d == depth
                {
                    if before > start {
                        cleared += 1;
                        edits.push(Edit::remove(start, before));
                    }
                    emptying.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((edits, cleared))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Limits;

    fn ctx_run<T>(f: impl FnOnce(&Ctx<'_>) -> T) -> T {
        super::super::with_ctx(&Limits::default(), f)
    }

    #[test]
    fn structural_removes_clears_and_empties() {
        let xml = r#"<r><a:x w:id="1"/><a:x w:id="2">t</a:x><c w:author="Ola" w:date="d">k</c><dc:creator>Kari</dc:creator></r>"#;
        let ids: HashSet<String> = ["2".to_string()].into();
        let s = Structural {
            remove_by_attr: vec![("x", "id", &ids)],
            clear_attrs: &["author"],
            clear_content: &["creator"],
            ..Structural::default()
        };
        let (edits, cleared) = ctx_run(|ctx| structural(xml, &s, "p", ctx)).unwrap();
        let (out, conflict) = edit::apply(xml.as_bytes(), edits);
        assert!(!conflict);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"<r><a:x w:id="1"/><c w:author="" w:date="d">k</c><dc:creator></dc:creator></r>"#
        );
        assert_eq!(cleared, 2);
    }

    #[test]
    fn cells_are_rebuilt_as_text() {
        let xml = r#"<row><c r="B2" s="3"><f>A1</f><v>1019012345</v></c></row>"#;
        let cell = CellSource {
            start: 5,
            tag_end: 21,
            end: xml.len() - 6,
        };
        let (e, formula) = rebuild_xlsx_cell(xml, cell, "XXXXXXXXXXX").unwrap();
        assert!(formula);
        assert_eq!(
            e.with,
            r#"<c r="B2" s="3" t="inlineStr"><is><t xml:space="preserve">XXXXXXXXXXX</t></is></c>"#
        );
        let ods = r#"<table:table-cell table:style-name="ce1" office:value-type="float" office:value="1019012345" calcext:value-type="float"><text:p>1019012345</text:p></table:table-cell>"#;
        let tag_end = ods.find('>').unwrap() + 1;
        let e = rebuild_odf_cell(
            ods,
            CellSource {
                start: 0,
                tag_end,
                end: ods.len(),
            },
            "XXXXXXXXXXX",
        )
        .unwrap();
        assert_eq!(
            e.with,
            r#"<table:table-cell table:style-name="ce1" office:value-type="string" calcext:value-type="string"><text:p>XXXXXXXXXXX</text:p></table:table-cell>"#
        );
    }

    #[test]
    fn utf16_parts_round_trip() {
        let mut data = vec![0xFF, 0xFE];
        data.extend("<a>ø</a>".encode_utf16().flat_map(u16::to_le_bytes));
        let x = XmlText::decode(&data, "p").unwrap();
        assert_eq!(x.text, "<a>ø</a>");
        assert_eq!(x.encode(x.text.as_bytes()), data);
    }
}
