//! CSV and TSV: header row as context, column lookup of each candidate, small chunks so that
//! chunk boundaries fall everywhere.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let name = if sel % 2 == 0 { "liste.csv" } else { "liste.tsv" };
    sladd_fuzz::scan_small_chunks(name, rest, sel);
});
