//! OLE compound files: legacy Excel (.xls), Word (.doc) and PowerPoint (.ppt), Outlook
//! messages (.msg), and password-protected OOXML (which Office wraps in an OLE file).
//!
//! - .xls: cells through calamine, with sheet names, cell references and hidden-sheet notes.
//! - .msg: every string property (subject, body, sender, recipients, headers) as its own
//!   record with the property tag as `field`; attachments are extracted as files of their own.
//! - .doc: the text of every story (main text, footnotes, headers and footers, comments,
//!   endnotes, text boxes) through the piece table ([`super::doc`]), one record per paragraph
//!   or table row; the other streams (summary information, embedded objects) as strings.
//! - .ppt and anything else, and a .doc whose piece table does not add up: best effort, the
//!   readable text runs (UTF-16 and 8-bit) of each stream, like `strings`.
//!
//! Runs only inside the worker ([`super::worker`]): the parsers are not hardened.

use super::flow::{self, cell_ref, leading_zero_note, restore_leading_zero};
use super::{Buffers, Ctx, Problem, Sink, doc, extract_member_bytes};
use crate::detect::Segment;
use crate::model::{Location, Text};
use std::io::{Cursor, Read};

type Ole<'d> = cfb::CompoundFile<Cursor<&'d [u8]>>;

pub fn extract(
    data: &[u8],
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut ole = cfb::CompoundFile::open(Cursor::new(data))
        .map_err(|_| Problem::reason("damaged OLE compound file (legacy Office/Outlook)"))?;
    let streams: Vec<String> = ole
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    let has = |name: &str| streams.iter().any(|s| s == name);
    if has("/EncryptedPackage") || has("/EncryptionInfo") {
        return Err(Problem::reason(
            "password-protected Office document (encrypted): its content cannot be read",
        ));
    }
    if has("/Workbook") || has("/Book") {
        return xls(data, sink);
    }
    if streams.iter().any(|s| s.contains("__substg1.0_")) {
        return msg(&mut ole, &streams, ctx, bufs, sink);
    }
    if has("/WordDocument") && word_encrypted(&mut ole) {
        return Err(Problem::reason(
            "password-protected Word document (encrypted): its content cannot be read",
        ));
    }
    if has("/WordDocument") {
        return word(&mut ole, &streams, ctx, sink);
    }
    strings_of_streams(&mut ole, &streams, ctx, sink)
}

/// A Word 97-2003 document: its stories through the piece table, one record per paragraph
/// or table row, then the other streams (summary information, embedded objects) as strings.
/// A piece table that does not add up falls back to strings for every stream.
fn word(
    ole: &mut Ole<'_>,
    streams: &[String],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let word = read_stream(ole, "/WordDocument", ctx)?;
    let table_name = doc::table_stream(&word);
    let table = match streams.iter().any(|s| s == table_name) {
        true => Some(read_stream(ole, table_name, ctx)?),
        false => None,
    };
    let Some(stories) = table.and_then(|t| doc::stories(&word, &t)) else {
        return strings_of_streams(ole, streams, ctx, sink);
    };
    for story in &stories {
        let part = match story.name {
            "main text" => "WordDocument".to_string(),
            other => format!("WordDocument ({other})"),
        };
        // A table's first row names its columns if it holds text and no digits, as in
        // .docx: the names are context for the cells below (Fødselsnummer | 150...).
        let mut headers: Option<Vec<String>> = None;
        let mut first_row = true;
        for (n, record) in doc::records(&story.text).iter().enumerate() {
            if !record.row {
                (headers, first_row) = (None, true);
            } else if first_row {
                first_row = false;
                let cells = || record.cells.iter().map(|(_, t)| t.as_str());
                if !cells().any(|t| t.bytes().any(|b| b.is_ascii_digit())) {
                    headers = Some(flow::header_names(cells().enumerate()));
                    continue;
                }
            }
            let label = |i: usize| {
                headers
                    .as_ref()
                    .and_then(|h| h.get(i))
                    .filter(|h| !h.is_empty())
                    .map(String::as_str)
            };
            let segs: Vec<Segment<'_>> = (record.cells.iter().enumerate())
                .map(|(i, (_, t))| Segment::new(t.as_bytes()).with_label(label(i)))
                .collect();
            let places: Vec<Location> = (record.cells.iter().enumerate())
                .map(|(i, &(col, _))| Location {
                    line: n as u64 + 1,
                    column: col as u64 + 1,
                    part: Some(part.clone()),
                    field: label(i).map(str::to_string),
                    ..Location::default()
                })
                .collect();
            sink.record(None, &segs, &places);
        }
    }
    let rest: Vec<String> = streams
        .iter()
        .filter(|s| !matches!(s.as_str(), "/WordDocument" | "/0Table" | "/1Table"))
        .cloned()
        .collect();
    strings_of_streams(ole, &rest, ctx, sink)
}

