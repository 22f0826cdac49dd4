//! RTF: the text of the document, annotations (comments) and the `\info` group (author,
//! operator, company), one record per paragraph.
//!
//! RTF's syntax is a flat token stream (groups, control words, text), so this is a tokenizer
//! rather than a parser of layout: it resolves `\'hh` escapes in the document's code page
//! (`\ansicpg`, Windows-1252 by default), `\uN` Unicode escapes with their `\ucN` fallbacks,
//! skips `\binN` data and destinations that hold no text (font and colour tables, pictures,
//! ignorable `\*` groups). The one RTF crate on crates.io (rtf-parser) is young and does not
//! handle code pages. Paragraphs are numbered in `line`; table cells are joined by tabs, so a
//! table row is one paragraph. `\info` fields are reported with `part = "info"` and the field
//! name as `field`.

use super::{Ctx, Problem, Sink, limit};
use crate::detect::Segment;
use crate::model::Location;

/// Destinations whose content is never document text.
const SKIP: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"listtable",
    b"listoverridetable",
    b"pict",
    b"themedata",
    b"colorschememapping",
    b"datastore",
    b"latentstyles",
    b"rsidtbl",
    b"generator",
    b"xmlnstbl",
    b"mmathPr",
    b"filetbl",
    b"revtbl",
    b"objdata",
    b"fldinst",
    b"header_skip_none",
];
/// Ignorable (`\*`) destinations that do hold text worth scanning.
const KEEP_STARRED: &[&[u8]] = &[b"annotation", b"atnauthor", b"company"];
const INFO_FIELDS: &[&[u8]] = &[
    b"title",
    b"subject",
    b"author",
    b"operator",
    b"keywords",
    b"comment",
    b"company",
    b"manager",
    b"doccomm",
    b"category",
];

#[derive(Clone, Copy)]
struct Group {
    skip: bool,
    uc: usize,
    /// Inside the `{\info ...}` group.
    in_info: bool,
    /// Index into INFO_FIELDS when inside `{\info {\author ...}}`.
    info: Option<usize>,
}

struct Out<'s> {
    text: String,
    /// Bytes of `\'hh` escapes waiting to be decoded together (multi-byte code pages).
    pending: Vec<u8>,
    codepage: &'static encoding_rs::Encoding,
    paragraph: u64,
    sink: &'s mut dyn Sink,
}

impl Out<'_> {
    fn decode_pending(&mut self) {
        if !self.pending.is_empty() {
            let s = self.codepage.decode_without_bom_handling(&self.pending).0;
            self.text.push_str(&s);
            self.pending.clear();
        }
    }

    fn push(&mut self, s: &str) {
        self.decode_pending();
        self.text.push_str(s);
    }

    fn paragraph_end(&mut self, info: Option<usize>) {
        self.decode_pending();
        self.paragraph += 1;
        if self.text.trim().is_empty() {
            self.text.clear();
            return;
        }
        let mut place = Location {
            line: self.paragraph,
            column: 1,
            ..Location::default()
        };
        let label = info.map(|i| String::from_utf8_lossy(INFO_FIELDS[i]).into_owned());
        if let Some(l) = &label {
            place.part = Some("info".to_string());
            place.field = Some(l.clone());
        }
        let text = std::mem::take(&mut self.text);
        self.sink.record(
            None,
            &[Segment::new(text.as_bytes()).with_label(label.as_deref())],
            &[place],
        );
    }
}

