//! Detection: text in, hits out. No I/O, no formatting; the scan driver turns hits into
//! findings with locations, masks and fingerprints.
//!
//! One pass per candidate kind over each segment's bytes, whatever the number of rules:
//! - the digit-run scanner ([`numbers`]) finds every number layout once and asks each validator
//!   registered for it ([`candidates`]);
//! - a `memchr` scan for `@` finds e-mail addresses;
//! - user pattern rules share one `RegexSet` pass, and only rules that matched run their regex;
//! - keywords ([`context`]) are matched by one automaton, only in segments holding a candidate.
//!
//! The unit of detection is a *record*: one or more segments that belong together (a paragraph,
//! a spreadsheet row, an e-mail). A keyword in another cell of the same row counts as near.

pub mod candidates;
mod classes;
pub mod context;
pub mod keys;
pub mod numbers;
pub mod terms;
pub mod validators;

use crate::mask;
use crate::model::{Confidence, Text};
use crate::rules::codes::CodeTable;
use crate::rules::{Matcher, RuleSet, Validator};
use candidates::{Candidate, Interp};
use context::{KeywordHit, Keywords, NEIGHBOUR_DISTANCE, WindowMode};
use std::sync::Arc;
use terms::{TermHit, TermMatcher};

/// A piece of extracted text handed to the detector, with what it needs to judge context.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// UTF-8 text (extractors transcode other encodings first). Invalid UTF-8 is tolerated.
    pub text: &'a [u8],
    pub window: WindowMode,
    /// Context that applies to the whole segment, such as the column header of a cell.
    pub label: Option<&'a str>,
    /// Only candidates starting in this byte range are reported; the rest of the text is
    /// context (the overlap between chunks of a large file).
    pub report: (usize, usize),
    /// A note the extractor attaches to every hit in this segment, e.g. "leading zero
    /// restored" for a spreadsheet number that lost it.
    pub note: Option<&'a Text>,
    /// Delimited text (CSV/TSV): the header of a value's column is context for it.
    pub columns: Option<&'a Columns>,
}

/// The layout of delimited text, so a candidate's column header can be found without
/// splitting every row into cells (which would cost more than detecting in the whole chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub delimiter: u8,
    pub headers: Vec<String>,
}

impl Columns {
    /// The header of the column holding byte `pos`, if the header row has one.
    pub fn header_at(&self, text: &[u8], pos: usize) -> Option<&str> {
        ColumnCursor::default().header_at(self, text, pos)
    }
}

/// The column of successive positions in one text, moving forward: the 0-based column of a
/// byte is the number of delimiters outside double quotes between the start of its line and
/// it (a quoted field spanning lines is counted from its last line). Not recounting from the
/// line start for every position keeps one long line with many values (a CSV export without
/// line breaks) linear.
#[derive(Debug, Clone, Default)]
pub struct ColumnCursor {
    pos: usize,
    column: usize,
    quoted: bool,
}

impl ColumnCursor {
    fn column_at(&mut self, cols: &Columns, text: &[u8], pos: usize) -> usize {
        if pos < self.pos {
            *self = ColumnCursor::default();
        }
        let mut from = self.pos;
        if let Some(p) = memchr::memrchr(b'\n', &text[from..pos]) {
            from += p + 1;
            (self.column, self.quoted) = (0, false);
        }
        for &b in &text[from..pos] {
            if b == b'"' {
                self.quoted = !self.quoted;
            } else if b == cols.delimiter && !self.quoted {
                self.column += 1;
            }
        }
        self.pos = pos;
        self.column
    }

    /// The header of the column holding byte `pos`, if the header row has one.
    pub fn header_at<'c>(&mut self, cols: &'c Columns, text: &[u8], pos: usize) -> Option<&'c str> {
        let column = self.column_at(cols, text, pos);
        cols.headers.get(column).map(String::as_str)
    }
}

