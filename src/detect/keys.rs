//! The key automaton: finds the first bytes (keys) of every term in one pass over the text,
//! reporting a key only where its term may start. With every key allowed anywhere it is a
//! plain Aho-Corasick DFA reporting every occurrence, which is how keywords are matched
//! ([`super::context`]).
//!
//! Almost every term must start a word; only a few (`kreft | tail`, `itt | suffix`) may start
//! inside one. A plain Aho-Corasick automaton reports every key everywhere: inside
//! "saksbehandler" it walks "beh", "beha", "behan"... through deep states, so the states a scan
//! visits span megabytes of table and most steps miss the cache; nine in ten of its reports
//! are then thrown away for not starting a word. This automaton runs two tries at once:
//!
//! - word-start keys, whose root is active only after a byte that is not an ASCII letter
//!   (and at the start of the text);
//! - anywhere keys, whose root is active at every byte (plain Aho-Corasick).
//!
//! Inside a word that no word-start key begins, the automaton sits in one state until the
//! next space, so the hot part of the table stays in the cache. On 43 MB of the benchmark
//! tree the walk took 18 ms where the Aho-Corasick DFA took 45 ms, and reported a tenth as
//! many keys.
//!
//! Bytes >= 0x80 count as "not a letter" for the word-start rule: a character such as « or
//! a no-break space starts a word, and telling it from æ would need the byte before. The
//! extra reports after æøå are rejected by the caller's word check, which decodes characters.
//!
//! How it is built: like an Aho-Corasick DFA whose state is the deepest active trie node,
//! with two roots. State [`ANYWHERE_ROOT`] has only the anywhere root active, state
//! [`BOTH_ROOTS`] both. A node's failure link is the next active node with a shorter label
//! (or the same label in the anywhere trie), so the usual rule `next(n, c) = child(n, c) or
//! next(fail(n), c)` holds for every state; below both roots sits a virtual state whose every
//! transition is "both roots" after a non-letter and "anywhere root" after a letter.

/// Only the anywhere keys' root is active (after an ASCII letter).
const ANYWHERE_ROOT: usize = 0;
/// Both roots are active: a word may start here.
const BOTH_ROOTS: usize = 1;
/// Below both roots, never entered: its row sends every byte to a root, which completes the
/// anywhere root's row like any failure link.
const VIRTUAL: usize = 2;
/// Set on a table entry whose target state reports keys.
const MATCH_FLAG: u32 = 1 << 31;
const NONE: u32 = u32::MAX;
/// Bytes per lane between bounds checks in [`KeyAutomaton::walk_lanes`].
const BLOCK: usize = 64;
/// Most table entries (states × classes) a user's term lists may need: 128 MiB of table.
/// The shipped lists need 14,815 states of 52 classes, 770,380 entries, 1/43 of this.
/// Premultiplied ids must also stay below [`MATCH_FLAG`], which this keeps far away.
const MAX_TABLE_ENTRIES: usize = 1 << 25;

/// Keys whose automaton would exceed [`MAX_TABLE_ENTRIES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "too large: their automaton needs more than {} states of {classes} byte classes \
     (a table of at most {} MiB)",
    MAX_TABLE_ENTRIES / classes,
    (MAX_TABLE_ENTRIES * 4) >> 20
)]
pub struct TooLarge {
    pub classes: usize,
}

#[derive(Debug, Clone)]
pub struct KeyAutomaton {
    /// Byte → equivalence class; ASCII letters fold to lower case.
    classes: [u8; 256],
    /// Number of classes: the width of one state's row.
    stride: usize,
    /// `table[state * stride + class]` is the next state times `stride`, with
    /// [`MATCH_FLAG`] set when that state reports keys. Padded with unused entries to a
    /// power of two, `mask + 1`, so that masking an index both drops the flag and proves it
    /// in bounds: the step is two instructions and a load, no bounds check.
    table: Vec<u32>,
    mask: u32,
    /// Per state: the keys that end there (ids into the key list given to `new`).
    reports: Vec<Vec<u32>>,
    /// Per key: its length in bytes.
    key_len: Vec<usize>,
    /// The longest key: how far a lane reads past its part to finish the keys started in it.
    longest: usize,
}