pub fn extract(data: &[u8], ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<(), Problem> {
    let mut out = Out {
        text: String::new(),
        pending: Vec::new(),
        codepage: encoding_rs::WINDOWS_1252,
        paragraph: 0,
        sink,
    };
    let mut stack: Vec<Group> = Vec::new();
    let mut g = Group {
        skip: false,
        uc: 1,
        in_info: false,
        info: None,
    };
    // Characters still to skip after a \uN (its fallback).
    let mut fallback = 0usize;
    // The next control word starts a destination (first in its group).
    let mut group_start = false;
    let mut starred = false;
    let mut i = 0usize;
    let mut tick = ctx.ticker();
    while i < data.len() {
        tick.tick()?;
        let b = data[i];
        match b {
            b'{' => {
                stack.push(g);
                if stack.len() > ctx.limits.max_xml_depth {
                    return Err(limit(
                        "max-xml-depth",
                        format!(
                            "RTF groups nest more than {} deep",
                            ctx.limits.max_xml_depth
                        ),
                    ));
                }
                group_start = true;
                starred = false;
                i += 1;
                continue;
            }
            b'}' => {
                if g.info.is_some() && stack.last().is_none_or(|p| p.info != g.info) {
                    out.paragraph_end(g.info);
                }
                g = stack.pop().unwrap_or(g);
                fallback = 0;
                i += 1;
                group_start = false;
                continue;
            }
            b'\\' => {
                let (word, param, next) = control(data, i + 1);
                i = next;
                let was_start = group_start;
                group_start = false;
                match word {
                    b"*" => {
                        starred = true;
                        group_start = was_start;
                        continue;
                    }
                    b"'" => {
                        let hex = data.get(next..next + 2).unwrap_or_default();
                        i = next + hex.len();
                        if fallback > 0 {
                            fallback -= 1;
                        } else if !g.skip
                            && let Some(v) = std::str::from_utf8(hex)
                                .ok()
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                        {
                            out.pending.push(v);
                        }
                        continue;
                    }
                    b"bin" => {
                        i = i.saturating_add(param.unwrap_or(0).max(0) as usize);
                        continue;
                    }
                    _ => {}
                }
                if was_start {
                    if SKIP.contains(&word) || (starred && !KEEP_STARRED.contains(&word)) {
                        g.skip = true;
                    }
                    if word == b"info" {
                        g.in_info = true;
                    }
                    if let Some(k) = INFO_FIELDS.iter().position(|f| *f == word)
                        && g.in_info
                    {
                        out.paragraph_end(None);
                        g.info = Some(k);
                    }
                }
                starred = false;
                if g.skip {
                    continue;
                }
                match word {
                    b"par" | b"sect" | b"page" | b"row" => out.paragraph_end(g.info),
                    b"line" => out.push(" "),
                    b"tab" | b"cell" => out.push("\t"),
                    b"uc" => g.uc = param.unwrap_or(1).clamp(0, 8) as usize,
                    b"u" => {
                        let mut n = param.unwrap_or(0);
                        if n < 0 {
                            n += 65536;
                        }
                        if let Some(c) = char::from_u32(n as u32) {
                            out.push(c.encode_utf8(&mut [0; 4]));
                        }
                        fallback = g.uc;
                    }
                    b"ansicpg" => {
                        let label = format!("windows-{}", param.unwrap_or(1252));
                        if let Some(e) = encoding_rs::Encoding::for_label(label.as_bytes()) {
                            out.codepage = e;
                        }
                    }
                    b"~" => out.push("\u{a0}"),
                    b"-" | b"_" => out.push("-"),
                    b"\\" | b"{" | b"}" => out.push(std::str::from_utf8(word).unwrap_or("")),
                    b"\n" | b"\r" => out.paragraph_end(g.info),
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                group_start = false;
                let end = data[i..]
                    .iter()
                    .position(|c| matches!(c, b'{' | b'}' | b'\\' | b'\r' | b'\n'))
                    .map_or(data.len(), |p| i + p);
                let mut chunk = &data[i..end];
                i = end;
                if fallback > 0 {
                    let k = fallback.min(chunk.len());
                    chunk = &chunk[k..];
                    fallback -= k;
                }
                if !g.skip && !chunk.is_empty() {
                    out.pending.extend_from_slice(chunk);
                }
            }
        }
    }
    out.paragraph_end(g.info);
    Ok(())
}

/// Reads a control word or symbol after a backslash: name, optional numeric parameter, and
/// the index after it (a single delimiting space is consumed).
fn control(data: &[u8], start: usize) -> (&[u8], Option<i64>, usize) {
    let Some(&first) = data.get(start) else {
        return (b"", None, start);
    };
    if !first.is_ascii_alphabetic() {
        return (&data[start..start + 1], None, start + 1);
    }
    let mut i = start;
    while i < data.len() && data[i].is_ascii_alphabetic() && i - start < 32 {
        i += 1;
    }
    let word = &data[start..i];
    let num_start = i;
    if i < data.len() && data[i] == b'-' {
        i += 1;
    }
    while i < data.len() && data[i].is_ascii_digit() && i - num_start < 10 {
        i += 1;
    }
    let param = std::str::from_utf8(&data[num_start..i])
        .ok()
        .and_then(|s| s.parse::<i64>().ok());
    if i < data.len() && data[i] == b' ' {
        i += 1;
    }
    (word, param, i)
}
