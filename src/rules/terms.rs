//! Term lists: the words of the health and special-category packs, as data.
//!
//! A list file has one term per line, optional flags after `|`, and `!word` exception lines
//! (format: `rules/terms/README.md`). The pack gives each list its defaults (inflection class,
//! compounds, confidence); a line's flags override them. The result is a [`TermList`] whose
//! entries carry everything the matcher needs, so no term behaviour lives in code.

use crate::model::Confidence;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// One matchable term with its resolved behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermEntry {
    /// As written in the list (lower case unless `case`).
    pub text: String,
    /// Match this exact case only.
    pub case: bool,
    /// May be the last part of a compound (bryst|kreft).
    pub tail: bool,
    /// May be the first part of a compound (kreft|svulst): any letters may follow.
    pub head: bool,
    /// A word-ending rule (`-itt`): needs at least [`SUFFIX_MIN_STEM`] letters before it.
    pub suffix: bool,
    /// Allowed endings after the term (inflections), lower case; `""` for the bare form.
    /// Shared by all terms of a class: thousands of terms each holding their own copy made
    /// cloning a rule set (which the CLI does) a startup cost.
    pub endings: Arc<[String]>,
    pub confidence: Confidence,
}

/// Letters a word-ending rule needs before it: "bronkitt" yes, "litt" no.
pub const SUFFIX_MIN_STEM: usize = 3;

/// A parsed term list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermList {
    pub entries: Vec<TermEntry>,
    /// Whole words (lower case, base form) never reported although they contain a term
    /// (`!word`). A word also counts as excepted when it equals an exception after both have
    /// lost an inflection ending (premie, premien, premier).
    pub exceptions: Vec<String>,
    /// Word endings that except any word ending so (`!-fritt`: avgiftsfritt, skattefritt).
    pub exception_endings: Vec<String>,
    /// The list's default inflection endings, used to compare exceptions in base form.
    pub endings: Arc<[String]>,
}

/// List-wide defaults from the pack.
#[derive(Debug, Clone)]
pub struct TermDefaults {
    pub inflect: String,
    pub tail: bool,
    pub head: bool,
    pub suffix: bool,
    pub confidence: Confidence,
}

/// The words of a term-list file, without flags, exceptions and comments (for keyword files).
pub fn plain_words(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('|').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .map(str::to_lowercase)
        .collect()
}

/// Parses a term list. `inflections` maps class names to endings. Errors name the line.
pub fn parse(
    text: &str,
    defaults: &TermDefaults,
    inflections: &BTreeMap<String, Vec<String>>,
) -> Result<TermList, Vec<String>> {
    let mut list = TermList::default();
    let mut errors = Vec::new();
    // Keyed by the text as read when it is already lower case, as most terms are: thousands
    // of terms, and a copy of each was a tenth of the start-up's list parsing.
    let mut seen: HashSet<(Cow<'_, str>, bool)> = HashSet::new();
    let mut classes: HashMap<&str, Arc<[String]>> = HashMap::new();
    let mut endings_of = |class: &str| -> Result<Arc<[String]>, String> {
        if let Some(e) = classes.get(class) {
            return Ok(e.clone());
        }
        let (class, e): (&str, Arc<[String]>) = if class == "none" {
            ("none", Arc::from([String::new()]))
        } else {
            match inflections.get_key_value(class) {
                Some((name, e)) => (name, e.iter().map(|s| s.to_lowercase()).collect()),
                None => return Err(format!("unknown inflection class '{class}'")),
            }
        };
        classes.insert(class, e.clone());
        Ok(e)
    };
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = |msg: String| format!("line {}: {msg}", no + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(word) = line.strip_prefix('!') {
            let w = word.trim().to_lowercase();
            match w.strip_prefix('-') {
                _ if w.is_empty() || w == "-" => errors.push(at("empty exception".into())),
                Some(ending) => list.exception_endings.push(ending.to_string()),
                None => list.exceptions.push(w),
            }
            continue;
        }
        let (term, flags) = match line.split_once('|') {
            Some((t, f)) => (t.trim(), f.trim()),
            None => (line, ""),
        };
        if term.is_empty() {
            errors.push(at("empty term".into()));
            continue;
        }
        let mut e = TermEntry {
            text: String::new(),
            case: false,
            tail: defaults.tail,
            head: defaults.head,
            suffix: defaults.suffix,
            endings: Arc::from([]),
            confidence: defaults.confidence,
        };
        let mut class = defaults.inflect.as_str();
        let mut exact = false;
        for flag in flags.split_whitespace() {
            match flag {
                "case" => e.case = true,
                "exact" => exact = true,
                "tail" => e.tail = true,
                "notail" => e.tail = false,
                "head" => e.head = true,
                "suffix" => e.suffix = true,
                _ => {
                    if let Some(c) = flag.strip_prefix("inflect=") {
                        class = c;
                    } else if let Some(c) = flag.strip_prefix("conf=") {
                        match c.parse() {
                            Ok(c) => e.confidence = c,
                            Err(m) => errors.push(at(m)),
                        }
                    } else {
                        errors.push(at(format!("unknown flag '{flag}'")));
                    }
                }
            }
        }
        if exact {
            e.tail = false;
            e.head = false;
            class = "none";
        }
        match endings_of(class) {
            Ok(endings) => e.endings = endings,
            Err(m) => errors.push(at(m)),
        }
        e.text = if e.case {
            term.to_string()
        } else {
            term.to_lowercase()
        };
        let key = match e.text == term {
            true => Cow::Borrowed(term),
            false => Cow::Owned(e.text.clone()),
        };
        if !seen.insert((key, e.case)) {
            errors.push(at(format!("duplicate term '{}'", e.text)));
            continue;
        }
        list.entries.push(e);
    }
    match endings_of(&defaults.inflect) {
        Ok(e) => list.endings = e,
        Err(m) => errors.push(m),
    }
    if list.entries.is_empty() && errors.is_empty() {
        errors.push("the list holds no terms".into());
    }
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> TermDefaults {
        TermDefaults {
            inflect: "noun".into(),
            tail: false,
            head: false,
            suffix: false,
            confidence: Confidence::High,
        }
    }

    fn classes() -> BTreeMap<String, Vec<String>> {
        [(
            "noun".to_string(),
            vec!["".to_string(), "en".into(), "er".into()],
        )]
        .into()
    }

    #[test]
    fn parses_flags_and_exceptions() {
        let l = parse(
            "# header\nDepresjon\nHIV | case exact\nkreft | tail head conf=medium\n!krefter\n!-fritt\n",
            &defaults(),
            &classes(),
        )
        .unwrap();
        assert_eq!(l.entries.len(), 3);
        assert_eq!(l.entries[0].text, "depresjon");
        assert_eq!(&*l.entries[0].endings, ["", "en", "er"]);
        assert!(l.entries[1].case && !l.entries[1].tail);
        assert_eq!(&*l.entries[1].endings, [""]);
        assert!(l.entries[2].tail && l.entries[2].head);
        assert_eq!(l.entries[2].confidence, Confidence::Medium);
        assert_eq!(l.exceptions, ["krefter"]);
        assert_eq!(l.exception_endings, ["fritt"]);
        assert_eq!(&*l.endings, ["", "en", "er"]);
    }

    #[test]
    fn reports_errors_with_lines() {
        let e = parse("a | bogus\na\nb | inflect=nope\n", &defaults(), &classes()).unwrap_err();
        assert_eq!(
            e,
            [
                "line 1: unknown flag 'bogus'",
                "line 2: duplicate term 'a'",
                "line 3: unknown inflection class 'nope'"
            ]
        );
    }
}
