//! Scratch probe (not committed): detection speed on a tree, single thread.
use sladd::detect::{Detector, Segment};
use sladd::rules::RuleSet;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut data = Vec::new();
    for e in ignore::Walk::new(&dir) {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            data.push(std::fs::read(e.path()).unwrap());
        }
    }
    let total: usize = data.iter().map(|d| d.len()).sum();
    let t = std::time::Instant::now();
    let mut rules = RuleSet::defaults().unwrap();
    if std::env::var_os("NO_TERMS").is_some() {
        rules
            .rules
            .retain(|r| !matches!(r.matcher, sladd::rules::Matcher::Terms(_)));
    }
    if std::env::var_os("ONLY_TERMS").is_some() {
        rules
            .rules
            .retain(|r| matches!(r.matcher, sladd::rules::Matcher::Terms(_)));
    }
    let mut det = Detector::new(rules).unwrap();
    println!("build {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut hits = Vec::new();
    let mut n = 0;
    for d in &data {
        hits.clear();
        det.scan_record(&[Segment::new(d)], &mut hits);
        n += hits.len();
    }
    let el = t.elapsed();
    println!(
        "{} MB, {} hits, {:.0} MB/s single thread",
        total >> 20,
        n,
        total as f64 / el.as_secs_f64() / 1e6
    );
}
