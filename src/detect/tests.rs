//! Detector behaviour on synthetic text. Every number is generated from the algorithm by
//! `crate::synth` or is a published test number.

use super::*;
use crate::model::Confidence::{High, Low, Medium};
use crate::synth::{Gen, corrupt};

/// Built once per test binary: compiling every term list takes a while in debug builds.
fn detector() -> Detector {
    static DET: std::sync::OnceLock<Detector> = std::sync::OnceLock::new();
    DET.get_or_init(|| Detector::new(RuleSet::builtin().unwrap()).unwrap())
        .clone()
}

/// `(rule id, matched text, confidence)` for each hit.
fn run(text: &str) -> Vec<(String, String, Confidence)> {
    let mut d = detector();
    d.scan_text(text)
        .into_iter()
        .map(|h| {
            (
                d.rules().rules[h.rule].id.clone(),
                text[h.start..h.end].to_string(),
                h.confidence,
            )
        })
        .collect()
}

fn rules_of(text: &str) -> Vec<String> {
    run(text).into_iter().map(|(r, _, _)| r).collect()
}

#[test]
fn builtin_rule_self_tests() {
    let mut d = detector();
    let rules = d.rules().rules.clone();
    for (i, rule) in rules.iter().enumerate() {
        for sample in &rule.tests.matches {
            let hits = d.scan_text(sample);
            assert!(
                hits.iter().any(|h| h.rule == i),
                "{}: no match in {sample:?}",
                rule.id
            );
        }
        for sample in &rule.tests.no_match {
            let hits = d.scan_text(sample);
            assert!(
                !hits.iter().any(|h| h.rule == i),
                "{}: unexpected match in {sample:?}",
                rule.id
            );
        }
    }
}

#[test]
fn fnr_written_forms() {
    let mut g = Gen::new(11);
    for _ in 0..100 {
        let n = g.fnr();
        let (a, b) = n.split_at(6);
        for text in [
            n.clone(),
            format!("{a} {b}"),
            format!("{a}-{b}"),
            format!("{a}.{b}"),
        ] {
            let hits = run(&format!("Søker: {text}."));
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(hits[0].0, "no.fnr");
            assert_eq!(hits[0].1, text);
        }
    }
}

#[test]
fn never_inside_longer_digit_runs() {
    let mut g = Gen::new(12);
    for _ in 0..50 {
        let n = g.fnr();
        assert!(run(&format!("x 1{n} y")).is_empty());
        assert!(run(&format!("x {n}0 y")).is_empty());
        assert!(run(&format!("x A{n} y")).is_empty());
        assert!(run(&format!("x {n}kr")).is_empty());
    }
}

#[test]
fn check_digit_and_date_failures() {
    let mut g = Gen::new(13);
    for _ in 0..100 {
        let n = g.fnr();
        // A wrong K1 also breaks K2 (K2 weighs K1 by 2), so no rule accepts it.
        let bad_k1 = corrupt(&n, 9);
        assert!(rules_of(&format!("fnr {bad_k1}")).is_empty(), "{bad_k1}");
        let bad_k2 = corrupt(&n, 10);
        assert!(
            !rules_of(&format!("fnr {bad_k2}"))
                .iter()
                .any(|r| r.starts_with("no.") && r != "no.bank-account")
        );
    }
    // Impossible dates with valid control digits.
    for (d, m) in [(31, 4), (30, 2), (32, 1), (0, 5), (15, 13), (15, 0)] {
        for i in 0..50 {
            if let Some(n) = crate::synth::with_date(d, m, 85, i) {
                let r = rules_of(&format!("fnr {n}"));
                assert!(!r.contains(&"no.fnr".to_string()), "{n} {r:?}");
            }
        }
    }
}

#[test]
fn variants_map_to_their_rules() {
    let mut g = Gen::new(14);
    for _ in 0..50 {
        assert_eq!(rules_of(&format!("D-nummer {}", g.dnr())), ["no.dnr"]);
        assert_eq!(rules_of(&format!("H-nummer {}", g.hnr())), ["no.hnr"]);
        assert_eq!(
            rules_of(&format!("testperson {}", g.tenor())),
            ["no.synthetic-id"]
        );
        assert_eq!(rules_of(&format!("FH-nummer: {}", g.fhnr())), ["no.fhnr"]);
    }
}

