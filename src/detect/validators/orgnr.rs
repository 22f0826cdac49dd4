//! Organisasjonsnummer (9 digits, Brønnøysundregistrene): weights 3,2,7,6,5,4,3,2 and
//! `K = 11 - Σ mod 11`, 11 → 0, 10 → invalid (reference §2). Not personal data by itself, so it
//! is no detection rule; `sladd explain` uses it to tell a clerk what a 9-digit number is.

use super::{digits, weighted_mod11};

const W: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

pub fn is_valid(s: &[u8]) -> bool {
    let Some(d) = digits::<9>(s) else {
        return false;
    };
    let k = match 11 - weighted_mod11(&d[..8], &W) {
        11 => 0,
        10 => return false,
        k => k as u8,
    };
    k == d[8] && (d[0] == 8 || d[0] == 9)
}

#[cfg(test)]
mod tests {
    #[test]
    fn brreg_examples() {
        assert!(super::is_valid(b"995525828"));
        assert!(!super::is_valid(b"995525829"));
        // Brreg's worked example passes the checksum but does not start with 8 or 9.
        assert!(!super::is_valid(b"123456785"));
    }
}
