//! RTF documents (the hand-written tokenizer).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut doc = b"{\\rtf1".to_vec();
    doc.extend_from_slice(data);
    sladd_fuzz::scan_as("brev.rtf", &doc);
});
