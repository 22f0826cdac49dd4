//! Word 97-2003 documents (.doc): the text in reading order through the piece table.
//!
//! A .doc keeps its characters in the `WordDocument` stream in *pieces* (runs of 8-bit
//! Windows-1252 or UTF-16 text) and lists them, in document order, in the piece table of its
//! `0Table` or `1Table` stream ([MS-DOC] 2.4.1, "Retrieving Text"). Reading the pieces in
//! that order gives the text exactly as Word shows it, split into stories (main text,
//! footnotes, headers and footers, comments, endnotes, text boxes) by the character counts
//! in the file header (FIB). Paragraphs end with `\r`; table cells and rows with `\x07`.
//!
//! Anything that does not add up (a piece outside its stream, counts past the text) makes
//! [`stories`] give up: the caller then falls back to reading the streams like `strings`.

/// One story of the document, its text with Word's control characters still in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    pub name: &'static str,
    pub text: String,
}

/// The story names, in the order their character counts follow `ccpText` in the FIB
/// (FibRgLw97 fields 3..=10; field 6 is a reserved macro story that Word leaves empty).
const STORIES: [(usize, &str); 8] = [
    (3, "main text"),
    (4, "footnotes"),
    (5, "headers and footers"),
    (6, "macros"),
    (7, "comments"),
    (8, "endnotes"),
    (9, "text boxes"),
    (10, "header text boxes"),
];

/// The FIB's magic number (`wIdent`).
const WORD_97: u16 = 0xA5EC;
/// Index of `fcClx`/`lcbClx` in FibRgFcLcb97.
const CLX: usize = 33;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// FIB flag `fEncrypted` (bit 8 of the flags at offset 0x0A); the first 12 bytes suffice.
pub fn encrypted(word: &[u8]) -> bool {
    u16_at(word, 0x0A).is_some_and(|f| f & 0x0100 != 0)
}

/// The table stream the FIB names (flag `fWhichTblStm`, bit 9 of the flags).
pub fn table_stream(word: &[u8]) -> &'static str {
    match u16_at(word, 0x0A) {
        Some(f) if f & 0x0200 != 0 => "/1Table",
        _ => "/0Table",
    }
}

/// The stories of a Word 97-2003 document, given its `WordDocument` stream and the table
/// stream [`table_stream`] names. None if this is not such a document or its piece table
/// does not add up.
pub fn stories(word: &[u8], table: &[u8]) -> Option<Vec<Story>> {
    if u16_at(word, 0)? != WORD_97 || encrypted(word) {
        return None;
    }
    // FibBase (32 bytes), then three counted arrays: 16-bit, 32-bit, and (fc, lcb) pairs.
    let csw = usize::from(u16_at(word, 32)?);
    let lw_count_at = 34 + 2 * csw;
    let cslw = usize::from(u16_at(word, lw_count_at)?);
    let lw = lw_count_at + 2;
    let pairs_count_at = lw + 4 * cslw;
    if usize::from(u16_at(word, pairs_count_at)?) <= CLX {
        return None;
    }
    let pair = pairs_count_at + 2 + 8 * CLX;
    let (fc_clx, lcb_clx) = (
        u32_at(word, pair)? as usize,
        u32_at(word, pair + 4)? as usize,
    );
    let units = piece_text(word, table.get(fc_clx..fc_clx.checked_add(lcb_clx)?)?)?;

    let mut out = Vec::new();
    let mut at = 0usize;
    for (field, name) in STORIES {
        if field >= cslw {
            break;
        }
        let n = u32_at(word, lw + 4 * field)? as usize;
        let end = at.checked_add(n)?;
        let story = units.get(at..end)?;
        if !story.is_empty() {
            out.push(Story {
                name,
                text: String::from_utf16_lossy(story),
            });
        }
        at = end;
    }
    Some(out)
}