/// A key and where its term may start.
pub struct Key<'a> {
    /// Lower-case ASCII letters; any other byte is matched exactly.
    pub bytes: &'a [u8],
    /// True if the key may start inside a word, false if only at a word start.
    pub anywhere: bool,
}

impl KeyAutomaton {
    pub fn new(keys: &[Key<'_>]) -> Result<KeyAutomaton, TooLarge> {
        // Classes: one per byte used in a key, one for other letters, one for the rest. They
        // fit a u8: terms are UTF-8 (13 byte values never occur) and upper case folds, so at
        // most 217 key bytes.
        let mut classes = [u8::MAX; 256];
        let mut next_class = 0u8;
        for k in keys {
            for &b in k.bytes {
                let b = b.to_ascii_lowercase();
                if classes[b as usize] == u8::MAX {
                    classes[b as usize] = next_class;
                    next_class += 1;
                }
            }
        }
        let other_letter = next_class;
        let other = next_class + 1;
        for b in 0..=255u8 {
            let lower = b.to_ascii_lowercase();
            classes[b as usize] = if classes[lower as usize] != u8::MAX {
                classes[lower as usize]
            } else if b.is_ascii_alphabetic() {
                other_letter
            } else {
                other
            };
        }
        let stride = other as usize + 1;

        // The two tries, sparse, numbered as the table's states will be: the roots, the
        // virtual state, then each node as its key first reaches it. Walking a word visits
        // states created together, so they sit close in the table.
        let mut trie = Trie::default();
        for (id, k) in keys.iter().enumerate() {
            // An empty key would report everywhere; the term parser rejects empty terms.
            if k.bytes.is_empty() {
                continue;
            }
            let root = if k.anywhere {
                ANYWHERE_ROOT
            } else {
                BOTH_ROOTS
            };
            let end = k
                .bytes
                .iter()
                .fold(root, |s, &b| trie.child(s, classes[b as usize]));
            trie.reports[end].push(id as u32);
        }
        let states = trie.class.len();
        let used = states * stride;
        if used > MAX_TABLE_ENTRIES {
            return Err(TooLarge { classes: stride });
        }

        // Each row is written once, complete, with premultiplied targets and flags: the
        // virtual state's (a word may start after a byte that is not an ASCII letter; all
        // bytes of a class agree on that), then breadth first from the roots a copy of the
        // failure state's row with the children written over it. Breadth first from
        // [anywhere root, word-start root] puts the anywhere nodes of a depth before the
        // word-start nodes, whose failure link may be the anywhere node of the same label.
        //
        // The table is allocated zeroed at its final power-of-two size (see `mask`): zeroed
        // memory comes from the kernel untouched, so only the rows written cost page faults.
        // Filling a child table first and completing and premultiplying it in two more
        // passes took 3.5 ms of the 10 ms start-up; this takes about 1 ms.
        let mut table = vec![0u32; used.next_power_of_two()];
        for b in 0..=255u8 {
            let root = if b.is_ascii_alphabetic() {
                ANYWHERE_ROOT
            } else {
                BOTH_ROOTS
            };
            table[VIRTUAL * stride + classes[b as usize] as usize] = (root * stride) as u32;
        }
        let mut fail = vec![0usize; states];
        fail[ANYWHERE_ROOT] = VIRTUAL;
        fail[BOTH_ROOTS] = ANYWHERE_ROOT;
        let mut queue = Vec::with_capacity(states);
        queue.extend([ANYWHERE_ROOT, BOTH_ROOTS]);
        let mut reports = trie.reports;
        let mut head = 0;
        while let Some(&s) = queue.get(head) {
            head += 1;
            let f = fail[s];
            if !reports[f].is_empty() {
                let inherited = reports[f].clone();
                reports[s].extend(inherited);
            }
            table.copy_within(f * stride..(f + 1) * stride, s * stride);
            let mut child = trie.first_child[s];
            while child != NONE {
                let t = child as usize;
                let at = s * stride + trie.class[t] as usize;
                let via_fail = table[at];
                fail[t] = (via_fail & !MATCH_FLAG) as usize / stride;
                let flag = if reports[t].is_empty() {
                    via_fail & MATCH_FLAG
                } else {
                    MATCH_FLAG
                };
                table[at] = (t * stride) as u32 | flag;
                queue.push(t);
                child = trie.next_sibling[t];
            }
        }
        let mask = table.len() as u32 - 1;
        Ok(KeyAutomaton {
            classes,
            stride,
            table,
            mask,
            reports,
            key_len: keys.iter().map(|k| k.bytes.len()).collect(),
            longest: keys.iter().map(|k| k.bytes.len()).max().unwrap_or(0),
        })
    }

    /// The state at the start of a text (a word may start there).
    fn start(&self) -> u32 {
        (BOTH_ROOTS * self.stride) as u32
    }

    #[cfg(test)]
    fn next(&self, state: u32, byte: u8) -> u32 {
        self.stepper().next(state, byte)
    }

    /// The transition function with the table's length in view of the optimiser.
    #[inline(always)]
    fn stepper(&self) -> Stepper<'_> {
        Stepper {
            table: &self.table[..=self.mask as usize],
            mask: self.mask,
            classes: &self.classes,
        }
    }