#[test]
fn fh_numbers_need_a_keyword() {
    let mut g = Gen::new(15);
    for _ in 0..50 {
        let n = g.fhnr();
        // FH-numbers share the account check's weights, so each is also a valid account
        // number; without a keyword it is neither.
        assert!(validators::kontonr::is_valid(n.as_bytes()));
        assert!(rules_of(&format!("nummer {n}")).is_empty(), "{n}");
        assert_eq!(rules_of(&format!("hjelpenummer {n}")), ["no.fhnr"]);
        assert_eq!(rules_of(&format!("kontonr {n}")), ["no.bank-account"]);
    }
}

#[test]
fn rule_2032_confidence() {
    let mut g = Gen::new(16);
    for _ in 0..50 {
        let n = g.fnr_2032();
        let alone = run(&format!("nummer {n}"));
        let alone: Vec<_> = alone.iter().filter(|h| h.0 == "no.fnr").collect();
        assert_eq!(alone.len(), 1);
        assert_eq!(alone[0].2, Low);
        let near = run(&format!("fødselsnummer {n}"));
        assert_eq!(near[0].0, "no.fnr");
        assert_eq!(near[0].2, High);
    }
}

#[test]
fn keywords_raise_and_negative_keywords_lower() {
    let n = "20036914700";
    assert_eq!(run(n)[0].2, Medium);
    assert_eq!(run(&format!("Fødselsnummer: {n}"))[0].2, High);
    assert_eq!(run(&format!("FØDSELSNUMMERET {n}"))[0].2, High);
    assert_eq!(run(&format!("Ordrenr: {n}"))[0].2, Low);
    // The nearest word wins.
    assert_eq!(run(&format!("ordrenr 1, fnr {n}"))[0].2, High);
    // A keyword on the line above, in the same paragraph.
    assert_eq!(run(&format!("Fødselsnummer:\n{n}"))[0].2, High);
    // But not across a blank line.
    assert_eq!(run(&format!("Fødselsnummer:\n\n{n}"))[0].2, Medium);
    // Nor more than ~300 characters away.
    assert_eq!(
        run(&format!("Fødselsnummer {} {n}", "x".repeat(400)))[0].2,
        Medium
    );
}

#[test]
fn fnr_or_account_is_decided_by_the_nearest_keyword() {
    // Find generated numbers that pass both checks.
    let mut g = Gen::new(17);
    let both: Vec<String> = std::iter::repeat_with(|| g.fnr())
        .filter(|n| validators::kontonr::is_valid(n.as_bytes()))
        .take(10)
        .collect();
    for n in &both {
        let plain = run(&format!("nummer {n}"));
        assert_eq!(plain[0].0, "no.fnr");
        let mut d = detector();
        let hits = d.scan_text(&format!("nummer {n}"));
        assert_eq!(
            hits[0].note.as_ref().unwrap().en,
            "also valid as: Norwegian bank account number"
        );
        assert_eq!(run(&format!("kontonummer {n}"))[0].0, "no.bank-account");
        assert_eq!(run(&format!("kontonummer 1, fnr {n}"))[0].0, "no.fnr");
        // "kontoret" is not "konto".
        assert_eq!(run(&format!("Servicekontoret {n}"))[0].0, "no.fnr");
    }
}

#[test]
fn account_layouts() {
    assert_eq!(rules_of("kontonr 8601.11.17947"), ["no.bank-account"]);
    assert_eq!(rules_of("8601 11 17947"), ["no.bank-account"]);
    assert!(rules_of("8601.11.17948").is_empty());
}

#[test]
fn iban_and_cards() {
    assert_eq!(run("IBAN NO93 8601 1117 947.")[0].1, "NO93 8601 1117 947");
    assert_eq!(rules_of("GB82WEST12345698765432"), ["iban"]);
    assert!(rules_of("NO93 8601 1117 948").iter().all(|r| r != "iban"));
    assert_eq!(
        run("kort 4111 1111 1111 1111")[0],
        ("payment-card".into(), "4111 1111 1111 1111".into(), High)
    );
    assert_eq!(rules_of("378282246310005"), ["payment-card"]);
    assert!(rules_of("4111 1111 1111 1112").is_empty());
}

#[test]
fn phones() {
    assert_eq!(run("ring +47 912 34 567 i dag")[0].1, "+47 912 34 567");
    assert_eq!(run("+4791234567")[0].1, "+4791234567");
    assert_eq!(run("0047 22 33 44 55")[0].1, "0047 22 33 44 55");
    assert_eq!(rules_of("mobil: 91234567"), ["no.phone"]);
    assert!(rules_of("91234567").is_empty());
    assert_eq!(rules_of("912\u{a0}34\u{a0}567"), ["no.phone"]);
    assert!(rules_of("800 12 345 og 12 34 56 78").is_empty());
}

