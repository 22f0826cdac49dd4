//! Term matching: every term of every term list in one automaton, one pass over the text.
//!
//! The automaton finds term *stems*; a cheap post-check on each raw match decides whether the
//! word around it is really the term: a compound may put letters before it only if the term
//! allows `tail` (bryst|kreft), the letters after it must be one of its inflection endings
//! (depresjon|en) unless it allows `head` (kreft|svulst), and whole words listed as exceptions
//! never count (krefter is "forces", not cancer).
//!
//! Speed: this pass touches every byte of every file, so it decides the scanner's throughput.
//! The key automaton ([`super::keys`]) reports a key only where its term may start, which
//! keeps its hot states in the cache (18 ms against 45 ms for an Aho-Corasick DFA over 43 MB
//! of the benchmark tree, with a tenth of the reports). Each step is still one dependent table
//! load, so [`LANES`] independent stretches of the text are walked in one loop to let the
//! CPU overlap them. Every key occurrence is reported (overlapping semantics) so that a failing
//! short match never hides a longer one.
//!
//! Tried and measured slower: looking terms up per word (a SWAR pass finds words, hash tables
//! of every "term + ending" form are probed at each word's start and end). Finding the words
//! alone cost as much as half this walk, and the probes' unpredictable branches ~13 ns a word:
//! 69 ms against 46 ms for 30 MB of the benchmark tree.

use super::keys::{Key, KeyAutomaton, TooLarge, case_variants};
use crate::rules::terms::{SUFFIX_MIN_STEM, TermEntry, TermList};
use std::collections::HashSet;

/// Texts shorter than this are walked in one lane (setting up lanes costs more).
const LANE_MIN: usize = 4096;
/// Stretches walked at once. Seven measured fastest once the lane loop made no calls
/// (criterion terms-only 4.4% faster than six, tree task-clock 2%); eight were slower.
const LANES: usize = 7;
/// Most characters scanned to find the start or end of a word.
const MAX_WORD: usize = 64;

#[derive(Debug, Clone)]
pub struct CompiledTerm {
    pub rule: usize,
    /// Index of the term's list in `TermMatcher::lists`.
    list: usize,
    pub entry: TermEntry,
}

/// The exceptions of one list. Exceptions are per list so that a word listed explicitly in
/// one list (nefritt) is not excepted by another list's word-ending rule (`!-fritt`).
#[derive(Debug, Clone, Default)]
struct Exceptions {
    /// Exception words and their forms without an inflection ending.
    words: HashSet<String>,
    endings: Vec<String>,
}

/// A term occurrence: the whole word (or words) holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermHit {
    pub start: usize,
    pub end: usize,
    /// Index into [`TermMatcher::terms`].
    pub term: u32,
}

#[derive(Debug, Clone)]
pub struct TermMatcher {
    /// Finds the keys (first bytes) of all patterns where their terms may start.
    keys: KeyAutomaton,
    /// Every term in every case variant it is matched in.
    patterns: Vec<Vec<u8>>,
    /// Pattern index → index into `terms`.
    pattern_term: Vec<u32>,
    /// Automaton key id → the patterns starting with that key, each with the lower-cased byte
    /// that follows the key in it (0 when the pattern is the key). A key such as "medlem"
    /// starts a hundred union phrases; the byte after the key rules out most at once.
    key_patterns: Vec<Vec<(u8, u32)>>,
    /// Per key: some pattern with this key may start inside a word (`tail` or `suffix`).
    key_inside_word: Vec<bool>,
    terms: Vec<CompiledTerm>,
    lists: Vec<Exceptions>,
}

