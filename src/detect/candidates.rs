//! Candidate finding for the built-in validators: number layouts, IBANs and e-mail addresses.
//!
//! A candidate is a span plus every interpretation the validators accept for it (an 11-digit
//! run can be both a fødselsnummer and a bank account); [`super::Detector`] picks one using
//! context. Interpretations carry their own confidence with and without a keyword near.

use super::Detector;
use super::numbers::{self, Cluster, Sep, is_word_byte};
use super::validators::{card, fnr, iban, kontonr, phone};
use crate::model::Confidence::{self, High, Low, Medium};
use crate::model::Text;
use crate::rules::Validator;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub interps: Vec<Interp>,
}

#[derive(Debug, Clone)]
pub struct Interp {
    pub rule: usize,
    pub base: Confidence,
    pub with_keyword: Confidence,
    /// This reading needs a keyword even if the rule does not (a bare 8-digit phone number).
    pub require_keyword: bool,
    pub note: Option<Text>,
    pub normalized: String,
}

/// How an 11-digit value was written; it limits what it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout11 {
    /// `DDMMYYIIIKK`: person number or account.
    Plain,
    /// `DDMMYY IIIKK`: person number only.
    Fnr,
    /// `BBBB.CC.AAAAK`: account only.
    Account,
}

/// Finds all candidates in `text`, in order.
pub fn find(det: &Detector, text: &[u8], cluster: &mut Cluster, out: &mut Vec<Candidate>) {
    find_with(numbers::for_each_cluster, det, text, cluster, out);
}

/// [`find`] with every digit run judged, skipping nothing: what the block filter of
/// [`numbers::for_each_cluster`] must not change.
#[cfg(test)]
pub fn find_unfiltered(det: &Detector, text: &[u8], out: &mut Vec<Candidate>) {
    let cluster = &mut Cluster::default();
    find_with(
        numbers::for_each_cluster_unfiltered,
        det,
        text,
        cluster,
        out,
    );
}

type ClusterScan = fn(&[u8], &mut Cluster, &mut dyn FnMut(&Cluster));

fn find_with(
    clusters: ClusterScan,
    det: &Detector,
    text: &[u8],
    cluster: &mut Cluster,
    out: &mut Vec<Candidate>,
) {
    let mut skip_until = 0;
    clusters(text, cluster, &mut |c| {
        numbers_in_cluster(det, text, c, &mut skip_until, out);
    });
    emails(det, text, out);
}

/// The digits of groups `from..to`, without separators, on the stack (layouts hold at most
/// 19 digits, and this runs for every number in the text).
struct Digits {
    buf: [u8; 24],
    len: usize,
}

