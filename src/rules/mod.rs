//! Rule packs: TOML files in `rules/`, compiled into the binary and extendable at run time.
//!
//! Loading is three steps, as in gitleaks: parse the raw TOML ([`schema`]), validate it into
//! [`Rule`]s collecting *every* error with the file, rule id and field, then hand the
//! [`RuleSet`] to the detector, which compiles it once for all threads.
//!
//! A user pack (`--rules FILE`) may add rules or replace a built-in rule by using its id.

pub mod codes;
pub mod schema;
pub mod terms;

use crate::mask::MaskStyle;
use crate::model::{Category, Confidence, Severity};
pub use crate::model::{Lang, Text};
use schema::{RawPack, RawRule};
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use terms::{TermDefaults, TermList};

/// Reads a user's rule file (pack, term list, code table) as text, within
/// [`crate::input::MAX_TEXT_FILE`].
pub fn read_rule_file(path: &Path) -> std::io::Result<String> {
    crate::input::read_to_string(path, crate::input::MAX_TEXT_FILE)
}

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
    ("rules/health.toml", include_str!("../../rules/health.toml")),
    (
        "rules/special-category.toml",
        include_str!("../../rules/special-category.toml"),
    ),
    ("rules/person.toml", include_str!("../../rules/person.toml")),
];

macro_rules! term_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../../rules/", $path)))
    };
}

/// Term list files of the built-in packs, embedded at compile time, by their path in `rules/`.
pub const BUILTIN_TERM_FILES: &[(&str, &str)] = &[
    term_file!("terms/health-ambiguous.txt"),
    term_file!("terms/health-care.txt"),
    term_file!("terms/health-conditions.txt"),
    term_file!("terms/health-context.txt"),
    term_file!("terms/health-medicines.txt"),
    term_file!("terms/health-suffixes.txt"),
    term_file!("terms/special-ambiguous.txt"),
    term_file!("terms/special-child-welfare.txt"),
    term_file!("terms/special-confidential-marking.txt"),
    term_file!("terms/special-context.txt"),
    term_file!("terms/special-criminal.txt"),
    term_file!("terms/special-ethnicity.txt"),
    term_file!("terms/special-genetic-biometric.txt"),
    term_file!("terms/special-politics.txt"),
    term_file!("terms/special-religion.txt"),
    term_file!("terms/special-sexuality.txt"),
    term_file!("terms/special-social-services.txt"),
    term_file!("terms/special-union.txt"),
    term_file!("terms/suffix-exceptions.txt"),
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
    /// ICD-10/ICPC-2 code shapes (letter + two digits), optionally checked against a code table.
    DiagnosisCode,
}