/// The document's characters (UTF-16 code units, one per character position) from the
/// Clx: optional property blocks (`Prc`, tag 1), then the piece table (`Pcdt`, tag 2).
fn piece_text(word: &[u8], clx: &[u8]) -> Option<Vec<u16>> {
    let mut i = 0;
    while *clx.get(i)? == 1 {
        i += 3 + usize::from(u16_at(clx, i + 1)?);
    }
    if clx[i] != 2 {
        return None;
    }
    let lcb = u32_at(clx, i + 1)? as usize;
    let plc = clx.get(i + 5..(i + 5).checked_add(lcb)?)?;
    // n + 1 character positions, then n piece descriptors of 8 bytes.
    if lcb < 16 || !(lcb - 4).is_multiple_of(12) {
        return None;
    }
    let n = (lcb - 4) / 12;
    let mut units = Vec::new();
    for k in 0..n {
        let (from, to) = (u32_at(plc, 4 * k)?, u32_at(plc, 4 * k + 4)?);
        let count = to.checked_sub(from)? as usize;
        // Pieces never share bytes, so the text is at most as long as the stream; pieces
        // pointing at one region over and over would otherwise multiply it.
        if units.len() + count > word.len() {
            return None;
        }
        let fc = u32_at(plc, 4 * (n + 1) + 8 * k + 2)?;
        let offset = (fc & 0x3FFF_FFFF) as usize;
        if fc & 0x4000_0000 != 0 {
            // Compressed: one byte per character at half the offset, Windows-1252.
            let bytes = word.get(offset / 2..(offset / 2).checked_add(count)?)?;
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            units.extend(text.encode_utf16());
        } else {
            let bytes = word.get(offset..offset.checked_add(count.checked_mul(2)?)?)?;
            units.extend(
                bytes
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]])),
            );
        }
    }
    Some(units)
}

/// A paragraph, or a table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub row: bool,
    /// Each cell (one for a paragraph): the character column it starts at, and its text.
    pub cells: Vec<(usize, String)>,
}

