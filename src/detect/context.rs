//! Keywords and proximity: what makes an 11-digit number a fødselsnummer rather than an order
//! number is usually the word next to it.
//!
//! All rules' keywords, negative keywords and stop words go into one automaton (ASCII
//! case-insensitive, with upper-case variants for æøå) that keeps the leftmost-longest matches,
//! as an Aho-Corasick search would. It runs only in the windows around candidates, so prose
//! without numbers never pays for it. It is the terms' key automaton ([`super::keys`]) with
//! every key allowed anywhere, because that one walks a window in several lanes at once: real
//! exports hold a keyword every 90 bytes ("kr", "saksnr"), and the `aho-corasick` DFA, one
//! dependent load per byte, took 2.0 ns a byte where the lanes take 1.1. The crate stays the
//! definition the tests compare with.
//!
//! The proximity window of a candidate is its line (CSV-like text) or its paragraph (prose),
//! clipped to [`WINDOW`] bytes on each side: "the same line, cell or record, or about 300
//! characters, whichever is smaller". Keywords on the candidate's own line are preferred over
//! keywords on neighbouring lines of the same paragraph ("Fødselsnummer:\n010190 12345").

use super::keys::{Key, KeyAutomaton, TooLarge, case_variants};
use memchr::{memchr, memrchr};

/// Bytes on each side of a candidate that may hold a keyword.
pub const WINDOW: usize = 300;
/// Added to the distance of a keyword on another line than the candidate.
const OTHER_LINE_PENALTY: usize = 64;
/// Distance given to a keyword in another cell of the same record (row).
pub const NEIGHBOUR_DISTANCE: usize = 150;

/// How far a segment's proximity window reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WindowMode {
    /// Prose: the paragraph (text between blank lines).
    #[default]
    Paragraph,
    /// Records are lines (CSV, TSV, logs, JSON Lines): never look past the line.
    Line,
    /// The whole segment is one record (an e-mail body): an identifier and a sensitive fact
    /// anywhere in it are combined. Keywords still count only near a candidate.
    Whole,
}

/// What one automaton pattern means.
#[derive(Debug, Clone, Default)]
pub struct WordMeaning {
    /// Rules (by index) for which this word is a keyword.
    pub positive: Vec<usize>,
    /// Rules for which this word is a negative keyword.
    pub negative: Vec<usize>,
    /// Must stand alone (short words like "fnr", "kid").
    pub standalone: bool,
}

/// The compiled keyword automaton.
#[derive(Debug, Clone)]
pub struct Keywords {
    /// Every keyword and stop word as a key that may start anywhere, ASCII case folded: it
    /// reports every occurrence, and [`Keywords::find_in`] keeps the leftmost-longest ones.
    keys: Option<KeyAutomaton>,
    /// Indexed by key.
    meanings: Vec<WordMeaning>,
    /// The keys as the automaton was built from them, for [`Keywords::confirmers`].
    keys_folded: Vec<Vec<u8>>,
    /// Per rule (by index), the literals of its positive keys: [`Keywords::may_confirm`].
    /// Built on first use: few rules ever need them, and building them all was a tenth of
    /// compiling the rules.
    confirmers: Vec<std::sync::OnceLock<Vec<Literal>>>,
}

/// A positive keyword as an exact string to search a folded window for.
#[derive(Debug, Clone)]
struct Literal {
    finder: memchr::memmem::Finder<'static>,
    standalone: bool,
}

/// A keyword occurrence in a segment.
#[derive(Debug, Clone, Copy)]
pub struct KeywordHit {
    pub start: usize,
    pub end: usize,
    pub word: u32,
}

/// Ranges shorter than this are walked in one lane.
const LANES_MIN: usize = 256;

