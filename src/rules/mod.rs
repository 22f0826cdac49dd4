//! Rule packs: TOML files in `rules/`, compiled into the binary and extendable at run time.
//!
//! Loading is three steps, as in gitleaks: parse the raw TOML ([`schema`]), validate it into
//! [`Rule`]s collecting *every* error with the file, rule id and field, then hand the
//! [`RuleSet`] to the detector, which compiles it once for all threads.
//!
//! A user pack (`--rules FILE`) may add rules or replace a built-in rule by using its id.

pub mod schema;

use crate::mask::MaskStyle;
use crate::model::{Category, Confidence, Severity};
pub use crate::model::{Lang, Text};
use schema::{RawPack, RawRule};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// The built-in packs, embedded at compile time. Order is the order `sladd rules` lists them.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "rules/no-identity.toml",
        include_str!("../../rules/no-identity.toml"),
    ),
    (
        "rules/financial.toml",
        include_str!("../../rules/financial.toml"),
    ),
    (
        "rules/contact.toml",
        include_str!("../../rules/contact.toml"),
    ),
];

/// The built-in validators a rule can name. Each knows its candidate shape; the detector finds
/// every shape once and asks all validators registered for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Validator {
    NoFnr,
    NoDnr,
    NoHnr,
    NoFhnr,
    NoSyntheticId,
    NoBankAccount,
    Iban,
    PaymentCard,
    Email,
    NoPhone,
}

impl Validator {
    pub const ALL: [Validator; 10] = [
        Validator::NoFnr,
        Validator::NoDnr,
        Validator::NoHnr,
        Validator::NoFhnr,
        Validator::NoSyntheticId,
        Validator::NoBankAccount,
        Validator::Iban,
        Validator::PaymentCard,
        Validator::Email,
        Validator::NoPhone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Validator::NoFnr => "no-fnr",
            Validator::NoDnr => "no-dnr",
            Validator::NoHnr => "no-hnr",
            Validator::NoFhnr => "no-fhnr",
            Validator::NoSyntheticId => "no-synthetic-id",
            Validator::NoBankAccount => "no-bank-account",
            Validator::Iban => "iban",
            Validator::PaymentCard => "payment-card",
            Validator::Email => "email",
            Validator::NoPhone => "no-phone",
        }
    }

    pub fn from_name(name: &str) -> Option<Validator> {
        Validator::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The masking that fits the values this validator accepts.
    fn default_mask(self) -> MaskStyle {
        match self {
            Validator::Email => MaskStyle::Email,
            _ => MaskStyle::KeepLastTwo,
        }
    }
}

/// How a rule finds its candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    Validator(Validator),
    /// A regular expression over bytes (user packs). Confidence starts at `base`.
    Pattern {
        regex: String,
        base: Confidence,
    },
}

/// Self-tests shipped with a rule: every `matches` sample must produce a finding of this rule,
/// no `no_match` sample may.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTests {
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub title: Text,
    pub description: Text,
    pub category: Category,
    pub severity: Severity,
    pub matcher: Matcher,
    /// Words that make the match more likely to be what the rule names (substrings,
    /// case-insensitive; words of three letters or fewer must stand alone).
    pub keywords: Vec<String>,
    /// Words that make the number something else (order number, invoice number...).
    pub negative_keywords: Vec<String>,
    /// Report only with a keyword near (FH-numbers look like bank accounts).
    pub require_keyword: bool,
    pub mask: MaskStyle,
    pub tests: RuleTests,
    /// The pack file the rule came from.
    pub source: String,
}

/// All loaded rules, in listing order, plus pack-level words that are never keywords.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Words that contain a keyword but mean something else ("kontor" contains "konto").
    /// They take part in keyword matching so that the longer word wins, and then count as
    /// nothing.
    pub stop_words: Vec<String>,
}

/// Everything wrong with a set of rule packs, one line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<String>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid rule pack ({} problem(s)):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

impl RuleSet {
    /// The built-in packs only.
    pub fn builtin() -> Result<RuleSet, RuleErrors> {
        Self::load(true, &[])
    }

