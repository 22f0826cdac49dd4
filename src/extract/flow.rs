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
    /// OpenDocument spreadsheet: cells get sheet names and references.
    pub spreadsheet: bool,
}

pub const OOXML: Dialect = Dialect {
    paragraph: &["p"],
    text: &["t", "delText", "instrText", "delInstrText"],
    row: &["tr"],
    cell: &["tc"],
    table: &["tbl"],
    tab: &["tab", "ptab"],
    space: &["br", "cr"],
    skip: &["Fallback", "rPr", "pPr", "sectPr", "tblPr", "tcPr", "trPr"],
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
    spreadsheet: false,
};

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
    text: String,
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

struct Walker<'d, 's> {
    d: &'d Dialect,
    part: &'s str,
    ordinal: u64,
    paras: Vec<String>,
    row: Option<Row>,
    tables: Vec<Table>,
    in_text: usize,
    loose: String,
    loose_name: String,
    sink: &'s mut dyn Sink,
}

/// Extracts one XML part.
pub fn extract(
    xml: &str,
    part: &str,
    d: &Dialect,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut r = Reader::from_str(xml);
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    let mut w = Walker {
        d,
        part,
        ordinal: 0,
        paras: Vec::new(),
        row: None,
        tables: Vec::new(),
        in_text: 0,
        loose: String::new(),
        loose_name: String::new(),
        sink,
    };
    let mut depth = 0usize;
    let mut skip_at: Option<usize> = None;
    let mut tick = ctx.ticker();
    loop {
        tick.tick()?;
        let ev = r.read_event().map_err(|_| {
            Problem::reason(format!(
                "malformed XML in {part} near byte {}",
                r.error_position()
            ))
        })?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth > ctx.limits.max_xml_depth {
                    return Err(limit(
                        "max-xml-depth",
                        format!(
                            "{part} nests elements more than {} deep",
                            ctx.limits.max_xml_depth
                        ),
                    ));
                }
                if skip_at.is_some() {
                    continue;
                }
                if d.skip.contains(&local(&e)) {
                    skip_at = Some(depth);
                    continue;
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
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if skip_at.is_none() => w.text(&t.xml10_content()),
            Event::CData(t) if skip_at.is_none() => {
                w.text(&t.into_inner());
            }
            Event::GeneralRef(g) if skip_at.is_none() => {
                if let Ok(Some(c)) = g.resolve_char_ref() {
                    w.text(c.encode_utf8(&mut [0; 4]));
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&g.xml10_content())
                {
                    w.text(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    w.flush_loose();
    Ok(())
}

fn local<'e>(e: &'e BytesStart<'_>) -> &'e str {
    e.local_name().into_inner()
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
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
            self.ordinal += 1;
            self.paras.push(String::new());
        } else if d.text.contains(&name) {
            self.in_text += 1;
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
                if matches!(attr(e, "value-type").as_deref(), Some("float")) {
                    numeric = attr(e, "value");
                }
            }
            let mut text = String::new();
            if let Some(v) = numeric.as_deref().and_then(restore_leading_zero) {
                text = v;
                note = Some(leading_zero_note());
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
            // Paragraphs inside a cell (also text boxes and notes there) are part of the cell.
            if self.in_cell() {
                let cell = self.row.as_mut().and_then(|r| r.cur.as_mut());
                if let Some(c) = cell
                    && c.note.is_none()
                {
                    if !c.text.is_empty() {
                        c.text.push('\n');
                    }
                    c.text.push_str(&text);
                }
            } else if !text.trim().is_empty() {
                let place = self.place();
                self.emit(&[(text.as_str(), place, None, None)]);
            }
        } else if d.text.contains(&name) {
            self.in_text = self.in_text.saturating_sub(1);
        } else if d.cell.contains(&name) {
            if let Some(r) = &mut self.row
                && r.nested == 0
                && let Some(c) = r.cur.take()
            {
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
                && row.cells.iter().any(|c| !c.text.trim().is_empty())
                && row
                    .cells
                    .iter()
                    .all(|c| !c.text.bytes().any(|b| b.is_ascii_digit()));
            if is_header {
                t.headers = Some(header_names(
                    row.cells.iter().map(|c| (c.col, c.text.as_str())),
                ));
            } else {
                headers = t.headers.clone();
            }
        }
        let mut parts = Vec::new();
        for c in &row.cells {
            if c.text.trim().is_empty() {
                continue;
            }
            let header = headers
                .as_ref()
                .and_then(|h| h.get(c.col))
                .filter(|h| !h.is_empty())
                .cloned();
            let mut place = c.place.clone();
            place.field = header.clone();
            parts.push((c.text.as_str(), place, header, c.note.clone()));
        }
        let owned: Vec<(String, Location, Option<String>, Option<Text>)> = parts
            .into_iter()
            .map(|(t, p, h, n)| (t.to_string(), p, h, n))
            .collect();
        let view: Vec<(&str, Location, Option<&str>, Option<&Text>)> = owned
            .iter()
            .map(|(t, p, h, n)| (t.as_str(), p.clone(), h.as_deref(), n.as_ref()))
            .collect();
        self.emit(&view);
    }

    fn emit(&mut self, parts: &[(&str, Location, Option<&str>, Option<&Text>)]) {
        if parts.is_empty() {
            return;
        }
        let segs: Vec<Segment<'_>> = parts
            .iter()
            .map(|(t, _, label, note)| {
                Segment::new(t.as_bytes())
                    .with_label(*label)
                    .with_note(*note)
            })
            .collect();
        let places: Vec<Location> = parts.iter().map(|p| p.1.clone()).collect();
        self.sink.record(None, &segs, &places);
    }

    fn push_str(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.push_str(s);
        }
    }

    fn text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            if self.d.text.is_empty() || self.in_text > 0 {
                p.push_str(s);
            }
        } else if self.in_cell() {
            // Spreadsheet cells hold their paragraphs; stray text is formatting whitespace.
        } else if !s.trim().is_empty() || !self.loose.is_empty() {
            self.loose.push_str(s);
        }
    }

    fn flush_loose(&mut self) {
        if self.loose.trim().is_empty() {
            self.loose.clear();
            return;
        }
        let text = std::mem::take(&mut self.loose);
        self.ordinal += 1;
        let mut place = self.place();
        let name = self.loose_name.clone();
        place.field = (!name.is_empty()).then(|| name.clone());
        let label = (!name.is_empty()).then_some(name.as_str());
        self.emit(&[(text.as_str(), place, label, None)]);
    }
}