impl Keywords {
    /// `words` lists `(word, rule, negative)`; `stop_words` mean nothing but win over shorter
    /// keywords inside them.
    pub fn build(
        words: &[(String, usize, bool)],
        stop_words: &[String],
    ) -> Result<Keywords, TooLarge> {
        // Keys are ASCII-folded: variants that differ only in ASCII case are one key.
        let mut keys: Vec<Vec<u8>> = Vec::new();
        let mut meanings: Vec<WordMeaning> = Vec::new();
        let mut index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut add = |word: &str, meaning: Option<(usize, bool)>| {
            let lower = word.to_lowercase();
            let standalone = lower.chars().filter(|c| c.is_alphanumeric()).count() <= 3;
            for v in case_variants(&lower) {
                let key = v.into_bytes().to_ascii_lowercase();
                let idx = *index.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    meanings.push(WordMeaning {
                        standalone,
                        ..Default::default()
                    });
                    keys.len() - 1
                });
                let m = &mut meanings[idx];
                match meaning {
                    Some((rule, false)) if !m.positive.contains(&rule) => m.positive.push(rule),
                    Some((rule, true)) if !m.negative.contains(&rule) => m.negative.push(rule),
                    _ => {}
                }
            }
        };
        for (w, rule, negative) in words {
            add(w, Some((*rule, *negative)));
        }
        for w in stop_words {
            add(w, None);
        }
        // Key ids are meaning indices; the automaton skips an empty key, keeping the ids.
        let automaton = if keys.is_empty() {
            None
        } else {
            let as_keys: Vec<Key<'_>> = keys
                .iter()
                .map(|k| Key {
                    bytes: k,
                    anywhere: true,
                })
                .collect();
            Some(KeyAutomaton::new(&as_keys)?)
        };
        let rules = words
            .iter()
            .map(|&(_, rule, _)| rule + 1)
            .max()
            .unwrap_or(0);
        let confirmers = (0..rules).map(|_| std::sync::OnceLock::new()).collect();
        Ok(Keywords {
            keys: automaton,
            meanings,
            keys_folded: keys,
            confirmers,
        })
    }

    /// False if `folded`, a text with its ASCII letters made lower case, holds no positive
    /// keyword of `rule` that stands alone where it must, so that nothing found in the text
    /// can confirm the rule. True does not mean one will: a longer keyword or stop word over
    /// it, or a negative keyword nearer, still decides.
    ///
    /// A candidate reported only with a keyword (one random 11-digit number in eleven
    /// passes the account check) is dropped with this test rather than its window walked
    /// with every keyword: a few exact-string searches skip ahead with SIMD, ~140 ns a
    /// 600-byte window with the folding, where the walk takes ~800 ns.
    pub fn may_confirm(&self, rule: usize, folded: &[u8]) -> bool {
        let Some(literals) = self.confirmers.get(rule) else {
            return false;
        };
        let literals =
            literals.get_or_init(|| confirmers_of(rule, &self.keys_folded, &self.meanings));
        literals.iter().any(|l| {
            l.finder.find_iter(folded).any(|start| {
                let end = start + l.finder.needle().len();
                !l.standalone || !(glued_before(folded, start) || glued_after(folded, end))
            })
        })
    }

    pub fn meaning(&self, word: u32) -> &WordMeaning {
        &self.meanings[word as usize]
    }

    /// All keyword occurrences in `text`, in order. Stop words and short words glued to other
    /// letters are dropped.
    pub fn find_all(&self, text: &[u8], out: &mut Vec<KeywordHit>) {
        out.clear();
        self.find_in(text, 0, text.len(), out);
    }

    /// Keyword occurrences inside the given sorted, disjoint byte ranges of `text`.
    pub fn find_in_ranges(
        &self,
        text: &[u8],
        ranges: &[(usize, usize)],
        out: &mut Vec<KeywordHit>,
    ) {
        out.clear();
        for &(lo, hi) in ranges {
            self.find_in(text, lo, hi, out);
        }
    }

    /// Appends the keywords wholly inside `lo..hi`, leftmost-longest: of the occurrences
    /// starting first the longest, then the same after its end (a stop word such as
    /// "kundenummer" hides the "nummer" in it).
    fn find_in(&self, text: &[u8], lo: usize, hi: usize, out: &mut Vec<KeywordHit>) {
        let Some(keys) = &self.keys else { return };
        let first = out.len();
        match hi - lo {
            n if n >= 4 * LANES_MIN => self.walk::<6>(keys, text, lo, hi, out),
            n if n >= LANES_MIN => self.walk::<3>(keys, text, lo, hi, out),
            _ => self.walk::<1>(keys, text, lo, hi, out),
        }
        // Same start and length means the same key: keys are distinct.
        out[first..].sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut kept = first;
        let mut taken_to = lo;
        for i in first..out.len() {
            let h = out[i];
            if h.start < taken_to {
                continue;
            }
            taken_to = h.end;
            let meaning = &self.meanings[h.word as usize];
            if meaning.positive.is_empty() && meaning.negative.is_empty() {
                continue;
            }
            if meaning.standalone && (glued_before(text, h.start) || glued_after(text, h.end)) {
                continue;
            }
            out[kept] = h;
            kept += 1;
        }
        out.truncate(kept);
    }

    /// Every occurrence of every key in `lo..hi`, walked in `N` lanes.
    fn walk<const N: usize>(
        &self,
        keys: &KeyAutomaton,
        text: &[u8],
        lo: usize,
        hi: usize,
        out: &mut Vec<KeywordHit>,
    ) {
        keys.walk_parts::<N>(text, (lo, hi), |part, state, end| {
            push_keys(keys, state, end, part, out)
        });
    }
}

