//! OLE compound files (legacy .doc/.xls/.ppt, Outlook .msg) in-process; see `pdf.rs` for
//! how parser panics are treated.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sladd_fuzz::scan_as("gammel.doc", data);
});
