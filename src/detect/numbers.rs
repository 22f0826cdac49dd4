//! The digit-run scanner: one pass over the bytes that finds every candidate number.
//!
//! Regexes are the wrong tool for the number rules: fødselsnummer, kontonummer and phone numbers
//! overlap in shape, and a multi-pattern regex reports only one non-overlapping match. Instead
//! we find *clusters* — digit runs joined by single separators (`' '`, `-`, `.`, no-break space)
//! — and match the group lengths of a cluster against the layouts people write numbers in
//! (`DDMMYY IIIKK`, `BBBB.CC.AAAAK`, `912 34 567`, `4111 1111 1111 1111`...). Every validator
//! interested in a layout then judges the digits. Measured advice in
//! `../shared/reference-crates-and-speed.md` §1.2: a hand-written digit scanner runs at about
//! 1.5 GB/s where `(?-u:\b)[0-9]{11}(?-u:\b)` runs at about 0.95 GB/s.

use super::classes::classify;

/// Most groups kept in one cluster; longer digit sequences are split (tables of numbers
/// separated by single spaces can be arbitrarily long).
pub const MAX_GROUPS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sep {
    Space,
    Dash,
    Dot,
    /// U+00A0, which Word inserts between digit groups ("912 34 567").
    Nbsp,
}

impl Sep {
    /// Spaces of either kind count as the same separator when checking a layout.
    fn is_space(self) -> bool {
        matches!(self, Sep::Space | Sep::Nbsp)
    }
}

/// The shortest lone digit run any layout accepts (an 8-digit phone number with a keyword).
pub const MIN_LONE: usize = 8;

/// Digit groups joined by single separators, e.g. `010190 12345` → two groups.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// `(start, end)` byte offsets of each digit run.
    pub groups: Vec<(usize, usize)>,
    /// `seps[i]` joins `groups[i]` and `groups[i + 1]`.
    pub seps: Vec<Sep>,
}

impl Cluster {
    pub fn len(&self, i: usize) -> usize {
        self.groups[i].1 - self.groups[i].0
    }

    /// True if groups `i..i + lens.len()` have these lengths and all joining separators are
    /// accepted by `sep_ok` and equal to each other.
    pub fn fits(&self, i: usize, lens: &[usize], sep_ok: impl Fn(Sep) -> bool) -> bool {
        if i + lens.len() > self.groups.len() {
            return false;
        }
        if lens.iter().enumerate().any(|(k, &l)| self.len(i + k) != l) {
            return false;
        }
        let seps = &self.seps[i..i + lens.len() - 1];
        seps.iter().all(|&s| sep_ok(s))
            && seps
                .windows(2)
                .all(|w| w[0] == w[1] || (w[0].is_space() && w[1].is_space()))
    }
}