impl std::ops::Deref for Digits {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn digits_of(text: &[u8], c: &Cluster, from: usize, to: usize) -> Digits {
    let mut d = Digits {
        buf: [0; 24],
        len: 0,
    };
    for &(s, e) in &c.groups[from..to] {
        let n = (e - s).min(d.buf.len() - d.len);
        d.buf[d.len..d.len + n].copy_from_slice(&text[s..s + n]);
        d.len += n;
    }
    d
}

fn numbers_in_cluster(
    det: &Detector,
    text: &[u8],
    c: &Cluster,
    skip_until: &mut usize,
    out: &mut Vec<Candidate>,
) {
    let n = c.groups.len();
    let first = c.groups[0].0;
    let attached_left = first > 0 && is_word_byte(text[first - 1]);
    // Every layout holds at least 8 digits, except a diagnosis code glued to its letter: most
    // numbers in prose (years, dates, amounts, times) stop here.
    let digits: usize = c.groups.iter().map(|(s, e)| e - s).sum();
    if digits < 8 && !attached_left {
        return;
    }
    let last_end = c.groups[n - 1].1;
    let attached_right = text.get(last_end).is_some_and(|&b| is_word_byte(b));

    if attached_left && first >= *skip_until {
        // "F32.1", "P76": a diagnosis code is one capital letter glued to two digits.
        if let Some(cand) = diagnosis_code(det, text, c) {
            *skip_until = cand.end;
            out.push(cand);
        }
    }
    if attached_left && first >= 2 && first >= *skip_until {
        // "NO93 8601 1117 947": the digits are glued to a country code.
        if let Some(cand) = iban_at(det, text, first - 2) {
            *skip_until = cand.end;
            out.push(cand);
        }
    }

    let mut i = 0;
    while i < n {
        if c.groups[i].0 < *skip_until || (i == 0 && attached_left) {
            i += 1;
            continue;
        }
        // A layout may end at group `k` (exclusive) only if it is not glued to a word.
        let ends_ok = |k: usize| k < n || !attached_right;
        match layout_at(det, text, c, i, &ends_ok) {
            Some((used, cand)) => {
                out.push(cand);
                i += used;
            }
            None => i += 1,
        }
    }
}

/// Tries every layout starting at group `i`, most specific first. Returns the groups used.
fn layout_at(
    det: &Detector,
    text: &[u8],
    c: &Cluster,
    i: usize,
    ends_ok: &dyn Fn(usize) -> bool,
) -> Option<(usize, Candidate)> {
    // Most numbers in prose (dates, amounts, years) start with a group no layout starts with.
    if !matches!(c.len(i), 2..=4 | 6 | 8 | 10..=19) {
        return None;
    }
    let space = |s: Sep| matches!(s, Sep::Space | Sep::Nbsp);
    let space_dash = |s: Sep| matches!(s, Sep::Space | Sep::Nbsp | Sep::Dash);
    let any = |_: Sep| true;
    let span = |from: usize, to: usize| (c.groups[from].0, c.groups[to - 1].1);
    let g = |k: usize| &text[c.groups[k].0..c.groups[k].1];

    // +47 / 0047 prefixed phone numbers.
    let plus = c.groups[i].0 > 0 && text[c.groups[i].0 - 1] == b'+';
    let prefix_len = match (plus, g(i)) {
        (true, d) if d == b"47" => Some(0),
        (true, d) if d.len() == 10 && d.starts_with(b"47") => Some(2),
        (false, d) if d == b"0047" => Some(0),
        (false, d) if d.len() == 12 && d.starts_with(b"0047") => Some(4),
        _ => None,
    };
    let prefixed = prefix_len.and_then(|skip| {
        if skip > 0 {
            let mut d = digits_of(text, c, i, i + 1);
            d.buf.copy_within(skip..d.len, 0);
            d.len -= skip;
            Some((1, d))
        } else {
            let rest = [&[8][..], &[3, 2, 3], &[2, 2, 2, 2], &[4, 4], &[2, 3, 3]]
                .into_iter()
                .find(|lens| c.fits(i + 1, lens, space))?;
            Some((
                1 + rest.len(),
                digits_of(text, c, i + 1, i + 1 + rest.len()),
            ))
        }
    });
    if let Some((used, digits)) = prefixed
        && ends_ok(i + used)
        && phone::is_subscriber(&digits)
        && let Some(rule) = det.rule_for(Validator::NoPhone)
    {
        let (s, e) = span(i, i + used);
        let start = if plus { s - 1 } else { s };
        let normalized = format!("+47{}", String::from_utf8_lossy(&digits));
        let interp = Interp {
            rule,
            base: High,
            with_keyword: High,
            require_keyword: false,
            note: None,
            normalized,
        };
        return Some((
            used,
            Candidate {
                start,
                end: e,
                interps: vec![interp],
            },
        ));
    }

    // Grouped layouts.
    for (lens, sep_ok) in [
        (&[4, 4, 4, 4, 3][..], &space_dash as &dyn Fn(Sep) -> bool),
        (&[4, 4, 4, 4], &space_dash),
        (&[4, 6, 5], &space_dash),
    ] {
        if c.fits(i, lens, sep_ok) && ends_ok(i + lens.len()) {
            let digits = digits_of(text, c, i, i + lens.len());
            if let Some(cand) = card_candidate(det, &digits, span(i, i + lens.len()), true) {
                return Some((lens.len(), cand));
            }
        }
    }
    let dot_or_space = |s: Sep| matches!(s, Sep::Dot | Sep::Space | Sep::Nbsp);
    if c.fits(i, &[4, 2, 5], dot_or_space) && ends_ok(i + 3) {
        let digits = digits_of(text, c, i, i + 3);
        if let Some(cand) = eleven(det, &digits, span(i, i + 3), Layout11::Account) {
            return Some((3, cand));
        }
    }
    if c.fits(i, &[6, 5], any) && ends_ok(i + 2) {
        let digits = digits_of(text, c, i, i + 2);
        if let Some(cand) = eleven(det, &digits, span(i, i + 2), Layout11::Fnr) {
            return Some((2, cand));
        }
    }
    for lens in [&[3, 2, 3][..], &[2, 2, 2, 2]] {
        if c.fits(i, lens, space) && ends_ok(i + lens.len()) {
            let digits = digits_of(text, c, i, i + lens.len());
            if let Some(cand) = grouped_phone(det, &digits, span(i, i + lens.len())) {
                return Some((lens.len(), cand));
            }
        }
    }

    // Single runs.
    if !ends_ok(i + 1) {
        return None;
    }
    let d = g(i);
    let cand = match d.len() {
        11 => eleven(det, d, span(i, i + 1), Layout11::Plain),
        13..=19 => card_candidate(det, d, span(i, i + 1), false),
        8 => bare_phone(det, d, span(i, i + 1)),
        _ => None,
    }?;
    Some((1, cand))
}

fn eleven(det: &Detector, d: &[u8], span: (usize, usize), layout: Layout11) -> Option<Candidate> {
    // Empty until an interpretation holds: most 11-digit numbers are neither (no allocation).
    let mut interps = Vec::new();
    let normalized = || String::from_utf8_lossy(d).into_owned();
    if layout != Layout11::Account
        && let Ok(id) = fnr::classify(d)
        && let Some(interp) = person_number(det, &id, normalized())
    {
        interps.push(interp);
    }
    if layout != Layout11::Fnr
        && kontonr::is_valid(d)
        && let Some(rule) = det.rule_for(Validator::NoBankAccount)
    {
        // One random 11-digit number in 11 passes the account check (KID, order and reference
        // numbers), so unless the number is written BBBB.CC.AAAAK it needs a keyword.
        let grouped = layout == Layout11::Account;
        interps.push(Interp {
            rule,
            base: High,
            with_keyword: High,
            require_keyword: !grouped,
            note: None,
            normalized: normalized(),
        });
    }
    (!interps.is_empty()).then_some(Candidate {
        start: span.0,
        end: span.1,
        interps,
    })
}

fn person_number(det: &Detector, id: &fnr::IdNumber, normalized: String) -> Option<Interp> {
    use fnr::{CheckRule, Kind, Synthetic};
    let validator = match id.kind {
        Kind::Fnr => Validator::NoFnr,
        Kind::Dnr => Validator::NoDnr,
        Kind::Hnr => Validator::NoHnr,
        Kind::Fh => Validator::NoFhnr,
        Kind::Synthetic(_) => Validator::NoSyntheticId,
    };
    let rule = det.rule_for(validator)?;
    let mut notes = Vec::new();
    match id.kind {
        Kind::Hnr => notes.push(Text::new(
            "H-nummer eller NAVs Dolly-testnummer (måned + 40)",
            "H-nummer or NAV Dolly test number (month + 40)",
        )),
        Kind::Synthetic(Synthetic::Tenor) => notes.push(Text::new(
            "testnummer fra Skatteetatens Tenor (måned + 80)",
            "Skatteetaten Tenor test number (month + 80)",
        )),
        Kind::Synthetic(Synthetic::SyntPop) => notes.push(Text::new(
            "testnummer fra FHIs SyntPop (måned + 65)",
            "FHI SyntPop test number (month + 65)",
        )),
        _ => {}
    }
    if id.d_form && id.kind != Kind::Dnr {
        notes.push(Text::new(
            "D-nummerform (dag + 40)",
            "D-number form (day + 40)",
        ));
    }
    let base = if id.rule == CheckRule::From2032 {
        notes.push(Text::new(
            "gyldig bare etter kontrollsifferregelen for numre utstedt fra 2032",
            "valid only under the check-digit rule for numbers issued from 2032",
        ));
        Low
    } else {
        Medium
    };
    Some(Interp {
        rule,
        base,
        with_keyword: High,
        require_keyword: false,
        note: Text::join(&notes),
        normalized,
    })
}

fn card_candidate(
    det: &Detector,
    d: &[u8],
    span: (usize, usize),
    grouped: bool,
) -> Option<Candidate> {
    if !card::luhn(d) {
        return None;
    }
    let issuer = card::issuer(d)?;
    let rule = det.rule_for(Validator::PaymentCard)?;
    let interp = Interp {
        rule,
        base: if grouped { High } else { Medium },
        with_keyword: High,
        require_keyword: false,
        note: Some(Text::new(issuer, issuer)),
        normalized: String::from_utf8_lossy(d).into_owned(),
    };
    Some(Candidate {
        start: span.0,
        end: span.1,
        interps: vec![interp],
    })
}

fn grouped_phone(det: &Detector, d: &[u8], span: (usize, usize)) -> Option<Candidate> {
    if !phone::is_subscriber(d) {
        return None;
    }
    let rule = det.rule_for(Validator::NoPhone)?;
    let base = if phone::is_mobile(d) { Medium } else { Low };
    let interp = Interp {
        rule,
        base,
        with_keyword: High,
        require_keyword: false,
        note: None,
        normalized: format!("+47{}", String::from_utf8_lossy(d)),
    };
    Some(Candidate {
        start: span.0,
        end: span.1,
        interps: vec![interp],
    })
}

fn bare_phone(det: &Detector, d: &[u8], span: (usize, usize)) -> Option<Candidate> {
    if !phone::is_subscriber(d) {
        return None;
    }
    let rule = det.rule_for(Validator::NoPhone)?;
    let interp = Interp {
        rule,
        base: Low,
        with_keyword: if phone::is_mobile(d) { High } else { Medium },
        require_keyword: true,
        note: None,
        normalized: format!("+47{}", String::from_utf8_lossy(d)),
    };
    Some(Candidate {
        start: span.0,
        end: span.1,
        interps: vec![interp],
    })
}

/// An ICD-10 (`F32`, `F32.1`) or ICPC-2 (`P76`) code shape. Many other things look the same
/// (the E18 road, zoning codes, summits), so the rule needs a health keyword near; with a code
/// table loaded, unknown codes are dropped and known ones carry their name as a note.
fn diagnosis_code(det: &Detector, text: &[u8], c: &Cluster) -> Option<Candidate> {
    let rule = det.rule_for(Validator::DiagnosisCode)?;
    let first = c.groups[0].0;
    let letter = text[first - 1];
    if !letter.is_ascii_uppercase() || (first >= 2 && is_word_byte(text[first - 2])) {
        return None;
    }
    if c.len(0) != 2 {
        return None;
    }
    let mut end = c.groups[0].1;
    let mut code = vec![letter];
    code.extend_from_slice(&text[first..end]);
    if c.groups.len() > 1 && c.seps[0] == Sep::Dot {
        if !(1..=2).contains(&c.len(1)) {
            return None;
        }
        end = c.groups[1].1;
        code.extend_from_slice(&text[c.groups[1].0..end]);
    }
    if text.get(end).is_some_and(|&b| is_word_byte(b)) {
        return None;
    }
    let code = String::from_utf8_lossy(&code).into_owned();
    let note = match det.codes() {
        Some(table) => Some(Text::new(table.lookup(&code)?, table.lookup(&code)?)),
        None => None,
    };
    let interp = Interp {
        rule,
        base: Medium,
        with_keyword: High,
        require_keyword: true,
        note,
        normalized: code,
    };
    Some(Candidate {
        start: first - 1,
        end,
        interps: vec![interp],
    })
}

/// Parses an IBAN starting at the country code at `at`: upper-case letters and digits, single
/// spaces allowed between them, exactly the country's length.
fn iban_at(det: &Detector, text: &[u8], at: usize) -> Option<Candidate> {
    let cc = &text[at..at + 2];
    if !cc.iter().all(u8::is_ascii_uppercase) || (at > 0 && is_word_byte(text[at - 1])) {
        return None;
    }
    let want = iban::length_for(cc)?;
    let rule = det.rule_for(Validator::Iban)?;
    let mut compact = Vec::with_capacity(want);
    let mut i = at;
    while compact.len() < want && i < text.len() {
        let b = text[i];
        if b.is_ascii_digit() || b.is_ascii_uppercase() {
            compact.push(b);
            i += 1;
        } else if b == b' '
            && !compact.is_empty()
            && text
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            i += 1;
        } else {
            break;
        }
    }
    if compact.len() != want || text.get(i).is_some_and(|&b| is_word_byte(b)) {
        return None;
    }
    iban::validate(&compact).ok()?;
    let interp = Interp {
        rule,
        base: High,
        with_keyword: High,
        require_keyword: false,
        note: None,
        normalized: String::from_utf8_lossy(&compact).into_owned(),
    };
    Some(Candidate {
        start: at,
        end: i,
        interps: vec![interp],
    })
}

