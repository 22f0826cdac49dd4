//! Flowing text in document XML (OOXML word processing and drawing parts, OpenDocument):
//! paragraphs, table rows and loose fields, as detection records.
//!
//! Word splits a paragraph into runs wherever formatting, spell-checking or revision marks
//! change, so "010190" and " 12345" are often separate `<w:t>` elements: the text of a whole
//! paragraph is joined before detection. A table row is one record with one segment per cell,
//! so a keyword in one cell counts for a number in the next; the first row of a table, when it
//! holds no digits, names the columns below it. Text outside any paragraph (document
//! properties such as `dc:creator`, chart caches, presentation comments) becomes one record
//! per element, labelled with the element's name.
//!
//! The location's `part` is the XML part, `line` the paragraph's ordinal in the part (cells
//! and fields count as paragraphs), so findings can be told apart and found again.
//!
//! [`walk`] also serves the redactor: with `track` set it records where each piece of text
//! came from ([`Mapped`]), which removable elements (tracked deletions, comments) enclose it,
//! and which spreadsheet cells hold a value rather than text; it then also walks the
//! `mc:Fallback` copies of text boxes, which extraction skips as duplicates but a redacted
//! file must not keep.

use super::srcmap::{CellSource, Container, Mapped, PieceKind};
use super::{Ctx, Problem, Sink, limit};
use crate::detect::Segment;
use crate::model::{Location, Text};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Which element names (local names, namespace prefixes ignored) carry structure.
pub struct Dialect {
    pub paragraph: &'static [&'static str],
    /// Elements whose character data is text. Empty: all character data inside a paragraph.
    pub text: &'static [&'static str],
    pub row: &'static [&'static str],
    pub cell: &'static [&'static str],
    pub table: &'static [&'static str],
    pub tab: &'static [&'static str],
    /// Line breaks inside a paragraph (joined with a space: the paragraph stays one line).
    pub space: &'static [&'static str],
    /// Subtrees that repeat other content (e.g. `mc:Fallback` copies of text boxes).
    pub skip: &'static [&'static str],
    /// Elements a redactor removes whole when they hold a finding (tracked deletions,
    /// comments); tracked by [`walk`] only.
    pub removable: &'static [&'static str],
    /// Text elements holding tracked-deleted text. It is read as fragments of its own beside
    /// the paragraph: inline, a deleted number glued to the text typed in its place (or to
    /// the visible number it was cut from) would be part of a longer run and go unreported.
    pub deleted: &'static [&'static str],
    /// OpenDocument spreadsheet: cells get sheet names and references.
    pub spreadsheet: bool,
}

/// The subtree that only repeats other content; walked when tracking (see the module docs).
const DUPLICATE: &str = "Fallback";

pub const OOXML: Dialect = Dialect {
    paragraph: &["p"],
    text: &["t", "delText", "instrText", "delInstrText"],
    row: &["tr"],
    cell: &["tc"],
    table: &["tbl"],
    tab: &["tab", "ptab"],
    space: &["br", "cr"],
    skip: &["Fallback", "rPr", "pPr", "sectPr", "tblPr", "tcPr", "trPr"],
    removable: &["del", "moveFrom", "comment", "cm"],
    deleted: &["delText", "delInstrText"],
    spreadsheet: false,
};

pub const ODF: Dialect = Dialect {
    paragraph: &["p", "h"],
    text: &[],
    row: &["table-row"],
    cell: &["table-cell", "covered-table-cell"],
    table: &["table"],
    tab: &["tab"],
    space: &["line-break", "s"],
    skip: &[],
    removable: &["annotation", "changed-region"],
    // ODF keeps deleted text in `text:tracked-changes`, in paragraphs of its own.
    deleted: &[],
    spreadsheet: false,
};

/// Attached to what was found in tracked-deleted text.
fn deleted_note() -> Text {
    Text::new(
        "i slettet tekst (sporede endringer): finnes fortsatt i filen",
        "in deleted text (tracked changes): still in the file",
    )
}