/// Out of line, so that the lane loop stays small enough to keep every lane in registers.
#[inline(never)]
fn push_keys(
    keys: &KeyAutomaton,
    state: u32,
    end: usize,
    part: (usize, usize),
    out: &mut Vec<KeywordHit>,
) {
    for (word, start) in keys.keys_starting_in(state, end, part) {
        out.push(KeywordHit { start, end, word });
    }
}

fn is_letter(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

fn glued_before(text: &[u8], start: usize) -> bool {
    start > 0 && is_letter(text[start - 1])
}

fn glued_after(text: &[u8], end: usize) -> bool {
    text.get(end).is_some_and(|&b| is_letter(b))
}

/// The literals [`Keywords::may_confirm`] searches for `rule`: its positive keys, less those
/// that hold a shorter one found wherever they are (one that need not stand alone).
fn confirmers_of(rule: usize, keys: &[Vec<u8>], meanings: &[WordMeaning]) -> Vec<Literal> {
    let positive: Vec<(&[u8], bool)> = keys
        .iter()
        .zip(meanings)
        .filter(|(k, m)| !k.is_empty() && m.positive.contains(&rule))
        .map(|(k, m)| (k.as_slice(), m.standalone))
        .collect();
    let covered = |k: &[u8]| {
        positive.iter().any(|&(other, standalone)| {
            !standalone && other.len() < k.len() && memchr::memmem::find(k, other).is_some()
        })
    };
    positive
        .iter()
        .filter(|(k, _)| !covered(k))
        .map(|&(k, standalone)| Literal {
            finder: memchr::memmem::Finder::new(k).into_owned(),
            standalone,
        })
        .collect()
}

/// The byte range around `start..end` in which context counts.
pub fn window(text: &[u8], start: usize, end: usize, mode: WindowMode) -> (usize, usize) {
    let lo = start.saturating_sub(WINDOW);
    let hi = (end + WINDOW).min(text.len());
    match mode {
        WindowMode::Line => {
            let lo = memrchr(b'\n', &text[lo..start]).map_or(lo, |p| lo + p + 1);
            let hi = memchr(b'\n', &text[end..hi]).map_or(hi, |p| end + p);
            (lo, hi)
        }
        // Keywords stay local even where the whole segment is one record.
        WindowMode::Paragraph | WindowMode::Whole => (
            paragraph_start(text, lo, start),
            paragraph_end(text, end, hi),
        ),
    }
}

/// The byte range that counts as the same record as `start..end` for the combination of an
/// identifier and a sensitive fact: the keyword window, or the whole segment in `Whole` mode.
/// In prose the window is cut to the JSON object the identifier is a row of, if any: a
/// pretty-printed export has no blank lines, and one person's number and the next person's
/// diagnosis are a few lines apart.
pub fn record_scope(text: &[u8], start: usize, end: usize, mode: WindowMode) -> (usize, usize) {
    match mode {
        WindowMode::Whole => (0, text.len()),
        WindowMode::Line => window(text, start, end, mode),
        WindowMode::Paragraph => {
            let (lo, hi) = window(text, start, end, mode);
            json_row(text, lo, hi, start).map_or((lo, hi), |(a, b)| (a.max(lo), b.min(hi)))
        }
    }
}

/// The JSON object around `start` that is a row: the innermost object that is an element of
/// an array, else the outermost object open within `lo..hi` (nested objects of one row, such
/// as `{"person": {...}, "helse": {...}}`, stay together). Its end is the bracket closing it,
/// or `hi`. None when `start` is in no object that opens within the window.
///
/// A string cannot hold a raw line break, so the scan starts outside strings at the first line
/// start in the window (or at `lo` in minified JSON, where brackets in strings may mislead it).
fn json_row(text: &[u8], lo: usize, hi: usize, start: usize) -> Option<(usize, usize)> {
    let from = match memchr(b'\n', &text[lo..start]) {
        Some(p) if lo > 0 => lo + p + 1,
        _ => lo,
    };
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut step = |b: u8, i: usize, open: &mut Vec<(u8, usize)>| {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            return;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => open.push((b, i)),
            b'}' | b']' => {
                open.pop();
            }
            _ => {}
        }
    };
    for (i, &b) in text[from..start].iter().enumerate() {
        step(b, from + i, &mut open);
    }
    let row = (0..open.len())
        .rev()
        .find(|&k| open[k].0 == b'{' && (k == 0 || open[k - 1].0 == b'['))?;
    let (row_start, depth) = (open[row].1, row);
    for (i, &b) in text[start..hi].iter().enumerate() {
        step(b, start + i, &mut open);
        if open.len() == depth {
            return Some((row_start, start + i + 1));
        }
    }
    Some((row_start, hi))
}