impl<'a> Segment<'a> {
    pub fn new(text: &'a [u8]) -> Segment<'a> {
        Segment {
            text,
            window: WindowMode::Paragraph,
            label: None,
            report: (0, text.len()),
            note: None,
            columns: None,
        }
    }

    pub fn with_note(mut self, note: Option<&'a Text>) -> Self {
        self.note = note;
        self
    }

    pub fn with_window(mut self, window: WindowMode) -> Self {
        self.window = window;
        self
    }

    pub fn with_label(mut self, label: Option<&'a str>) -> Self {
        self.label = label;
        self
    }
}

/// One detected match, before it is located, masked and fingerprinted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the segment in the record.
    pub seg: usize,
    /// Index of the rule in [`Detector::rules`].
    pub rule: usize,
    /// Byte span of the matched text in the segment.
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
    pub note: Option<Text>,
    /// The value in canonical form (digits only, lower-case e-mail), for fingerprints and
    /// allowlists.
    pub normalized: String,
}

/// Rules compiled for detection; shared read-only by all threads.
#[derive(Debug)]
struct Compiled {
    /// Shared with the reports, which print rule titles (cloning thousands of terms cost
    /// a tenth of the start-up).
    rules: Arc<RuleSet>,
    /// Rule index for each built-in validator, if a loaded rule uses it.
    by_validator: [Option<usize>; Validator::ALL.len()],
    keywords: Keywords,
    /// Per rule: it has keywords or negative keywords, so context can change its hits.
    uses_keywords: Vec<bool>,
    pattern_set: Option<regex::bytes::RegexSet>,
    /// `(rule index, regex)`, in the order of `pattern_set`.
    patterns: Vec<(usize, regex::bytes::Regex)>,
    /// All term lists in one automaton.
    terms: Option<TermMatcher>,
    /// The `person.special-category` rule, if loaded.
    combination: Option<usize>,
    /// Diagnosis codes the user loaded (`--health-codes`); without them codes are judged by
    /// shape and context only.
    codes: Option<CodeTable>,
}

/// The detection engine. Cheap to clone: each worker thread holds its own clone, whose scratch
/// buffers are reused from record to record.
#[derive(Debug, Clone)]
pub struct Detector {
    c: Arc<Compiled>,
    scratch: Scratch,
}

#[derive(Debug, Clone, Default)]
struct Scratch {
    candidates: Vec<Candidate>,
    cluster: numbers::Cluster,
    /// Keyword hits per segment of the current record, computed on first need.
    keywords: Vec<Option<Vec<KeywordHit>>>,
    labels: Vec<Option<Vec<KeywordHit>>>,
    /// Merged candidate windows of the current segment.
    ranges: Vec<(usize, usize)>,
    term_hits: Vec<TermHit>,
    /// Columns of the current segment's candidates (delimited text).
    column: ColumnCursor,
    /// A candidate's window with ASCII folded to lower case ([`Keywords::may_confirm`]).
    folded: Vec<u8>,
}

/// Whether keywords near a candidate support or contradict a rule: the distance to the nearest
/// keyword and the nearest negative keyword, if any.
#[derive(Debug, Clone, Copy, Default)]
struct Support {
    positive: Option<usize>,
    negative: Option<usize>,
}

impl Support {
    fn add(&mut self, positive: bool, d: usize) {
        let slot = if positive {
            &mut self.positive
        } else {
            &mut self.negative
        };
        *slot = Some(slot.map_or(d, |x| x.min(d)));
    }

    /// A keyword is near and no negative keyword is nearer.
    fn confirmed(self) -> bool {
        matches!((self.positive, self.negative), (Some(p), n) if n.is_none_or(|n| p <= n))
    }

    fn contradicted(self) -> bool {
        matches!((self.positive, self.negative), (p, Some(n)) if p.is_none_or(|p| n < p))
    }
}

/// Why a rule set does not compile. Rule packs are checked when they load; these are the
/// limits only compiling them all together shows.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("the rules' patterns do not compile together: {0}")]
    Patterns(#[from] regex::Error),
    #[error("term lists {0}; use fewer terms")]
    Terms(keys::TooLarge),
    #[error("keywords {0}; use fewer keywords")]
    Keywords(keys::TooLarge),
}

impl Detector {
    pub fn new(rules: RuleSet) -> Result<Detector, CompileError> {
        Self::from_shared(Arc::new(rules))
    }

