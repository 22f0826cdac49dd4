//! `sladd explain NUMBER` (alias `check`): tells a clerk what one number is, and if it is not
//! a valid identifier, which check failed.
//!
//! It asks the same validators the scanner uses (`detect::validators`): fødselsnummer and its
//! relatives (D-, H-, FH-nummer, Tenor and SyntPop test numbers), kontonummer,
//! organisasjonsnummer and IBAN. Nothing is stored or logged; the number is only printed back.

use crate::detect::validators::fnr::{self, CheckRule, Kind, Synthetic};
use crate::detect::validators::{iban, kontonr, orgnr};
use crate::model::Lang;

/// What one check said about the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Person(Result<fnr::IdNumber, fnr::Invalid>),
    Account(Result<(), kontonr::Invalid>),
    Org(Result<(), OrgInvalid>),
    Iban(Result<(), iban::Invalid>),
    /// Not a length or shape any identifier here has.
    Shape(ShapeProblem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgInvalid {
    FirstDigit,
    Control,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeProblem {
    Empty,
    /// Characters other than digits and the separators people write (space, `.`, `-`).
    Characters,
    Digits(usize),
}

impl Check {
    pub fn is_valid(&self) -> bool {
        match self {
            Check::Person(r) => r.is_ok(),
            Check::Account(r) => r.is_ok(),
            Check::Org(r) => r.is_ok(),
            Check::Iban(r) => r.is_ok(),
            Check::Shape(_) => false,
        }
    }
}

/// Runs every check that fits the number's shape.
pub fn explain(input: &str) -> Vec<Check> {
    let compact: String = input
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '\u{a0}')))
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.is_empty() {
        return vec![Check::Shape(ShapeProblem::Empty)];
    }
    let b = compact.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() {
        return vec![Check::Iban(iban::validate(b))];
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return vec![Check::Shape(ShapeProblem::Characters)];
    }
    match b.len() {
        11 => vec![
            Check::Person(fnr::classify(b)),
            Check::Account(kontonr::validate(b)),
        ],
        9 => vec![Check::Org(if orgnr::is_valid(b) {
            Ok(())
        } else if !matches!(b[0], b'8' | b'9') {
            Err(OrgInvalid::FirstDigit)
        } else {
            Err(OrgInvalid::Control)
        })],
        n => vec![Check::Shape(ShapeProblem::Digits(n))],
    }
}

/// One line per check, in the language asked for.
pub fn render(check: &Check, lang: Lang) -> String {
    let nb = lang == Lang::Nb;
    let ok = |s: String| format!("✓ {s}");
    let no = |s: String| format!("✗ {s}");
    match check {
        Check::Person(Ok(id)) => ok(person(id, nb)),
        Check::Person(Err(e)) => no(if nb {
            format!(
                "Ikke et fødselsnummer, D-, H- eller FH-nummer: {}.",
                person_reason_nb(e)
            )
        } else {
            format!("Not a fødselsnummer, D, H or FH number: {e}.")
        }),
        Check::Account(Ok(())) => ok(if nb {
            "Kontonummer: gyldig kontrollsiffer. (Alle gyldige fødselsnummer er også gyldige \
             kontonummer; skanningen avgjør ut fra ordene rundt tallet.)"
                .to_string()
        } else {
            "Bank account number: valid control digit. (Every valid fødselsnummer is also a valid \
             account number; the scan decides by the words around the number.)"
                .to_string()
        }),
        Check::Account(Err(e)) => no(if nb {
            format!("Ikke et kontonummer: {}.", account_reason_nb(e))
        } else {
            format!("Not a bank account number: {e}.")
        }),
        Check::Org(Ok(())) => ok(if nb {
            "Organisasjonsnummer: gyldig (identifiserer en virksomhet, ikke en person).".to_string()
        } else {
            "Organisation number: valid (identifies an organisation, not a person).".to_string()
        }),
        Check::Org(Err(e)) => no(match (e, nb) {
            (OrgInvalid::FirstDigit, true) => {
                "Ikke et organisasjonsnummer: de begynner med 8 eller 9.".to_string()
            }
            (OrgInvalid::FirstDigit, false) => {
                "Not an organisation number: they start with 8 or 9.".to_string()
            }
            (OrgInvalid::Control, true) => {
                "Ikke et organisasjonsnummer: kontrollsifferet (det siste) er feil.".to_string()
            }
            (OrgInvalid::Control, false) => {
                "Not an organisation number: the control digit (the last) is wrong.".to_string()
            }
        }),
        Check::Iban(Ok(())) => ok(if nb {
            "IBAN: gyldig.".to_string()
        } else {
            "IBAN: valid.".to_string()
        }),
        Check::Iban(Err(e)) => no(if nb {
            format!("Ikke et gyldig IBAN: {}.", iban_reason_nb(e))
        } else {
            format!("Not a valid IBAN: {e}.")
        }),
        Check::Shape(p) => no(match (p, nb) {
            (ShapeProblem::Empty, true) => "Ingen siffer.".to_string(),
            (ShapeProblem::Empty, false) => "No digits.".to_string(),
            (ShapeProblem::Characters, true) => "Inneholder andre tegn enn siffer (bare \
                 mellomrom, punktum og bindestrek kan skille sifrene)."
                .to_string(),
            (ShapeProblem::Characters, false) => "Holds characters other than digits (only \
                 spaces, dots and hyphens may separate the digits)."
                .to_string(),
            (ShapeProblem::Digits(n), true) => format!(
                "Har {n} siffer: fødselsnummer, D-, H-, FH- og kontonummer har 11, \
                 organisasjonsnummer 9. Et IBAN begynner med landkoden (NO)."
            ),
            (ShapeProblem::Digits(n), false) => format!(
                "Has {n} digits: fødselsnummer, D, H, FH and account numbers have 11, \
                 organisation numbers 9. An IBAN starts with its country code (NO)."
            ),
        }),
    }
}

