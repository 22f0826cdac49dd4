//! Document XML straight into the flow extractor (paragraphs, tables, loose fields), in the
//! OOXML and OpenDocument dialects and as an ODS spreadsheet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sladd::extract::{Ctx, Sink, flow};
use sladd_fuzz::NullSink;
use std::cell::Cell;

fuzz_target!(|data: &[u8]| {
    sladd_fuzz::init();
    let Some((&sel, rest)) = data.split_first() else { return };
    let xml = String::from_utf8_lossy(rest);
    let limits = sladd_fuzz::limits();
    let budget = Cell::new(0);
    let ctx = Ctx::top(&limits, &budget);
    let dialect = match sel % 3 {
        0 => flow::OOXML,
        1 => flow::ODF,
        _ => flow::Dialect {
            spreadsheet: true,
            ..flow::ODF
        },
    };
    let mut sink = NullSink::default();
    let _ = flow::extract(&xml, "content.xml", &dialect, &ctx, &mut sink as &mut dyn Sink);
});
