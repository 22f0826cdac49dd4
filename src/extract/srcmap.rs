//! Where extracted text came from: the byte ranges of the XML source behind each piece of a
//! record's text.
//!
//! Detection runs on text joined across Word runs, with entities decoded and line ends
//! normalised, so a hit's span in the text says nothing directly about the file's bytes. The
//! document walkers ([`super::flow`], [`super::xlsx`]) can record, next to the text they build,
//! which source bytes each piece stands for; the redactor ([`crate::redact`]) uses that map to
//! rewrite exactly those bytes. Plain extraction does not record the map (it costs nothing
//! then).

/// How a piece of text relates to its source bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// Character data: the text bytes are the source bytes, one for one.
    Verbatim,
    /// Character data inside `<![CDATA[...]]>`: one for one, and a replacement is written
    /// without escaping.
    CData,
    /// One decoded unit (`&amp;`, `&#49;`, a `\r\n` line end): replaced as a whole.
    Atomic,
}

/// One run of text and the source bytes behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset and length in the record's text.
    pub at: usize,
    pub len: usize,
    /// Byte offset and length in the part's source.
    pub src: usize,
    pub src_len: usize,
    pub kind: PieceKind,
    /// The innermost removable element (tracked deletion, comment) the text sits in: an
    /// index into the walker's container list.
    pub container: Option<usize>,
}

/// A spreadsheet cell whose value is not plain character data (a number, a formula result):
/// it is redacted by rebuilding the whole cell element as a text cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellSource {
    /// The cell element's start tag, and the end of the whole element.
    pub start: usize,
    pub tag_end: usize,
    pub end: usize,
}

/// An element that is removed whole when it holds a finding (a tracked deletion, a comment),
/// with what is needed to remove what refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    /// Local name (`del`, `comment`, `annotation`, `changed-region`, `cm`).
    pub name: String,
    pub start: usize,
    /// End of the element (0 while it is open).
    pub end: usize,
    /// The element's id (`w:id`, `office:name`, `text:id`), if it has one.
    pub id: Option<String>,
    /// `w14:paraId` of the paragraphs inside (Word links comment extensions by these).
    pub para_ids: Vec<String>,
}

/// Text with its source map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// In text order, not overlapping. Text between pieces has no source (a tab or line
    /// break the walker wrote for an element, a joining newline).
    pub pieces: Vec<Piece>,
    /// Set for spreadsheet cells that must be rebuilt rather than edited piecewise.
    pub cell: Option<CellSource>,
}

impl Mapped {
    pub fn clear(&mut self) {
        self.text.clear();
        self.pieces.clear();
        self.cell = None;
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Text with no source.
    pub fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Character data at `src` in the source. Line ends are normalised as XML 1.0 does
    /// (`\r\n` and `\r` become `\n`), each normalised line end being an atomic piece.
    pub fn push_chars(&mut self, raw: &str, src: usize, kind: PieceKind, container: Option<usize>) {
        let mut rest = raw;
        let mut at = src;
        while let Some(i) = rest.find('\r') {
            self.push_raw(&rest[..i], at, i, kind, container);
            let eol = if rest[i + 1..].starts_with('\n') {
                2
            } else {
                1
            };
            self.push_raw("\n", at + i, eol, PieceKind::Atomic, container);
            at += i + eol;
            rest = &rest[i + eol..];
        }
        self.push_raw(rest, at, rest.len(), kind, container);
    }

    /// A decoded unit (an entity or character reference) standing for `src_len` source bytes.
    pub fn push_atomic(&mut self, s: &str, src: usize, src_len: usize, container: Option<usize>) {
        self.push_raw(s, src, src_len, PieceKind::Atomic, container);
    }

    /// Text standing for `src_len` source bytes, without line-end normalisation.
    pub fn push_raw(
        &mut self,
        s: &str,
        src: usize,
        src_len: usize,
        kind: PieceKind,
        container: Option<usize>,
    ) {
        if s.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            at: self.text.len(),
            len: s.len(),
            src,
            src_len,
            kind,
            container,
        });
        self.text.push_str(s);
    }

    /// Appends another mapped text (its pieces shifted to their new offsets).
    pub fn append(&mut self, other: &Mapped) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.pieces.extend(other.pieces.iter().map(|p| Piece {
            at: p.at + base,
            ..p.clone()
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_normalised_and_mapped() {
        let mut m = Mapped::default();
        m.push_chars("ab\r\ncd\re", 10, PieceKind::Verbatim, None);
        assert_eq!(m.text, "ab\ncd\ne");
        let spans: Vec<(usize, usize, usize, usize)> = m
            .pieces
            .iter()
            .map(|p| (p.at, p.len, p.src, p.src_len))
            .collect();
        assert_eq!(
            spans,
            [
                (0, 2, 10, 2),
                (2, 1, 12, 2),
                (3, 2, 14, 2),
                (5, 1, 16, 1),
                (6, 1, 17, 1)
            ]
        );
    }

    #[test]
    fn append_shifts_pieces() {
        let mut a = Mapped::default();
        a.push_chars("x", 0, PieceKind::Verbatim, None);
        a.push_str("\n");
        let mut b = Mapped::default();
        b.push_atomic("&", 40, 5, Some(2));
        a.append(&b);
        assert_eq!(a.text, "x\n&");
        assert_eq!(a.pieces[1].at, 2);
        assert_eq!(a.pieces[1].container, Some(2));
    }
}
