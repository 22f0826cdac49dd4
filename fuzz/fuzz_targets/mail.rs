//! E-mail: single messages (EML, MIME parts, attachments) and mailboxes (MBOX).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let name = if sel % 2 == 0 { "melding.eml" } else { "innboks.mbox" };
    sladd_fuzz::scan_as(name, rest);
});
