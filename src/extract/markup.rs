//! HTML and XML files: text content and attribute values, entities decoded.
//!
//! HTML is read with quick-xml in its lenient mode (unclosed and mismatched tags allowed).
//! Text flows across inline elements (`010190<b>12345</b>` is one number) and breaks at block
//! elements; a table row is one record with a segment per cell, so a header cell's keyword
//! counts for its neighbour. In XML every text node is labelled with its element's name, so
//! `<fodselsnummer>...</fodselsnummer>` is its own context, and the text of an element's
//! children is one record (a row of an export: `<rad><fnr>..</fnr><merknad>..</merknad>`).
//! Attribute values (e.g. `<input name="fnr" value="...">`) form one record per element,
//! labelled with the attribute names. Style sheets are skipped. If the markup is too broken
//! to parse, the rest of the file is scanned as plain text rather than dropped.
//!
//! Locations are the line and column of the text in the file.
//!
//! [`walk`] serves the redactor as [`super::flow::walk`] does: with `track` set, every piece
//! of text and attribute value comes with the source bytes it was read from.

use super::flow::Units;
use super::srcmap::{Mapped, PieceKind};
use super::text::LineColumn;
use super::{Ctx, Problem, Sink, limit};
use crate::detect::Segment;
use crate::model::Location;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Html,
    Xml,
}

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "title",
    "ul",
    "script",
    "textarea",
    "label",
    "legend",
    "fieldset",
];

pub fn extract(data: &[u8], d: Dialect, ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<(), Problem> {
    extract_part(data, d, None, ctx, sink)
}

/// Line and column of byte offsets, moving forward through the text.
struct Lines<'t> {
    text: &'t str,
    cursor: LineColumn,
}

impl Lines<'_> {
    fn at(&mut self, off: usize) -> (u64, u64) {
        let off = off.min(self.text.len());
        if off < self.cursor.pos() {
            self.cursor = LineColumn::new(1, 1);
        }
        self.cursor.advance(self.text.as_bytes(), off)
    }
}

struct State<'p> {
    part: Option<&'p str>,
    buf: Mapped,
    buf_place: Option<Location>,
    /// Cells of the open HTML table row.
    row: Option<Vec<Field>>,
    /// XML: per open element, the text of its child elements, each labelled with the child's
    /// name; emitted as one record when the element closes, so the fields of a row
    /// (`<rad><fnr>..</fnr><diagnose>..</diagnose></rad>`) are one context.
    groups: Vec<Vec<Field>>,
    label: String,
    track: bool,
}

/// Plain extraction: records go to a [`Sink`], maps are dropped.
struct Records<'s>(&'s mut dyn Sink);

impl Units for Records<'_> {
    fn unit(&mut self, segs: &[Segment<'_>], places: &[Location], _: &[&Mapped]) {
        self.0.record(None, segs, places);
    }
}

impl State<'_> {
    fn place(&self, (line, column): (u64, u64)) -> Location {
        Location {
            line,
            column,
            part: self.part.map(str::to_string),
            ..Location::default()
        }
    }

    /// Text at `at` (line, column); `src` is its source when tracking: offset, length and
    /// kind (verbatim text arrives raw and is normalised here as `xml10_content` does).
    fn add(&mut self, s: &str, at: (u64, u64), src: Option<(usize, usize, PieceKind)>) {
        if self.buf_place.is_none() {
            if s.trim().is_empty() {
                return;
            }
            self.buf_place = Some(self.place(at));
        }
        match src {
            Some((off, _, PieceKind::Verbatim)) if self.track => {
                self.buf.push_chars(s, off, PieceKind::Verbatim, None)
            }
            Some((off, len, kind)) if self.track => self.buf.push_raw(s, off, len, kind, None),
            _ => self.buf.push_str(s),
        }
    }

    /// The current text run and where it started, if it holds more than whitespace.
    fn take_run(&mut self) -> Option<(Mapped, Location)> {
        let Some(place) = self.buf_place.take() else {
            self.buf.clear();
            return None;
        };
        let text = std::mem::take(&mut self.buf);
        (!text.text.trim().is_empty()).then_some((text, place))
    }

    /// Ends the current text run: into the open row's cell, or as a record.
    fn flush(&mut self, units: &mut dyn Units, label: Option<&str>) {
        let Some((text, place)) = self.take_run() else {
            return;
        };
        if let Some(row) = &mut self.row {
            row.push((text, place, None));
            return;
        }
        units.unit(
            &[Segment::new(text.text.as_bytes()).with_label(label)],
            &[place],
            &[&text],
        );
    }

    /// XML: ends the current text run, the content of the innermost open element, into its
    /// parent's group (a record of its own at the top level). A group that grows past
    /// [`MAX_GROUP`] fields or [`MAX_GROUP_BYTES`] goes out first: a flat list of thousands
    /// of elements is not one person.
    fn flush_field(&mut self, units: &mut dyn Units, label: &str) {
        let Some(parent) = self.groups.len().checked_sub(2) else {
            return self.flush(units, Some(label));
        };
        let Some((text, place)) = self.take_run() else {
            return;
        };
        let group = &mut self.groups[parent];
        let bytes: usize = group.iter().map(|(t, ..)| t.text.len()).sum();
        if group.len() >= MAX_GROUP || bytes + text.text.len() > MAX_GROUP_BYTES {
            let full = std::mem::take(group);
            emit_group(units, &full);
        }
        self.groups[parent].push((text, place, Some(label.to_string())));
    }

    /// Hands on everything still held: the open row, the text run and the open elements'
    /// groups (at the end, or when the walk is cut off).
    fn finish(&mut self, html: bool, units: &mut dyn Units) {
        self.flush_row(units);
        let label = std::mem::take(&mut self.label);
        if html {
            self.flush(units, None);
        } else {
            self.flush_field(units, &label);
        }
        for g in std::mem::take(&mut self.groups).iter().rev() {
            emit_group(units, g);
        }
    }

    fn flush_row(&mut self, units: &mut dyn Units) {
        self.flush(units, None);
        if let Some(row) = self.row.take() {
            emit_group(units, &row);
        }
    }
}