impl Validator {
    pub const ALL: [Validator; 11] = [
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
        Validator::DiagnosisCode,
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
            Validator::DiagnosisCode => "diagnosis-code",
        }
    }

    pub fn from_name(name: &str) -> Option<Validator> {
        Validator::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The masking that fits the values this validator accepts.
    fn default_mask(self) -> MaskStyle {
        match self {
            Validator::Email => MaskStyle::Email,
            Validator::DiagnosisCode => MaskStyle::KeepPrefix,
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
    /// Words from a term list, matched with their inflections and compounds.
    Terms(TermList),
    /// Reports a person identifier and a sensitive fact in the same record.
    Combination,
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
    /// Off unless enabled by name.
    pub optional: bool,
    /// Hits identify a person (fødselsnummer...): one side of the combination rule.
    pub identifies_person: bool,
    /// Hits are sensitive facts (health, special categories): the other side.
    pub sensitive: bool,
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
    /// The built-in packs only, optional rules included.
    pub fn builtin() -> Result<RuleSet, RuleErrors> {
        Self::load(true, &[])
    }

    /// The rules a scan runs with no configuration: the built-in packs without optional rules.
    pub fn defaults() -> Result<RuleSet, RuleErrors> {
        let mut set = Self::builtin()?;
        set.drop_optional(&[]);
        Ok(set)
    }

    /// Built-in packs (unless `builtin` is false) followed by user pack files.
    pub fn load(builtin: bool, extra: &[&Path]) -> Result<RuleSet, RuleErrors> {
        let mut errors = Vec::new();
        let mut set = RuleSet::default();
        if builtin {
            for (name, text) in BUILTIN_PACKS {
                set.add_pack(
                    &PackSource {
                        name,
                        text,
                        dir: None,
                    },
                    &mut errors,
                );
            }
        }
        for path in extra {
            match read_rule_file(path) {
                Ok(text) => {
                    let name = path.display().to_string();
                    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    set.add_pack(
                        &PackSource {
                            name: &name,
                            text: &text,
                            dir: Some(dir),
                        },
                        &mut errors,
                    );
                }
                Err(e) => errors.push(format!("{}: cannot read: {e}", path.display())),
            }
        }
        set.check_validators(&mut errors);
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// Parses one pack and adds its rules. A user pack (one with a `dir`) may replace a rule
    /// by using its id; duplicates inside one pack are errors.
    fn add_pack(&mut self, src: &PackSource<'_>, errors: &mut Vec<String>) {
        let name = src.name;
        let raw: RawPack = match toml::from_str(src.text) {
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
            let Some(rule) = validate_rule(src, &raw.inflections, r, errors) else {
                continue;
            };
            match self.rules.iter().position(|x| x.id == id) {
                Some(i) if src.dir.is_some() => self.rules[i] = rule,
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
        let combos: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.matcher == Matcher::Combination)
            .map(|r| r.id.as_str())
            .collect();
        if combos.len() > 1 {
            errors.push(format!(
                "only one combination rule may be loaded, found: {}",
                combos.join(", ")
            ));
        }
    }

    /// Drops optional rules except those named in `enabled`.
    pub fn drop_optional(&mut self, enabled: &[String]) {
        self.rules
            .retain(|r| !r.optional || enabled.contains(&r.id));
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

/// One pack file being loaded. Built-in packs have no `dir`: their term files are embedded.
struct PackSource<'a> {
    name: &'a str,
    text: &'a str,
    dir: Option<PathBuf>,
}

impl PackSource<'_> {
    /// The text of a term file named by the pack.
    fn term_file(&self, file: &str) -> Result<String, String> {
        match &self.dir {
            None => BUILTIN_TERM_FILES
                .iter()
                .find(|(p, _)| *p == file)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| format!("no built-in term file '{file}'")),
            Some(dir) => read_rule_file(&dir.join(file))
                .map_err(|e| format!("cannot read term file '{}': {e}", dir.join(file).display())),
        }
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

fn validate_rule(
    src: &PackSource<'_>,
    inflections: &BTreeMap<String, Vec<String>>,
    r: RawRule,
    errors: &mut Vec<String>,
) -> Option<Rule> {
    let pack = src.name;
    let before = errors.len();
    let at = |field: &str| format!("{pack}: rule '{}': {field}", r.id);
    if !valid_id(&r.id) {
        errors.push(format!(
            "{pack}: rule id '{}' must be lower-case words joined by '.' or '-'",
            r.id
        ));
    }
    let category = r
        .category
        .parse_category()
        .map_err(|e| errors.push(format!("{}: {e}", at("category"))))
        .ok();
    let severity = r
        .severity
        .parse::<Severity>()
        .map_err(|e| errors.push(format!("{}: {e}", at("severity"))))
        .ok();
    let confidence = match r.confidence.as_deref().map(str::parse::<Confidence>) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            errors.push(format!("{}: {e}", at("confidence")));
            None
        }
    };
    let kinds = [
        r.validator.is_some(),
        r.pattern.is_some(),
        r.terms.is_some(),
        r.combination,
    ];
    let matcher = match kinds.iter().filter(|&&k| k).count() {
        0 => {
            errors.push(format!(
                "{pack}: rule '{}': needs one of validator, pattern, terms or combination",
                r.id
            ));
            None
        }
        1 => matcher_of(src, inflections, &r, confidence, &at, errors),
        _ => {
            errors.push(format!(
                "{pack}: rule '{}': give only one of validator, pattern, terms or combination",
                r.id
            ));
            None
        }
    };
    if r.validator.is_some() && confidence.is_some() {
        errors.push(format!(
            "{}: validators set their own confidence; only pattern and term rules take one",
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
    if r.require_keyword && r.keywords.is_empty() && r.keywords_file.is_none() {
        errors.push(format!(
            "{}: require-keyword is set but keywords is empty",
            at("keywords")
        ));
    }
    let mut keywords = r.keywords.clone();
    if let Some(f) = &r.keywords_file {
        match src.term_file(f) {
            Ok(text) => keywords.extend(terms::plain_words(&text)),
            Err(e) => errors.push(format!("{}: {e}", at("keywords-file"))),
        }
    }
    if r.title.no.trim().is_empty() || r.title.en.trim().is_empty() {
        errors.push(format!("{}: both 'no' and 'en' are needed", at("title")));
    }
    if errors.len() > before {
        return None;
    }
    let (matcher, category) = (matcher?, category?);
    let mask = match (&r.mask, &matcher) {
        (Some(m), _) => *m,
        (None, Matcher::Validator(v)) => v.default_mask(),
        (None, Matcher::Terms(_)) => MaskStyle::KeepPrefix,
        (None, Matcher::Pattern { .. } | Matcher::Combination) => MaskStyle::KeepLastTwo,
    };
    let sensitive = r.sensitive.unwrap_or(matches!(
        category,
        Category::Health | Category::SpecialCategory
    ));
    Some(Rule {
        id: r.id,
        title: r.title,
        description: r.description.unwrap_or_default(),
        category,
        severity: severity?,
        matcher,
        keywords,
        negative_keywords: r.negative_keywords,
        require_keyword: r.require_keyword,
        optional: r.optional,
        identifies_person: r.identifies_person,
        sensitive,
        mask,
        tests: RuleTests {
            matches: r.tests.matches,
            no_match: r.tests.no_match,
        },
        source: pack.to_string(),
    })
}

/// The matcher of a rule that names exactly one kind.
fn matcher_of(
    src: &PackSource<'_>,
    inflections: &BTreeMap<String, Vec<String>>,
    r: &RawRule,
    confidence: Option<Confidence>,
    at: &dyn Fn(&str) -> String,
    errors: &mut Vec<String>,
) -> Option<Matcher> {
    if let Some(v) = &r.validator {
        return match Validator::from_name(v) {
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
        };
    }
    if let Some(p) = &r.pattern {
        return match regex::bytes::RegexBuilder::new(p)
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
                base: confidence.unwrap_or(Confidence::Medium),
            }),
            Err(e) => {
                errors.push(format!("{}: {e}", at("pattern")));
                None
            }
        };
    }
    if let Some(t) = &r.terms {
        let defaults = TermDefaults {
            inflect: t.inflect.clone().unwrap_or_else(|| "none".into()),
            tail: t.tail,
            head: t.head,
            suffix: t.suffix,
            confidence: confidence.unwrap_or(Confidence::Medium),
        };
        if let Some(c) = &t.confidence {
            errors.push(format!(
                "{}: put confidence on the rule, not in terms (found '{c}')",
                at("terms")
            ));
            return None;
        }
        let files: Vec<&String> = t.file.iter().chain(&t.files).collect();
        let text = match (files.is_empty(), &t.list) {
            (false, None) => {
                let mut text = String::new();
                for f in &files {
                    match src.term_file(f) {
                        Ok(t) => {
                            text.push_str(&t);
                            text.push('\n');
                        }
                        Err(e) => {
                            errors.push(format!("{}: {e}", at("terms")));
                            return None;
                        }
                    }
                }
                text
            }
            (true, Some(list)) => list.join("\n"),
            _ => {
                errors.push(format!("{}: give either file(s) or list", at("terms")));
                return None;
            }
        };
        return match terms::parse(&text, &defaults, inflections) {
            Ok(list) => Some(Matcher::Terms(list)),
            Err(es) => {
                let file = t.file.as_deref().unwrap_or("terms");
                errors.extend(
                    es.into_iter()
                        .map(|e| format!("{}: {file}: {e}", at("terms"))),
                );
                None
            }
        };
    }
    Some(Matcher::Combination)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<RuleSet, RuleErrors> {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        let src = PackSource {
            name: "test.toml",
            text,
            dir: None,
        };
        set.add_pack(&src, &mut errors);
        set.check_validators(&mut errors);
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// A pack named by mistake that is huge (here sparse, so the test writes nothing) is a
    /// rule error, refused from its size.
    #[test]
    fn oversized_rule_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(crate::input::MAX_TEXT_FILE + 1).unwrap();
        let errors = RuleSet::load(false, &[big.as_path()]).unwrap_err();
        assert!(errors.0[0].contains("larger than 32 MiB"), "{errors}");
        f.set_len(100).unwrap();
        let errors = RuleSet::load(false, &[big.as_path()]).unwrap_err();
        assert!(!errors.0[0].contains("larger than"), "{errors}");
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