#[test]
fn emails() {
    assert_eq!(
        run("Skriv til ola.nordmann@example.no.")[0].1,
        "ola.nordmann@example.no"
    );
    let role = run("postmottak@kommune.example.no");
    assert_eq!(role[0].2, Low);
    assert!(run("icon@2x.png og a@b").is_empty());
    assert_eq!(run("<kari@eksempel.no>")[0].1, "kari@eksempel.no");
}

#[test]
fn labels_and_records() {
    let mut d = detector();
    let n = "20036914700";
    let mut hits = Vec::new();
    // A column header is context for its cells.
    d.scan_record(
        &[Segment::new(n.as_bytes()).with_label(Some("Fødselsnummer"))],
        &mut hits,
    );
    assert_eq!(hits[0].confidence, High);
    hits.clear();
    // A keyword in another cell of the row counts too.
    d.scan_record(
        &[Segment::new(b"Fnr:"), Segment::new(n.as_bytes())],
        &mut hits,
    );
    assert_eq!((hits[0].seg, hits[0].confidence), (1, High));
}

#[test]
fn csv_column_headers_are_context() {
    let mut d = detector();
    let cols = Columns {
        delimiter: b';',
        headers: vec!["navn".into(), "fnr".into(), "ordrenr".into()],
    };
    let text = "navn;fnr;ordrenr\nOla;20036914700;20036914700\n\"A;B\";20036914700;x\n";
    let seg = Segment {
        columns: Some(&cols),
        ..Segment::new(text.as_bytes()).with_window(WindowMode::Line)
    };
    let mut hits = Vec::new();
    d.scan_record(&[seg], &mut hits);
    let conf: Vec<_> = hits.iter().map(|h| h.confidence).collect();
    // Under "fnr": high; under "ordrenr": low; a quoted delimiter does not shift the column.
    assert_eq!(conf, [High, Low, High]);
    assert_eq!(
        cols.header_at(text.as_bytes(), text.rfind("20036914700").unwrap()),
        Some("fnr")
    );
}

#[test]
fn report_range_limits_hits() {
    let mut d = detector();
    let text = "20036914700 og 20036914700";
    let mut hits = Vec::new();
    let mut seg = Segment::new(text.as_bytes());
    seg.report = (1, text.len());
    d.scan_record(&[seg], &mut hits);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].start, 15);
}

#[test]
fn user_pattern_rules() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("acme.toml");
    std::fs::write(
        &p,
        r#"
[pack]
id = "acme"
schema = 1
[[rule]]
id = "acme.employee"
title = { no = "Ansattnummer", en = "Employee number" }
category = "other"
severity = "medium"
pattern = 'ANS-[0-9]{6}'
keywords = ["ansatt"]
"#,
    )
    .unwrap();
    let set = RuleSet::load(true, &[p.as_path()]).unwrap();
    let mut d = Detector::new(set).unwrap();
    let hits = d.scan_text("ansatt ANS-123456 og ANS-654321");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].confidence, High);
}

/// Fresh numbers in every layout the scanner knows (generated, or the published test card
/// and IBAN), and the near misses it must skip: a date and an amount.
fn written_numbers(g: &mut Gen) -> Vec<String> {
    let (fnr, account, mobile) = (g.fnr(), g.account(), g.mobile());
    let (f, a, m) = (fnr.as_str(), account.as_str(), mobile.as_str());
    vec![
        f.to_string(),
        format!("{} {}", &f[..6], &f[6..]),
        format!("{}.{}", &f[..6], &f[6..]),
        a.to_string(),
        format!("{}.{}.{}", &a[..4], &a[4..6], &a[6..]),
        format!("{}\u{a0}{}\u{a0}{}", &a[..4], &a[4..6], &a[6..]),
        m.to_string(),
        format!("+47 {m}"),
        format!("+47{m}"),
        format!("+47 {} {}", &m[..4], &m[4..]),
        format!("0047 {} {} {}", &m[..3], &m[3..5], &m[5..]),
        format!("{} {} {}", &m[..3], &m[3..5], &m[5..]),
        format!("{} {} {} {}", &m[..2], &m[2..4], &m[4..6], &m[6..]),
        "4111 1111 1111 1111".into(),
        "4111-1111-1111-1111".into(),
        "NO93 8601 1117 947".into(),
        "F32".into(),
        "F32.1".into(),
        format!("{:02}.{:02}.2024", 1 + g.below(28), 1 + g.below(12)),
        format!("{}500,00", g.below(100)),
    ]
}