    #[inline(always)]
    fn reports(state: u32) -> bool {
        state & MATCH_FLAG != 0
    }

    /// Walks `lo..hi` of `text` cut into `N` parts, all at once, and calls
    /// `report(part, state, end)` at each reporting state (`end` is just past the byte that
    /// led to it). Each part's lane starts in the start state and reads on past the part's
    /// end by the longest key, so every key starting in a part is reported with that part;
    /// [`KeyAutomaton::keys_starting_in`] keeps those.
    #[inline(always)]
    pub fn walk_parts<const N: usize>(
        &self,
        text: &[u8],
        (lo, hi): (usize, usize),
        mut report: impl FnMut((usize, usize), u32, usize),
    ) {
        let size = (hi - lo) / N;
        let parts: [(usize, usize); N] = std::array::from_fn(|k| {
            let end = if k + 1 == N { hi } else { lo + (k + 1) * size };
            (lo + k * size, end)
        });
        let lanes = parts.map(|(start, end)| (start, (end + self.longest).min(hi)));
        self.walk_lanes(text, lanes, |k, state, end| report(parts[k], state, end));
    }

    /// Walks the stretches `lanes[k] = (start, end)` of `text` in one loop, each from the
    /// start state, and calls `report(k, state, end)` at each reporting state reached in
    /// stretch `k`.
    ///
    /// A walk is a chain of dependent table loads; one stretch alone waits for each load,
    /// several interleaved keep the CPU busy. The lanes go in blocks of [`BLOCK`] bytes read
    /// as arrays, so the loop holds no bounds checks: about seven instructions a byte and
    /// lane where there were eleven (criterion terms-only 5.9 -> 4.6 ms on 8 MiB). Reports
    /// wait in a buffer until the end of the block (4.9 -> 4.4 ms).
    #[inline(always)]
    fn walk_lanes<const N: usize>(
        &self,
        text: &[u8],
        lanes: [(usize, usize); N],
        mut report: impl FnMut(usize, u32, usize),
    ) {
        let step = self.stepper();
        let mut sid = [self.start(); N];
        let mut pos = lanes.map(|(start, _)| start);
        let common = lanes.iter().map(|&(s, e)| e - s).min().unwrap_or(0);
        // A block's reports, as (state, lane * BLOCK + column), handed on after the block: a
        // call inside the loop would pin the lanes' states to the few registers a call
        // preserves, and one lane's state went through the stack at every byte.
        const { assert!(N <= 8, "a block's reports fit `found`") };
        let mut found = [[0u32; 2]; BLOCK * 8];
        for _ in 0..common / BLOCK {
            let blocks: [&[u8; BLOCK]; N] = std::array::from_fn(|k| {
                text[pos[k]..pos[k] + BLOCK]
                    .try_into()
                    .expect("every lane holds `common` bytes")
            });
            let mut n = 0;
            // `j` indexes a column across the lanes' blocks, not one slice.
            #[allow(clippy::needless_range_loop)]
            for j in 0..BLOCK {
                for k in 0..N {
                    let s = step.next(sid[k], blocks[k][j]);
                    sid[k] = s;
                    if Self::reports(s) {
                        // At most BLOCK * N reports: the modulo only spares a bounds check.
                        found[n % found.len()] = [s, (k * BLOCK + j) as u32];
                        n += 1;
                    }
                }
            }
            for &[s, at] in &found[..n.min(found.len())] {
                let (k, j) = (at as usize / BLOCK, at as usize % BLOCK);
                report(k, s, pos[k] + j + 1);
            }
            for p in &mut pos {
                *p += BLOCK;
            }
        }
        for k in 0..N {
            for (j, &b) in text[pos[k]..lanes[k].1].iter().enumerate() {
                let s = step.next(sid[k], b);
                sid[k] = s;
                if Self::reports(s) {
                    report(k, s, pos[k] + j + 1);
                }
            }
        }
    }