    /// Compiles rules that the reports share (they print the rules' titles).
    pub fn from_shared(rules: Arc<RuleSet>) -> Result<Detector, CompileError> {
        let mut by_validator = [None; Validator::ALL.len()];
        let mut words = Vec::new();
        let mut pattern_src = Vec::new();
        let mut patterns = Vec::new();
        let mut term_lists = Vec::new();
        let mut combination = None;
        for (i, rule) in rules.rules.iter().enumerate() {
            match &rule.matcher {
                Matcher::Validator(v) => by_validator[*v as usize] = Some(i),
                Matcher::Pattern { regex, .. } => {
                    pattern_src.push(regex.clone());
                    patterns.push((i, regex::bytes::Regex::new(regex)?));
                }
                Matcher::Terms(list) => term_lists.push((i, list)),
                Matcher::Combination => combination = Some(i),
            }
            words.extend(rule.keywords.iter().map(|w| (w.clone(), i, false)));
            words.extend(rule.negative_keywords.iter().map(|w| (w.clone(), i, true)));
        }
        let pattern_set = if pattern_src.is_empty() {
            None
        } else {
            Some(regex::bytes::RegexSet::new(&pattern_src)?)
        };
        let keywords =
            Keywords::build(&words, &rules.stop_words).map_err(CompileError::Keywords)?;
        let terms = TermMatcher::new(&term_lists).map_err(CompileError::Terms)?;
        let uses_keywords = rules
            .rules
            .iter()
            .map(|r| !r.keywords.is_empty() || !r.negative_keywords.is_empty())
            .collect();
        let c = Compiled {
            uses_keywords,
            terms,
            combination,
            codes: None,
            rules,
            by_validator,
            keywords,
            pattern_set,
            patterns,
        };
        Ok(Detector {
            c: Arc::new(c),
            scratch: Scratch::default(),
        })
    }

    /// Judges diagnosis codes against a code table the user holds.
    pub fn with_codes(mut self, codes: CodeTable) -> Detector {
        Arc::get_mut(&mut self.c)
            .expect("codes are set before the detector is cloned")
            .codes = Some(codes);
        self
    }

    pub fn codes(&self) -> Option<&CodeTable> {
        self.c.codes.as_ref()
    }

    pub fn rules(&self) -> &RuleSet {
        &self.c.rules
    }

    /// The rule index a validator reports under, if that rule is loaded.
    pub fn rule_for(&self, v: Validator) -> Option<usize> {
        self.c.by_validator[v as usize]
    }

    /// Convenience for tests and `sladd rules --test`: one prose segment.
    pub fn scan_text(&mut self, text: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        self.scan_record(&[Segment::new(text.as_bytes())], &mut hits);
        hits
    }

