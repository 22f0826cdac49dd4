//! Shared set-up of the fuzz targets: the real scanner (built-in rules, a fixed fingerprint
//! key) with risky parsers run in-process, and a panic policy that tells bugs from the
//! panics the worker subprocess exists to contain.
//!
//! libfuzzer-sys makes every panic abort, even one that `catch_unwind` would catch, so the
//! fuzzer sees it. That is right for sladd's in-process extractors (a panic there costs a file
//! as "internal error": a bug). The PDF and OLE parsers (pdf-extract, lopdf, calamine, cfb)
//! panic by design and always run in the worker subprocess, so [`init`] lets their panics
//! unwind to sladd's `catch_unwind`; what the fuzzer still reports from them are crashes,
//! stack overflows and out-of-memory, which the worker turns into a reason.

use sladd::detect::Detector;
use sladd::extract::{Buffers, Limits};
use sladd::fingerprint::{Fingerprinter, KeySource};
use sladd::rules::RuleSet;
use sladd::scan::{FileResult, Scanner};
use sladd::mask::MaskStyle;
use std::sync::{LazyLock, Once};

/// Crates whose panics are contained by the worker subprocess in real scans.
const WORKER_CRATES: &[&str] = &[
    "/pdf-extract-",
    "/lopdf-",
    "/calamine-",
    "/cfb-",
    "/postscript-",
    "/type1-encoding-parser-",
    "/adobe-cmap-parser-",
    "/euclid-",
    "/cff-parser-",
];

/// Installs the panic policy once: abort (a finding) unless the panic is in a worker crate.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let contained = info
                .location()
                .is_some_and(|l| WORKER_CRATES.iter().any(|c| l.file().contains(c)));
            if !contained {
                fuzzer_hook(info);
            }
        }));
    });
}

/// Limits for fuzzing: the defaults, with risky parsers in-process (no sladd binary here),
/// no wall-clock budget (libFuzzer's `-timeout` finds slow inputs) and memory limits that fit
/// libFuzzer's default `-rss_limit_mb=2048`.
pub fn limits() -> Limits {
    Limits {
        max_member_bytes: 64 << 20,
        max_total_bytes: 256 << 20,
        file_timeout: None,
        worker: None,
        ..Limits::default()
    }
}

/// The scanner a CLI run would use, with the built-in rules.
pub fn scanner(limits: Limits) -> Scanner {
    let rules = RuleSet::load(true, &[]).expect("built-in rules load");
    let detector = Detector::new(rules).expect("built-in rules compile");
    let fp = Fingerprinter::from_key(b"sladd-fuzz", KeySource::Environment);
    Scanner::new(detector, fp, limits)
}

thread_local! {
    static SCANNER: std::cell::RefCell<Scanner> = std::cell::RefCell::new(scanner(limits()));
}

/// Scans `data` as a file named `name` through the real pipeline (extract, detect, locate,
/// mask, fingerprint) and checks what must hold for every input.
pub fn scan_as(name: &str, data: &[u8]) -> FileResult {
    init();
    SCANNER.with(|s| {
        let r = s
            .borrow_mut()
            .scan_named(data, name, "fuzz-input", &mut Buffers::default());
        check(&r);
        r
    })
}

/// Invariants of a file's result.
pub fn check(r: &FileResult) {
    for n in &r.not_examined {
        assert!(
            !n.reason.starts_with(sladd::guard::INTERNAL_ERROR),
            "{}",
            n.reason
        );
    }
    for f in &r.findings {
        // Rules masked to their last two characters (every number rule) never show more.
        if KEEP_LAST_TWO.contains(&f.rule) {
            let shown = f.masked.chars().filter(|c| c.is_alphanumeric()).count();
            assert!(shown <= 2, "{} shows {shown} characters", f.rule);
        }
    }
}

/// The built-in rules whose values are masked to the last two characters.
static KEEP_LAST_TWO: LazyLock<Vec<String>> = LazyLock::new(|| {
    let rules = RuleSet::load(true, &[]).expect("built-in rules load");
    (rules.rules.into_iter())
        .filter(|r| r.mask == MaskStyle::KeepLastTwo)
        .map(|r| r.id)
        .collect()
});

/// Scans `data` as `name` with a small chunk size (from `sel`), so that chunk boundaries and
/// the overlap logic are exercised on short inputs.
pub fn scan_small_chunks(name: &str, data: &[u8], sel: u8) {
    init();
    let chunk = 64 + (sel as usize % 16) * 61;
    let limits = Limits {
        chunk_size: chunk,
        overlap: chunk / 4,
        ..limits()
    };
    SCANNER.with(|s| {
        let mut s = s.borrow_mut();
        let normal = std::mem::replace(&mut s.limits, limits);
        let r = s.scan_named(data, name, "fuzz-input", &mut Buffers::default());
        s.limits = normal;
        check(&r);
    });
}

/// A sink that only checks the shape of what it is given.
#[derive(Default)]
pub struct NullSink {
    pub records: usize,
}

impl sladd::extract::Sink for NullSink {
    fn record(
        &mut self,
        _: Option<&str>,
        segs: &[sladd::detect::Segment<'_>],
        places: &[sladd::model::Location],
    ) {
        assert_eq!(segs.len(), places.len());
        for s in segs {
            assert!(s.report.0 <= s.report.1 && s.report.1 <= s.text.len());
        }
        self.records += 1;
    }
    fn not_examined(&mut self, _: Option<&str>, reason: &str) {
        assert!(!reason.starts_with(sladd::guard::INTERNAL_ERROR));
    }
    fn binary(&mut self, _: Option<&str>) {}
}
