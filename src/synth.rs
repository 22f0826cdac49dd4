//! Synthetic identifiers generated from the algorithms, for tests, fixtures, benchmarks and the
//! pseudonymising redactor. Nothing here is a real person's number except by the chance any
//! valid number has of being issued; callers that must be sure use [`Gen::tenor`] (test-only
//! number space, month + 80).
//!
//! The generator is a small deterministic PRNG so fixtures and benchmark trees are reproducible
//! from a seed.

use crate::detect::validators::{fnr, kontonr};

/// SplitMix64: tiny, fast, good enough for test data; not for anything secret.
#[derive(Debug, Clone)]
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A valid date as `(day, month, yy)`.
    pub fn date(&mut self) -> (u8, u8, u8) {
        let month = 1 + self.below(12) as u8;
        let yy = self.below(100) as u8;
        let max = match month {
            2 if yy.is_multiple_of(4) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1 + self.below(max) as u8, month, yy)
    }

    /// A number with the given day and month offsets (+40 for D/H, +80 for Tenor), classic
    /// check digits.
    pub fn person_number(&mut self, day_offset: u8, month_offset: u8) -> String {
        loop {
            let (d, m, y) = self.date();
            if let Some(s) = with_date(d + day_offset, m + month_offset, y, self.below(1000) as u16)
            {
                return s;
            }
        }
    }

    /// A fødselsnummer-shaped number (valid date, classic check digits).
    pub fn fnr(&mut self) -> String {
        self.person_number(0, 0)
    }

    pub fn dnr(&mut self) -> String {
        self.person_number(40, 0)
    }

    pub fn hnr(&mut self) -> String {
        self.person_number(0, 40)
    }

    /// A Skatteetaten Tenor test number (month + 80): never a real person.
    pub fn tenor(&mut self) -> String {
        self.person_number(0, 80)
    }

    /// A number valid only under the 2032 rule (K1 remainder 1-3).
    pub fn fnr_2032(&mut self) -> String {
        loop {
            let (d, m, y) = self.date();
            let nine = nine_digits(d, m, y, self.below(1000) as u16);
            let r = 1 + self.below(3) as u32;
            if let Some(n) = fnr::complete_with_remainder(&nine, r) {
                return to_string(&n);
            }
        }
    }

    /// An FH-number: first digit 8 or 9, classic check digits.
    pub fn fhnr(&mut self) -> String {
        loop {
            let mut nine = [0u8; 9];
            nine[0] = 8 + self.below(2) as u8;
            for d in &mut nine[1..] {
                *d = self.below(10) as u8;
            }
            if let Some(n) = fnr::complete(&nine) {
                return to_string(&n);
            }
        }
    }

    /// A valid Norwegian bank account number.
    pub fn account(&mut self) -> String {
        loop {
            let mut s: Vec<u8> = (0..10).map(|_| b'0' + self.below(10) as u8).collect();
            s[0] = b'1' + self.below(9) as u8;
            for k in b'0'..=b'9' {
                s.push(k);
                if kontonr::is_valid(&s) {
                    return String::from_utf8(s).unwrap();
                }
                s.pop();
            }
        }
    }

    /// A Norwegian mobile number (8 digits starting with 4 or 9).
    pub fn mobile(&mut self) -> String {
        let first = if self.below(2) == 0 { '4' } else { '9' };
        format!("{first}{:07}", self.below(10_000_000))
    }
}

fn nine_digits(day: u8, month: u8, yy: u8, individual: u16) -> [u8; 9] {
    [
        day / 10,
        day % 10,
        month / 10,
        month % 10,
        yy / 10,
        yy % 10,
        (individual / 100) as u8,
        (individual / 10 % 10) as u8,
        (individual % 10) as u8,
    ]
}

fn to_string(d: &[u8; 11]) -> String {
    d.iter().map(|d| (b'0' + d) as char).collect()
}

/// The number with these (already offset) date fields and individual number, classic check
/// digits; None when no control digit exists for them.
pub fn with_date(day: u8, month: u8, yy: u8, individual: u16) -> Option<String> {
    fnr::complete(&nine_digits(day, month, yy, individual)).map(|n| to_string(&n))
}

/// Changes one digit so that the number fails its check (for negative tests).
pub fn corrupt(number: &str, position: usize) -> String {
    let mut b = number.as_bytes().to_vec();
    b[position] = b'0' + (b[position] - b'0' + 1) % 10;
    String::from_utf8(b).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::validators::fnr::{CheckRule, Kind, Synthetic, classify};

    #[test]
    fn generated_numbers_classify() {
        let mut g = Gen::new(7);
        for _ in 0..200 {
            assert_eq!(classify(g.fnr().as_bytes()).unwrap().kind, Kind::Fnr);
            assert_eq!(classify(g.dnr().as_bytes()).unwrap().kind, Kind::Dnr);
            assert_eq!(classify(g.hnr().as_bytes()).unwrap().kind, Kind::Hnr);
            assert_eq!(
                classify(g.tenor().as_bytes()).unwrap().kind,
                Kind::Synthetic(Synthetic::Tenor)
            );
            assert_eq!(classify(g.fhnr().as_bytes()).unwrap().kind, Kind::Fh);
            assert_eq!(
                classify(g.fnr_2032().as_bytes()).unwrap().rule,
                CheckRule::From2032
            );
            assert!(kontonr::is_valid(g.account().as_bytes()));
        }
    }

    #[test]
    fn corruption_breaks_the_check() {
        let mut g = Gen::new(1);
        for _ in 0..200 {
            let n = g.fnr();
            // Changing K2 alone always breaks the check: K2 is a pure function of the rest.
            assert!(classify(corrupt(&n, 10).as_bytes()).is_err());
        }
    }
}
