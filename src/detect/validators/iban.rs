//! IBAN (ISO 13616): country code, two check digits, BBAN; valid when the rearranged number is
//! 1 mod 97. Norwegian IBANs also carry a kontonummer whose own mod-11 digit is checked
//! (reference §2: npm `norsk-validator` forgets this and accepts `NO23 8601 1117 946`).

use super::kontonr;

/// IBAN lengths by country (SWIFT IBAN registry).
const LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The IBAN length for a country code, if the country uses IBAN.
pub fn length_for(country: &[u8]) -> Option<usize> {
    LENGTHS
        .iter()
        .find(|(c, _)| c.as_slice() == country)
        .map(|&(_, n)| n)
}

pub const MAX_LEN: usize = 34;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    UnknownCountry,
    Length {
        expected: usize,
    },
    Characters,
    Checksum,
    /// NO only: the inner kontonummer fails its own mod-11 check.
    AccountControl,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::UnknownCountry => write!(f, "no IBAN country starts this way"),
            Invalid::Length { expected } => write!(f, "wrong length: this country uses {expected}"),
            Invalid::Characters => write!(f, "IBANs hold only A-Z and 0-9"),
            Invalid::Checksum => write!(f, "IBAN check digits are wrong (mod 97)"),
            Invalid::AccountControl => write!(
                f,
                "the Norwegian account number inside fails its control digit"
            ),
        }
    }
}

/// Validates a compact IBAN (spaces already removed, upper case).
pub fn validate(s: &[u8]) -> Result<(), Invalid> {
    if s.len() < 4 {
        return Err(Invalid::Length { expected: 15 });
    }
    let expected = length_for(&s[..2]).ok_or(Invalid::UnknownCountry)?;
    if s.len() != expected {
        return Err(Invalid::Length { expected });
    }
    if !s[2..4].iter().all(u8::is_ascii_digit)
        || !s
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return Err(Invalid::Characters);
    }
    let mut rem = 0u32;
    for &b in s[4..].iter().chain(&s[..4]) {
        rem = if b.is_ascii_digit() {
            (rem * 10 + (b - b'0') as u32) % 97
        } else {
            (rem * 100 + (b - b'A' + 10) as u32) % 97
        };
    }
    if rem != 1 {
        return Err(Invalid::Checksum);
    }
    if &s[..2] == b"NO" && !kontonr::is_valid(&s[4..]) {
        return Err(Invalid::AccountControl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert_eq!(validate(b"NO9386011117947"), Ok(()));
        assert_eq!(validate(b"GB82WEST12345698765432"), Ok(()));
        assert_eq!(validate(b"DE89370400440532013000"), Ok(()));
        assert_eq!(validate(b"NO9386011117948"), Err(Invalid::Checksum));
        assert_eq!(validate(b"NO2386011117946"), Err(Invalid::AccountControl));
        assert_eq!(
            validate(b"NO938601111794"),
            Err(Invalid::Length { expected: 15 })
        );
        assert_eq!(validate(b"QQ9386011117947"), Err(Invalid::UnknownCountry));
    }
}
