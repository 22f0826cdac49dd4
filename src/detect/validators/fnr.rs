//! The fødselsnummer family: fødselsnummer, D-, H-, FH-nummer and synthetic test numbers.
//!
//! Source of truth: `../shared/reference-identifiers.md` §1 (Skatteetaten's folkeregister API
//! documentation, NHN, NAV). Layout `D1 D2 M1 M2 Å1 Å2 I1 I2 I3 K1 K2`.
//!
//! Deliberate departures from popular validators (see §1.6 of the reference):
//! - The 2032 rule (K1 remainder 0, 1, 2 or 3) is accepted; a number valid only under it is
//!   flagged so the detector can lower its confidence until 2032.
//! - The individual number is never checked against the old century table: D-numbers issued
//!   since November 2021, Tenor test numbers and 2032-rule numbers all break that table.
//! - Dates are strict (31.04 is rejected), unlike Skatteetaten's own lenient JS/Java validator.
//! - Leap years are judged on the two-digit year alone (`YY % 4 == 0`), since the century is
//!   not knowable; this accepts 29.02.1900 as Skatteetaten does.

use super::{digits, weighted_mod11};

const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// What kind of person number a valid 11-digit value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Fødselsnummer: a real birth date.
    Fnr,
    /// D-nummer: day + 40.
    Dnr,
    /// H-nummer (health-sector help number) or NAV Dolly test number: month + 40.
    Hnr,
    /// Felles hjelpenummer (Norsk Helsenett): first digit 8 or 9, no date.
    Fh,
    /// A synthetic test number: Skatteetaten Tenor (month + 80) or FHI SyntPop (month + 65).
    Synthetic(Synthetic),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synthetic {
    /// Skatteetaten Tenor / "Test Norge": month + 80.
    Tenor,
    /// FHI's synthetic population: month + 65.
    SyntPop,
}

/// Which check-digit rule the number satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckRule {
    /// K1 remainder 0: the rule used since 1964, valid for every number issued so far.
    Classic,
    /// K1 remainder 1, 2 or 3: only numbers issued from 1 January 2032 use this.
    From2032,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdNumber {
    pub kind: Kind,
    pub rule: CheckRule,
    /// The first digit carries +40 (D-nummer form); also set for D-form synthetic numbers.
    pub d_form: bool,
    /// Calendar day, month and two-digit year after removing the offsets (0 for FH-numbers).
    pub day: u8,
    pub month: u8,
    pub year: u8,
}

/// Why an 11-digit value is not a person number. Ordered as the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    NotElevenDigits,
    /// First control digit wrong under both rules. `expected` is the classic K1, or None when
    /// no classic K1 exists for these nine digits (the remainder would need K1 = 10).
    K1 {
        expected: Option<u8>,
    },
    /// Second control digit wrong. `expected` is None when it would have to be 10.
    K2 {
        expected: Option<u8>,
    },
    /// FH-numbers are not issued under the 2032 rule.
    FhWith2032Rule,
    /// Day and month (after removing D/H/test offsets) are not a calendar date.
    Date {
        day: u8,
        month: u8,
    },
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::NotElevenDigits => write!(f, "not 11 digits"),
            Invalid::K1 { expected: Some(k) } => {
                write!(f, "first control digit (K1) is wrong: expected {k}")
            }
            Invalid::K1 { expected: None } => write!(
                f,
                "first control digit (K1) is wrong: no valid K1 exists for these nine digits"
            ),
            Invalid::K2 { expected: Some(k) } => {
                write!(f, "second control digit (K2) is wrong: expected {k}")
            }
            Invalid::K2 { expected: None } => write!(
                f,
                "second control digit (K2) is wrong: no valid K2 exists for these ten digits"
            ),
            Invalid::FhWith2032Rule => {
                write!(
                    f,
                    "FH-numbers use the classic K1 rule; this K1 fits only the 2032 rule"
                )
            }
            Invalid::Date { day, month } => {
                write!(
                    f,
                    "day {day:02} and month {month:02} are not a calendar date"
                )
            }
        }
    }
}

/// Control digit for weights `w` over `d`: `11 - Σ mod 11`, 11 → 0, 10 → none.
fn control(d: &[u8], w: &[u32]) -> Option<u8> {
    control_of(weighted_mod11(d, w))
}

