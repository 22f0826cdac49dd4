//! Excel workbooks (XLSX/XLSM): every sheet, hidden and very hidden ones included, cell by
//! cell with the sheet name and cell reference in the location.
//!
//! One record per row, one segment per cell, so "Fødselsnummer" in A3 is context for the
//! number in B3; a first row without digits names the columns below (label and `field`).
//! Shared strings (joined across rich-text runs) and inline strings are resolved. A numeric
//! cell of 10 digits that is a valid identity number with its leading zero put back is
//! reported as such, with a note: Excel turns `0DDMMYYIIIKK` typed into a cell into a number.
//! Cell comments are reported at their cell. Other parts (drawings, charts, pivot caches) go
//! through the generic flow in [`super::ooxml`].
//!
//! [`walk`] serves the redactor as [`flow::walk`] does: with `track` set, every cell's text
//! comes with its source (the shared string's runs, the inline string's runs, or the whole
//! cell element for numbers and formula results, which are rebuilt as text cells).

use super::flow::{self, Events, attr, leading_zero_note, local, restore_leading_zero};
use super::srcmap::{CellSource, Mapped, PieceKind};
use super::{Ctx, Problem, Sink, archive, part_failed};
use crate::detect::Segment;
use crate::model::{Location, Text};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::HashMap;
use std::io::{Read, Seek};

/// Parts this module reads; the generic walk skips them.
pub fn handles(name: &str) -> bool {
    name == "xl/workbook.xml"
        || name == "xl/sharedStrings.xml"
        || name.starts_with("xl/worksheets/")
        || name.starts_with("xl/comments")
}

/// The shared string table's part.
pub const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

struct Sheet {
    name: String,
    part: String,
    hidden: bool,
}

/// Receives a workbook's records; each segment's map comes with the part it points into.
pub trait Cells {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], maps: &[(&str, &Mapped)]);
    /// A sheet (or its comments) could not be read.
    fn not_examined(&mut self, part: &str, reason: &str);
}

struct Records<'s>(&'s mut dyn Sink);

impl Cells for Records<'_> {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], _: &[(&str, &Mapped)]) {
        self.0.record(None, segs, places);
    }
    fn not_examined(&mut self, part: &str, reason: &str) {
        self.0.not_examined(Some(part), reason);
    }
}

pub fn extract<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    walk(za, ctx, false, &mut Records(sink))
}

/// Walks every sheet; with `track`, maps record where each cell's text came from.
pub fn walk<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    ctx: &Ctx<'_>,
    track: bool,
    sink: &mut dyn Cells,
) -> Result<(), Problem> {
    let workbook = read(za, "xl/workbook.xml", ctx)?.unwrap_or_default();
    let rels = parse_rels(
        &read(za, "xl/_rels/workbook.xml.rels", ctx)?.unwrap_or_default(),
        "xl",
    );
    let mut sheets = Vec::new();
    each_start(&workbook, ctx, "xl/workbook.xml", |e| {
        if local(e) == "sheet" {
            let name = attr(e, "name").unwrap_or_default();
            let hidden = matches!(attr(e, "state").as_deref(), Some("hidden" | "veryHidden"));
            if let Some(part) = attr(e, "id").and_then(|id| rels.get(&id).cloned()) {
                sheets.push(Sheet { name, part, hidden });
            }
        }
    })?;
    let shared = match read(za, SHARED_STRINGS, ctx)? {
        Some(xml) => shared_strings(&xml, ctx, track)?,
        None => Vec::new(),
    };
    for sheet in &sheets {
        // A damaged sheet costs that sheet: the others and the rest of the package go on.
        if let Err(p) = one_sheet(za, sheet, &shared, ctx, track, sink) {
            part_failed(p, |reason| sink.not_examined(&sheet.part, reason))?;
        }
    }
    Ok(())
}

fn one_sheet<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    sheet: &Sheet,
    shared: &[Mapped],
    ctx: &Ctx<'_>,
    track: bool,
    sink: &mut dyn Cells,
) -> Result<(), Problem> {
    let Some(xml) = read(za, &sheet.part, ctx)? else {
        return Err(Problem::reason(
            "the workbook names a sheet that is missing",
        ));
    };
    let note = sheet
        .hidden
        .then(|| Text::new("skjult ark", "hidden sheet"));
    cells(&xml, sheet, shared, note.as_ref(), ctx, track, sink)?;
    // Cell comments: the sheet's relationships name its comments part.
    let (dir, file) = sheet.part.rsplit_once('/').unwrap_or(("", &sheet.part));
    let rel_name = format!("{dir}/_rels/{file}.rels");
    if let Some(r) = read(za, &rel_name, ctx)? {
        for target in parse_rels(&r, dir).values() {
            if target.contains("/comments")
                && !target.contains("threaded")
                && let Some(xml) = read(za, target, ctx)?
            {
                comments(&xml, target, &sheet.name, ctx, track, sink)?;
            }
        }
    }
    Ok(())
}