fn read_stream(ole: &mut Ole<'_>, path: &str, ctx: &Ctx<'_>) -> Result<Vec<u8>, Problem> {
    let s = ole
        .open_stream(path)
        .map_err(|_| Problem::reason("damaged OLE compound file (unreadable stream)"))?;
    ctx.read_all(s, None)
}

/// Word's FIB flag `fEncrypted`, read before the stream is read whole.
fn word_encrypted(ole: &mut Ole<'_>) -> bool {
    let Ok(mut s) = ole.open_stream("/WordDocument") else {
        return false;
    };
    let mut fib = [0u8; 12];
    s.read_exact(&mut fib).is_ok() && doc::encrypted(&fib)
}

/// Legacy Excel through calamine: one record per row, one segment per cell.
fn xls(data: &[u8], sink: &mut dyn Sink) -> Result<(), Problem> {
    use calamine::{Data, Reader, SheetVisible, Xls};
    let mut wb: Xls<_> = Xls::new(Cursor::new(data)).map_err(|e| match e {
        calamine::XlsError::Password => Problem::reason(
            "password-protected Excel workbook (encrypted): its content cannot be read",
        ),
        _ => Problem::reason("damaged Excel (.xls) workbook"),
    })?;
    let sheets: Vec<(String, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    let hidden_note = Text::new("skjult ark", "hidden sheet");
    let zero_note = leading_zero_note();
    let zero_hidden = Text::join(&[zero_note.clone(), hidden_note.clone()]).unwrap_or_default();
    for (name, hidden) in sheets {
        let Ok(range) = wb.worksheet_range(&name) else {
            sink.not_examined(None, &format!("sheet {name:?} could not be read"));
            continue;
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut row_cells: Vec<(String, Location, bool)> = Vec::new();
        let mut cur_row = None;
        let flush = |cells: &mut Vec<(String, Location, bool)>, sink: &mut dyn Sink| {
            if cells.is_empty() {
                return;
            }
            let segs: Vec<Segment<'_>> = cells
                .iter()
                .map(|(t, _, restored)| {
                    let note = match (restored, hidden) {
                        (true, true) => Some(&zero_hidden),
                        (true, false) => Some(&zero_note),
                        (false, true) => Some(&hidden_note),
                        (false, false) => None,
                    };
                    Segment::new(t.as_bytes()).with_note(note)
                })
                .collect();
            let places: Vec<Location> = cells.iter().map(|c| c.1.clone()).collect();
            sink.record(None, &segs, &places);
            cells.clear();
        };
        for (r, c, v) in range.used_cells() {
            let (row, col) = (r0 + r as u32, c0 + c as u32);
            if cur_row != Some(row) {
                flush(&mut row_cells, sink);
                cur_row = Some(row);
            }
            let (text, restored) = match v {
                Data::String(s) => (s.clone(), false),
                Data::Int(i) => number(&i.to_string()),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => number(&format!("{f:.0}")),
                Data::Float(f) => (f.to_string(), false),
                _ => continue,
            };
            let place = Location {
                line: 1,
                column: 1,
                sheet: Some(name.clone()),
                cell: Some(cell_ref(col, row + 1)),
                ..Location::default()
            };
            row_cells.push((text, place, restored));
        }
        flush(&mut row_cells, sink);
    }
    Ok(())
}

fn number(s: &str) -> (String, bool) {
    match restore_leading_zero(s) {
        Some(z) => (z, true),
        None => (s.to_string(), false),
    }
}

/// Outlook .msg: string properties and attachments.
fn msg(
    ole: &mut Ole<'_>,
    streams: &[String],
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut attachments = 0usize;
    for path in streams {
        let name = path.rsplit('/').next().unwrap_or(path);
        let Some(tag) = name.strip_prefix("__substg1.0_") else {
            continue;
        };
        if tag.len() != 8 {
            continue;
        }
        let (prop, kind) = tag.split_at(4);
        let data = read_stream(ole, path, ctx)?;
        match kind {
            "001F" | "001E" => {
                let text = if kind == "001F" {
                    encoding_rs::UTF_16LE.decode_without_bom_handling(&data).0
                } else {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(&data)
                        .0
                };
                let text = text.trim_end_matches('\0');
                if text.trim().is_empty() {
                    continue;
                }
                let field = property_name(prop);
                let place = Location {
                    line: 1,
                    column: 1,
                    part: Some(path.trim_start_matches('/').to_string()),
                    field: Some(field.to_string()),
                    ..Location::default()
                };
                sink.record(
                    None,
                    &[Segment::new(text.as_bytes()).with_label(Some(field))],
                    &[place],
                );
            }
            // Attachment data (PR_ATTACH_DATA_BIN): extracted as a file of its own.
            "0102" if prop == "3701" => {
                attachments += 1;
                if attachments > ctx.limits.max_entries {
                    return Err(super::limit(
                        "max-entries",
                        format!("more than {} attachments", ctx.limits.max_entries),
                    ));
                }
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                let file_name = ["3707001F", "3704001F"]
                    .iter()
                    .find_map(|t| {
                        let p = format!("{dir}/__substg1.0_{t}");
                        let d = read_stream(ole, &p, ctx).ok()?;
                        let s = encoding_rs::UTF_16LE.decode_without_bom_handling(&d).0;
                        let s = s.trim_end_matches('\0').to_string();
                        (!s.is_empty()).then_some(s)
                    })
                    .unwrap_or_else(|| format!("attachment-{attachments}"));
                extract_member_bytes(&data, &file_name, ctx, bufs, sink)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Names of the MAPI properties a reader will recognise; others by tag.
fn property_name(tag: &str) -> &str {
    match tag {
        "0037" => "subject",
        "1000" => "body",
        "0C1A" => "sender-name",
        "0C1F" => "sender-address",
        "0E04" => "to",
        "0E03" => "cc",
        "0E02" => "bcc",
        "007D" => "headers",
        "3001" => "display-name",
        "3003" => "address",
        "39FE" => "smtp-address",
        "3707" | "3704" => "file-name",
        _ => tag,
    }
}

/// Best effort for .ppt, other OLE files and a .doc whose piece table does not add up:
/// readable text runs of every stream.
fn strings_of_streams(
    ole: &mut Ole<'_>,
    streams: &[String],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    for path in streams {
        let data = read_stream(ole, path, ctx)?;
        let text = strings(&data);
        if text.trim().is_empty() {
            continue;
        }
        let place = Location {
            line: 1,
            column: 1,
            part: Some(path.trim_start_matches(['/', '\u{5}']).to_string()),
            ..Location::default()
        };
        sink.record(None, &[Segment::new(text.as_bytes())], &[place]);
    }
    Ok(())
}

/// Runs of at least 4 readable characters, UTF-16LE or Windows-1252, one per line.
pub fn strings(data: &[u8]) -> String {
    const MIN: usize = 4;
    let readable = |c: char| !c.is_control() || c == '\t';
    let mut out = String::new();
    // UTF-16LE runs.
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= MIN {
            out.push_str(run.trim());
            out.push('\n');
        }
        run.clear();
    };
    for align in [0, 1] {
        for pair in data.get(align..).unwrap_or_default().chunks_exact(2) {
            let u = u16::from_le_bytes([pair[0], pair[1]]);
            match char::from_u32(u as u32) {
                Some(c) if readable(c) && (u < 0x0250 || (0x2000..0x2100).contains(&u)) => {
                    run.push(c)
                }
                _ => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
    }
    // 8-bit runs (odd offsets of UTF-16 text never form runs: every other byte is NUL).
    for b in data {
        let c = if *b < 0x80 {
            *b as char
        } else {
            let s = [*b];
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&s)
                .0
                .chars()
                .next()
                .unwrap_or('\0')
        };
        if readable(c) && c != '\0' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::io::Write;

    #[derive(Default)]
    struct Collect {
        records: Vec<(Option<String>, String, Location)>,
    }

    impl Sink for Collect {
        fn record(&mut self, inner: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
            for (s, p) in segs.iter().zip(places) {
                let t = String::from_utf8_lossy(s.text).into_owned();
                self.records.push((inner.map(str::to_string), t, p.clone()));
            }
        }
        fn not_examined(&mut self, _: Option<&str>, r: &str) {
            panic!("not examined: {r}");
        }
        fn binary(&mut self, _: Option<&str>) {}
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    /// An Outlook message as Outlook lays it out (written with the cfb crate; no Outlook
    /// here): string properties and one attachment holding a CSV.
    #[test]
    fn msg_properties_and_attachments() {
        let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        fn put(ole: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]) {
            ole.create_stream(path).unwrap().write_all(data).unwrap();
        }
        put(&mut ole, "/__substg1.0_0037001F", &utf16("Søknad"));
        put(
            &mut ole,
            "/__substg1.0_1000001F",
            &utf16("Mitt fødselsnummer er 20036914700.\0"),
        );
        put(
            &mut ole,
            "/__substg1.0_0C1F001F",
            &utf16("kari.nordmann@eksempel.no"),
        );
        ole.create_storage("/__attach_version1.0_#00000000")
            .unwrap();
        put(
            &mut ole,
            "/__attach_version1.0_#00000000/__substg1.0_37010102",
            "Navn;Fødselsnummer\nOla;20036914700\n".as_bytes(),
        );
        put(
            &mut ole,
            "/__attach_version1.0_#00000000/__substg1.0_3707001F",
            &utf16("liste.csv"),
        );
        ole.flush().unwrap();
        let data = ole.into_inner().into_inner();

        let limits = crate::extract::Limits::default();
        let budget = Cell::new(limits.max_total_bytes);
        let ctx = Ctx {
            limits: &limits,
            depth: 0,
            budget: &budget,
            deadline: None,
        };
        let mut sink = Collect::default();
        extract(&data, &ctx, &mut Buffers::default(), &mut sink).unwrap();
        let body = sink
            .records
            .iter()
            .find(|r| r.2.field.as_deref() == Some("body"))
            .unwrap();
        assert!(body.1.contains("20036914700"));
        assert_eq!(body.2.part.as_deref(), Some("__substg1.0_1000001F"));
        assert!(
            sink.records
                .iter()
                .any(|r| r.2.field.as_deref() == Some("sender-address"))
        );
        let csv = sink
            .records
            .iter()
            .find(|r| r.0.as_deref() == Some("liste.csv"))
            .unwrap();
        assert!(csv.1.contains("Ola;20036914700"));
    }

    #[test]
    fn strings_finds_both_encodings() {
        let mut data = b"\x01\x02fnr 20036914700\x00\x00".to_vec();
        data.extend("fødselsnummer".encode_utf16().flat_map(|u| u.to_le_bytes()));
        data.extend(b"\x00\x00\x03");
        let s = super::strings(&data);
        assert!(s.contains("fnr 20036914700"), "{s}");
        assert!(s.contains("fødselsnummer"), "{s}");
    }
}
