//! The detection engine on arbitrary bytes: one segment in each window mode, and as a CSV
//! chunk whose first line names the columns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sladd::detect::context::WindowMode;
use sladd::detect::{Columns, Detector, Segment};
use std::cell::RefCell;

thread_local! {
    static DET: RefCell<Detector> = RefCell::new(sladd_fuzz::scanner(sladd_fuzz::limits()).detector);
}

fuzz_target!(|data: &[u8]| {
    sladd_fuzz::init();
    DET.with(|d| {
        let mut d = d.borrow_mut();
        let mut hits = Vec::new();
        for window in [WindowMode::Paragraph, WindowMode::Line, WindowMode::Whole] {
            hits.clear();
            d.scan_record(&[Segment::new(data).with_window(window)], &mut hits);
            for h in &hits {
                assert!(h.start <= h.end && h.end <= data.len());
            }
        }
        let header = data.split(|&b| b == b'\n').next().unwrap_or_default();
        let columns = Columns {
            delimiter: b';',
            headers: String::from_utf8_lossy(header)
                .split(';')
                .map(str::to_string)
                .collect(),
        };
        let seg = Segment {
            columns: Some(&columns),
            window: WindowMode::Line,
            ..Segment::new(data)
        };
        hits.clear();
        d.scan_record(&[seg], &mut hits);
        for h in &hits {
            let _ = columns.header_at(data, h.start);
        }
    });
});
