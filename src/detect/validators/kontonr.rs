//! Norwegian bank account numbers (kontonummer): `BBBB.CC.AAAAK`, mod 11 over the first ten
//! digits with weights 5,4,3,2,7,6,5,4,3,2 (reference §2, ECBS TR201). A remainder that would
//! need K = 10 means the number "cannot be used". The legacy TR201 exception for `CC = 00` is
//! not applied, as in python-stdnum: no bank issues such numbers any more.

use super::{digits, weighted_mod11};

const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NotElevenDigits,
    /// `expected` is None when the control digit would have to be 10.
    Control {
        expected: Option<u8>,
    },
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NotElevenDigits => write!(f, "not 11 digits"),
            Invalid::Control { expected: Some(k) } => {
                write!(f, "control digit is wrong: expected {k}")
            }
            Invalid::Control { expected: None } => {
                write!(
                    f,
                    "no account number can start with these ten digits (control digit 10)"
                )
            }
        }
    }
}

pub fn validate(s: &[u8]) -> Result<(), Invalid> {
    let d: [u8; 11] = digits(s).ok_or(Invalid::NotElevenDigits)?;
    let expected = match 11 - weighted_mod11(&d[..10], &W) {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    };
    if expected == Some(d[10]) {
        Ok(())
    } else {
        Err(Invalid::Control { expected })
    }
}

pub fn is_valid(s: &[u8]) -> bool {
    validate(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_accounts() {
        // From python-stdnum's test_iban.doctest NO IBANs (inner account numbers).
        assert!(is_valid(b"86011117947"));
        assert!(is_valid(b"15032080119"));
        assert_eq!(
            validate(b"86011117946"),
            Err(Invalid::Control { expected: Some(7) })
        );
        assert_eq!(validate(b"8601111794"), Err(Invalid::NotElevenDigits));
    }
}