fn person(id: &fnr::IdNumber, nb: bool) -> String {
    let kind = match (id.kind, nb) {
        (Kind::Fnr, true) => "Fødselsnummer",
        (Kind::Fnr, false) => "Fødselsnummer (national identity number)",
        (Kind::Dnr, true) => "D-nummer",
        (Kind::Dnr, false) => "D number",
        (Kind::Hnr, true) => "H-nummer (eller NAVs Dolly-testnummer, som har samme form)",
        (Kind::Hnr, false) => "H number (or a NAV Dolly test number, which has the same form)",
        (Kind::Fh, true) => "FH-nummer (felles hjelpenummer)",
        (Kind::Fh, false) => "FH number (common help number)",
        (Kind::Synthetic(Synthetic::Tenor), true) => {
            "Tenor-testnummer fra Skatteetaten (syntetisk: tilhører ingen person)"
        }
        (Kind::Synthetic(Synthetic::Tenor), false) => {
            "Skatteetaten Tenor test number (synthetic: belongs to nobody)"
        }
        (Kind::Synthetic(Synthetic::SyntPop), true) => {
            "SyntPop-testnummer fra FHI (syntetisk: tilhører ingen person)"
        }
        (Kind::Synthetic(Synthetic::SyntPop), false) => {
            "FHI SyntPop test number (synthetic: belongs to nobody)"
        }
    };
    let mut s = format!("{kind}: {}", if nb { "gyldig" } else { "valid" });
    if id.kind != Kind::Fh {
        s.push_str(&format!(
            ", {} {:02}.{:02}.{:02}",
            if nb { "dato" } else { "date" },
            id.day,
            id.month,
            id.year
        ));
    }
    s.push('.');
    if id.rule == CheckRule::From2032 {
        s.push_str(if nb {
            " Kontrollsifrene følger 2032-regelen: slike nummer tildeles først fra 2032, så \
             dette er trolig testdata eller en skrivefeil."
        } else {
            " The control digits follow the 2032 rule: such numbers are issued only from 2032, \
             so this is likely test data or a typo."
        });
    }
    s
}

