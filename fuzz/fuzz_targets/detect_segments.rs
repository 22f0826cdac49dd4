//! The detection engine on arbitrary records: several segments with labels, windows, notes,
//! report ranges (clamped to the text, as extractors guarantee) and column layouts.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sladd::detect::context::WindowMode;
use sladd::detect::{Columns, Detector, Segment};
use std::cell::RefCell;

#[derive(Debug, Arbitrary)]
struct Seg {
    text: Vec<u8>,
    window: u8,
    label: Option<String>,
    report: (u16, u16),
    columns: Option<(u8, Vec<String>)>,
}

thread_local! {
    static DET: RefCell<Detector> = RefCell::new(sladd_fuzz::scanner(sladd_fuzz::limits()).detector);
}

fuzz_target!(|segs: Vec<Seg>| {
    sladd_fuzz::init();
    let columns: Vec<Option<Columns>> = segs
        .iter()
        .map(|s| {
            s.columns.as_ref().map(|(d, h)| Columns {
                delimiter: *d,
                headers: h.clone(),
            })
        })
        .collect();
    let view: Vec<Segment<'_>> = segs
        .iter()
        .zip(&columns)
        .map(|(s, c)| {
            let len = s.text.len();
            let a = (s.report.0 as usize).min(len);
            let b = (s.report.1 as usize).clamp(a, len);
            Segment {
                window: match s.window % 3 {
                    0 => WindowMode::Paragraph,
                    1 => WindowMode::Line,
                    _ => WindowMode::Whole,
                },
                label: s.label.as_deref(),
                report: (a, b),
                columns: c.as_ref(),
                ..Segment::new(&s.text)
            }
        })
        .collect();
    DET.with(|d| {
        let mut hits = Vec::new();
        d.borrow_mut().scan_record(&view, &mut hits);
        for h in &hits {
            let s = &view[h.seg];
            assert!(h.start <= h.end && h.end <= s.text.len());
            assert!(h.start >= s.report.0 && h.start < s.report.1.max(s.report.0 + 1));
            if let Some(c) = s.columns {
                let _ = c.header_at(s.text, h.start);
            }
        }
    });
});