/// The control digit completing a weighted sum (mod 11) of the digits before it.
fn control_of(sum_mod11: u32) -> Option<u8> {
    match 11 - sum_mod11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

/// Classifies 11 ASCII digits (separators already removed).
pub fn classify(s: &[u8]) -> Result<IdNumber, Invalid> {
    let d: [u8; 11] = digits(s).ok_or(Invalid::NotElevenDigits)?;
    // Remainder form (reference §1.1): S1 = Σ w1·d[0..9] + d[9].
    // Each sum is taken once: most 11-digit numbers in real files fail here, and the error
    // names the expected digit (`sladd explain`).
    let s1 = weighted_mod11(&d[..9], &W1);
    let r1 = (s1 + d[9] as u32) % 11;
    if r1 > 3 {
        return Err(Invalid::K1 {
            expected: control_of(s1),
        });
    }
    let s2 = weighted_mod11(&d[..10], &W2);
    let r2 = (s2 + d[10] as u32) % 11;
    if r2 != 0 {
        return Err(Invalid::K2 {
            expected: control_of(s2),
        });
    }
    let rule = if r1 == 0 {
        CheckRule::Classic
    } else {
        CheckRule::From2032
    };

    if d[0] >= 8 {
        // A D-number day is at most 71, so 8 and 9 always mean FH (reference §1.4).
        if rule != CheckRule::Classic {
            return Err(Invalid::FhWith2032Rule);
        }
        return Ok(IdNumber {
            kind: Kind::Fh,
            rule,
            d_form: false,
            day: 0,
            month: 0,
            year: 0,
        });
    }

    let mut day = d[0] * 10 + d[1];
    let mut month = d[2] * 10 + d[3];
    let year = d[4] * 10 + d[5];
    let d_form = day > 40;
    if d_form {
        day -= 40;
    }
    let kind = match month {
        81..=92 => {
            month -= 80;
            Kind::Synthetic(Synthetic::Tenor)
        }
        66..=77 => {
            month -= 65;
            Kind::Synthetic(Synthetic::SyntPop)
        }
        41..=52 => {
            month -= 40;
            Kind::Hnr
        }
        _ if d_form => Kind::Dnr,
        _ => Kind::Fnr,
    };
    if !is_date(day, month, year) {
        return Err(Invalid::Date { day, month });
    }
    Ok(IdNumber {
        kind,
        rule,
        d_form,
        day,
        month,
        year,
    })
}

fn is_date(day: u8, month: u8, yy: u8) -> bool {
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if yy.is_multiple_of(4) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&day)
}

/// Appends the two control digits to nine digits, using the classic rule. None when either
/// control digit would be 10 (no number exists with those nine digits). Used by tests, the
/// pseudonymiser and `sladd explain`.
pub fn complete(nine: &[u8; 9]) -> Option<[u8; 11]> {
    let mut d = [0u8; 11];
    d[..9].copy_from_slice(nine);
    d[9] = control(&d[..9], &W1)?;
    d[10] = control(&d[..10], &W2)?;
    Some(d)
}

