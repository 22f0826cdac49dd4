//! False-positive check on ordinary Norwegian: 71,417 sections of Norwegian statutes
//! (../shared/corpora/law_sections.tsv.gz, public domain under åndsverkloven § 14). Laws talk
//! about health, crime and child welfare constantly but name no person, so no finding may be
//! `critical` and none may be an identity number.
//!
//! Prints findings per MiB by severity and the most frequent rules:
//!     cargo test --release --test law_corpus -- --nocapture

use sladd::detect::{Detector, Hit, Segment};
use sladd::model::Severity;
use sladd::rules::RuleSet;
use std::collections::BTreeMap;
use std::io::Read;

const CORPUS: &str = "../shared/corpora/law_sections.tsv.gz";

#[test]
fn law_text_has_no_identity_or_critical_findings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!(
            "skipped: {} not found (the team corpus lives outside the repository)",
            path.display()
        );
        return;
    };
    let mut tsv = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut tsv)
        .unwrap();

    // One segment per section (lawId + paragraph), its rows joined as lines.
    let mut sections: BTreeMap<(&str, &str), String> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let mut cols = line.splitn(3, '\t');
        let (Some(law), Some(para), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let s = sections.entry((law, para)).or_default();
        s.push_str(text);
        s.push('\n');
    }

    let rules = RuleSet::defaults().unwrap();
    let mut det = Detector::new(rules.clone()).unwrap();
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut examples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bad = Vec::new();
    let mut bytes = 0usize;
    let mut hits: Vec<Hit> = Vec::new();
    for ((law, para), text) in &sections {
        bytes += text.len();
        hits.clear();
        det.scan_record(&[Segment::new(text.as_bytes())], &mut hits);
        for h in &hits {
            let rule = &rules.rules[h.rule];
            *by_severity.entry(rule.severity).or_default() += 1;
            *by_rule.entry(rule.id.clone()).or_default() += 1;
            let word = text[h.start..h.end].to_string();
            let ex = examples.entry(rule.id.clone()).or_default();
            if ex.len() < 12 && !ex.contains(&word) {
                ex.push(word.clone());
            }
            if rule.severity == Severity::Critical
                || rule.category == sladd::model::Category::NationalId
            {
                bad.push(format!("{law} {para}: {} {:?}", rule.id, word));
            }
        }
    }
    let mib = bytes as f64 / (1 << 20) as f64;
    eprintln!("law corpus: {} sections, {mib:.1} MiB", sections.len());
    for (sev, n) in &by_severity {
        eprintln!(
            "  {sev:<8} {n:>7} findings  {:>8.1} per MiB",
            *n as f64 / mib
        );
    }
    let mut rules_sorted: Vec<_> = by_rule.iter().collect();
    rules_sorted.sort_by(|a, b| b.1.cmp(a.1));
    for (rule, n) in rules_sorted {
        eprintln!("  {rule:<32} {n:>7}  e.g. {}", examples[rule].join(", "));
    }
    assert!(
        bad.is_empty(),
        "identity or critical findings in law text:\n{}",
        bad.join("\n")
    );
}
