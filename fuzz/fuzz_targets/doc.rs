//! Word 97-2003 piece tables: the `WordDocument` and table streams as `src/extract/doc.rs`
//! reads them, without the compound file around them (random bytes rarely make a valid one,
//! so the `ole` target seldom gets this far). Input: a 4-byte little-endian length, that many
//! bytes of `WordDocument`, the rest the table stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sladd::extract::doc;

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (word, table) = rest.split_at(len);
    if let Some(stories) = doc::stories(word, table) {
        let chars: usize = stories.iter().map(|s| s.text.chars().count()).sum();
        assert!(chars <= word.len(), "more characters than the stream has bytes");
        for s in &stories {
            doc::records(&s.text);
        }
    }
});