/// A story cut into records: each paragraph alone, each table row with its cells.
/// Word's control characters become spaces (so columns still count characters); a manual
/// line break becomes a newline. Without the paragraph properties an empty cell looks like
/// the end of a row, so the cells after an empty one form a row of their own.
pub fn records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut cells: Vec<(usize, String)> = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut col = 0;
    let mut last_was_cell_end = false;
    for c in text.chars() {
        match c {
            '\r' | '\x0C' => {
                cells.push((start, std::mem::take(&mut cur)));
                out.push(Record {
                    row: false,
                    cells: std::mem::take(&mut cells),
                });
                (start, col) = (0, 0);
            }
            '\x07' => {
                if last_was_cell_end && cur.is_empty() {
                    // Row end: the row's cells are one record.
                    out.push(Record {
                        row: true,
                        cells: std::mem::take(&mut cells),
                    });
                    (start, col) = (0, 0);
                } else {
                    cells.push((start, std::mem::take(&mut cur)));
                    col += 1;
                    start = col;
                }
            }
            '\x0B' => {
                cur.push('\n');
                col += 1;
            }
            c if (c as u32) < 0x20 && c != '\t' => {
                cur.push(' ');
                col += 1;
            }
            c => {
                cur.push(c);
                col += 1;
            }
        }
        last_was_cell_end = c == '\x07';
    }
    if !cur.is_empty() {
        cells.push((start, cur));
    }
    if !cells.is_empty() {
        out.push(Record { row: false, cells });
    }
    out.retain(|r| r.cells.iter().any(|(_, t)| !t.trim().is_empty()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal WordDocument stream: FIB with the given story lengths and the text as one
    /// piece (UTF-16 or compressed), and its 1Table stream with the piece table.
    fn document(text: &str, lengths: &[u32], compressed: bool) -> (Vec<u8>, Vec<u8>) {
        let mut word = vec![0u8; 0x200];
        word[0..2].copy_from_slice(&WORD_97.to_le_bytes());
        word[0x0A..0x0C].copy_from_slice(&0x0200u16.to_le_bytes()); // 1Table
        let csw = 14;
        word[32..34].copy_from_slice(&(csw as u16).to_le_bytes());
        let lw_count_at = 34 + 2 * csw;
        let cslw = 22;
        word[lw_count_at..lw_count_at + 2].copy_from_slice(&(cslw as u16).to_le_bytes());
        let lw = lw_count_at + 2;
        for (i, n) in lengths.iter().enumerate() {
            word[lw + 4 * (3 + i)..lw + 4 * (4 + i)].copy_from_slice(&n.to_le_bytes());
        }
        let pairs_count_at = lw + 4 * cslw;
        word[pairs_count_at..pairs_count_at + 2].copy_from_slice(&93u16.to_le_bytes());
        let text_at = word.len();
        let units: Vec<u16> = text.encode_utf16().collect();
        if compressed {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
            word.extend_from_slice(&bytes);
        } else {
            word.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        }
        let mut table = vec![1u8, 2, 0, 0xAA, 0xBB]; // one Prc to skip
        table.push(2);
        table.extend_from_slice(&16u32.to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes());
        table.extend_from_slice(&(units.len() as u32).to_le_bytes());
        let fc = if compressed {
            (text_at as u32 * 2) | 0x4000_0000
        } else {
            text_at as u32
        };
        table.extend_from_slice(&[0, 0]);
        table.extend_from_slice(&fc.to_le_bytes());
        table.extend_from_slice(&[0, 0]);
        let pair = pairs_count_at + 2 + 8 * CLX;
        word[pair..pair + 4].copy_from_slice(&0u32.to_le_bytes());
        word[pair + 4..pair + 8].copy_from_slice(&(table.len() as u32).to_le_bytes());
        (word, table)
    }

    /// Sets `lcbClx` in a stream made by [`document`].
    fn set_clx_len(word: &mut [u8], len: usize) {
        let pair = 34 + 2 * 14 + 2 + 4 * 22 + 2 + 8 * CLX;
        word[pair + 4..pair + 8].copy_from_slice(&(len as u32).to_le_bytes());
    }

    #[test]
    fn stories_from_both_piece_encodings() {
        let text = "Søknad – «ja»\rHode\r";
        for compressed in [false, true] {
            let (word, table) = document(text, &[14, 0, 5], compressed);
            let s = stories(&word, &table).unwrap();
            assert_eq!(
                s,
                [
                    Story {
                        name: "main text",
                        text: "Søknad – «ja»\r".into()
                    },
                    Story {
                        name: "headers and footers",
                        text: "Hode\r".into()
                    }
                ]
            );
        }
    }

    #[test]
    fn damaged_tables_give_up() {
        let (word, table) = document("Tekst\r", &[6], false);
        // The table stream the FIB names, a truncated one, and counts past the text.
        assert_eq!(table_stream(&word), "/1Table");
        assert!(stories(&word, &table[..table.len() - 3]).is_none());
        let (word, table) = document("Tekst\r", &[60], false);
        assert!(stories(&word, &table).is_none());
        assert!(stories(b"not a doc", &table).is_none());
        // Every piece the same text: more characters than the stream has bytes.
        let (word, mut table) = document("Tekst\r", &[6], false);
        let pcdt = 5; // after the Prc
        assert_eq!(table[pcdt], 2);
        let n = 20_000u32;
        let mut plc: Vec<u8> = (0..=n).flat_map(|k| (k * 6).to_le_bytes()).collect();
        let pcd = table[table.len() - 8..].to_vec();
        for _ in 0..n {
            plc.extend_from_slice(&pcd);
        }
        table.truncate(pcdt + 1);
        table.extend_from_slice(&(plc.len() as u32).to_le_bytes());
        table.extend_from_slice(&plc);
        let mut word = word;
        set_clx_len(&mut word, table.len());
        assert!(stories(&word, &table).is_none());
        // The same table with honest character positions reads (the guard is what failed).
        let mut fair = table.clone();
        for k in 1..=n as usize {
            let at = pcdt + 5 + 4 * k;
            fair[at..at + 4].copy_from_slice(&6u32.to_le_bytes());
        }
        assert!(stories(&word, &fair).is_some());
    }

    #[test]
    fn paragraphs_and_table_rows() {
        let recs =
            records("Først\rNavn\x07Fnr\x07\x07Kari\x07123\x07\x07linje\x0Bto\x13felt\x15\r");
        let texts: Vec<Vec<&str>> = recs
            .iter()
            .map(|r| r.cells.iter().map(|(_, t)| t.as_str()).collect())
            .collect();
        assert_eq!(
            texts,
            [
                vec!["Først"],
                vec!["Navn", "Fnr"],
                vec!["Kari", "123"],
                vec!["linje\nto felt "]
            ]
        );
        // Cell columns count characters of the row.
        assert_eq!(recs[2].cells[1].0, 5);
        assert_eq!(
            recs.iter().map(|r| r.row).collect::<Vec<_>>(),
            [false, true, true, false]
        );
    }
}