    /// The keys ending at `end` in reporting state `state` that start inside `part`, with
    /// their start: what a lane of [`KeyAutomaton::walk_parts`] reports as its own.
    pub fn keys_starting_in(
        &self,
        state: u32,
        end: usize,
        (lo, hi): (usize, usize),
    ) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.keys_at(state)
            .iter()
            .map(move |&key| (key, end - self.key_len[key as usize]))
            .filter(move |&(_, start)| start >= lo && start < hi)
    }

    /// The keys ending at a reporting state.
    fn keys_at(&self, state: u32) -> &[u32] {
        &self.reports[(state & !MATCH_FLAG) as usize / self.stride]
    }
}

/// `text` and the case variants the automaton needs besides it: it folds ASCII case only, so
/// a text with æøå is also matched upper-case and capitalised ("FØDSELSNUMMER",
/// "Fødselsnummer").
pub fn case_variants(text: &str) -> Vec<String> {
    let mut variants = vec![text.to_string()];
    if !text.is_ascii() {
        variants.push(text.to_uppercase());
        let mut chars = text.chars();
        if let Some(first) = chars.next() {
            variants.push(first.to_uppercase().chain(chars).collect());
        }
        variants.dedup();
    }
    variants
}

/// The tries before they become a table: per node its class and its children as a list.
struct Trie {
    class: Vec<u8>,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    reports: Vec<Vec<u32>>,
    /// The roots' children by class as well: every key starts at a root, and searching a
    /// root's list of some fifty children for each was a tenth of the start-up's build.
    root_child: [[u32; 256]; 2],
}

impl Default for Trie {
    /// The two roots and the virtual state, childless.
    fn default() -> Trie {
        Trie {
            class: vec![0; 3],
            first_child: vec![NONE; 3],
            next_sibling: vec![NONE; 3],
            reports: vec![Vec::new(); 3],
            root_child: [[NONE; 256]; 2],
        }
    }
}

impl Trie {
    /// The child of `node` on `class`, added if new.
    fn child(&mut self, node: usize, class: u8) -> usize {
        let found = match self.root_child.get(node) {
            Some(row) => row[class as usize],
            None => {
                let mut c = self.first_child[node];
                while c != NONE && self.class[c as usize] != class {
                    c = self.next_sibling[c as usize];
                }
                c
            }
        };
        if found != NONE {
            return found as usize;
        }
        let new = self.class.len();
        if let Some(row) = self.root_child.get_mut(node) {
            row[class as usize] = new as u32;
        }
        self.class.push(class);
        self.first_child.push(NONE);
        self.next_sibling.push(self.first_child[node]);
        self.reports.push(Vec::new());
        self.first_child[node] = new as u32;
        new
    }
}

/// One step of the automaton. Held for a whole walk: `table.len() == mask + 1` is checked
/// once, so `index & mask` needs no bounds check per byte.
#[derive(Clone, Copy)]
struct Stepper<'a> {
    table: &'a [u32],
    mask: u32,
    classes: &'a [u8; 256],
}