impl TermMatcher {
    /// Builds the automaton for the term lists of the given rules. None if there are no terms.
    pub fn new(lists: &[(usize, &TermList)]) -> Result<Option<TermMatcher>, TooLarge> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_term = Vec::new();
        let mut terms = Vec::new();
        let mut exceptions = Vec::new();
        for (li, &(rule, list)) in lists.iter().enumerate() {
            let mut exc = Exceptions {
                endings: list.exception_endings.clone(),
                ..Default::default()
            };
            for w in &list.exceptions {
                exc.words.extend(base_forms(w, &list.endings));
            }
            exceptions.push(exc);
            for entry in &list.entries {
                let idx = terms.len() as u32;
                let variants = if entry.case {
                    vec![entry.text.clone()]
                } else {
                    case_variants(&entry.text)
                };
                for v in variants {
                    patterns.push(v);
                    pattern_term.push(idx);
                }
                terms.push(CompiledTerm {
                    rule,
                    list: li,
                    entry: entry.clone(),
                });
            }
        }
        if patterns.is_empty() {
            return Ok(None);
        }
        // The automaton holds only each pattern's first KEY_LEN bytes; the rest is compared
        // on a key match. Thousands of whole terms made a 15 MiB automaton whose every step
        // missed the cache; the key trie is a small fraction of that.
        let mut keys: Vec<Vec<u8>> = Vec::new();
        let mut key_patterns: Vec<Vec<(u8, u32)>> = Vec::new();
        let mut key_index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut key = Vec::new();
        for (pi, p) in patterns.iter().enumerate() {
            key.clear();
            key.extend(key_of(p).iter().map(u8::to_ascii_lowercase));
            // Looked up before it is copied: the shipped lists' 4,135 patterns have 2,898
            // keys, and two copies per pattern cost 0.15-0.4 ms of start-up CPU.
            let k = match key_index.get(&key) {
                Some(&k) => k,
                None => {
                    keys.push(key.clone());
                    key_patterns.push(Vec::new());
                    key_index.insert(key.clone(), keys.len() - 1);
                    keys.len() - 1
                }
            };
            let next = p
                .as_bytes()
                .get(keys[k].len())
                .map_or(0, u8::to_ascii_lowercase);
            key_patterns[k].push((next, pi as u32));
        }
        let key_inside_word: Vec<bool> = key_patterns
            .iter()
            .map(|ps| {
                ps.iter().any(|&(_, pi)| {
                    let e = &terms[pattern_term[pi as usize] as usize].entry;
                    e.tail || e.suffix
                })
            })
            .collect();
        let automaton = KeyAutomaton::new(
            &keys
                .iter()
                .zip(&key_inside_word)
                .map(|(k, &anywhere)| Key { bytes: k, anywhere })
                .collect::<Vec<_>>(),
        )?;
        Ok(Some(TermMatcher {
            keys: automaton,
            patterns: patterns.into_iter().map(String::into_bytes).collect(),
            pattern_term,
            key_inside_word,
            key_patterns,
            terms,
            lists: exceptions,
        }))
    }

    pub fn terms(&self) -> &[CompiledTerm] {
        &self.terms
    }

    /// All term occurrences in `text`, in order, at most one per word span (the most specific).
    pub fn find(&self, text: &[u8], out: &mut Vec<TermHit>) {
        out.clear();
        if text.len() >= LANE_MIN {
            self.walk::<LANES>(text, out);
        } else {
            self.walk::<1>(text, out);
        }
        if out.len() > 1 {
            // Longest span first at each start, then the longest term, then one that must
            // match case ("KONFIDENSIELT" as a marking), then list order: a total order, so
            // that the term kept does not depend on the order the lanes reported them in.
            out.sort_unstable_by(|a, b| {
                a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then_with(|| {
                    let ea = &self.terms[a.term as usize].entry;
                    let eb = &self.terms[b.term as usize].entry;
                    (eb.text.len(), eb.case)
                        .cmp(&(ea.text.len(), ea.case))
                        .then(a.term.cmp(&b.term))
                })
            });
            let mut kept_end = 0;
            out.retain(|h| {
                let keep = h.end > kept_end;
                if keep {
                    kept_end = h.end;
                }
                keep
            });
        }
    }

    /// Walks the key automaton over `text` cut into `N` parts. A lane starts as if at a word
    /// start; `on_match` rejects what is not.
    fn walk<const N: usize>(&self, text: &[u8], out: &mut Vec<TermHit>) {
        self.keys
            .walk_parts::<N>(text, (0, text.len()), |part, state, end| {
                self.on_match(text, state, end, part, out)
            });
    }

    #[inline(never)]
    fn on_match(
        &self,
        text: &[u8],
        state: u32,
        end: usize,
        part: (usize, usize),
        out: &mut Vec<TermHit>,
    ) {
        for (kid, start) in self.keys.keys_starting_in(state, end, part) {
            let klen = end - start;
            // A lane's first byte counts as a word start for the automaton; the real test.
            if start > 0
                && text[start - 1].is_ascii_alphabetic()
                && !self.key_inside_word[kid as usize]
            {
                continue;
            }
            let next = text.get(start + klen).map_or(0, u8::to_ascii_lowercase);
            for &(tag, pi) in &self.key_patterns[kid as usize] {
                if tag != 0 && tag != next {
                    continue;
                }
                let p = &self.patterns[pi as usize];
                let Some(found) = text.get(start..start + p.len()) else {
                    continue;
                };
                if !found.eq_ignore_ascii_case(p) {
                    continue;
                }
                let term = self.pattern_term[pi as usize];
                let t = &self.terms[term as usize];
                if let Some((s, e)) = self.check(text, start, start + p.len(), t) {
                    out.push(TermHit {
                        start: s,
                        end: e,
                        term,
                    });
                }
            }
        }
    }

    /// Decides whether the raw match `start..end` is the term, and returns the word span.
    fn check(
        &self,
        text: &[u8],
        start: usize,
        end: usize,
        t: &CompiledTerm,
    ) -> Option<(usize, usize)> {
        let e = &t.entry;
        if e.case && &text[start..end] != e.text.as_bytes() {
            return None;
        }
        let word_start = word_start(text, start);
        let stem_chars = char_count(&text[word_start..start]);
        if stem_chars > 0 && !(e.tail || e.suffix) {
            return None;
        }
        if e.suffix && stem_chars < SUFFIX_MIN_STEM {
            return None;
        }
        let word_end = word_end(text, end);
        let rest = &text[end..word_end];
        let compound_head = e.head && !rest.is_empty();
        if !compound_head && !e.endings.iter().any(|x| eq_lower(rest, x)) {
            return None;
        }
        let exc = &self.lists[t.list];
        if !(exc.words.is_empty() && exc.endings.is_empty()) {
            let word = String::from_utf8_lossy(&text[word_start..word_end]).to_lowercase();
            for form in base_forms(&word, &e.endings) {
                if exc.words.contains(&form)
                    || exc.endings.iter().any(|x| form.ends_with(x.as_str()))
                {
                    return None;
                }
            }
        }
        Some((word_start, word_end))
    }
}

