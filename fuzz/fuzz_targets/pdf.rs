//! PDF through sladd's extractor in-process. In real scans this runs in the worker
//! subprocess; here parser panics unwind to sladd's guard (see `sladd_fuzz::init`), and
//! crashes, hangs and out-of-memory in the parser are what the worker exists to contain:
//! triage them, do not "fix" them in sladd. Panics in sladd's own code are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sladd_fuzz::scan_as("dokument.pdf", data);
});