/// Local parts that name a function, not a person. Such addresses still get reported (the
/// domain may identify a small business) but with low confidence.
const ROLE_LOCAL_PARTS: &[&str] = &[
    "admin",
    "donotreply",
    "firmapost",
    "info",
    "kontakt",
    "kundeservice",
    "no-reply",
    "noreply",
    "personvern",
    "personvernombud",
    "post",
    "postkasse",
    "postmaster",
    "postmottak",
    "sentralbord",
    "servicetorget",
    "support",
    "webmaster",
];

/// File extensions that look like top-level domains in names such as `icon@2x.png`.
const FILE_SUFFIXES: &[&str] = &["gif", "jpeg", "jpg", "png", "svg", "webp"];

fn email_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._%+-'".contains(&b) || b >= 0x80
}

fn email_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b >= 0x80
}

fn emails(det: &Detector, text: &[u8], out: &mut Vec<Candidate>) {
    let Some(rule) = det.rule_for(Validator::Email) else {
        return;
    };
    let mut taken_until = 0;
    for at in memchr::memchr_iter(b'@', text) {
        if at < taken_until {
            continue;
        }
        let mut s = at;
        while s > 0 && at - s < 64 && email_local(text[s - 1]) {
            s -= 1;
        }
        while s < at && matches!(text[s], b'.' | b'\'' | b'-') {
            s += 1;
        }
        let mut e = at + 1;
        while e < text.len() && e - at < 254 && email_domain(text[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(text[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let local = &text[s..at];
        let domain = &text[at + 1..e];
        if local.is_empty() || local.ends_with(b".") || !valid_domain(domain) {
            continue;
        }
        let value = String::from_utf8_lossy(&text[s..e]).to_lowercase();
        let local_str = &value[..value.find('@').unwrap_or(0)];
        let role = ROLE_LOCAL_PARTS.contains(&local_str);
        out.push(Candidate {
            start: s,
            end: e,
            interps: vec![Interp {
                rule,
                base: if role { Low } else { High },
                with_keyword: if role { Low } else { High },
                require_keyword: false,
                note: role.then(|| {
                    Text::new(
                        "funksjonsadresse, ikke en person",
                        "role address, not a person",
                    )
                }),
                normalized: value,
            }],
        });
        taken_until = e;
    }
    // E-mails were appended after numbers; keep the list in text order.
    out.sort_by_key(|c| c.start);
}

fn valid_domain(d: &[u8]) -> bool {
    let labels: Vec<&[u8]> = d.split(|&b| b == b'.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l[0] == b'-') {
        return false;
    }
    let tld = labels[labels.len() - 1];
    tld.len() >= 2
        && tld.iter().all(|b| b.is_ascii_alphabetic())
        && !FILE_SUFFIXES
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(tld))
}