fn person_reason_nb(e: &fnr::Invalid) -> String {
    match e {
        fnr::Invalid::NotElevenDigits => "har ikke 11 siffer".to_string(),
        fnr::Invalid::K1 { expected: Some(k) } => {
            format!("første kontrollsiffer (K1) er feil, skulle vært {k}")
        }
        fnr::Invalid::K1 { expected: None } => {
            "første kontrollsiffer (K1) er feil: ingen K1 passer til de ni første sifrene"
                .to_string()
        }
        fnr::Invalid::K2 { expected: Some(k) } => {
            format!("andre kontrollsiffer (K2) er feil, skulle vært {k}")
        }
        fnr::Invalid::K2 { expected: None } => {
            "andre kontrollsiffer (K2) er feil: ingen K2 passer til de ti første sifrene"
                .to_string()
        }
        fnr::Invalid::FhWith2032Rule => {
            "FH-nummer bruker den vanlige K1-regelen, men denne K1 passer bare 2032-regelen"
                .to_string()
        }
        fnr::Invalid::Date { day, month } => {
            format!("dag {day:02} og måned {month:02} er ingen dato")
        }
    }
}

fn account_reason_nb(e: &kontonr::Invalid) -> String {
    match e {
        kontonr::Invalid::NotElevenDigits => "har ikke 11 siffer".to_string(),
        kontonr::Invalid::Control { expected: Some(k) } => {
            format!("kontrollsifferet (det siste) er feil, skulle vært {k}")
        }
        kontonr::Invalid::Control { expected: None } => {
            "ingen kontonummer kan begynne med disse ti sifrene (kontrollsifferet ville blitt 10)"
                .to_string()
        }
    }
}

fn iban_reason_nb(e: &iban::Invalid) -> String {
    match e {
        iban::Invalid::UnknownCountry => "ingen IBAN-land har denne landkoden".to_string(),
        iban::Invalid::Length { expected } => {
            format!("feil lengde: dette landet bruker {expected} tegn")
        }
        iban::Invalid::Characters => "et IBAN har bare A–Z og 0–9".to_string(),
        iban::Invalid::Checksum => "kontrollsifrene (mod 97) er feil".to_string(),
        iban::Invalid::AccountControl => {
            "det norske kontonummeret inni har feil kontrollsiffer".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str, lang: Lang) -> Vec<String> {
        explain(input).iter().map(|c| render(c, lang)).collect()
    }

    #[test]
    fn valid_numbers_of_each_kind() {
        // Skatteetaten's published test numbers and standard examples.
        let l = lines("200369 14700", Lang::Nb);
        assert!(
            l[0].starts_with("✓ Fødselsnummer: gyldig, dato 20.03.69."),
            "{l:?}"
        );
        assert!(l[1].starts_with("✓ Kontonummer"), "{l:?}");
        assert!(lines("55102499947", Lang::Nb)[0].contains("D-nummer: gyldig"));
        assert!(lines("55102499947", Lang::Nb)[0].contains("2032-regelen"));
        assert!(lines("13527248013", Lang::Nb)[0].contains("H-nummer"));
        assert!(lines("81234567802", Lang::Nb)[0].contains("FH-nummer"));
        assert!(lines("41819077906", Lang::Nb)[0].contains("Tenor"));
        assert!(lines("995525828", Lang::Nb)[0].starts_with("✓ Organisasjonsnummer"));
        assert!(lines("NO93 8601 1117 947", Lang::En)[0].starts_with("✓ IBAN"));
        assert!(lines("8601.11.17947", Lang::En)[1].starts_with("✓ Bank account"));
    }

    #[test]
    fn says_which_check_failed() {
        let l = lines("20036914701", Lang::Nb);
        assert!(
            l[0].contains("andre kontrollsiffer (K2) er feil, skulle vært 0"),
            "{l:?}"
        );
        let l = lines("31048500032", Lang::Nb);
        assert!(l[0].contains("dag 31 og måned 04 er ingen dato"), "{l:?}");
        let l = lines("31048500032", Lang::En);
        assert!(
            l[0].contains("day 31 and month 04 are not a calendar date"),
            "{l:?}"
        );
        assert!(lines("995525829", Lang::Nb)[0].contains("kontrollsifferet"));
        assert!(lines("123456785", Lang::Nb)[0].contains("8 eller 9"));
        assert!(lines("NO9386011117948", Lang::Nb)[0].contains("mod 97"));
        assert!(lines("NO2386011117946", Lang::Nb)[0].contains("kontonummeret inni"));
        assert!(lines("1234", Lang::Nb)[0].contains("Har 4 siffer"));
        assert!(lines("12a4", Lang::Nb)[0].contains("andre tegn"));
        assert!(explain("20036914701").iter().all(|c| !c.is_valid()));
    }
}
