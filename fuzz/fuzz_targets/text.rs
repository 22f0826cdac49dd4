//! Plain text in every encoding sladd decodes (UTF-8, UTF-16 with and without BOM,
//! Windows-1252), streamed in small chunks so that chunk boundaries fall everywhere; and the
//! sniffer and document text decoder on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let _ = sladd::extract::sniff::sniff_format(rest, Some("x.docx"));
    let _ = sladd::extract::decode_text(rest);
    sladd_fuzz::scan_small_chunks("notat.txt", rest, sel);
});
