//! Zip files through the real pipeline: OOXML (DOCX/XLSX/PPTX), OpenDocument and plain
//! archives are told apart by their entries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sladd_fuzz::scan_as("input.zip", data);
});