/// Attached to a number that regained its leading zero.
pub fn leading_zero_note() -> Text {
    Text::new(
        "ledende null lagt til (tallcelle i regneark)",
        "leading zero restored (numeric spreadsheet cell)",
    )
}

/// A numeric cell of 10 digits that is a valid national identity number once the leading 0 a
/// spreadsheet dropped is put back (born on days 01-09).
pub fn restore_leading_zero(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v.strip_suffix(".0").unwrap_or(v);
    if v.len() != 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let with = format!("0{v}");
    crate::detect::validators::fnr::classify(with.as_bytes())
        .is_ok()
        .then_some(with)
}

/// Spreadsheets have at most this many columns (Excel's `XFD`; LibreOffice's since 7.4).
pub const MAX_COLUMNS: usize = 16_384;

/// The column names of a header row, indexed by 0-based column. Cells beyond
/// [`MAX_COLUMNS`] name nothing: a hostile cell reference (`XFDXFDXFD1`) or repeat count
/// must not size this list (it once asked for 121 TB and aborted the scan).
pub fn header_names<'c>(cells: impl Iterator<Item = (usize, &'c str)>) -> Vec<String> {
    let mut names = Vec::new();
    for (col, text) in cells.filter(|(col, _)| *col < MAX_COLUMNS) {
        if names.len() <= col {
            names.resize(col + 1, String::new());
        }
        names[col] = text.trim().to_string();
    }
    names
}

/// `A`, `B`, ... `Z`, `AA` for a 0-based column, then the 1-based row: `B7`.
pub fn cell_ref(col: u32, row: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// A cell being collected.
struct Cell {
    /// 0-based column, for the header lookup.
    col: usize,
    text: Mapped,
    place: Location,
    note: Option<Text>,
}

#[derive(Default)]
struct Row {
    cells: Vec<Cell>,
    cur: Option<Cell>,
    /// Rows of tables nested in a cell: their text flows into the outer cell.
    nested: usize,
}

/// Per table: rows seen and the header names, if the first row was a header.
#[derive(Default)]
struct Table {
    rows: u32,
    headers: Option<Vec<String>>,
    name: Option<String>,
    /// Spreadsheet position: 0-based column of the next cell, 1-based row of the current
    /// row and the last row number it covers (rows may be repeated).
    col: u32,
    row: u32,
    next_row: u32,
}

/// Receives the records of a [`walk`], each segment with its source map (empty maps unless
/// the walk tracks sources).
pub trait Units {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], maps: &[&Mapped]);
}

/// Plain extraction: records go to a [`Sink`], maps are dropped.
struct Records<'s>(&'s mut dyn Sink);

impl Units for Records<'_> {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], _: &[&Mapped]) {
        self.0.record(None, segs, places);
    }
}

struct Walker<'d, 's> {
    d: &'d Dialect,
    part: &'s str,
    ordinal: u64,
    paras: Vec<Mapped>,
    /// Per open paragraph: its tracked-deleted fragments, and whether the last text went to
    /// the newest one (deleted text split over runs joins up; visible text between ends it).
    deleted: Vec<(Vec<Mapped>, bool)>,
    /// Inside a `Dialect::deleted` element.
    in_deleted: usize,
    row: Option<Row>,
    tables: Vec<Table>,
    in_text: usize,
    loose: Mapped,
    loose_name: String,
    units: &'s mut dyn Units,
    /// Record source maps (for the redactor).
    track: bool,
    /// Source range of the event being handled.
    pos: (usize, usize),
    containers: Vec<Container>,
    /// Open removable elements: index into `containers` and element depth.
    open: Vec<(usize, usize)>,
    /// Depth of the open `mc:Fallback` walked while tracking: its paragraphs repeat others and
    /// do not count in the paragraph ordinals.
    duplicate_at: Option<usize>,
}