/// Numbers from [`written_numbers`] between separators and letters, in random order and at
/// random offsets from a block start.
fn number_soup(seed: u64, pieces: usize) -> String {
    let mut g = Gen::new(seed);
    let mut text = "a".repeat(g.below(70) as usize);
    for _ in 0..pieces {
        let numbers = written_numbers(&mut g);
        let piece = match g.below(numbers.len() as u64 + 7) as usize {
            i if i < numbers.len() => numbers[i].clone(),
            _ => (*g.pick(&[" ", ".", "-", "\u{a0}", "x", "æ", ",", "\n", "+", "7", "; "])).into(),
        };
        text.push_str(&piece);
    }
    text
}

/// Candidates the way `find` finds them and with every digit run judged.
fn filtered_and_every(text: &str) -> (String, String) {
    let d = detector();
    let (mut filtered, mut every) = (Vec::new(), Vec::new());
    candidates::find(&d, text.as_bytes(), &mut Default::default(), &mut filtered);
    candidates::find_unfiltered(&d, text.as_bytes(), &mut every);
    (format!("{filtered:?}"), format!("{every:?}"))
}

/// Each layout, and the near misses, at every offset from a block start: the block filter
/// looks one byte back and eight ahead, so its edges are where it could drop a number.
#[test]
fn block_filter_keeps_every_layout_at_every_offset() {
    let numbers = written_numbers(&mut Gen::new(11));
    let mut found = 0;
    for number in &numbers {
        for before in ["", " ", "x", "1", ".", "\u{a0}", ";"] {
            for pad in 0..130 {
                // No space after the number: a separator there would widen its reach.
                let text = format!("{}{before}{number};slutt", "a".repeat(pad));
                let (filtered, every) = filtered_and_every(&text);
                assert_eq!(filtered, every, "{text:?}");
                found += usize::from(every != "[]");
            }
        }
    }
    // Many are found (glued to "x" or "1" they are not): not a comparison of empty lists.
    assert!(found > numbers.len() * 7 * 130 / 4, "{found}");
}

proptest::proptest! {
    /// The digit scanner's block filter skips only what no layout accepts: the candidates
    /// are the same as when every digit run is judged.
    #[test]
    fn block_filter_changes_no_candidate(seed in 0u64..u64::MAX, pieces in 0usize..14) {
        let text = number_soup(seed, pieces);
        let (filtered, every) = filtered_and_every(&text);
        proptest::prop_assert_eq!(filtered, every, "{:?}", text);
    }

    /// Whatever surrounds it, a generated fødselsnummer written alone is found exactly once as
    /// an identity number (a health word beside it may add the combination finding).
    #[test]
    fn fnr_found_in_any_prose(seed in 0u64..10_000, pre in "[a-zæøå ,.:;\n]{0,40}", post in "[a-zæøå ,.:;\n]{0,40}") {
        let n = Gen::new(seed).fnr();
        let text = format!("{pre} {n} {post}");
        let found: Vec<_> = run(&text).into_iter().filter(|h| h.1 == n && h.0.starts_with("no.")).collect();
        proptest::prop_assert_eq!(found.len(), 1);
    }

    /// The detector never panics and spans are in bounds and on char boundaries.
    #[test]
    fn arbitrary_input(s in "\\PC{0,200}") {
        for h in detector().scan_text(&s) {
            proptest::prop_assert!(s.is_char_boundary(h.start) && s.is_char_boundary(h.end));
        }
    }
}

const TERM_PACK: &str = r#"
[pack]
id = "test-terms"
schema = 1

[inflections]
noun = ["", "en", "er", "ene"]

[[rule]]
id = "health.condition"
title = { no = "Helseopplysning", en = "Health information" }
category = "health"
severity = "low"
confidence = "high"
terms = { list = ["depresjon", "kreft | tail"], inflect = "noun" }

[[rule]]
id = "health.diagnosis-code"
title = { no = "Diagnosekode", en = "Diagnosis code" }
category = "health"
severity = "low"
validator = "diagnosis-code"
require-keyword = true
keywords = ["diagnose", "icd"]

[[rule]]
id = "person.special-category"
title = { no = "Person og sensitiv opplysning", en = "Person and sensitive information" }
category = "person-sensitive"
severity = "critical"
combination = true
"#;

fn with_terms() -> Detector {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("terms.toml");
    std::fs::write(&p, TERM_PACK).unwrap();
    let mut set = RuleSet::load(true, &[p.as_path()]).unwrap();
    // Only the test pack's terms: the built-in lists are slow to compile in debug builds.
    set.rules
        .retain(|r| !matches!(r.matcher, Matcher::Terms(_)) || r.source.ends_with("terms.toml"));
    Detector::new(set).unwrap()
}

fn ids(d: &Detector, hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| d.rules().rules[h.rule].id.clone())
        .collect()
}

