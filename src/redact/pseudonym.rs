//! Pseudonyms: a consistent synthetic stand-in per value, derived from a keyed hash.
//!
//! The same value gets the same pseudonym everywhere in a run (and in every run with the same
//! fingerprint key), so a redacted register still shows that two rows are the same person.
//! Pseudonyms are derived from `HMAC(fingerprint key, kind ‖ normalised value)`, so they cannot
//! be turned back into the value without the key, and no mapping with plain values is ever
//! written. In memory the run keeps only keyed hashes of values and the pseudonyms it handed
//! out (to avoid giving two values the same pseudonym, and so the re-scan can tell its own
//! pseudonyms from leftovers).
//!
//! What each kind becomes, so that no pseudonym can be anybody's data:
//! - identity numbers: a Skatteetaten Tenor test number (month + 80, valid control digits),
//!   in D-number form (day + 40) when the value was one; never issued to a person;
//! - bank account, IBAN and card numbers: digits of the same length and layout whose check
//!   digit is deliberately wrong, so they are nobody's account and no scanner reports them;
//! - phone numbers: eight digits starting with 0, a range never given to subscribers;
//! - e-mail addresses: `person-<hash>@example.invalid` (`.invalid` is reserved, RFC 2606).

use crate::detect::validators::{card, fnr, iban, kontonr};
use crate::fingerprint::Fingerprinter;
use crate::synth::Gen;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// What kind of synthetic value stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Person { d_form: bool },
    Account,
    Iban,
    Card,
    Phone,
    Email,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Person { d_form: false } => "person",
            Kind::Person { d_form: true } => "person-d",
            Kind::Account => "account",
            Kind::Iban => "iban",
            Kind::Card => "card",
            Kind::Phone => "phone",
            Kind::Email => "email",
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Keyed hash of (kind, value) → pseudonym.
    given: HashMap<String, String>,
    /// Canonical forms of the pseudonyms handed out.
    used: HashSet<String>,
}

/// Shared by all worker threads of a run.
#[derive(Debug)]
pub struct Pseudonyms {
    key: Fingerprinter,
    state: Mutex<State>,
}

/// Letters, digits and `@` and `.`, lower-cased: how a value and a pseudonym are compared.
pub fn canonical(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || *c == '@' || *c == '.')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Pseudonyms {
    pub fn new(key: Fingerprinter) -> Pseudonyms {
        Pseudonyms {
            key,
            state: Mutex::new(State::default()),
        }
    }

    /// True when `value` is a pseudonym this run wrote.
    pub fn is_ours(&self, value: &str) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.used.contains(&canonical(value))
    }

    /// The pseudonym for `value` (as written) of this kind; `normalized` identifies the value,
    /// so the same value written another way (`200369 14700`, `20036914700`) gets the same
    /// pseudonym in its own layout.
    pub fn get(&self, kind: Kind, value: &str, normalized: &str) -> String {
        let id = self
            .key
            .value_hash(&format!("pseudonym\0{}\0{normalized}", kind.tag()));
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let core = match state.given.get(&id) {
            Some(core) => core.clone(),
            None => {
                let mut attempt = 0u32;
                let core = loop {
                    let seed_hex = self.key.value_hash(&format!("{id}\0{attempt}"));
                    let seed =
                        u64::from_str_radix(&seed_hex[..16], 16).unwrap_or(u64::from(attempt));
                    let core = make(kind, value, seed);
                    if !state.used.contains(&canonical(&core)) || attempt > 64 {
                        break core;
                    }
                    attempt += 1;
                };
                state.given.insert(id, core.clone());
                core
            }
        };
        let p = shape(kind, value, &core);
        state.used.insert(canonical(&core));
        state.used.insert(canonical(&p));
        p
    }
}

/// The layout-free core of a pseudonym: its digits (or the whole address), from `seed`.
fn make(kind: Kind, value: &str, seed: u64) -> String {
    let mut g = Gen::new(seed);
    let count = value.chars().filter(char::is_ascii_digit).count();
    match kind {
        Kind::Person { d_form } => g.person_number(if d_form { 40 } else { 0 }, 80),
        Kind::Account => {
            let d = random_digits(&mut g, 11);
            if kontonr::is_valid(d.as_bytes()) {
                bump_last(&d)
            } else {
                d
            }
        }
        Kind::Card => {
            let d = random_digits(&mut g, count);
            if card::luhn(d.as_bytes()) {
                bump_last(&d)
            } else {
                d
            }
        }
        Kind::Iban => {
            let d = random_digits(&mut g, count);
            let compact: String = shape(kind, value, &d)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if iban::validate(compact.as_bytes()).is_ok() {
                // Another first check digit breaks mod 97.
                let mut b = d.into_bytes();
                b[0] = b'0' + (b[0] - b'0' + 1) % 10;
                String::from_utf8(b).unwrap_or_default()
            } else {
                d
            }
        }
        // Eight digits starting with 0; the country code, if any, stays as written.
        Kind::Phone => format!("0{}", random_digits(&mut g, 7)),
        Kind::Email => format!("person-{:08x}@example.invalid", g.next_u64() as u32),
    }
}