/// Bytes of a pattern in the automaton (cut back to a character boundary). Longer keys mean
/// fewer false reports from common words ("offentl" in "offentlig" starts offentleglova) but a
/// larger table to build at start-up. Measured on 43 MB of the benchmark tree (walk + checks /
/// build): 7 bytes 34 / 3.3 ms, 10 bytes 25 / 4.9 ms, 12 bytes 24 / 6.5 ms, whole terms
/// 21 / 9 ms.
const KEY_LEN: usize = 10;

fn key_of(p: &str) -> &[u8] {
    let mut n = KEY_LEN.min(p.len());
    while !p.is_char_boundary(n) {
        n += 1;
    }
    &p.as_bytes()[..n]
}

/// A word and the forms it has without one of the inflection `endings` (premier → premi).
fn base_forms(word: &str, endings: &[String]) -> Vec<String> {
    let mut forms = vec![word.to_string()];
    for x in endings {
        if !x.is_empty()
            && let Some(stem) = word.strip_suffix(x.as_str())
            && !stem.is_empty()
            && !forms.iter().any(|f| f == stem)
        {
            forms.push(stem.to_string());
        }
    }
    forms
}

/// The character ending just before byte `i`, if it decodes.
fn char_before(text: &[u8], i: usize) -> Option<(char, usize)> {
    let mut s = i.checked_sub(1)?;
    while s > 0 && i - s < 4 && (text[s] & 0xC0) == 0x80 {
        s -= 1;
    }
    let c = std::str::from_utf8(&text[s..i]).ok()?.chars().next()?;
    Some((c, s))
}

/// The character starting at byte `i`, if it decodes.
fn char_at(text: &[u8], i: usize) -> Option<(char, usize)> {
    let b = *text.get(i)?;
    let len = match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    let c = std::str::from_utf8(text.get(i..i + len)?)
        .ok()?
        .chars()
        .next()?;
    Some((c, i + len))
}

fn word_start(text: &[u8], mut i: usize) -> usize {
    for _ in 0..MAX_WORD {
        match char_before(text, i) {
            Some((c, s)) if c.is_alphabetic() => i = s,
            _ => break,
        }
    }
    i
}

fn word_end(text: &[u8], mut i: usize) -> usize {
    for _ in 0..MAX_WORD {
        match char_at(text, i) {
            Some((c, next)) if c.is_alphabetic() => i = next,
            _ => break,
        }
    }
    i
}

fn char_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count()
}