/// Most fields in one XML group, and most bytes of text.
const MAX_GROUP: usize = 64;
const MAX_GROUP_BYTES: usize = 64 * 1024;

/// A piece of text in a record: where it starts, and the name it is labelled with.
type Field = (Mapped, Location, Option<String>);

/// One record of the fields of an HTML table row or an XML element, if there are any.
fn emit_group(units: &mut dyn Units, group: &[Field]) {
    if group.is_empty() {
        return;
    }
    let segs: Vec<Segment<'_>> = group
        .iter()
        .map(|(t, _, label)| Segment::new(t.text.as_bytes()).with_label(label.as_deref()))
        .collect();
    let places: Vec<Location> = group.iter().map(|(_, p, _)| p.clone()).collect();
    let maps: Vec<&Mapped> = group.iter().map(|(t, ..)| t).collect();
    units.unit(&segs, &places, &maps);
}

pub fn extract_part(
    data: &[u8],
    d: Dialect,
    part: Option<&str>,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let text = super::decode_text(data);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    walk(text, d, part, ctx, false, &mut Records(sink))
}

/// Walks decoded markup, handing each record to `units`; with `track`, maps record the source
/// (byte offsets in `text`) of every piece of text and attribute value.
pub fn walk(
    text: &str,
    d: Dialect,
    part: Option<&str>,
    ctx: &Ctx<'_>,
    track: bool,
    sink: &mut dyn Units,
) -> Result<(), Problem> {
    let mut r = Reader::from_str(text);
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    cfg.allow_dangling_amp = true;
    cfg.check_comments = false;
    let mut lines = Lines {
        text,
        cursor: LineColumn::new(1, 1),
    };
    let mut st = State {
        part,
        buf: Mapped::default(),
        buf_place: None,
        row: None,
        groups: Vec::new(),
        label: String::new(),
        track,
    };
    let html = d == Dialect::Html;
    let mut depth = 0usize;
    let mut skip_style = false;
    let mut tick = ctx.ticker();
    loop {
        if let Err(e) = tick.tick() {
            // Cut off: what was read still counts.
            st.finish(html, sink);
            return Err(e);
        }
        let before = r.buffer_position() as usize;
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(_) => {
                // Too broken to parse on: scan the rest as plain text.
                st.finish(html, sink);
                let from = before.min(text.len());
                let rest = &text[from..];
                if !rest.trim().is_empty() {
                    let place = st.place(lines.at(before));
                    let mut m = Mapped::default();
                    if track {
                        m.push_raw(rest, from, rest.len(), PieceKind::Verbatim, None);
                    }
                    sink.unit(&[Segment::new(rest.as_bytes())], &[place], &[&m]);
                }
                return Ok(());
            }
        };
        let after = r.buffer_position() as usize;
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = lower_local(&e);
                // HTML keeps no element stack (unclosed tags are normal), so only XML nests.
                if !html && !empty {
                    depth += 1;
                    if depth > ctx.limits.max_xml_depth {
                        st.finish(html, sink);
                        return Err(limit(
                            "max-xml-depth",
                            format!("elements nest more than {} deep", ctx.limits.max_xml_depth),
                        ));
                    }
                }
                if html {
                    if name == "style" && !empty {
                        skip_style = true;
                    }
                    if name == "tr" {
                        st.flush_row(sink);
                        st.row = Some(Vec::new());
                    } else if name == "td" || name == "th" || BLOCKS.contains(&name.as_str()) {
                        st.flush(sink, None);
                    }
                } else {
                    let label = std::mem::take(&mut st.label);
                    st.flush_field(sink, &label);
                    st.label = name.clone();
                    if !empty {
                        st.groups.push(Vec::new());
                    }
                }
                attributes(&e, d, &mut st, (lines.at(before), text), sink);
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if html {
                    match name.as_str() {
                        "style" => skip_style = false,
                        "tr" | "table" => st.flush_row(sink),
                        n if n == "td" || n == "th" || BLOCKS.contains(&n) => st.flush(sink, None),
                        _ => {}
                    }
                } else {
                    depth = depth.saturating_sub(1);
                    let label = std::mem::take(&mut st.label);
                    st.flush_field(sink, &label);
                    if let Some(children) = st.groups.pop() {
                        emit_group(sink, &children);
                    }
                }
            }
            Event::Text(t) if !skip_style => {
                let at = lines.at(before);
                if track {
                    let raw = &text[before..after];
                    st.add(raw, at, Some((before, raw.len(), PieceKind::Verbatim)));
                } else {
                    st.add(&t.xml10_content(), at, None);
                }
            }
            Event::CData(t) if !skip_style => {
                let s = t.into_inner().into_owned();
                let src = Some((before + 9, s.len(), PieceKind::CData));
                st.add(&s, lines.at(before), src);
            }
            Event::GeneralRef(g) if !skip_style => {
                let at = lines.at(before);
                let src = Some((before, after - before, PieceKind::Atomic));
                if let Ok(Some(c)) = g.resolve_char_ref() {
                    st.add(c.encode_utf8(&mut [0; 4]), at, src);
                } else {
                    let name = g.xml10_content();
                    let resolved = if html {
                        quick_xml::escape::resolve_html5_entity(&name)
                    } else {
                        quick_xml::escape::resolve_predefined_entity(&name)
                    };
                    match resolved {
                        Some(s) => st.add(s, at, src),
                        None => {
                            let raw = format!("&{name};");
                            st.add(&raw, at, src);
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    st.finish(html, sink);
    Ok(())
}

fn lower_local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_ascii_lowercase()
}

/// One record of an element's attribute values, each labelled with its attribute's name.
/// `text` is the whole source: a borrowed value's offset in it is its source.
fn attributes(
    e: &BytesStart<'_>,
    d: Dialect,
    st: &mut State<'_>,
    (at, text): ((u64, u64), &str),
    sink: &mut dyn Units,
) {
    let mut vals: Vec<(String, String, Mapped)> = Vec::new();
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.local_name().as_ref().to_ascii_lowercase();
        if matches!(
            key.as_str(),
            "style" | "class" | "xmlns" | "width" | "height"
        ) {
            continue;
        }
        let value = a
            .normalized_value_with(quick_xml::XmlVersion::Implicit1_0, 8, |ent| match d {
                Dialect::Html => quick_xml::escape::resolve_html5_entity(ent),
                Dialect::Xml => quick_xml::escape::resolve_predefined_entity(ent),
            })
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| a.value.to_string());
        if !value.trim().is_empty() {
            let mut m = Mapped::default();
            if st.track {
                // The raw value borrows from the source; its address gives its offset.
                let raw: &str = &a.value;
                let off = (raw.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
                if off <= text.len() && off + raw.len() <= text.len() {
                    let kind = if raw == value {
                        PieceKind::Verbatim
                    } else {
                        PieceKind::Atomic
                    };
                    m.push_raw(&value, off, raw.len(), kind, None);
                } else {
                    m.push_str(&value);
                }
            }
            vals.push((key, value, m));
        }
    }
    if !vals
        .iter()
        .any(|(_, v, _)| v.bytes().any(|b| b.is_ascii_digit() || b == b'@'))
    {
        return;
    }
    let segs: Vec<Segment<'_>> = vals
        .iter()
        .map(|(k, v, _)| Segment::new(v.as_bytes()).with_label(Some(k)))
        .collect();
    let place = st.place(at);
    let places = vec![place; segs.len()];
    let maps: Vec<&Mapped> = vals.iter().map(|(_, _, m)| m).collect();
    sink.unit(&segs, &places, &maps);
}
