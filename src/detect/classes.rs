//! Byte classes of a 64-byte block as bit masks, for the digit scanner's block filter
//! ([`super::numbers`]).
//!
//! One bit per byte lets the scanner rule out a whole block with a few shifts and ANDs
//! instead of a branch per digit run: dates, amounts and times, most of the digits in real
//! files, never become clusters.

/// Bit `k` of each mask describes byte `k` of the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlockClasses {
    /// ASCII digits.
    pub digit: u64,
    /// Bytes that join the groups of a number written with spaces or dashes: `' '`, `-`, and
    /// both bytes of a UTF-8 no-break space (0xC2 0xA0).
    pub joiner: u64,
    /// `.`, which separates groups of an account number but also those of a date.
    pub dot: u64,
    /// Bytes other than digits that glue a number to a word: ASCII letters, `_`, and bytes
    /// >= 0x80 (see [`super::numbers::is_word_byte`]).
    pub word: u64,
}

/// The classes of the 64 bytes of `block`.
///
/// On x86-64 this takes about twenty SSE2 instructions per 16 bytes. SSE2 is part of the
/// x86-64 baseline, so no run-time detection is needed, and `safe_arch` wraps the intrinsics
/// so the crate stays free of `unsafe`. Other targets use [`classify_portable`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub fn classify(block: &[u8; 64]) -> BlockClasses {
    use safe_arch::*;
    let mut out = BlockClasses::default();
    for (k, chunk) in block.as_chunks::<16>().0.iter().enumerate() {
        let x = load_unaligned_m128i(chunk);
        let splat = |b: u8| set_splat_i8_m128i(b as i8);
        let eq = |b: u8| cmp_eq_mask_i8_m128i(x, splat(b));
        // Adding 0x50 maps '0'..='9' onto -128..=-119, the only signed values below -118.
        let digit = cmp_lt_mask_i8_m128i(add_i8_m128i(x, splat(0x50)), splat(0x8A));
        // `x | 0x20` folds case; adding 0x1F maps 'a'..='z' onto -128..=-103.
        let folded = add_i8_m128i(bitor_m128i(x, splat(0x20)), splat(0x1F));
        let letter = cmp_lt_mask_i8_m128i(folded, splat(0x9A));
        let joiner = bitor_m128i(
            bitor_m128i(eq(b' '), eq(b'-')),
            bitor_m128i(eq(0xC2), eq(0xA0)),
        );
        // The sign bit of `x` itself marks bytes >= 0x80.
        let word = bitor_m128i(bitor_m128i(letter, eq(b'_')), x);
        let bits = |v: m128i| u64::from(move_mask_i8_m128i(v) as u16) << (16 * k);
        out.digit |= bits(digit);
        out.joiner |= bits(joiner);
        out.dot |= bits(eq(b'.'));
        out.word |= bits(word);
    }
    out
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
pub fn classify(block: &[u8; 64]) -> BlockClasses {
    classify_portable(block)
}

/// [`classify`] one byte at a time: the definition the SIMD version is tested against.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
pub fn classify_portable(block: &[u8; 64]) -> BlockClasses {
    let mut out = BlockClasses::default();
    for (k, &b) in block.iter().enumerate() {
        let bit = 1u64 << k;
        let set = |mask: &mut u64, yes: bool| *mask |= if yes { bit } else { 0 };
        set(&mut out.digit, b.is_ascii_digit());
        set(&mut out.joiner, matches!(b, b' ' | b'-' | 0xC2 | 0xA0));
        set(&mut out.dot, b == b'.');
        set(
            &mut out.word,
            b.is_ascii_alphabetic() || b == b'_' || b >= 0x80,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value in every position, among three different neighbours.
    #[test]
    fn simd_matches_the_definition_on_every_byte_in_every_lane() {
        for fill in [b'a', b'5', 0xFF] {
            for b in 0..=255u8 {
                for at in 0..64 {
                    let mut block = [fill; 64];
                    block[at] = b;
                    assert_eq!(
                        classify(&block),
                        classify_portable(&block),
                        "{b:#x} at {at}"
                    );
                }
            }
        }
        let block =
            *b"Fnr 010190 12345, konto 1234.56.78903 - ref_9\xc2\xa0\xc3\xa6 ..............";
        let c = classify_portable(&block);
        assert_eq!(c.digit.count_ones(), 6 + 5 + 11 + 1);
        assert_eq!(
            c.dot,
            1 << 28 | 1 << 31 | 0xFFFC << 48,
            "1234.56.78903 and the dots at the end"
        );
        assert_eq!(c.word & 0b1111, 0b0111, "F, n, r; not the space");
    }
}