/// Extracts one XML part.
pub fn extract(
    xml: &str,
    part: &str,
    d: &Dialect,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    walk(xml, part, d, ctx, false, &mut Records(sink)).map(|_| ())
}

/// Walks one XML part, handing each record to `units`. With `track`, maps record the source
/// of the text; returns the removable elements seen (empty without `track`).
pub fn walk(
    xml: &str,
    part: &str,
    d: &Dialect,
    ctx: &Ctx<'_>,
    track: bool,
    units: &mut dyn Units,
) -> Result<Vec<Container>, Problem> {
    let mut events = Events::new(xml, part, ctx).lenient();
    let mut w = Walker {
        d,
        part,
        ordinal: 0,
        paras: Vec::new(),
        deleted: Vec::new(),
        in_deleted: 0,
        row: None,
        tables: Vec::new(),
        in_text: 0,
        loose: Mapped::default(),
        loose_name: String::new(),
        units,
        track,
        pos: (0, 0),
        containers: Vec::new(),
        open: Vec::new(),
        duplicate_at: None,
    };
    let mut skip_at: Option<usize> = None;
    loop {
        let (ev, pos) = events.read()?;
        w.pos = pos;
        let (before, depth) = (pos.0, events.depth());
        match ev {
            Event::Start(e) => {
                if skip_at.is_some() {
                    continue;
                }
                let name = local(&e);
                if track && name == DUPLICATE {
                    w.duplicate_at.get_or_insert(depth);
                } else if d.skip.contains(&name) {
                    skip_at = Some(depth);
                    continue;
                }
                if track && d.removable.contains(&name) {
                    // `office:name` links an ODF annotation to its end; `w:id`, `text:id` others.
                    let id = attr(&e, "name").or_else(|| attr(&e, "id"));
                    w.containers.push(Container {
                        name: name.to_string(),
                        start: before,
                        id,
                        ..Container::default()
                    });
                    w.open.push((w.containers.len() - 1, depth));
                }
                w.start(&e, false);
            }
            Event::Empty(e) if skip_at.is_none() => {
                w.start(&e, true);
                w.end(local(&e));
            }
            Event::End(e) => {
                let name = e.local_name();
                let name: &str = name.as_ref();
                if let Some(at) = skip_at {
                    if depth == at {
                        skip_at = None;
                    }
                } else {
                    w.end(name);
                    if let Some(&(i, at)) = w.open.last()
                        && at == depth
                    {
                        w.containers[i].end = w.pos.1;
                        w.open.pop();
                    }
                    if w.duplicate_at == Some(depth) {
                        w.duplicate_at = None;
                    }
                }
            }
            Event::Text(t) if skip_at.is_none() => {
                if track {
                    // The raw text: `push_chars` normalises line ends as `xml10_content` does.
                    let raw = &xml[before..w.pos.1];
                    debug_assert_eq!(raw, &*t);
                    w.text(raw, Some((before, raw.len(), PieceKind::Verbatim)));
                } else {
                    w.text(&t.xml10_content(), None);
                }
            }
            Event::CData(t) if skip_at.is_none() => {
                let inner = t.into_inner();
                // `<![CDATA[` precedes the content.
                let src = track.then_some((before + 9, inner.len(), PieceKind::CData));
                w.text(&inner, src);
            }
            Event::GeneralRef(g) if skip_at.is_none() => {
                let src = track.then_some((before, w.pos.1 - before, PieceKind::Atomic));
                if let Ok(Some(c)) = g.resolve_char_ref() {
                    w.text(c.encode_utf8(&mut [0; 4]), src);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&g.xml10_content())
                {
                    w.text(s, src);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    w.flush_loose();
    Ok(w.containers)
}

/// An element's name without its namespace prefix.
pub(super) fn local<'e>(e: &'e BytesStart<'_>) -> &'e str {
    e.local_name().into_inner()
}

/// An attribute's value, found by its name without prefix.
pub(super) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find_map(|a| (a.key.local_name().as_ref() == name).then(|| a.value.to_string()))
}

impl Walker<'_, '_> {
    fn place(&self) -> Location {
        Location {
            line: self.ordinal,
            column: 1,
            part: Some(self.part.to_string()),
            ..Location::default()
        }
    }

    /// Paragraphs and fields count, except in a duplicate subtree.
    fn count(&mut self) {
        if self.duplicate_at.is_none() {
            self.ordinal += 1;
        }
    }

    fn in_cell(&self) -> bool {
        self.row.as_ref().is_some_and(|r| r.cur.is_some())
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = local(e);
        let d = self.d;
        if !empty {
            self.flush_loose();
            self.loose_name.clear();
            self.loose_name.push_str(name);
        }
        if d.paragraph.contains(&name) {
            self.count();
            self.paras.push(Mapped::default());
            self.deleted.push((Vec::new(), false));
            if self.track
                && let Some(&(i, _)) = self.open.last()
                && let Some(id) = attr(e, "paraId")
            {
                self.containers[i].para_ids.push(id);
            }
        } else if d.text.contains(&name) {
            self.in_text += 1;
            if d.deleted.contains(&name) {
                self.in_deleted += 1;
            }
        } else if d.tab.contains(&name) {
            self.push_str("\t");
        } else if d.space.contains(&name) {
            let n = attr(e, "c")
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(1);
            self.push_str(&" ".repeat(n.min(64)));
        } else if d.table.contains(&name) {
            if self.row.is_none() {
                self.tables.push(Table {
                    name: attr(e, "name"),
                    ..Table::default()
                });
            }
        } else if d.row.contains(&name) {
            match &mut self.row {
                Some(r) => r.nested += 1,
                None => {
                    self.row = Some(Row::default());
                    // Repeated rows (ODF) are mostly empty padding; later rows keep their
                    // number.
                    let rep = attr(e, "number-rows-repeated")
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(1);
                    if let Some(t) = self.tables.last_mut() {
                        t.row = t.next_row + 1;
                        t.next_row = t.row.saturating_add(rep.clamp(1, 1 << 20) - 1);
                        t.col = 0;
                    }
                }
            }
        } else if d.cell.contains(&name) {
            let top = self.row.as_ref().is_some_and(|r| r.nested == 0);
            if !top {
                return;
            }
            // The cell's text starts with its first paragraph, which is numbered next.
            let mut place = self.place();
            place.line = self.ordinal + 1;
            let mut note = None;
            let mut numeric = None;
            let mut rebuild = false;
            let mut col = self.row.as_ref().map_or(0, |r| r.cells.len());
            if d.spreadsheet {
                let t = self.tables.last_mut();
                if let Some(t) = t {
                    col = t.col as usize;
                    place.sheet = t.name.clone();
                    place.cell = Some(cell_ref(t.col, t.row));
                    place.part = None;
                    place.line = 1;
                    let rep = attr(e, "number-columns-repeated")
                        .and_then(|v| v.parse::<u32>().ok())
                        .unwrap_or(1);
                    t.col = t.col.saturating_add(rep.clamp(1, 1 << 14));
                }
                let value_type = attr(e, "value-type");
                if matches!(value_type.as_deref(), Some("float")) {
                    numeric = attr(e, "value");
                }
                // A number, date or formula result is held in attributes too: rebuilt whole.
                rebuild = value_type.is_some_and(|v| v != "string") || attr(e, "formula").is_some();
            }
            let mut text = Mapped::default();
            if let Some(v) = numeric.as_deref().and_then(restore_leading_zero) {
                text.push_str(&v);
                note = Some(leading_zero_note());
            }
            if self.track && rebuild && !empty {
                text.cell = Some(CellSource {
                    start: self.pos.0,
                    tag_end: self.pos.1,
                    end: 0,
                });
            }
            if let Some(r) = &mut self.row {
                r.cur = Some(Cell {
                    col,
                    text,
                    place,
                    note,
                });
            }
        }
    }

    fn end(&mut self, name: &str) {
        let d = self.d;
        self.flush_loose();
        if d.paragraph.contains(&name) {
            let Some(text) = self.paras.pop() else {
                return;
            };
            let (deleted, _) = self.deleted.pop().unwrap_or_default();
            // Paragraphs inside a cell (also text boxes and notes there) are part of the cell.
            if self.in_cell() {
                let cell = self.row.as_mut().and_then(|r| r.cur.as_mut());
                if let Some(c) = cell
                    && c.note.is_none()
                {
                    for t in std::iter::once(&text).chain(&deleted) {
                        if !c.text.is_empty() {
                            c.text.push_str("\n");
                        }
                        c.text.append(t);
                    }
                }
            } else {
                let place = self.place();
                // Built only when there is deleted text: this runs for every paragraph.
                let note = (!deleted.is_empty()).then(deleted_note);
                let parts: Vec<_> = std::iter::once((&text, None))
                    .chain(deleted.iter().map(|t| (t, note.as_ref())))
                    .filter(|(t, _)| !t.text.trim().is_empty())
                    .map(|(t, note)| (t, place.clone(), None, note))
                    .collect();
                self.emit(&parts);
            }
        } else if d.text.contains(&name) {
            self.in_text = self.in_text.saturating_sub(1);
            if d.deleted.contains(&name) {
                self.in_deleted = self.in_deleted.saturating_sub(1);
            }
        } else if d.cell.contains(&name) {
            let end = self.pos.1;
            if let Some(r) = &mut self.row
                && r.nested == 0
                && let Some(mut c) = r.cur.take()
            {
                if let Some(cell) = &mut c.text.cell {
                    cell.end = end;
                }
                r.cells.push(c);
            }
        } else if d.row.contains(&name) {
            match &mut self.row {
                Some(r) if r.nested > 0 => r.nested -= 1,
                Some(_) => {
                    let row = self.row.take().unwrap_or_default();
                    self.emit_row(row);
                }
                None => {}
            }
        } else if d.table.contains(&name) && self.row.is_none() {
            self.tables.pop();
        }
    }

    fn emit_row(&mut self, row: Row) {
        let table = self.tables.last_mut();
        let mut headers = None;
        if let Some(t) = table {
            t.rows += 1;
            let is_header = t.rows == 1
                && row.cells.iter().any(|c| !c.text.text.trim().is_empty())
                && row
                    .cells
                    .iter()
                    .all(|c| !c.text.text.bytes().any(|b| b.is_ascii_digit()));
            if is_header {
                t.headers = Some(header_names(
                    row.cells.iter().map(|c| (c.col, c.text.text.as_str())),
                ));
            } else {
                headers = t.headers.clone();
            }
        }
        let mut parts = Vec::new();
        for c in &row.cells {
            if c.text.text.trim().is_empty() {
                continue;
            }
            let header = headers
                .as_ref()
                .and_then(|h| h.get(c.col))
                .filter(|h| !h.is_empty())
                .map(String::as_str);
            let mut place = c.place.clone();
            place.field = header.map(str::to_string);
            parts.push((&c.text, place, header, c.note.as_ref()));
        }
        self.emit(&parts);
    }

    fn emit(&mut self, parts: &[(&Mapped, Location, Option<&str>, Option<&Text>)]) {
        if parts.is_empty() {
            return;
        }
        let segs: Vec<Segment<'_>> = parts
            .iter()
            .map(|(t, _, label, note)| {
                Segment::new(t.text.as_bytes())
                    .with_label(*label)
                    .with_note(*note)
            })
            .collect();
        let places: Vec<Location> = parts.iter().map(|p| p.1.clone()).collect();
        let maps: Vec<&Mapped> = parts.iter().map(|p| p.0).collect();
        self.units.unit(&segs, &places, &maps);
    }

    fn push_str(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.push_str(s);
        }
    }

    /// Character data, with its source when tracking: `(offset, length, kind)`. Verbatim
    /// text arrives raw (line ends not yet normalised).
    fn text(&mut self, s: &str, src: Option<(usize, usize, PieceKind)>) {
        let container = self.open.last().map(|&(i, _)| i);
        let in_deleted = self.in_deleted > 0;
        let dest = if let (Some(p), Some((frags, last_deleted))) =
            (self.paras.last_mut(), self.deleted.last_mut())
        {
            if !(self.d.text.is_empty() || self.in_text > 0) {
                None
            } else if in_deleted {
                if !*last_deleted || frags.is_empty() {
                    frags.push(Mapped::default());
                }
                *last_deleted = true;
                frags.last_mut()
            } else {
                *last_deleted = false;
                Some(p)
            }
        } else if self.in_cell() {
            // Spreadsheet cells hold their paragraphs; stray text is formatting whitespace.
            None
        } else if !s.trim().is_empty() || !self.loose.is_empty() {
            Some(&mut self.loose)
        } else {
            None
        };
        let Some(m) = dest else { return };
        match src {
            None => m.push_str(s),
            Some((at, _, PieceKind::Verbatim)) => {
                m.push_chars(s, at, PieceKind::Verbatim, container)
            }
            Some((at, len, kind)) => m.push_raw(s, at, len, kind, container),
        }
    }

    fn flush_loose(&mut self) {
        if self.loose.text.trim().is_empty() {
            self.loose.clear();
            return;
        }
        let text = std::mem::take(&mut self.loose);
        self.count();
        let mut place = self.place();
        let name = self.loose_name.clone();
        place.field = (!name.is_empty()).then(|| name.clone());
        let label = (!name.is_empty()).then_some(name.as_str());
        self.emit(&[(&text, place, label, None)]);
    }
}

/// A part's XML events with what every walk of document XML needs: the time-budget tick, the
/// source range of each event (the redactor's maps point into it) and the nesting limit.
pub struct Events<'x, 'c> {
    r: Reader<&'x [u8]>,
    part: &'x str,
    ctx: &'c Ctx<'c>,
    tick: super::Ticker,
    depth: usize,
    /// The last event was an end tag: its element is closed when the next event is read, so
    /// [`Events::depth`] still counts it while the caller handles the end.
    closing: bool,
}

impl<'x, 'c> Events<'x, 'c> {
    pub fn new(xml: &'x str, part: &'x str, ctx: &'c Ctx<'c>) -> Self {
        Events {
            r: Reader::from_str(xml),
            part,
            ctx,
            tick: ctx.ticker(),
            depth: 0,
            closing: false,
        }
    }

    /// Mismatched and unmatched end tags are read on, not refused (Word and LibreOffice
    /// documents are read leniently).
    pub fn lenient(mut self) -> Self {
        let cfg = self.r.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        self
    }

    /// Elements open at the last event; an end tag's element still counts.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The next event and the bytes of `xml` it was read from.
    // Always inlined: out of line, moving each event back through the stack cost 12 % on the
    // 2,000-document office benchmark (1.04 -> 1.21 s, hyperfine).
    #[inline(always)]
    pub fn read(&mut self) -> Result<(Event<'x>, (usize, usize)), Problem> {
        self.tick.tick()?;
        if std::mem::take(&mut self.closing) {
            self.depth = self.depth.saturating_sub(1);
        }
        let before = self.r.buffer_position() as usize;
        let ev = self.r.read_event().map_err(|_| {
            Problem::reason(format!(
                "malformed XML in {} near byte {}",
                self.part,
                self.r.error_position()
            ))
        })?;
        match &ev {
            Event::Start(_) => {
                self.depth += 1;
                let max = self.ctx.limits.max_xml_depth;
                if self.depth > max {
                    return Err(limit(
                        "max-xml-depth",
                        format!("{} nests elements more than {max} deep", self.part),
                    ));
                }
            }
            Event::End(_) => self.closing = true,
            _ => {}
        }
        Ok((ev, (before, self.r.buffer_position() as usize)))
    }
}