#[test]
fn terms_and_combination_in_prose() {
    let mut d = with_terms();
    let hits = d.scan_text("Fødselsnummer: 20036914700\nPasienten har depresjonen og lungekreft.");
    assert_eq!(
        ids(&d, &hits),
        [
            "no.fnr",
            "health.condition",
            "health.condition",
            "person.special-category"
        ]
    );
    let combo = hits.last().unwrap();
    assert_eq!(combo.confidence, High);
    let note = &combo.note.as_ref().unwrap().en;
    assert_eq!(
        note,
        "no.fnr together with health.condition (dep********), health.condition (lun*******)"
    );
    // The same words in another paragraph: no combination.
    let hits = d.scan_text("Fødselsnummer: 20036914700\n\nDepresjon er vanlig.");
    assert!(!ids(&d, &hits).contains(&"person.special-category".to_string()));
    // A test number is not a person.
    let hits = d.scan_text("Testperson 41819077906 har depresjon.");
    assert!(!ids(&d, &hits).contains(&"person.special-category".to_string()));
}

#[test]
fn combination_respects_rows() {
    let mut d = with_terms();
    let text = "fnr;merknad\n20036914700;\n29020073150;depresjon\n";
    let seg = Segment::new(text.as_bytes()).with_window(WindowMode::Line);
    let mut hits = Vec::new();
    d.scan_record(&[seg], &mut hits);
    let combos: Vec<&Hit> = hits
        .iter()
        .filter(|h| d.rules().rules[h.rule].id == "person.special-category")
        .collect();
    assert_eq!(combos.len(), 1);
    assert_eq!(&text[combos[0].start..combos[0].end], "29020073150");
    // Cells of one spreadsheet row are one record.
    hits.clear();
    d.scan_record(
        &[Segment::new(b"20036914700"), Segment::new(b"kreft")],
        &mut hits,
    );
    assert_eq!(
        ids(&d, &hits),
        ["no.fnr", "health.condition", "person.special-category"]
    );
}

/// A JSON export's row is an object: a number and a diagnosis of different rows are not the
/// worst case, of one row they are, also when the row nests objects or is minified.
#[test]
fn combination_respects_json_rows() {
    let mut d = with_terms();
    let mut g = crate::synth::Gen::new(3);
    let (a, b) = (g.fnr(), g.fnr());
    let combined = |d: &mut Detector, text: &str| -> Vec<String> {
        let mut hits = Vec::new();
        d.scan_record(&[Segment::new(text.as_bytes())], &mut hits);
        hits.iter()
            .filter(|h| d.rules().rules[h.rule].id == "person.special-category")
            .map(|h| text[h.start..h.end].to_string())
            .collect()
    };
    let rows = format!(
        "[\n  {{\n    \"fnr\": \"{a}\",\n    \"merknad\": \"ingen {{ klammer\"\n  }},\n  \
         {{\n    \"fnr\": \"{b}\",\n    \"merknad\": \"har depresjon\"\n  }}\n]\n"
    );
    assert_eq!(combined(&mut d, &rows), std::slice::from_ref(&b));
    let minified: String = rows.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(combined(&mut d, &minified), [b]);
    let nested = format!(
        "{{\"data\": [\n {{\"person\": {{\"fnr\": \"{a}\"}},\n  \"helse\": {{\"diagnose\": \"kreft\"}}}}\n]}}"
    );
    assert_eq!(combined(&mut d, &nested), std::slice::from_ref(&a));
    // Prose keeps its paragraph.
    let prose = format!("Søker {a} opplyser\nat hun har depresjon.");
    assert_eq!(combined(&mut d, &prose), [a]);
}

#[test]
fn diagnosis_codes_need_context() {
    let mut d = with_terms();
    assert_eq!(
        ids(&d, &d.clone().scan_text("Diagnose: F32.1 og P76")),
        ["health.diagnosis-code", "health.diagnosis-code"]
    );
    assert!(d.scan_text("Kjør E18 til G20, sone C10").is_empty());
    assert!(d.scan_text("diagnose F32.123 og XF32 og F3").is_empty());
    let dir = tempfile::tempdir().unwrap();
    let codes = dir.path().join("icd.json");
    std::fs::write(
        &codes,
        r#"[{"code":"F321","text":"Moderat depressiv episode"}]"#,
    )
    .unwrap();
    let table = crate::rules::codes::CodeTable::load(&[codes.as_path()]).unwrap();
    let mut d = with_terms().with_codes(table);
    let hits = d.scan_text("ICD: F32.1, F99.9");
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].note.as_ref().unwrap().no,
        "Moderat depressiv episode"
    );
}
