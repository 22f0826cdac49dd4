//! The raw serde form of a rule pack file. Unknown keys are errors (with line and column from
//! the TOML parser), so a typo such as `keyword =` never silently disables a rule.
//!
//! ```toml
//! [pack]
//! id = "acme"
//! schema = 1
//!
//! [[rule]]
//! id = "acme.employee-id"
//! title = { no = "Ansattnummer", en = "Employee number" }
//! category = "other"          # national-id, financial, contact, health, special-category, other
//! severity = "medium"         # critical, high, medium, low, info
//! pattern = 'ANS-[0-9]{6}'    # or: validator = "no-fnr" (see `sladd rules`)
//! keywords = ["ansatt"]       # raise confidence when near
//! [rule.tests]
//! match = ["ansatt ANS-123456"]
//! no-match = ["ANS-12345"]
//! ```

use super::Text;
use crate::mask::MaskStyle;
use crate::model::Category;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The pack format version this build reads. Bumped on breaking changes; old syntaxes are not
/// kept alive beside new ones.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub pack: RawPackHeader,
    /// Inflection classes for term lists: class name → endings (`""` is the bare form).
    #[serde(default)]
    pub inflections: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPackHeader {
    pub id: String,
    pub schema: u32,
    #[serde(default)]
    pub description: Option<String>,
    /// Words that contain a keyword but are not one (see `RuleSet::stop_words`).
    #[serde(default)]
    pub stop_words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRule {
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    pub category: RawCategory,
    pub severity: String,
    #[serde(default)]
    pub validator: Option<String>,
    #[serde(default)]
    pub pattern: Option<String>,
    /// A term list (health and special-category packs).
    #[serde(default)]
    pub terms: Option<RawTerms>,
    /// The rule that reports an identifier and a sensitive fact in the same record.
    #[serde(default)]
    pub combination: bool,
    /// Hits of this rule identify a person (for the combination rule).
    #[serde(default)]
    pub identifies_person: bool,
    /// Hits of this rule are sensitive facts about a person (for the combination rule).
    /// Defaults to true for the health and special-category categories.
    #[serde(default)]
    pub sensitive: Option<bool>,
    #[serde(default)]
    pub confidence: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A file of keywords (term-list format; flags and exceptions are ignored), added to
    /// `keywords`: long context-word lists live beside the term lists.
    #[serde(default)]
    pub keywords_file: Option<String>,
    #[serde(default)]
    pub negative_keywords: Vec<String>,
    #[serde(default)]
    pub require_keyword: bool,
    /// Off unless enabled by name (`--enable-rule`, config `rules.enable-optional`): for
    /// rules too noisy for every scan, such as the ambiguous-word lists.
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub mask: Option<MaskStyle>,
    #[serde(default)]
    pub tests: RawTests,
}

/// `terms = { file = "terms/x.txt", inflect = "noun", tail = true, confidence = "high" }`
/// or `terms = { list = ["a", "b"] }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawTerms {
    #[serde(default)]
    pub file: Option<String>,
    /// Several files joined into one list (e.g. suffix rules plus their exceptions).
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub list: Option<Vec<String>>,
    #[serde(default)]
    pub inflect: Option<String>,
    #[serde(default)]
    pub tail: bool,
    #[serde(default)]
    pub head: bool,
    #[serde(default)]
    pub suffix: bool,
    #[serde(default)]
    pub confidence: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawTests {
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// Kept as a string so that an unknown category is reported with the rule id, not as a bare
/// serde error.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct RawCategory(pub String);

impl RawCategory {
    pub fn parse_category(&self) -> Result<Category, String> {
        let v = serde_json::Value::String(self.0.clone());
        serde_json::from_value(v).map_err(|_| {
            format!(
                "unknown category '{}' (expected national-id, financial, contact, health, \
                 special-category or other)",
                self.0
            )
        })
    }
}
