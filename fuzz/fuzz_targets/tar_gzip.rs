//! Tar archives and gzip streams (and .tgz), members extracted recursively.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let name = ["arkiv.tar", "arkiv.tgz", "notat.txt.gz"][sel as usize % 3];
    sladd_fuzz::scan_as(name, rest);
});