    /// Built-in packs (unless `builtin` is false) followed by user pack files.
    pub fn load(builtin: bool, extra: &[&Path]) -> Result<RuleSet, RuleErrors> {
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut errors = Vec::new();
        if builtin {
            sources.extend(
                BUILTIN_PACKS
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string())),
            );
        }
        for path in extra {
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push((path.display().to_string(), text)),
                Err(e) => errors.push(format!("{}: cannot read: {e}", path.display())),
            }
        }
        let mut set = RuleSet::default();
        let builtin_count = if builtin { BUILTIN_PACKS.len() } else { 0 };
        for (i, (name, text)) in sources.iter().enumerate() {
            set.add_pack(name, text, i >= builtin_count, &mut errors);
        }
        set.check_validators(&mut errors);
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// Parses one pack and adds its rules. `replace` allows a rule to take over the id of an
    /// earlier one (user packs overriding built-ins); duplicates inside one pack are errors.
    fn add_pack(&mut self, name: &str, text: &str, replace: bool, errors: &mut Vec<String>) {
        let raw: RawPack = match toml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("{name}: {}", e.to_string().trim_end()));
                return;
            }
        };
        if raw.pack.schema != schema::SCHEMA_VERSION {
            errors.push(format!(
                "{name}: pack.schema is {}, this sladd reads schema {}",
                raw.pack.schema,
                schema::SCHEMA_VERSION
            ));
            return;
        }
        self.stop_words.extend(raw.pack.stop_words.iter().cloned());
        let mut seen_here = HashSet::new();
        for r in raw.rule {
            let id = r.id.clone();
            if !seen_here.insert(id.clone()) {
                errors.push(format!("{name}: rule '{id}' is defined twice in this pack"));
                continue;
            }
            let Some(rule) = validate_rule(name, r, errors) else {
                continue;
            };
            match self.rules.iter().position(|x| x.id == id) {
                Some(i) if replace => self.rules[i] = rule,
                Some(_) => errors.push(format!("{name}: rule '{id}' is already defined")),
                None => self.rules.push(rule),
            }
        }
    }

    /// A built-in validator may back only one rule: the detector emits one finding per
    /// candidate, so two rules sharing a validator would be ambiguous.
    fn check_validators(&self, errors: &mut Vec<String>) {
        let mut owner: HashMap<Validator, &str> = HashMap::new();
        for r in &self.rules {
            if let Matcher::Validator(v) = r.matcher
                && let Some(prev) = owner.insert(v, &r.id)
            {
                errors.push(format!(
                    "{}: rule '{}' uses validator '{}', already used by rule '{prev}'",
                    r.source,
                    r.id,
                    v.name()
                ));
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Drops the rules whose ids are listed (config `disable`, CLI `--disable-rule`).
    pub fn disable(&mut self, ids: &[String]) -> Result<(), String> {
        for id in ids {
            if self.get(id).is_none() {
                return Err(format!("cannot disable unknown rule '{id}'"));
            }
        }
        self.rules.retain(|r| !ids.contains(&r.id));
        Ok(())
    }
}

fn valid_id(id: &str) -> bool {
    // `^[a-z0-9]+([.-][a-z0-9]+)*$`, e.g. `no.fnr`, `health.icd10-code`.
    !id.is_empty()
        && id.split(['.', '-']).all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn validate_rule(pack: &str, r: RawRule, errors: &mut Vec<String>) -> Option<Rule> {
    let before = errors.len();
    let at = |field: &str| format!("{pack}: rule '{}': {field}", r.id);
    if !valid_id(&r.id) {
        errors.push(format!(
            "{pack}: rule id '{}' must be lower-case words joined by '.' or '-'",
            r.id
        ));
    }
    let category = match r.category.parse_category() {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(format!("{}: {e}", at("category")));
            None
        }
    };
    let severity = match r.severity.parse::<Severity>() {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(format!("{}: {e}", at("severity")));
            None
        }
    };
    let matcher = match (&r.validator, &r.pattern) {
        (Some(v), None) => match Validator::from_name(v) {
            Some(v) => Some(Matcher::Validator(v)),
            None => {
                let known: Vec<_> = Validator::ALL.iter().map(|v| v.name()).collect();
                errors.push(format!(
                    "{}: unknown validator '{v}' (known: {})",
                    at("validator"),
                    known.join(", ")
                ));
                None
            }
        },
        (None, Some(p)) => {
            let base = match r.confidence.as_deref().unwrap_or("medium").parse() {
                Ok(c) => c,
                Err(e) => {
                    errors.push(format!("{}: {e}", at("confidence")));
                    Confidence::Medium
                }
            };
            match regex::bytes::RegexBuilder::new(p)
                .size_limit(1 << 20)
                .build()
            {
                Ok(re) if re.is_match(b"") => {
                    errors.push(format!(
                        "{}: pattern matches the empty string",
                        at("pattern")
                    ));
                    None
                }
                Ok(_) => Some(Matcher::Pattern {
                    regex: p.clone(),
                    base,
                }),
                Err(e) => {
                    errors.push(format!("{}: {e}", at("pattern")));
                    None
                }
            }
        }
        (Some(_), Some(_)) => {
            errors.push(format!(
                "{pack}: rule '{}': give either validator or pattern, not both",
                r.id
            ));
            None
        }
        (None, None) => {
            errors.push(format!(
                "{pack}: rule '{}': needs a validator or a pattern",
                r.id
            ));
            None
        }
    };
    if r.validator.is_some() && r.confidence.is_some() {
        errors.push(format!(
            "{}: only pattern rules take a confidence; validators set their own",
            at("confidence")
        ));
    }
    for (field, words) in [
        ("keywords", &r.keywords),
        ("negative-keywords", &r.negative_keywords),
    ] {
        if words.iter().any(|w| w.trim().is_empty()) {
            errors.push(format!("{}: empty word", at(field)));
        }
    }
    if r.require_keyword && r.keywords.is_empty() {
        errors.push(format!(
            "{}: require-keyword is set but keywords is empty",
            at("keywords")
        ));
    }
    if r.title.no.trim().is_empty() || r.title.en.trim().is_empty() {
        errors.push(format!("{}: both 'no' and 'en' are needed", at("title")));
    }
    if errors.len() > before {
        return None;
    }
    let matcher = matcher?;
    let mask = match (&r.mask, &matcher) {
        (Some(m), _) => *m,
        (None, Matcher::Validator(v)) => v.default_mask(),
        (None, Matcher::Pattern { .. }) => MaskStyle::KeepLastTwo,
    };
    Some(Rule {
        id: r.id,
        title: r.title,
        description: r.description.unwrap_or_default(),
        category: category?,
        severity: severity?,
        matcher,
        keywords: r.keywords,
        negative_keywords: r.negative_keywords,
        require_keyword: r.require_keyword,
        mask,
        tests: RuleTests {
            matches: r.tests.matches,
            no_match: r.tests.no_match,
        },
        source: pack.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<RuleSet, RuleErrors> {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        set.add_pack("test.toml", text, false, &mut errors);
        set.check_validators(&mut errors);
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RuleErrors(errors))
        }
    }

    #[test]
    fn builtin_packs_load() {
        let set = RuleSet::builtin().unwrap();
        for id in [
            "no.fnr",
            "no.dnr",
            "no.hnr",
            "no.fhnr",
            "no.synthetic-id",
            "no.bank-account",
            "iban",
            "payment-card",
            "email",
            "no.phone",
        ] {
            assert!(set.get(id).is_some(), "missing {id}");
        }
        assert_eq!(set.get("no.fnr").unwrap().category, Category::NationalId);
        assert_eq!(set.get("no.synthetic-id").unwrap().severity, Severity::Info);
        assert!(set.get("no.fhnr").unwrap().require_keyword);
    }

    #[test]
    fn collects_all_errors_with_context() {
        let err = load_str(
            r#"
            [pack]
            id = "x"
            schema = 1
            [[rule]]
            id = "Bad Id"
            title = { no = "a", en = "b" }
            category = "nope"
            severity = "huge"
            validator = "no-such"
            "#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("rule id 'Bad Id'"), "{text}");
        assert!(text.contains("unknown category 'nope'"), "{text}");
        assert!(text.contains("unknown severity 'huge'"), "{text}");
        assert!(text.contains("unknown validator 'no-such'"), "{text}");
    }

    #[test]
    fn rejects_unknown_fields_and_bad_patterns() {
        let err = load_str(
            r#"
            [pack]
            id = "x"
            schema = 1
            [[rule]]
            id = "a.b"
            title = { no = "a", en = "b" }
            category = "other"
            severity = "low"
            pattern = "("
            "#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("rule 'a.b': pattern"), "{err}");
        let err = load_str("[pack]\nid='x'\nschema=1\nbogus=1\n").unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
        let err = load_str("[pack]\nid='x'\nschema=9\n").unwrap_err();
        assert!(err.to_string().contains("schema 1"), "{err}");
    }

    #[test]
    fn validator_used_once() {
        let rule = |id: &str| {
            format!(
                "[[rule]]\nid='{id}'\ntitle={{no='a',en='b'}}\ncategory='contact'\nseverity='low'\nvalidator='email'\n"
            )
        };
        let text = format!(
            "[pack]\nid='x'\nschema=1\n{}{}",
            rule("a.one"),
            rule("a.two")
        );
        assert!(
            load_str(&text)
                .unwrap_err()
                .to_string()
                .contains("already used")
        );
    }
}