impl Stepper<'_> {
    #[inline(always)]
    fn next(self, state: u32, byte: u8) -> u32 {
        // A state below the flag plus a class stays below 2^32, and the mask (< 2^31) drops
        // the flag.
        let at = state.wrapping_add(self.classes[byte as usize] as u32) & self.mask;
        self.table[at as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (start, key) the automaton reports in `text`.
    fn found(a: &KeyAutomaton, text: &[u8]) -> Vec<(usize, u32)> {
        let mut s = a.start();
        let mut out = Vec::new();
        for (i, &b) in text.iter().enumerate() {
            s = a.next(s, b);
            if KeyAutomaton::reports(s) {
                for &k in a.keys_at(s) {
                    out.push((i + 1 - a.key_len[k as usize], k));
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The definition: a key is reported wherever it occurs (ASCII case folded), word-start
    /// keys only at the text start or after a byte that is not an ASCII letter.
    fn expected(keys: &[Key<'_>], text: &[u8]) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        for start in 0..text.len() {
            let word_start = start == 0 || !text[start - 1].is_ascii_alphabetic();
            for (id, k) in keys.iter().enumerate() {
                if (k.anywhere || word_start)
                    && text[start..].len() >= k.bytes.len()
                    && text[start..start + k.bytes.len()].eq_ignore_ascii_case(k.bytes)
                {
                    out.push((start, id as u32));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn keys<S: AsRef<str>>(list: &[(S, bool)]) -> Vec<Key<'_>> {
        list.iter()
            .map(|(k, anywhere)| Key {
                bytes: k.as_ref().as_bytes(),
                anywhere: *anywhere,
            })
            .collect()
    }

    #[test]
    fn word_start_and_anywhere_keys() {
        let list = [
            ("behand", false),
            ("kreft", true),
            ("itt", true),
            ("hiv p", false),
            ("sjukdø", false),
            ("døds", false),
        ];
        let k = keys(&list);
        let a = KeyAutomaton::new(&k).unwrap();
        let text = "Saksbehandler behandlet lungekreft, KREFT og bronkitt; «Behandling» \
                    HIV POSITIV hiv-p sjukdøds «døds»";
        let got = found(&a, text.as_bytes());
        assert_eq!(got, expected(&k, text.as_bytes()));
        let names: Vec<&str> = got.iter().map(|&(_, id)| list[id as usize].0).collect();
        assert_eq!(
            names,
            [
                "behand", "kreft", "kreft", "itt", "behand", "hiv p", "sjukdø", "døds"
            ]
        );
    }

    /// Keys sharing labels across the two tries, keys inside keys, repeated bytes.
    #[test]
    fn overlapping_keys_of_both_kinds() {
        let list = [
            ("ab", false),
            ("ab", true),
            ("abab", false),
            ("bab", true),
            ("b a", false),
            ("a", false),
            ("ø", true),
        ];
        let k = keys(&list);
        let a = KeyAutomaton::new(&k).unwrap();
        for text in ["ababab abab b ab", "xabab,abab b a-b a", "øab aø b øa", ""] {
            assert_eq!(
                found(&a, text.as_bytes()),
                expected(&k, text.as_bytes()),
                "{text}"
            );
        }
    }

    /// Every byte of every lane reports: the block's report buffer fills to the last slot.
    #[test]
    fn a_report_at_every_byte_of_every_lane() {
        let k = keys(&[("a", true)]);
        let a = KeyAutomaton::new(&k).unwrap();
        let text = vec![b'a'; 8 * BLOCK * 3 + 5];
        let mut starts = Vec::new();
        a.walk_parts::<8>(&text, (0, text.len()), |part, state, end| {
            starts.extend(a.keys_starting_in(state, end, part).map(|(_, start)| start));
        });
        starts.sort_unstable();
        assert_eq!(starts, (0..text.len()).collect::<Vec<_>>());
    }

    #[test]
    fn empty_keys_report_nothing() {
        let list = [("", true), ("", false), ("ab", false)];
        let k = keys(&list);
        let a = KeyAutomaton::new(&k).unwrap();
        assert_eq!(found(&a, b"ab xab ab"), [(0, 2), (7, 2)]);
    }

    proptest::proptest! {
        /// On random keys and texts over a small alphabet (letters of both cases, æøå,
        /// separators), the automaton reports exactly the definition.
        #[test]
        fn reports_exactly_the_definition(
            raw_keys in proptest::collection::vec(("[abøA -]{1,5}", proptest::bool::ANY), 1..8),
            text in "[abcøØA .-]{0,60}",
        ) {
            let lower: Vec<(String, bool)> =
                raw_keys.iter().map(|(k, w)| (k.to_ascii_lowercase(), *w)).collect();
            let k = keys(&lower);
            let a = KeyAutomaton::new(&k).unwrap();
            proptest::prop_assert_eq!(found(&a, text.as_bytes()), expected(&k, text.as_bytes()));
        }
    }
}