/// True if `line` holds only whitespace.
fn blank(line: &[u8]) -> bool {
    line.iter().all(|b| b.is_ascii_whitespace())
}

/// The start of the paragraph holding `pos`, not before `lo`.
fn paragraph_start(text: &[u8], lo: usize, pos: usize) -> usize {
    let mut line_end = pos;
    while let Some(nl) = memrchr(b'\n', &text[lo..line_end]) {
        let nl = lo + nl;
        let prev = memrchr(b'\n', &text[lo..nl]).map_or(lo, |p| lo + p + 1);
        if blank(&text[prev..nl]) {
            return nl + 1;
        }
        line_end = nl;
    }
    lo
}

/// The end of the paragraph holding `pos`, not after `hi`.
fn paragraph_end(text: &[u8], pos: usize, hi: usize) -> usize {
    let mut from = pos;
    while let Some(nl) = memchr(b'\n', &text[from..hi]) {
        let nl = from + nl;
        let next = memchr(b'\n', &text[nl + 1..hi]).map_or(hi, |p| nl + 1 + p);
        if blank(&text[nl + 1..next]) && next < hi {
            return nl;
        }
        from = nl + 1;
    }
    hi
}

/// The distance in bytes from a candidate to a keyword, with a penalty for other lines.
pub fn distance(text: &[u8], cand: (usize, usize), kw: (usize, usize)) -> usize {
    let (gap_lo, gap_hi) = if kw.1 <= cand.0 {
        (kw.1, cand.0)
    } else if kw.0 >= cand.1 {
        (cand.1, kw.0)
    } else {
        return 0;
    };
    let gap = &text[gap_lo..gap_hi];
    let d = gap_hi - gap_lo;
    if memchr(b'\n', gap).is_some() {
        d + OTHER_LINE_PENALTY
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw() -> Keywords {
        Keywords::build(
            &[
                ("fødselsnummer".into(), 0, false),
                ("fnr".into(), 0, false),
                ("konto".into(), 1, false),
                ("ordrenr".into(), 0, true),
                ("ref.nr".into(), 0, true),
                ("f.nr".into(), 0, false),
            ],
            &["kontor".into()],
        )
        .unwrap()
    }

    fn words(text: &str) -> Vec<String> {
        let k = kw();
        let mut out = Vec::new();
        k.find_all(text.as_bytes(), &mut out);
        out.iter()
            .map(|h| text[h.start..h.end].to_string())
            .collect()
    }

    /// Key ids index the meanings: an empty word (which packs reject, but the API takes)
    /// must not shift them.
    #[test]
    fn empty_words_match_nothing_and_shift_nothing() {
        let kw = Keywords::build(&[("".into(), 0, false), ("fnr".into(), 1, false)], &[]).unwrap();
        let mut found = Vec::new();
        kw.find_all(b"fnr: 1", &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(kw.meaning(found[0].word).positive, [1]);
    }

    #[test]
    fn may_confirm_wants_a_keyword_as_the_walk_would_take_it() {
        let words = [("kto", 0), ("konto", 0), ("bankkonto", 0), ("fnr", 1)];
        let words: Vec<_> = words.iter().map(|&(w, r)| (w.into(), r, false)).collect();
        let kw = Keywords::build(&words, &[]).unwrap();
        let may = |rule, text: &str| kw.may_confirm(rule, text.to_ascii_lowercase().as_bytes());
        assert!(may(0, "Kto: 1"));
        assert!(may(0, "sparekontoen"), "konto may sit inside a word");
        assert!(!may(0, "15. oktober"), "kto must stand alone");
        assert!(!may(0, "1234 5678 901"));
        assert!(!may(1, "kto"), "keywords of another rule");
        assert!(!may(2, "fnr"), "a rule without keywords");
    }

    #[test]
    fn matching_rules() {
        assert_eq!(
            words("FØDSELSNUMMERET og Fødselsnummer"),
            ["FØDSELSNUMMER", "Fødselsnummer"]
        );
        assert_eq!(words("Fnr: x, fnrx, xfnr, (FNR)"), ["Fnr", "FNR"]);
        assert_eq!(words("kontoret kontonummer"), ["konto"]);
        assert_eq!(words("Ref.nr 1"), ["Ref.nr"]);
        assert_eq!(words("f.nr."), ["f.nr"]);
    }

    /// The longest keyword at every offset of texts walked in one, three and six lanes (and
    /// near every lane boundary of a range long enough to be cut): found once, where it is.
    #[test]
    fn keywords_across_lane_boundaries() {
        let kw = Keywords::build(&[("personnummer".into(), 0, false)], &[]).unwrap();
        let key = b"personnummer";
        let at = |size: usize, offset: usize| {
            let mut t = vec![b'x'; size];
            t[offset..offset + key.len()].copy_from_slice(key);
            t
        };
        let mut found = Vec::new();
        for size in [100, 300, 1100] {
            for offset in 0..=size - key.len() {
                kw.find_all(&at(size, offset), &mut found);
                let spans: Vec<_> = found.iter().map(|h| (h.start, h.end)).collect();
                assert_eq!(spans, [(offset, offset + key.len())], "{size} {offset}");
            }
        }
        let size = 2100;
        let part = size / 6;
        for k in 1..6 {
            for offset in k * part - key.len()..=k * part {
                kw.find_in_ranges(&at(size, offset), &[(0, size)], &mut found);
                let spans: Vec<_> = found.iter().map(|h| (h.start, h.end)).collect();
                assert_eq!(spans, [(offset, offset + key.len())], "{offset}");
            }
        }
    }

    #[test]
    fn windows() {
        let t = b"first para\n\nFnr:\n010190 12345 here\nnext\n\nother";
        let s = 17;
        let (lo, hi) = window(t, s, s + 12, WindowMode::Paragraph);
        assert_eq!(&t[lo..hi], b"Fnr:\n010190 12345 here\nnext");
        let (lo, hi) = window(t, s, s + 12, WindowMode::Line);
        assert_eq!(&t[lo..hi], b"010190 12345 here");
        assert_eq!(distance(t, (s, s + 12), (12, 15)), 2 + OTHER_LINE_PENALTY);
    }

    #[test]
    fn window_is_clipped() {
        let t = vec![b'a'; 2000];
        assert_eq!(window(&t, 1000, 1011, WindowMode::Paragraph), (700, 1311));
    }

    /// The leftmost-longest search of the `aho-corasick` crate, filtered as `find_in` does:
    /// the definition the key automaton's lanes are tested against. Hits as (start, end,
    /// sorted positive rules, sorted negative rules).
    fn reference(
        words: &[(String, usize, bool)],
        stop: &[String],
        text: &[u8],
        ranges: &[(usize, usize)],
    ) -> Vec<(usize, usize, Vec<usize>, Vec<usize>)> {
        let mut meanings: Vec<(String, bool, Vec<usize>, Vec<usize>)> = Vec::new();
        let all = words.iter().map(|(w, r, n)| (w, Some((*r, *n))));
        for (w, m) in all.chain(stop.iter().map(|w| (w, None))) {
            let lower = w.to_lowercase();
            let standalone = lower.chars().filter(|c| c.is_alphanumeric()).count() <= 3;
            for v in case_variants(&lower) {
                let i = match meanings.iter().position(|p| p.0 == v) {
                    Some(i) => i,
                    None => {
                        meanings.push((v, standalone, vec![], vec![]));
                        meanings.len() - 1
                    }
                };
                match m {
                    Some((r, false)) => meanings[i].2.push(r),
                    Some((r, true)) => meanings[i].3.push(r),
                    None => {}
                }
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(meanings.iter().map(|m| &m.0))
            .unwrap();
        let mut out = Vec::new();
        for &(lo, hi) in ranges {
            for m in ac.find_iter(aho_corasick::Input::new(text).range(lo..hi)) {
                let (_, standalone, pos, neg) = &meanings[m.pattern().as_usize()];
                let glued = m.start() > 0 && is_letter(text[m.start() - 1])
                    || text.get(m.end()).is_some_and(|&b| is_letter(b));
                if (pos.is_empty() && neg.is_empty()) || (*standalone && glued) {
                    continue;
                }
                let mut pos = pos.clone();
                let mut neg = neg.clone();
                pos.sort_unstable();
                pos.dedup();
                neg.sort_unstable();
                neg.dedup();
                out.push((m.start(), m.end(), pos, neg));
            }
        }
        out
    }

    /// Keyword lists `(word, rule, negative)` over a small alphabet that makes keywords
    /// overlap, hide one another and differ in æøå case: one to eleven words, none empty, of
    /// three rules.
    fn keyword_lists() -> impl proptest::strategy::Strategy<Value = Vec<(String, usize, bool)>> {
        proptest::collection::vec(
            ("(a|b|ab|ba|ø|Ø|\\.| ){1,5}", 0usize..3, proptest::bool::ANY),
            1..12,
        )
    }

    /// Stop words over the same alphabet, long enough to hide keywords.
    fn stop_word_lists() -> impl proptest::strategy::Strategy<Value = Vec<String>> {
        proptest::collection::vec("(a|b|ø|\\.){2,6}", 0..3)
    }

    proptest::proptest! {
        /// Keywords in ranges of any length and number (one lane, three or six per range),
        /// with gaps between them, and in a whole text are what the leftmost-longest
        /// Aho-Corasick search finds, including stop words hiding keywords, upper-case æøå
        /// variants and short words glued to letters.
        #[test]
        fn keywords_match_the_aho_corasick_definition(
            words in keyword_lists(),
            stop in stop_word_lists(),
            text in "(a|B|b|ø|Ø|æ|\\.| |x){0,5000}",
            cuts in proptest::collection::vec(0.0f64..1.0, 0..16),
        ) {
            let text = text.as_bytes();
            let mut cuts: Vec<usize> =
                cuts.into_iter().map(|c| (c * text.len() as f64) as usize).collect();
            cuts.push(0);
            cuts.push(text.len());
            cuts.sort_unstable();
            cuts.dedup();
            // Every third range left out: windows have gaps between them.
            let ranges: Vec<(usize, usize)> = cuts
                .windows(2)
                .enumerate()
                .filter(|(i, _)| i % 3 != 2)
                .map(|(_, w)| (w[0], w[1]))
                .collect();
            let kw = Keywords::build(&words, &stop).unwrap();
            let mut found = Vec::new();
            kw.find_in_ranges(text, &ranges, &mut found);
            let got: Vec<_> = found
                .iter()
                .map(|h| {
                    let m = kw.meaning(h.word);
                    let mut pos = m.positive.clone();
                    let mut neg = m.negative.clone();
                    pos.sort_unstable();
                    neg.sort_unstable();
                    (h.start, h.end, pos, neg)
                })
                .collect();
            proptest::prop_assert_eq!(got, reference(&words, &stop, text, &ranges));
            kw.find_all(text, &mut found);
            let whole: Vec<(usize, usize)> = found.iter().map(|h| (h.start, h.end)).collect();
            let expected: Vec<(usize, usize)> = reference(&words, &stop, text, &[(0, text.len())])
                .into_iter()
                .map(|(s, e, ..)| (s, e))
                .collect();
            proptest::prop_assert_eq!(whole, expected);
        }

        /// The quick test never rules out a rule that a keyword in the text confirms: every
        /// positive keyword `find_all` keeps, `may_confirm` sees in the folded text.
        #[test]
        fn may_confirm_misses_no_keyword(
            words in keyword_lists(),
            stop in stop_word_lists(),
            text in "(a|B|b|ø|Ø|æ|\\.| |x|1){0,300}",
        ) {
            let kw = Keywords::build(&words, &stop).unwrap();
            let mut found = Vec::new();
            kw.find_all(text.as_bytes(), &mut found);
            let folded = text.as_bytes().to_ascii_lowercase();
            for h in &found {
                for &rule in &kw.meaning(h.word).positive {
                    proptest::prop_assert!(kw.may_confirm(rule, &folded), "rule {rule}");
                }
            }
        }

        /// Any bytes and positions: the row holds the identifier and stays in the window.
        #[test]
        fn json_row_stays_in_the_window(
            text in proptest::collection::vec(
                proptest::sample::select(b"{}[]\"\\ a\n".to_vec()),
                1..200,
            ),
            a in 0usize..200, b in 0usize..200, c in 0usize..200,
        ) {
            let mut p = [a % text.len(), b % text.len(), c % text.len()];
            p.sort();
            let [lo, start, hi] = p;
            if let Some((s, e)) = json_row(&text, lo, hi, start) {
                proptest::prop_assert!(lo <= s && s <= start && e <= hi && start <= e);
            }
        }
    }
}
