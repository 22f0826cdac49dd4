//! Pure check-digit and format validators, one file per identifier family.
//!
//! They take ASCII digits (separators already stripped) and say whether the value is valid and,
//! if not, which check failed, so `sladd explain` can tell a clerk *why* a number is not a
//! fødselsnummer. No I/O, no allocation on the hot path.

pub mod card;
pub mod fnr;
pub mod iban;
pub mod kontonr;
pub mod orgnr;
pub mod phone;

/// Digit values of an ASCII digit string. Callers guarantee `s` is all ASCII digits.
pub(crate) fn digits<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != N {
        return None;
    }
    let mut d = [0u8; N];
    for (o, &b) in d.iter_mut().zip(s) {
        if !b.is_ascii_digit() {
            return None;
        }
        *o = b - b'0';
    }
    Some(d)
}

/// Σ w[i]·d[i] mod 11.
pub(crate) fn weighted_mod11(d: &[u8], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(&d, &w)| d as u32 * w).sum::<u32>() % 11
}