/// A part as text, or None if the package has no such part.
fn read<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    name: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<String>, Problem> {
    let Some(i) = za.index_for_name(name) else {
        return Ok(None);
    };
    let data = archive::read_part(za, i, ctx)?;
    Ok(Some(super::decode_text(&data).into_owned()))
}

/// A relationship part: id → target path inside the package, resolved against `base`.
fn parse_rels(xml: &str, base: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut r = Reader::from_str(xml);
    while let Ok(ev) = r.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                if let (Some(id), Some(t)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.insert(id, resolve(base, &t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// `worksheets/sheet1.xml` relative to `xl`, `../comments1.xml` relative to
/// `xl/worksheets`, or an absolute `/xl/...`.
fn resolve(base: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Runs `f` on every start tag, with the XML depth limit.
fn each_start(
    xml: &str,
    ctx: &Ctx<'_>,
    part: &str,
    mut f: impl FnMut(&BytesStart<'_>),
) -> Result<(), Problem> {
    let mut events = Events::new(xml, part, ctx);
    loop {
        match events.read()?.0 {
            Event::Start(e) => f(&e),
            Event::Empty(e) => f(&e),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Character data being collected, with its source when tracking.
struct Collect {
    track: bool,
    text: Mapped,
}

impl Collect {
    fn new(track: bool) -> Collect {
        Collect {
            track,
            text: Mapped::default(),
        }
    }

    /// A text event: `raw` at `at` in `xml`.
    fn chars(&mut self, xml: &str, at: (usize, usize), t: &quick_xml::events::BytesText<'_>) {
        if self.track {
            self.text
                .push_chars(&xml[at.0..at.1], at.0, PieceKind::Verbatim, None);
        } else {
            self.text.push_str(&t.xml10_content());
        }
    }

    /// An entity or character reference.
    fn reference(&mut self, at: (usize, usize), g: &quick_xml::events::BytesRef<'_>) {
        let mut s = String::new();
        push_ref(&mut s, g);
        if self.track {
            self.text.push_atomic(&s, at.0, at.1 - at.0, None);
        } else {
            self.text.push_str(&s);
        }
    }

    fn take(&mut self) -> Mapped {
        std::mem::take(&mut self.text)
    }
}

/// Appends an entity or character reference to `out`.
fn push_ref(out: &mut String, g: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = g.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&g.xml10_content()) {
        out.push_str(s);
    }
}

/// The shared string table: one string per `si`, rich-text runs joined, phonetic hints
/// (`rPh`) left out.
fn shared_strings(xml: &str, ctx: &Ctx<'_>, track: bool) -> Result<Vec<Mapped>, Problem> {
    let part = SHARED_STRINGS;
    let mut out = Vec::new();
    let (mut in_t, mut in_rph) = (false, 0usize);
    let mut cur = Collect::new(track);
    let mut events = Events::new(xml, part, ctx);
    loop {
        let (ev, at) = events.read()?;
        match ev {
            Event::Start(e) => match local(&e) {
                "si" => cur.text.clear(),
                "t" => in_t = true,
                "rPh" => in_rph += 1,
                _ => {}
            },
            Event::Empty(e) if local(&e) == "si" => out.push(Mapped::default()),
            Event::End(e) => match e.local_name().as_ref() {
                "si" => out.push(cur.take()),
                "t" => in_t = false,
                "rPh" => in_rph = in_rph.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_t && in_rph == 0 => cur.chars(xml, at, &t),
            Event::GeneralRef(g) if in_t && in_rph == 0 => cur.reference(at, &g),
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Where a cell's text is.
enum CellSrc {
    /// The shared string with this index.
    Shared(usize),
    /// In the sheet (inline string runs, or the whole cell for values).
    Own(Mapped),
}

struct CellOut {
    col: usize,
    text: String,
    src: CellSrc,
    place: Location,
    restored: bool,
}

/// The 0-based column of a reference like `B7`. Saturates: a hostile reference of many
/// letters overflowed (a panic, or a wrapped column in release builds).
fn column_of(r: &str) -> usize {
    r.bytes()
        .take_while(|b| b.is_ascii_alphabetic())
        .fold(0usize, |acc, b| {
            acc.saturating_mul(26)
                .saturating_add((b.to_ascii_uppercase() - b'A' + 1) as usize)
        })
        .saturating_sub(1)
}

/// A numeric cell's value as written by a person: integers without exponent or `.0`.
fn plain_number(v: &str) -> String {
    if (v.contains('E') || v.contains('e'))
        && let Ok(f) = v.parse::<f64>()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return format!("{f:.0}");
    }
    v.to_string()
}

fn cells(
    xml: &str,
    sheet: &Sheet,
    shared: &[Mapped],
    sheet_note: Option<&Text>,
    ctx: &Ctx<'_>,
    track: bool,
    sink: &mut dyn Cells,
) -> Result<(), Problem> {
    let part = sheet.part.as_str();
    let mut row: Vec<CellOut> = Vec::new();
    let mut headers: Option<Vec<String>> = None;
    let mut first_row = true;
    // The cell being read: reference, type, value text, inline text, element source.
    let mut cref = String::new();
    let mut ctype = String::new();
    let mut value = String::new();
    let mut inline = Collect::new(track);
    let mut element = CellSource::default();
    let (mut in_v, mut in_is_t) = (false, false);
    let mut next_col = 0usize;
    let mut row_num = 0u32;
    let restored_note = leading_zero_note();
    let both_note = sheet_note.map(|n| Text::join(&[restored_note.clone(), n.clone()]));
    let mut events = Events::new(xml, part, ctx);
    loop {
        let (ev, at) = events.read()?;
        match ev {
            Event::Start(e) => match local(&e) {
                "row" => {
                    row_num = attr(&e, "r")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(row_num + 1);
                    next_col = 0;
                    row.clear();
                }
                "c" => {
                    cref =
                        attr(&e, "r").unwrap_or_else(|| flow::cell_ref(next_col as u32, row_num));
                    ctype = attr(&e, "t").unwrap_or_default();
                    value.clear();
                    inline.text.clear();
                    element = CellSource {
                        start: at.0,
                        tag_end: at.1,
                        end: 0,
                    };
                }
                "v" => in_v = true,
                "t" => in_is_t = true,
                _ => {}
            },
            Event::Empty(e) if local(&e) == "row" => {
                row_num = attr(&e, "r")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(row_num + 1);
            }
            Event::Text(t) if in_v => value.push_str(&t.xml10_content()),
            Event::Text(t) if in_is_t => inline.chars(xml, at, &t),
            Event::GeneralRef(g) if in_v => push_ref(&mut value, &g),
            Event::GeneralRef(g) if in_is_t => inline.reference(at, &g),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    "v" => in_v = false,
                    "t" => in_is_t = false,
                    "c" => {
                        let col = column_of(&cref);
                        next_col = col + 1;
                        element.end = at.1;
                        // Values (numbers, formula results) have no text node to edit: the
                        // whole cell is the source.
                        let whole = |text: &str| {
                            let mut m = Mapped::default();
                            m.push_str(text);
                            m.cell = track.then_some(element);
                            CellSrc::Own(m)
                        };
                        let (text, src, restored) = match ctype.as_str() {
                            "s" => {
                                let i = value.trim().parse::<usize>().ok();
                                match i.and_then(|i| shared.get(i).map(|m| (i, m))) {
                                    Some((i, m)) => (m.text.clone(), CellSrc::Shared(i), false),
                                    None => (String::new(), CellSrc::Own(Mapped::default()), false),
                                }
                            }
                            "inlineStr" => {
                                let m = inline.take();
                                (m.text.clone(), CellSrc::Own(m), false)
                            }
                            "str" => {
                                let v = std::mem::take(&mut value);
                                let src = whole(&v);
                                (v, src, false)
                            }
                            "b" | "e" => (String::new(), CellSrc::Own(Mapped::default()), false),
                            _ => {
                                let n = plain_number(value.trim());
                                let (text, restored) = match restore_leading_zero(&n) {
                                    Some(z) => (z, true),
                                    None => (n, false),
                                };
                                let src = whole(&text);
                                (text, src, restored)
                            }
                        };
                        if !text.trim().is_empty() {
                            row.push(CellOut {
                                col,
                                text,
                                src,
                                place: Location {
                                    line: 1,
                                    column: 1,
                                    sheet: Some(sheet.name.clone()),
                                    cell: Some(std::mem::take(&mut cref)),
                                    ..Location::default()
                                },
                                restored,
                            });
                        }
                    }
                    "row" => {
                        if row.is_empty() {
                            continue;
                        }
                        if first_row {
                            first_row = false;
                            let numeric = row
                                .iter()
                                .any(|c| c.text.bytes().any(|b| b.is_ascii_digit()));
                            if !numeric {
                                headers = Some(flow::header_names(
                                    row.iter().map(|c| (c.col, c.text.as_str())),
                                ));
                            }
                        }
                        emit_row(
                            &mut row,
                            headers.as_deref(),
                            (
                                &restored_note,
                                sheet_note,
                                both_note.as_ref().and_then(|n| n.as_ref()),
                            ),
                            (part, shared),
                            sink,
                        );
                    }
                    _ => {}
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Notes for cells: leading zero restored, the sheet's own note, both.
type Notes<'n> = (&'n Text, Option<&'n Text>, Option<&'n Text>);

fn emit_row(
    row: &mut [CellOut],
    headers: Option<&[String]>,
    (restored_note, sheet_note, both_note): Notes<'_>,
    (part, shared): (&str, &[Mapped]),
    sink: &mut dyn Cells,
) {
    for c in row.iter_mut() {
        c.place.field = headers
            .and_then(|h| h.get(c.col))
            .filter(|h| !h.is_empty())
            .cloned();
    }
    let segs: Vec<Segment<'_>> = row
        .iter()
        .map(|c| {
            let note = match (c.restored, sheet_note) {
                (true, Some(_)) => both_note,
                (true, None) => Some(restored_note),
                (false, n) => n,
            };
            Segment::new(c.text.as_bytes())
                .with_label(c.place.field.as_deref())
                .with_note(note)
        })
        .collect();
    let places: Vec<Location> = row.iter().map(|c| c.place.clone()).collect();
    let maps: Vec<(&str, &Mapped)> = row
        .iter()
        .map(|c| match &c.src {
            CellSrc::Shared(i) => (SHARED_STRINGS, &shared[*i]),
            CellSrc::Own(m) => (part, m),
        })
        .collect();
    sink.unit(&segs, &places, &maps);
}

/// Legacy cell comments (`xl/commentsN.xml`): one record per comment, at its cell. When
/// tracking, the map's only container is the `comment` element (a redactor removes it).
fn comments(
    xml: &str,
    part: &str,
    sheet: &str,
    ctx: &Ctx<'_>,
    track: bool,
    sink: &mut dyn Cells,
) -> Result<(), Problem> {
    let mut cell: Option<String> = None;
    let mut text = Collect::new(track);
    let mut in_t = false;
    let mut events = Events::new(xml, part, ctx);
    loop {
        let (ev, at) = events.read()?;
        match ev {
            Event::Start(e) => match local(&e) {
                "comment" => {
                    cell = attr(&e, "ref");
                    text.text.clear();
                }
                "t" => in_t = true,
                _ => {}
            },
            Event::Text(t) if in_t && cell.is_some() => text.chars(xml, at, &t),
            Event::GeneralRef(g) if in_t && cell.is_some() => text.reference(at, &g),
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = false,
                "comment" => {
                    let m = text.take();
                    if let Some(c) = cell.take()
                        && !m.text.trim().is_empty()
                    {
                        let place = Location {
                            line: 1,
                            column: 1,
                            sheet: Some(sheet.to_string()),
                            cell: Some(c),
                            part: Some(part.to_string()),
                            ..Location::default()
                        };
                        sink.unit(&[Segment::new(m.text.as_bytes())], &[place], &[(part, &m)]);
                    }
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(column_of("B7"), 1);
        assert_eq!(column_of("AA10"), 26);
        assert_eq!(column_of(&"Z".repeat(40)), usize::MAX - 1);
        assert_eq!(flow::cell_ref(26, 10), "AA10");
        assert_eq!(flow::cell_ref(0, 1), "A1");
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(resolve("xl", "/xl/worksheets/s.xml"), "xl/worksheets/s.xml");
        assert_eq!(plain_number("1.019012345E9"), "1019012345");
    }
}
