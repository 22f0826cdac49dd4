//! The vocabulary every stage shares: severities, confidences, categories, locations, findings
//! and the reasons a file could not be examined.
//!
//! These types are the output contract (README "Output contract"): their serde form *is* the JSON
//! schema, so renaming a variant or field is a breaking change for every CI job that parses it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A text in both languages the reports speak.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub no: String,
    pub en: String,
}

impl Text {
    pub fn new(no: &str, en: &str) -> Text {
        Text {
            no: no.to_string(),
            en: en.to_string(),
        }
    }

    /// Joins several texts with "; " in each language; None for none.
    pub fn join(texts: &[Text]) -> Option<Text> {
        if texts.is_empty() {
            return None;
        }
        let no: Vec<&str> = texts.iter().map(|t| t.no.as_str()).collect();
        let en: Vec<&str> = texts.iter().map(|t| t.en.as_str()).collect();
        Some(Text {
            no: no.join("; "),
            en: en.join("; "),
        })
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Nb => &self.no,
            Lang::En => &self.en,
        }
    }
}

/// The language of human-facing output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Norwegian (bokmål)
    #[default]
    Nb,
    /// English
    En,
}

/// How bad a leak of this kind is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The Norwegian word a clerk sees in the human and HTML reports.
    pub fn norwegian(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "lav",
            Severity::Medium => "middels",
            Severity::High => "høy",
            Severity::Critical => "kritisk",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => {
                return Err(format!(
                    "unknown severity '{s}' (expected critical, high, medium, low or info)"
                ));
            }
        })
    }
}

/// How sure the detector is that the match really is what the rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn norwegian(self) -> &'static str {
        match self {
            Confidence::Low => "lav",
            Confidence::Medium => "middels",
            Confidence::High => "høy",
        }
    }

    pub fn raised(self) -> Confidence {
        match self {
            Confidence::Low => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    pub fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "low" => Confidence::Low,
            "medium" => Confidence::Medium,
            "high" => Confidence::High,
            _ => {
                return Err(format!(
                    "unknown confidence '{s}' (expected high, medium or low)"
                ));
            }
        })
    }
}

/// What kind of personal data a rule finds. A closed set: a rule pack naming another category is
/// rejected when it is loaded, so reports can rely on these values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    NationalId,
    Financial,
    Contact,
    Health,
    SpecialCategory,
    /// An identifier and a special-category fact in the same record (`person.special-category`).
    PersonSensitive,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::NationalId => "national-id",
            Category::Financial => "financial",
            Category::Contact => "contact",
            Category::Health => "health",
            Category::SpecialCategory => "special-category",
            Category::PersonSensitive => "person-sensitive",
            Category::Other => "other",
        }
    }

    pub fn norwegian(self) -> &'static str {
        match self {
            Category::NationalId => "identitetsnummer",
            Category::Financial => "økonomi",
            Category::Contact => "kontaktinformasjon",
            Category::Health => "helse",
            Category::SpecialCategory => "særlige kategorier",
            Category::PersonSensitive => "person + sensitiv opplysning",
            Category::Other => "annet",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a file a finding is. `line` and `column` (1-based, column counted in characters) are
/// relative to the unit named by the other fields: the file for plain text, the page for PDF,
/// the cell for spreadsheets, the XML part for documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub line: u64,
    pub column: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// CSV/TSV and spreadsheet rows: the header of the column the value sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One reported match. `value` holds the plain matched text and is only serialised by reporters
/// when the user asked for `--reveal`; everything else is safe to write anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file as given on disk (or `-` for standard input).
    pub path: String,
    /// The path inside a container (archive member, document part), if any.
    pub inner: Option<String>,
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub masked: String,
    pub value: String,
    /// The value in canonical form (digits only, lower-case e-mail...), as the fingerprint
    /// uses it; allowlists hash it. Never serialised.
    pub normalized: String,
    pub location: Location,
    pub fingerprint: String,
    /// Extra information in both languages ("also a valid bank account number").
    pub note: Option<Text>,
}

impl Finding {
    /// The order reports use: by file, container path, position, then rule.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.path,
            &self.inner,
            self.location.page,
            &self.location.sheet,
            &self.location.part,
            self.location.line,
            self.location.column,
            &self.rule,
        )
    }
}

/// A file (or a member inside a container) that was not examined, and why. Reasons never quote
/// file content: they name the limit, the format or the OS error.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotExamined {
    pub path: String,
    pub inner: Option<String>,
    pub reason: String,
}
