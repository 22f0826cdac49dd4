//! HTML and XML files: text, attributes, entities, tables.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let name = if sel % 2 == 0 { "side.html" } else { "data.xml" };
    sladd_fuzz::scan_as(name, rest);
});
