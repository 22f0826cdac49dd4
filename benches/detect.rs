//! Detection engine throughput on in-memory text: `cargo bench --bench detect`.
//!
//! The text is generated (deterministic): Norwegian-like prose with dates, amounts and case
//! numbers, a synthetic fødselsnummer in about one paragraph in sixty and a health word in
//! about one in sixty. Three rule sets show what each part of the engine costs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sladd::detect::{Detector, Segment};
use sladd::rules::{Matcher, RuleSet};
use sladd::synth::Gen;
use std::hint::black_box;

/// Everyday municipal vocabulary, none of it a health or special-category term.
const WORDS: &str = "og i det som en på er til av for med kommunen vedtak \
    søknad saksbehandler klage tjenesten barnehage skole veien høring budsjett tilskudd møte protokoll eiendom \
    byggesak frist behandling økonomi drift kultur idrett miljø næring plan rapport innbyggere";

fn text(size: usize) -> Vec<u8> {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut g = Gen::new(9);
    let mut s = String::with_capacity(size + 1024);
    while s.len() < size {
        for _ in 0..40 {
            let word: &&str = g.pick(&words);
            s.push_str(word);
            s.push(' ');
            match g.below(30) {
                0 => s.push_str(&format!("{}.{:02}.2024 ", 1 + g.below(28), 1 + g.below(12))),
                1 => s.push_str(&format!("kr {} 500 ", g.below(100))),
                2 => s.push_str(&format!("saksnr. 2024/{} ", g.below(9999))),
                _ => {}
            }
        }
        s.push_str(".\n\n");
        if g.below(60) == 0 {
            s.push_str(&format!("Fødselsnummer: {}\n\n", g.fnr()));
        }
        if g.below(60) == 0 {
            s.push_str("Brukeren har diabetes.\n\n");
        }
    }
    s.into_bytes()
}

fn rules(keep: impl Fn(&Matcher) -> bool) -> Detector {
    let mut set = RuleSet::defaults().expect("built-in rules load");
    set.rules.retain(|r| keep(&r.matcher));
    Detector::new(set).expect("rules compile")
}

fn bench(c: &mut Criterion) {
    let data = text(8 << 20);
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    for (name, mut det) in [
        ("all-default-rules", rules(|_| true)),
        (
            "numbers-and-contacts",
            rules(|m| !matches!(m, Matcher::Terms(_))),
        ),
        ("terms-only", rules(|m| matches!(m, Matcher::Terms(_)))),
    ] {
        let mut hits = Vec::new();
        group.bench_function(name, |b| {
            b.iter(|| {
                hits.clear();
                det.scan_record(&[Segment::new(black_box(&data))], &mut hits);
                black_box(hits.len())
            })
        });
    }
    group.finish();

    c.bench_function("compile-default-rules", |b| {
        b.iter(|| Detector::new(RuleSet::defaults().unwrap()).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