/// `bytes` equals the lower-case `ending`, ignoring case.
fn eq_lower(bytes: &[u8], ending: &str) -> bool {
    if bytes.len() > 3 * ending.len() + 3 {
        return false;
    }
    if bytes.is_ascii() {
        return bytes.eq_ignore_ascii_case(ending.as_bytes());
    }
    std::str::from_utf8(bytes).is_ok_and(|s| s.to_lowercase() == ending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Confidence;
    use crate::rules::terms::{TermDefaults, parse};
    use std::collections::BTreeMap;

    fn matcher(list: &str) -> TermMatcher {
        let defaults = TermDefaults {
            inflect: "noun".into(),
            tail: false,
            head: false,
            suffix: false,
            confidence: Confidence::High,
        };
        let classes: BTreeMap<String, Vec<String>> = [(
            "noun".to_string(),
            ["", "en", "er", "ene", "et", "a", "s"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )]
        .into();
        let list = parse(list, &defaults, &classes).unwrap();
        TermMatcher::new(&[(0, &list)]).unwrap().unwrap()
    }

    fn words(m: &TermMatcher, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        m.find(text.as_bytes(), &mut out);
        out.iter()
            .map(|h| text[h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn inflections_compounds_and_exceptions() {
        let m = matcher("depresjon\nkreft | tail\nHIV | case exact\nangst | head\n!krefter\n");
        assert_eq!(
            words(&m, "Depresjonen og depresjoner, DEPRESJON."),
            ["Depresjonen", "depresjoner", "DEPRESJON"]
        );
        assert_eq!(
            words(&m, "brystkreft og lungekreften"),
            ["brystkreft", "lungekreften"]
        );
        assert!(words(&m, "krefter og depresjonisme").is_empty());
        assert_eq!(words(&m, "HIV-positiv, hiv opp"), ["HIV"]);
        assert_eq!(words(&m, "angstlidelse"), ["angstlidelse"]);
        // Not a compound tail unless allowed.
        assert!(words(&m, "xdepresjon").is_empty());
    }

    #[test]
    fn non_ascii_case_variants() {
        let m = matcher("søvnapné\nsjukeheim\n");
        assert_eq!(
            words(&m, "SØVNAPNÉ, Søvnapnéen, sjukeheimen"),
            ["SØVNAPNÉ", "Søvnapnéen", "sjukeheimen"]
        );
        assert!(
            words(&m, "«sjukeheim»").len() == 1,
            "quotes are not letters"
        );
    }

    #[test]
    fn suffix_rules_need_a_stem() {
        let m = matcher("itt | suffix\n!avsnitt\n!-fritt\n");
        assert_eq!(
            words(
                &m,
                "bronkitt og artritten, litt fritt, avsnittene, skattefritt"
            ),
            ["bronkitt", "artritten"]
        );
    }

    #[test]
    fn exceptions_belong_to_their_list() {
        let defaults = TermDefaults {
            inflect: "noun".into(),
            tail: false,
            head: false,
            suffix: false,
            confidence: Confidence::High,
        };
        let classes: BTreeMap<String, Vec<String>> =
            [("noun".to_string(), vec!["".to_string(), "en".into()])].into();
        let explicit = parse("nefritt\n", &defaults, &classes).unwrap();
        let rule = parse("itt | suffix\n!-fritt\n", &defaults, &classes).unwrap();
        let m = TermMatcher::new(&[(0, &explicit), (1, &rule)])
            .unwrap()
            .unwrap();
        let mut out = Vec::new();
        m.find("nefritten og skattefritt".as_bytes(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(m.terms()[out[0].term as usize].rule, 0);
    }

    #[test]
    fn most_specific_term_wins_and_multi_word_terms() {
        let m = matcher("kreft | tail\nbrystkreft\npsykiatrisk avdeling\npsykiatrisk\n");
        let mut out = Vec::new();
        let text = "brystkreft på psykiatrisk avdeling";
        m.find(text.as_bytes(), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(m.terms()[out[0].term as usize].entry.text, "brystkreft");
        assert_eq!(&text[out[1].start..out[1].end], "psykiatrisk avdeling");
    }

    /// Every pattern compared at every position, then judged like a key match: the
    /// definition the automaton walk must meet.
    fn every_pattern_everywhere(m: &TermMatcher, text: &[u8]) -> Vec<TermHit> {
        let mut inside_word = vec![None; m.patterns.len()];
        for (k, ps) in m.key_patterns.iter().enumerate() {
            for &(_, pi) in ps {
                inside_word[pi as usize] = Some(m.key_inside_word[k]);
            }
        }
        let mut out = Vec::new();
        for (pi, p) in m.patterns.iter().enumerate() {
            let inside = inside_word[pi].expect("every pattern has a key");
            for start in 0..text.len() {
                let word_start = start == 0 || !text[start - 1].is_ascii_alphabetic();
                if !(word_start || inside)
                    || !text[start..]
                        .get(..p.len())
                        .is_some_and(|t| t.eq_ignore_ascii_case(p))
                {
                    continue;
                }
                let term = m.pattern_term[pi];
                if let Some((s, e)) = m.check(text, start, start + p.len(), &m.terms[term as usize])
                {
                    out.push(TermHit {
                        start: s,
                        end: e,
                        term,
                    });
                }
            }
        }
        out.sort_by_key(|h| (h.start, h.end, h.term));
        out
    }

    /// The shipped term lists on text made of their terms (in three cases), compounds,
    /// endings, punctuation, æøå and no-break spaces: one lane and [`LANES`] report exactly
    /// what comparing every pattern everywhere reports.
    #[test]
    fn walk_meets_the_definition_on_the_shipped_lists() {
        let set = crate::rules::RuleSet::defaults().expect("built-in rules load");
        let lists: Vec<_> = set
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.matcher {
                crate::rules::Matcher::Terms(l) => Some((i, l)),
                _ => None,
            })
            .collect();
        let m = TermMatcher::new(&lists).unwrap().unwrap();
        let pieces = [
            " ",
            " ",
            ". ",
            "-",
            "«",
            "»",
            "\u{a0}",
            "lunge",
            "x",
            "Sak",
            "æ",
            "1",
            "en",
            "er",
            "ene",
            "\n",
            "offentlig ",
            "behandling ",
        ];
        let mut g = crate::synth::Gen::new(11);
        let mut reported = 0;
        for _ in 0..3 {
            let mut text = String::new();
            while text.len() < LANE_MIN + 500 {
                if g.below(3) == 0 {
                    let t = &m.terms[g.below(m.terms.len() as u64) as usize].entry.text;
                    match g.below(3) {
                        0 => text.push_str(&t.to_uppercase()),
                        1 => {
                            let mut c = t.chars();
                            text.extend(c.next().into_iter().flat_map(char::to_uppercase));
                            text.push_str(c.as_str());
                        }
                        _ => text.push_str(t),
                    }
                } else {
                    let piece: &&str = g.pick(&pieces);
                    text.push_str(piece);
                }
            }
            let want = every_pattern_everywhere(&m, text.as_bytes());
            for lanes in [1, LANES] {
                let mut got = Vec::new();
                match lanes {
                    1 => m.walk::<1>(text.as_bytes(), &mut got),
                    _ => m.walk::<LANES>(text.as_bytes(), &mut got),
                }
                got.sort_by_key(|h| (h.start, h.end, h.term));
                assert_eq!(got, want, "{lanes} lanes");
            }
            reported += want.len();
        }
        assert!(reported > 100, "the text holds terms: {reported}");
    }

    /// Two terms over the same span: the one that must match case wins wherever the text
    /// falls in the lanes (the lanes' report order once decided it).
    #[test]
    fn a_case_term_wins_a_tie_in_any_lane() {
        let m = matcher("konfidensielt\nKONFIDENSIELT | case\n");
        let case_term = m.terms.iter().position(|t| t.entry.case).unwrap() as u32;
        for len in [100, LANE_MIN * 2] {
            for at in (0..len - 20).step_by(97) {
                let mut text = vec![b'x'; len];
                text[at] = b' ';
                text[at + 1..at + 14].copy_from_slice(b"KONFIDENSIELT");
                text[at + 14] = b' ';
                let mut hits = Vec::new();
                m.find(&text, &mut hits);
                let terms: Vec<u32> = hits.iter().map(|h| h.term).collect();
                assert_eq!(terms, [case_term], "{len} {at}");
            }
        }
    }

    /// Lanes must find exactly what one lane finds, including matches on lane boundaries.
    #[test]
    fn lanes_agree_with_a_single_lane() {
        let m = matcher("depresjon\nkreft | tail\nangst\n");
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(["depresjon ", "lungekreft ", "x ", "angsten. ", "ord "][i % 5]);
        }
        let mut many = Vec::new();
        m.walk::<LANES>(text.as_bytes(), &mut many);
        let mut one = Vec::new();
        m.walk::<1>(text.as_bytes(), &mut one);
        many.sort_by_key(|h| (h.start, h.end, h.term));
        one.sort_by_key(|h| (h.start, h.end, h.term));
        assert_eq!(many, one);
        assert_eq!(one.len(), 3 * 600);
        assert!(text.len() > LANE_MIN);
    }
}