/// The pseudonym in the layout of `value`: its separators, letters and country code stay.
fn shape(kind: Kind, value: &str, core: &str) -> String {
    match kind {
        Kind::Email => core.to_string(),
        Kind::Phone => {
            let count = value.chars().filter(char::is_ascii_digit).count();
            let keep: String = value
                .chars()
                .filter(char::is_ascii_digit)
                .take(count.saturating_sub(8))
                .collect();
            with_digits(value, &format!("{keep}{core}"))
        }
        _ => with_digits(value, core),
    }
}

fn random_digits(g: &mut Gen, n: usize) -> String {
    (0..n).map(|_| (b'0' + g.below(10) as u8) as char).collect()
}

fn bump_last(d: &str) -> String {
    let mut b = d.as_bytes().to_vec();
    if let Some(last) = b.last_mut() {
        *last = b'0' + (*last - b'0' + 1) % 10;
    }
    String::from_utf8(b).unwrap_or_default()
}

/// `value` with its digits replaced, in order, by `digits` (separators and letters stay).
fn with_digits(value: &str, digits: &str) -> String {
    let mut it = digits.chars();
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                it.next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// The kind for a person number as written (`None` if it is not one).
pub fn person_kind(value: &str) -> Option<Kind> {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let id = fnr::classify(digits.as_bytes()).ok()?;
    Some(Kind::Person {
        d_form: id.d_form && id.kind != fnr::Kind::Fh,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::validators::fnr::{Kind as FnrKind, Synthetic};
    use crate::fingerprint::KeySource;

    fn p() -> Pseudonyms {
        Pseudonyms::new(Fingerprinter::from_key(
            b"test-key-0123456789",
            KeySource::Ephemeral,
        ))
    }

    #[test]
    fn person_numbers_become_tenor_numbers_with_the_same_layout() {
        let p = p();
        let a = p.get(
            Kind::Person { d_form: false },
            "200369 14700",
            "20036914700",
        );
        assert_eq!(a.len(), 12);
        assert_eq!(&a[6..7], " ");
        let digits: String = a.chars().filter(char::is_ascii_digit).collect();
        let id = fnr::classify(digits.as_bytes()).unwrap();
        assert_eq!(id.kind, FnrKind::Synthetic(Synthetic::Tenor));
        assert!(!id.d_form);
        // Consistent per value, different for another value.
        assert_eq!(
            a,
            p.get(
                Kind::Person { d_form: false },
                "200369 14700",
                "20036914700"
            )
        );
        assert_ne!(
            a,
            p.get(Kind::Person { d_form: false }, "29020073150", "29020073150")
        );
        assert!(p.is_ours(&a));
        assert!(!p.is_ours("20036914700"));

        let d = p.get(Kind::Person { d_form: true }, "41078580095", "41078580095");
        let id = fnr::classify(d.as_bytes()).unwrap();
        assert_eq!(id.kind, FnrKind::Synthetic(Synthetic::Tenor));
        assert!(id.d_form);
    }

    #[test]
    fn accounts_cards_ibans_phones_emails() {
        let p = p();
        for _ in 0..50 {
            let a = p.get(
                Kind::Account,
                "8601.11.17947",
                &format!("{}", rand_norm(&p)),
            );
            assert_eq!(a.len(), 13);
            assert_eq!(&a[4..5], ".");
            assert!(!kontonr::is_valid(a.replace('.', "").as_bytes()));
        }
        let c = p.get(Kind::Card, "4111 1111 1111 1111", "4111111111111111");
        assert!(!card::luhn(c.replace(' ', "").as_bytes()));
        let i = p.get(Kind::Iban, "NO93 8601 1117 947", "NO9386011117947");
        assert!(i.starts_with("NO"));
        assert!(iban::validate(i.replace(' ', "").as_bytes()).is_err());
        let ph = p.get(Kind::Phone, "+47 912 34 567", "4791234567");
        assert!(ph.starts_with("+47 0"), "{ph}");
        let e = p.get(Kind::Email, "ola@eksempel.no", "ola@eksempel.no");
        assert!(e.ends_with("@example.invalid"));
    }

    fn rand_norm(p: &Pseudonyms) -> usize {
        p.state.lock().unwrap().given.len()
    }
}