/// True for bytes that glue a number to a word: ASCII letters and digits, `_`, and any byte of
/// a multi-byte UTF-8 character (Norwegian letters æøå are such bytes).
#[inline]
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Position of the first ASCII digit at or after `from`.
#[inline]
pub fn next_digit(hay: &[u8], mut from: usize) -> Option<usize> {
    // Eight bytes at a time: a byte is a digit when it lies in 0x30..=0x39. The SWAR test
    // below flags such bytes exactly (bytes >= 0x80 are excluded by `!x`), so prose without
    // numbers costs a few instructions per word and the first digit comes from the flag mask.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while from + 8 <= hay.len() {
        let x = u64::from_le_bytes(hay[from..from + 8].try_into().unwrap());
        let low = x & !HI;
        // High bit set where the byte (without its high bit) is >= 0x30 and <= 0x39.
        let ge = low.wrapping_add(LO * (0x80 - 0x30));
        let le = (LO * (0x80 + 0x39)).wrapping_sub(low);
        let mask = ge & le & !x & HI;
        if mask != 0 {
            return Some(from + (mask.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    hay[from..]
        .iter()
        .position(|b| b.is_ascii_digit())
        .map(|p| from + p)
}

#[inline]
fn digit_run_end(hay: &[u8], from: usize) -> usize {
    hay[from..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(hay.len(), |p| from + p)
}

/// The separator starting at `at` and its length in bytes, if one is there and a digit follows.
#[inline]
fn separator(hay: &[u8], at: usize) -> Option<(Sep, usize)> {
    let (sep, n) = match hay.get(at)? {
        b' ' => (Sep::Space, 1),
        b'-' => (Sep::Dash, 1),
        b'.' => (Sep::Dot, 1),
        0xC2 if hay.get(at + 1) == Some(&0xA0) => (Sep::Nbsp, 2),
        _ => return None,
    };
    hay.get(at + n).filter(|b| b.is_ascii_digit())?;
    Some((sep, n))
}

/// Bytes a cluster is made of: digits and separators, plus 0xC2 not followed by 0xA0 (the
/// scope may be wider than a cluster, never narrower).
#[inline]
fn is_cluster_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b' ' | b'-' | b'.' | 0xC2 | 0xA0)
}

/// Each block of [`next_in_reach`] starts one byte before the first position it decides
/// (a number glued to a word is told by the byte before it) and reaches eight past the last
/// (a spaced layout is told by nine bytes).
const LOOK_BACK: usize = 1;
const BLOCK_STEP: usize = 64 - LOOK_BACK - 8;

/// The first position at or after `from` where a number some layout accepts may begin, or a
/// digit glued to a word.
///
/// Every layout is a run of eight or more digits, or ends in a group of five after a dot
/// (`BBBB.CC.AAAAK`, `DDMMYY.IIIKK`), or is written with spaces or dashes over at least nine
/// bytes starting with a digit (`912 34 567`, `4111 1111 1111 1111`, `+47 1234 5678`); the
/// rest are numbers glued to a word (`F32`, `NO93 8601...`). Dates, times and amounts
/// (`12.03.2024`, `14.30`, `12500,00`) are none of these, and skipping them here, a block at
/// a time without a branch per digit run, is what makes the scanner fast on real files. A
/// position this reports is only a lead: the clusters around it are built and judged as
/// before.
fn next_in_reach(hay: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at < hay.len() {
        let whole = at.checked_sub(LOOK_BACK).and_then(|s| hay.get(s..s + 64));
        let c = match whole {
            Some(block) => classify(block.try_into().unwrap()),
            None => {
                // Near either end the text is copied into zero bytes, which are in no class.
                let mut block = [0u8; 64];
                for (k, slot) in block.iter_mut().enumerate() {
                    if let Some(&b) = (at + k).checked_sub(LOOK_BACK).and_then(|i| hay.get(i)) {
                        *slot = b;
                    }
                }
                classify(&block)
            }
        };
        let d = c.digit;
        let d2 = d & d >> 1;
        let d4 = d2 & d2 >> 2;
        let run5 = d4 & d >> 4;
        let run8 = d4 & d4 >> 4;
        // A dot between digits before five more (with spaces instead, `spaced` has it).
        let last_group = c.dot & d << 1 & run5 >> 1;
        let glued = d & c.word << 1;
        let j = d | c.joiner;
        let j2 = j & j >> 1;
        let j4 = j2 & j2 >> 2;
        let spaced = d & j4 & j4 >> 4 & j >> 8;
        let reach = (run8 | last_group | glued | spaced) >> LOOK_BACK & ((1 << BLOCK_STEP) - 1);
        if reach != 0 {
            return Some(at + reach.trailing_zeros() as usize);
        }
        at += BLOCK_STEP;
    }
    None
}

/// Calls `f` with every cluster in `hay` that may hold a number: the clusters a layout could
/// match and those glued to a word on their left, in order. The cluster buffer is reused.
///
/// Lone runs shorter than [`MIN_LONE`] digits that are not glued to a word (years, times,
/// amounts, postcodes: most numbers in prose) are skipped without building a cluster.
pub fn for_each_cluster(hay: &[u8], cluster: &mut Cluster, f: &mut dyn FnMut(&Cluster)) {
    let mut i = 0;
    while let Some(lead) = next_in_reach(hay, i) {
        // The clusters near `lead` lie in the run of cluster bytes around it; that run is
        // scanned from its start as if nothing had been skipped.
        let from = lead
            - hay[i..lead]
                .iter()
                .rev()
                .take_while(|&&b| is_cluster_byte(b))
                .count();
        let scope_end = hay[lead..]
            .iter()
            .position(|&b| !is_cluster_byte(b))
            .map_or(hay.len(), |p| lead + p);
        clusters_in(&hay[..scope_end], from, cluster, f);
        i = scope_end;
    }
}

/// [`for_each_cluster`] without the block filter: every cluster of every digit run, the
/// definition the filter is tested against.
#[cfg(test)]
pub fn for_each_cluster_unfiltered(hay: &[u8], cluster: &mut Cluster, f: &mut dyn FnMut(&Cluster)) {
    clusters_in(hay, 0, cluster, f)
}

/// Calls `f` with every cluster in `hay[from..]`.
fn clusters_in(hay: &[u8], from: usize, cluster: &mut Cluster, f: &mut dyn FnMut(&Cluster)) {
    let mut i = from;
    while let Some(start) = next_digit(hay, i) {
        let mut end = digit_run_end(hay, start);
        if end - start < MIN_LONE
            && separator(hay, end).is_none()
            && (start == 0 || !is_word_byte(hay[start - 1]))
        {
            i = end;
            continue;
        }
        cluster.groups.clear();
        cluster.seps.clear();
        cluster.groups.push((start, end));
        while cluster.groups.len() < MAX_GROUPS {
            let Some((sep, n)) = separator(hay, end) else {
                break;
            };
            let s = end + n;
            end = digit_run_end(hay, s);
            cluster.seps.push(sep);
            cluster.groups.push((s, end));
        }
        f(cluster);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(s: &str) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut c = Cluster::default();
        for_each_cluster(s.as_bytes(), &mut c, &mut |c| {
            out.push((0..c.groups.len()).map(|i| c.len(i)).collect())
        });
        out
    }

    #[test]
    fn groups_and_separators() {
        assert_eq!(
            clusters("fnr 010190 12345, tlf 912 34 567."),
            vec![vec![6, 5], vec![3, 2, 3]]
        );
        assert_eq!(clusters("1234.56.78903"), vec![vec![4, 2, 5]]);
        assert_eq!(clusters("912\u{a0}34\u{a0}567"), vec![vec![3, 2, 3]]);
        // Lone short runs are skipped unless glued to a word (a diagnosis code).
        assert_eq!(clusters("a 12  34 b 2024. 1-"), Vec::<Vec<usize>>::new());
        assert_eq!(clusters("F32 og 12345678"), vec![vec![2], vec![8]]);
        assert_eq!(clusters(""), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn long_blocks_without_digits() {
        let mut s = "x ".repeat(500);
        s.push_str("12345678");
        s.push_str(&"y".repeat(77));
        assert_eq!(clusters(&s), vec![vec![8]]);
        assert_eq!(next_digit(s.as_bytes(), 0), Some(1000));
    }

    #[test]
    fn fits_checks_lengths_and_uniform_separators() {
        let mut c = Cluster::default();
        for_each_cluster(b"1234 56.78903", &mut c, &mut |c| {
            assert!(!c.fits(0, &[4, 2, 5], |_| true));
        });
        for_each_cluster(b"1234.56.78903", &mut c, &mut |c| {
            assert!(c.fits(0, &[4, 2, 5], |s| s == Sep::Dot));
            assert!(!c.fits(0, &[4, 2, 5], |s| s == Sep::Space));
        });
    }

    proptest::proptest! {
        /// The word-at-a-time search finds exactly what a byte-by-byte search finds.
        #[test]
        fn next_digit_matches_naive(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100), from in 0usize..100) {
            let from = from.min(bytes.len());
            let naive = bytes[from..].iter().position(u8::is_ascii_digit).map(|p| p + from);
            proptest::prop_assert_eq!(next_digit(&bytes, from), naive);
        }
    }
}
