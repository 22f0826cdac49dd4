//! Byte edits on a source, and turning a replacement in extracted text into edits of the
//! source bytes behind it (through a [`Mapped`] source map).

use crate::extract::srcmap::{Mapped, Piece, PieceKind};

/// Replace `start..end` of the source with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub with: String,
}

impl Edit {
    pub fn new(start: usize, end: usize, with: impl Into<String>) -> Edit {
        Edit {
            start,
            end,
            with: with.into(),
        }
    }

    pub fn remove(start: usize, end: usize) -> Edit {
        Edit::new(start, end, "")
    }
}

/// Applies edits to `src`. Where edits overlap, the one starting first (and of those the
/// widest) wins and the others are dropped: removing a whole element makes the edits inside
/// it moot. Returns the new bytes and whether any edit was dropped for a partial overlap
/// (which the caller treats as a failure: it may leave text unredacted).
pub fn apply(src: &[u8], mut edits: Vec<Edit>) -> (Vec<u8>, bool) {
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = Vec::with_capacity(src.len());
    let mut pos = 0usize;
    let mut conflict = false;
    let mut covered_until = 0usize;
    for e in edits {
        let e_end = e.end.min(src.len());
        if e.start < covered_until {
            // Inside an accepted edit: fine when wholly inside it.
            if e_end > covered_until {
                conflict = true;
            }
            continue;
        }
        if e.start > src.len() {
            conflict = true;
            continue;
        }
        out.extend_from_slice(&src[pos..e.start]);
        out.extend_from_slice(e.with.as_bytes());
        pos = e_end;
        covered_until = e_end;
    }
    out.extend_from_slice(&src[pos.min(src.len())..]);
    (out, conflict)
}

/// Escapes text for XML (and HTML) character data and attribute values.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn for_piece(p: &Piece, s: &str) -> String {
    match p.kind {
        PieceKind::CData => s.to_string(),
        _ => escape_xml(s),
    }
}

/// The pieces overlapping `start..end` of the text.
fn overlapping(m: &Mapped, start: usize, end: usize) -> impl Iterator<Item = &Piece> {
    let first = m.pieces.partition_point(|p| p.at + p.len <= start);
    m.pieces[first..].iter().take_while(move |p| p.at < end)
}

/// Edits of the source that replace text `start..end` of `m` with `with`.
///
/// When `with` has as many characters as the text it replaces (masks, most pseudonyms), each
/// character is replaced where it sits, so text split across runs keeps each run's formatting.
/// Otherwise (labels) the whole replacement goes where the value starts and the rest of the
/// value is removed. Text without a source (a tab the walker wrote for `<w:tab/>`) is left
/// alone: it is not in the file.
pub fn edits_for(m: &Mapped, start: usize, end: usize, with: &str) -> Vec<Edit> {
    let old = &m.text[start..end];
    let mut out = Vec::new();
    if old.chars().count() == with.chars().count() {
        // New text per text offset of each replaced character.
        let mut new_at: Vec<(usize, usize, char)> = Vec::new();
        for ((off, c), n) in old.char_indices().zip(with.chars()) {
            new_at.push((start + off, c.len_utf8(), n));
        }
        for p in overlapping(m, start, end) {
            match p.kind {
                PieceKind::Atomic => {
                    let text = &m.text[p.at..p.at + p.len];
                    let replaced: String = text
                        .char_indices()
                        .map(|(o, c)| {
                            new_at
                                .iter()
                                .find(|(at, _, _)| *at == p.at + o)
                                .map_or(c, |&(_, _, n)| n)
                        })
                        .collect();
                    // A separator written as a reference (`&#32;`) stays as it was.
                    if replaced != text {
                        out.push(Edit::new(p.src, p.src + p.src_len, for_piece(p, &replaced)));
                    }
                }
                _ => {
                    let lo = start.max(p.at);
                    let hi = end.min(p.at + p.len);
                    let s: String = new_at
                        .iter()
                        .filter(|(at, _, _)| *at >= lo && *at < hi)
                        .map(|&(_, _, n)| n)
                        .collect();
                    let src_lo = p.src + (lo - p.at);
                    let src_hi = p.src + (hi - p.at);
                    out.push(Edit::new(src_lo, src_hi, for_piece(p, &s)));
                }
            }
        }
        return out;
    }
    let mut first = true;
    for p in overlapping(m, start, end) {
        let lo = start.max(p.at);
        let hi = end.min(p.at + p.len);
        let insert = if first { with } else { "" };
        first = false;
        match p.kind {
            PieceKind::Atomic => {
                let text = &m.text[p.at..p.at + p.len];
                let replaced = format!("{}{insert}{}", &text[..lo - p.at], &text[hi - p.at..]);
                out.push(Edit::new(p.src, p.src + p.src_len, for_piece(p, &replaced)));
            }
            _ => out.push(Edit::new(
                p.src + (lo - p.at),
                p.src + (hi - p.at),
                for_piece(p, insert),
            )),
        }
    }
    out
}

/// Edits that empty every piece of `m` (a metadata field is cleared, not masked).
pub fn clear_all(m: &Mapped) -> Vec<Edit> {
    m.pieces
        .iter()
        .map(|p| Edit::remove(p.src, p.src + p.src_len))
        .collect()
}

/// `text` with the replacements (`start`, `end`, `with`, sorted, not overlapping) made.
pub fn replace_in(text: &str, repl: &[(usize, usize, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for &(s, e, w) in repl {
        if s < pos {
            continue;
        }
        out.push_str(&text[pos..s]);
        out.push_str(w);
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `<w:t>Fnr 010190</w:t><w:t>12&amp;345</w:t>` as a walker maps it.
    fn sample() -> (String, Mapped) {
        let src = "<w:t>Fnr 010190</w:t><w:t>12&amp;345</w:t>".to_string();
        let mut m = Mapped::default();
        m.push_chars("Fnr 010190", 5, PieceKind::Verbatim, None);
        m.push_chars("12", 26, PieceKind::Verbatim, None);
        m.push_atomic("&", 28, 5, None);
        m.push_chars("345", 33, PieceKind::Verbatim, None);
        (src, m)
    }

    #[test]
    fn per_character_replacement_keeps_runs() {
        let (src, m) = sample();
        assert_eq!(m.text, "Fnr 01019012&345");
        let edits = edits_for(&m, 4, 16, "XXXXXXXX#XXX");
        let (out, conflict) = apply(src.as_bytes(), edits);
        assert!(!conflict);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<w:t>Fnr XXXXXX</w:t><w:t>XX#XXX</w:t>"
        );
    }

    #[test]
    fn lump_replacement_goes_where_the_value_starts() {
        let (src, m) = sample();
        let (out, _) = apply(src.as_bytes(), edits_for(&m, 4, 16, "[FNR & CO]"));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<w:t>Fnr [FNR &amp; CO]</w:t><w:t></w:t>"
        );
    }

    #[test]
    fn removals_win_over_edits_inside_them() {
        let src = b"0123456789";
        let (out, conflict) = apply(
            src,
            vec![
                Edit::new(3, 4, "x"),
                Edit::remove(2, 6),
                Edit::new(8, 9, "y"),
            ],
        );
        assert_eq!(out, b"0167y9");
        assert!(!conflict);
        let (_, conflict) = apply(src, vec![Edit::remove(2, 6), Edit::new(5, 8, "z")]);
        assert!(conflict);
    }

    #[test]
    fn replace_in_text() {
        assert_eq!(replace_in("ab 123 cd", &[(3, 6, "XXX")]), "ab XXX cd");
    }
}