/// Like [`complete`], but with a K1 whose remainder is `r1` (1..=3 gives a 2032-rule number).
pub fn complete_with_remainder(nine: &[u8; 9], r1: u32) -> Option<[u8; 11]> {
    let mut d = [0u8; 11];
    d[..9].copy_from_slice(nine);
    // Need (Σ + K1) mod 11 == r1.
    let k1 = (r1 + 11 - weighted_mod11(&d[..9], &W1)) % 11;
    if k1 > 9 {
        return None;
    }
    d[9] = k1 as u8;
    d[10] = control(&d[..10], &W2)?;
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> Result<IdNumber, Invalid> {
        classify(s.as_bytes())
    }

    /// Skatteetaten's public test vectors (reference §1.2, `foedselsnummer.csv`).
    #[test]
    fn skatteetaten_examples() {
        let n = class("30108299939").unwrap();
        assert_eq!((n.kind, n.rule), (Kind::Fnr, CheckRule::From2032));
        let n = class("20036914700").unwrap();
        assert_eq!((n.kind, n.rule), (Kind::Fnr, CheckRule::Classic));
        assert!(class("20036914712").is_err());
        let n = class("29020073150").unwrap();
        assert_eq!((n.day, n.month, n.year), (29, 2, 0));
        assert_eq!(
            class("29020105729"),
            Err(Invalid::Date { day: 29, month: 2 })
        );
        let n = class("55102499947").unwrap();
        assert_eq!(
            (n.kind, n.rule, n.d_form),
            (Kind::Dnr, CheckRule::From2032, true)
        );
        let n = class("41819077906").unwrap();
        assert_eq!(n.kind, Kind::Synthetic(Synthetic::Tenor));
        assert!(n.d_form);
        assert_eq!(
            class("30908299902").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
        assert_eq!(
            class("03851598730").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
        assert_eq!(
            class("41819077302").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
        assert_eq!(class("02013299997").unwrap().kind, Kind::Fnr);
        assert_eq!(class("30108299920").unwrap().rule, CheckRule::Classic);
    }

    /// Cases where public validators disagree (reference §1.6).
    #[test]
    fn oracle_disagreements() {
        // 2021 D-series: individual number 800 with YY 85 must not be rejected.
        assert_eq!(class("41078580095").unwrap().kind, Kind::Dnr);
        assert_eq!(class("53097248016").unwrap().kind, Kind::Dnr);
        assert_eq!(class("70108299914").unwrap().kind, Kind::Dnr);
        assert_eq!(class("13527248013").unwrap().kind, Kind::Hnr);
        let dh = class("68467038838").unwrap();
        assert_eq!((dh.kind, dh.d_form), (Kind::Hnr, true));
        assert_eq!(
            class("10915596784").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
        assert_eq!(class("81234567802").unwrap().kind, Kind::Fh);
        assert_eq!(class("80008117075").unwrap().kind, Kind::Fh);
        assert_eq!(class("18103970861").unwrap().kind, Kind::Fnr);
        assert_eq!(class("29020000064").unwrap().kind, Kind::Fnr);
        // 31 April passes Skatteetaten's lenient date parsing but is not a date.
        assert_eq!(
            class("31048500032"),
            Err(Invalid::Date { day: 31, month: 4 })
        );
        // NAV test pairs (fnr / +40 / +80).
        assert_eq!(class("15507600333").unwrap().kind, Kind::Hnr);
        assert_eq!(class("55507608360").unwrap().kind, Kind::Hnr);
        assert_eq!(
            class("17912099997").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
        assert_eq!(
            class("29822099635").unwrap().kind,
            Kind::Synthetic(Synthetic::Tenor)
        );
    }

    #[test]
    fn explains_failures() {
        // Valid base, then break each control digit.
        let good = (0..10u8)
            .find_map(|i| complete(&[0, 1, 0, 1, 9, 0, 1, 2, i]))
            .unwrap();
        let s: Vec<u8> = good.iter().map(|d| d + b'0').collect();
        assert!(classify(&s).is_ok());
        let mut bad_k2 = s.clone();
        bad_k2[10] = b'0' + (good[10] + 1) % 10;
        assert_eq!(
            classify(&bad_k2),
            Err(Invalid::K2 {
                expected: Some(good[10])
            })
        );
        assert_eq!(classify(b"0101901234"), Err(Invalid::NotElevenDigits));
        assert_eq!(classify(b"01019O12345"), Err(Invalid::NotElevenDigits));
    }

    #[test]
    fn leap_days() {
        for (yy, ok) in [
            (0u8, true),
            (4, true),
            (96, true),
            (1, false),
            (99, false),
            (2, false),
        ] {
            let nine = [2, 9, 0, 2, yy / 10, yy % 10, 1, 2, 3];
            // Find some individual number that yields valid control digits.
            let found = (0..1000u32).find_map(|i| {
                let mut n = nine;
                n[6] = (i / 100) as u8;
                n[7] = (i / 10 % 10) as u8;
                n[8] = (i % 10) as u8;
                complete(&n)
            });
            let d = found.unwrap();
            let s: Vec<u8> = d.iter().map(|d| d + b'0').collect();
            assert_eq!(classify(&s).is_ok(), ok, "29.02.{yy:02}");
        }
    }

    #[test]
    fn remainder_completion_gives_2032_numbers() {
        let nine = [3, 0, 1, 0, 8, 2, 9, 9, 9];
        for r in 1..=3 {
            if let Some(d) = complete_with_remainder(&nine, r) {
                let s: Vec<u8> = d.iter().map(|d| d + b'0').collect();
                assert_eq!(classify(&s).unwrap().rule, CheckRule::From2032);
            }
        }
    }
}