    /// Detects in one record and appends hits in segment and text order.
    pub fn scan_record(&mut self, segs: &[Segment<'_>], hits: &mut Vec<Hit>) {
        let first_hit = hits.len();
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.keywords.clear();
        scratch.keywords.resize(segs.len(), None);
        scratch.labels.clear();
        scratch.labels.resize(segs.len(), None);
        for (si, seg) in segs.iter().enumerate() {
            scratch.candidates.clear();
            candidates::find(
                self,
                seg.text,
                &mut scratch.cluster,
                &mut scratch.candidates,
            );
            self.pattern_candidates(seg.text, &mut scratch.candidates);
            self.term_candidates(seg.text, &mut scratch.term_hits, &mut scratch.candidates);
            if scratch.candidates.is_empty() {
                continue;
            }
            let mut cands = std::mem::take(&mut scratch.candidates);
            cands.retain(|c| c.start >= seg.report.0 && c.start < seg.report.1);
            // Keywords matter only near candidates: match them in the candidates' windows,
            // not the whole segment (a chunk of prose with one number costs ~600 bytes). Only
            // the candidates of rules with keywords need them, unless other cells of the
            // record may look at this one's keywords (`support`).
            scratch.ranges.clear();
            let alone = segs.len() == 1;
            if alone && seg.label.is_none() && seg.columns.is_none() {
                // Only the window can confirm: drop what it cannot before walking it.
                cands.retain(|c| self.may_be_reported(seg, c, &mut scratch.folded));
            }
            for c in cands.iter().filter(|c| !alone || self.uses_keywords(c)) {
                let (lo, hi) = context::window(seg.text, c.start, c.end, seg.window);
                match scratch.ranges.last_mut() {
                    Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                    _ => scratch.ranges.push((lo, hi)),
                }
            }
            let mut found = Vec::new();
            self.c
                .keywords
                .find_in_ranges(seg.text, &scratch.ranges, &mut found);
            scratch.keywords[si] = Some(found);
            scratch.column = ColumnCursor::default();
            for cand in &cands {
                if let Some(hit) = self.resolve(segs, si, cand, &mut scratch) {
                    hits.push(hit);
                }
            }
            scratch.candidates = cands;
        }
        self.scratch = scratch;
        self.combine(segs, first_hit, hits);
    }

    fn term_candidates(&self, text: &[u8], found: &mut Vec<TermHit>, out: &mut Vec<Candidate>) {
        let Some(tm) = &self.c.terms else { return };
        tm.find(text, found);
        if found.is_empty() {
            return;
        }
        for h in found.iter() {
            let t = &tm.terms()[h.term as usize];
            out.push(Candidate {
                start: h.start,
                end: h.end,
                interps: vec![Interp {
                    rule: t.rule,
                    base: t.entry.confidence,
                    with_keyword: t.entry.confidence.raised(),
                    require_keyword: false,
                    note: None,
                    normalized: String::from_utf8_lossy(&text[h.start..h.end]).to_lowercase(),
                }],
            });
        }
        out.sort_by_key(|c| c.start);
    }

    /// The worst case: a person identifier and a sensitive fact in the same record (the same
    /// row, the same e-mail, or the same paragraph within the proximity window). Adds one
    /// `person.special-category` hit per identifier, at the identifier, naming what it was
    /// combined with (masked).
    fn combine(&self, segs: &[Segment<'_>], first: usize, hits: &mut Vec<Hit>) {
        let Some(combo) = self.c.combination else {
            return;
        };
        let rules = &self.c.rules.rules;
        let record = &hits[first..];
        let is_fact = |h: &Hit| rules[h.rule].sensitive;
        if !record.iter().any(|h| rules[h.rule].identifies_person) || !record.iter().any(is_fact) {
            return;
        }
        // Facts in text order per segment, so each identifier looks only at those in its
        // scope; identifiers sharing a scope (all of an e-mail body) share the answer.
        // Checking every fact for every identifier was quadratic: a text of 20,000 lines of
        // "fnr ... diabetes" took 3.4 s, a full 8 MiB chunk would take minutes.
        let mut facts: Vec<&Hit> = record.iter().filter(|h| is_fact(h)).collect();
        facts.sort_by_key(|f| (f.seg, f.start));
        let mut added = Vec::new();
        let mut last: Option<((usize, usize, usize), Confidence, Text)> = None;
        for id in record.iter().filter(|h| rules[h.rule].identifies_person) {
            let seg = &segs[id.seg];
            let (lo, hi) = context::record_scope(seg.text, id.start, id.end, seg.window);
            let scope = (id.seg, lo, hi);
            if last.as_ref().is_none_or(|(s, ..)| *s != scope) {
                // Other segments' facts all count; this segment's within the scope. In record
                // order, as the note lists them.
                let seg_start = facts.partition_point(|f| f.seg < id.seg);
                let first = facts.partition_point(|f| (f.seg, f.start) < (id.seg, lo));
                let past = facts.partition_point(|f| (f.seg, f.start) < (id.seg, hi));
                let seg_end = facts.partition_point(|f| f.seg <= id.seg);
                let in_scope = facts[..seg_start]
                    .iter()
                    .chain(facts[first..past.max(first)].iter().filter(|f| f.end <= hi))
                    .chain(&facts[seg_end..]);
                last = self
                    .describe_facts(segs, in_scope)
                    .map(|(b, t)| (scope, b, t));
            }
            let Some((_, best, note)) = &last else {
                continue;
            };
            let note = Text {
                no: format!("{} sammen med {}", rules[id.rule].id, note.no),
                en: format!("{} together with {}", rules[id.rule].id, note.en),
            };
            added.push(Hit {
                seg: id.seg,
                rule: combo,
                start: id.start,
                end: id.end,
                confidence: id.confidence.min(*best),
                note: Some(note),
                normalized: id.normalized.clone(),
            });
        }
        hits.extend(added);
    }

    /// The best confidence among `facts` and the list of them for a note (each distinct
    /// masked fact once), or None when there are none.
    fn describe_facts<'h>(
        &self,
        segs: &[Segment<'_>],
        facts: impl Iterator<Item = &'h &'h Hit>,
    ) -> Option<(Confidence, Text)> {
        let rules = &self.c.rules.rules;
        let mut best = None;
        let mut named: Vec<(String, String)> = Vec::new();
        for f in facts {
            best = best.max(Some(f.confidence));
            let r = &rules[f.rule];
            let text = String::from_utf8_lossy(&segs[f.seg].text[f.start..f.end]);
            let shown = format!("{} ({})", r.id, mask::mask(&text, r.mask));
            if !named.iter().any(|(id, _)| *id == shown) {
                named.push((shown, r.title.no.to_lowercase()));
            }
        }
        let list_en: Vec<&str> = named.iter().map(|(s, _)| s.as_str()).collect();
        let list_no: Vec<String> = named.iter().map(|(s, t)| format!("{t}: {s}")).collect();
        Some((
            best?,
            Text {
                no: list_no.join(", "),
                en: list_en.join(", "),
            },
        ))
    }

    fn pattern_candidates(&self, text: &[u8], out: &mut Vec<Candidate>) {
        let Some(set) = &self.c.pattern_set else {
            return;
        };
        let matched = set.matches(text);
        if !matched.matched_any() {
            return;
        }
        for idx in matched.iter() {
            let (rule, re) = &self.c.patterns[idx];
            let Matcher::Pattern { base, .. } = self.c.rules.rules[*rule].matcher else {
                continue;
            };
            for m in re.find_iter(text) {
                out.push(Candidate {
                    start: m.start(),
                    end: m.end(),
                    interps: vec![Interp {
                        rule: *rule,
                        base,
                        with_keyword: base.raised(),
                        require_keyword: false,
                        note: None,
                        normalized: String::from_utf8_lossy(m.as_bytes()).into_owned(),
                    }],
                });
            }
        }
        out.sort_by_key(|c| c.start);
    }

    /// Picks the interpretation of a candidate that context supports and sets its confidence.
    fn resolve(
        &self,
        segs: &[Segment<'_>],
        si: usize,
        cand: &Candidate,
        scratch: &mut Scratch,
    ) -> Option<Hit> {
        let rules = &self.c.rules.rules;
        // The nearest keyword decides between interpretations (fødselsnummer or account?);
        // with none, the first listed wins, which is the person number.
        let mut nearest: Option<(usize, Support)> = None;
        let mut first_free: Option<(usize, Support)> = None;
        for (k, it) in cand.interps.iter().enumerate() {
            let sup = self.support(segs, si, cand, it.rule, scratch);
            if sup.positive.is_some() && nearest.is_none_or(|(_, n)| sup.positive < n.positive) {
                nearest = Some((k, sup));
            }
            if first_free.is_none() && !self.needs_keyword(it) {
                first_free = Some((k, sup));
            }
        }
        let (chosen, sup) = nearest.or(first_free)?;
        let it = &cand.interps[chosen];
        if self.needs_keyword(it) && !sup.confirmed() {
            return None;
        }
        let mut confidence = if sup.confirmed() {
            it.with_keyword
        } else {
            it.base
        };
        if sup.contradicted() {
            confidence = confidence.lowered();
        }
        let mut notes: Vec<Text> = segs[si].note.iter().map(|n| (*n).clone()).collect();
        notes.extend(it.note.iter().cloned());
        for (k, other) in cand.interps.iter().enumerate() {
            if k != chosen && other.rule != it.rule {
                let title = &rules[other.rule].title;
                notes.push(Text {
                    no: format!("også gyldig som {}", title.no.to_lowercase()),
                    en: format!("also valid as: {}", title.en),
                });
            }
        }
        Some(Hit {
            seg: si,
            rule: it.rule,
            start: cand.start,
            end: cand.end,
            confidence,
            note: Text::join(&notes),
            normalized: it.normalized.clone(),
        })
    }

    /// False if every reading of `cand` needs a keyword and none of theirs is in its window
    /// ([`Keywords::may_confirm`]), so that [`Detector::resolve`] would drop it. Only for a
    /// segment whose window is its only context: no label, column headers or other cells.
    fn may_be_reported(&self, seg: &Segment<'_>, cand: &Candidate, folded: &mut Vec<u8>) -> bool {
        if !cand.interps.iter().all(|it| self.needs_keyword(it)) {
            return true;
        }
        let (lo, hi) = context::window(seg.text, cand.start, cand.end, seg.window);
        folded.clear();
        folded.extend_from_slice(&seg.text[lo..hi]);
        folded.make_ascii_lowercase();
        cand.interps
            .iter()
            .any(|it| self.c.keywords.may_confirm(it.rule, folded))
    }

    /// True if the reading is reported only with a keyword near: by its own nature (an
    /// account number not written `BBBB.CC.AAAAK`) or by its rule's.
    fn needs_keyword(&self, it: &Interp) -> bool {
        it.require_keyword || self.c.rules.rules[it.rule].require_keyword
    }

    /// True if some reading of `cand` belongs to a rule whose hits keywords can change.
    fn uses_keywords(&self, cand: &Candidate) -> bool {
        cand.interps.iter().any(|it| self.c.uses_keywords[it.rule])
    }

    /// Keyword evidence for `rule` around a candidate: in its window, in the segment label,
    /// and in the other segments of the record.
    fn support(
        &self,
        segs: &[Segment<'_>],
        si: usize,
        cand: &Candidate,
        rule: usize,
        scratch: &mut Scratch,
    ) -> Support {
        let kw = &self.c.keywords;
        let mut sup = Support::default();
        if !self.c.uses_keywords[rule] {
            // No keyword can count for or against it: nothing to look up.
            return sup;
        }
        let consider = |hit: &KeywordHit, d: usize, sup: &mut Support| {
            let m = kw.meaning(hit.word);
            if m.positive.contains(&rule) {
                sup.add(true, d);
            }
            if m.negative.contains(&rule) {
                sup.add(false, d);
            }
        };
        let seg = &segs[si];
        let (lo, hi) = context::window(seg.text, cand.start, cand.end, seg.window);
        let hits = keyword_hits(kw, &mut scratch.keywords[si], seg.text);
        let first = hits.partition_point(|h| h.start < lo);
        for h in hits[first..].iter().take_while(|h| h.end <= hi) {
            let d = context::distance(seg.text, (cand.start, cand.end), (h.start, h.end));
            consider(h, d, &mut sup);
        }
        if let Some(label) = seg.label {
            for h in keyword_hits(kw, &mut scratch.labels[si], label.as_bytes()) {
                consider(h, 0, &mut sup);
            }
        }
        if let Some(cols) = seg.columns
            && let Some(header) = scratch.column.header_at(cols, seg.text, cand.start)
        {
            let mut found = Vec::new();
            kw.find_all(header.as_bytes(), &mut found);
            for h in &found {
                consider(h, 0, &mut sup);
            }
        }
        for (oi, other) in segs.iter().enumerate() {
            if oi == si {
                continue;
            }
            // Another cell's text counts; another column's header says nothing about this cell.
            for h in keyword_hits(kw, &mut scratch.keywords[oi], other.text) {
                consider(h, NEIGHBOUR_DISTANCE, &mut sup);
            }
        }
        sup
    }
}

fn keyword_hits<'s>(
    kw: &Keywords,
    slot: &'s mut Option<Vec<KeywordHit>>,
    text: &[u8],
) -> &'s [KeywordHit] {
    slot.get_or_insert_with(|| {
        let mut v = Vec::new();
        kw.find_all(text, &mut v);
        v
    })
}

#[cfg(test)]
mod tests;
