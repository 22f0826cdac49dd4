//! Diagnosis code tables the user holds (`--health-codes FILE`).
//!
//! The ICD-10 and ICPC-2 tables are licensed and are not shipped. Users who hold them can
//! load the JSON layout of the `@navikt/diagnosekoder` npm package: an array of
//! `{ "code": "F321", "text": "Moderat depressiv episode" }`, or an object whose values are such
//! arrays (`{ "ICD10": [...], "ICPC2": [...] }`). Codes are compared without the dot.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Code (upper case, no dot) → Norwegian text.
#[derive(Debug, Clone, Default)]
pub struct CodeTable(Arc<HashMap<String, String>>);

#[derive(Deserialize)]
struct Entry {
    code: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Layout {
    List(Vec<Entry>),
    Tables(HashMap<String, Vec<Entry>>),
}

/// `F32.1` → `F321`.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_uppercase)
        .collect()
}

impl CodeTable {
    pub fn load(paths: &[&Path]) -> Result<CodeTable, String> {
        let mut map = HashMap::new();
        for p in paths {
            let text = super::read_rule_file(p)
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            let layout: Layout = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}: not a diagnosis code list ([{{\"code\", \"text\"}}]): {e}",
                    p.display()
                )
            })?;
            let entries: Vec<Entry> = match layout {
                Layout::List(l) => l,
                Layout::Tables(t) => t.into_values().flatten().collect(),
            };
            for e in entries {
                map.insert(normalise(&e.code), e.text);
            }
        }
        if map.is_empty() {
            return Err("the diagnosis code files hold no codes".into());
        }
        Ok(CodeTable(Arc::new(map)))
    }

    /// The text of a code, or of its three-character category when the subcode is unknown.
    pub fn lookup(&self, code: &str) -> Option<&str> {
        let n = normalise(code);
        self.0
            .get(&n)
            .or_else(|| self.0.get(n.get(..3)?))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_both_layouts() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.json");
        std::fs::write(
            &a,
            r#"[{"code":"F321","text":"Moderat depressiv episode"}]"#,
        )
        .unwrap();
        let b = d.path().join("b.json");
        std::fs::write(&b, r#"{"ICPC2":[{"code":"P76","text":"Depresjon"}]}"#).unwrap();
        let t = CodeTable::load(&[a.as_path(), b.as_path()]).unwrap();
        assert_eq!(t.lookup("F32.1"), Some("Moderat depressiv episode"));
        assert_eq!(t.lookup("p76"), Some("Depresjon"));
        assert_eq!(t.lookup("F32.9"), None);
        let bad = d.path().join("c.json");
        std::fs::write(&bad, "{}").unwrap();
        assert!(CodeTable::load(&[bad.as_path()]).is_err());
    }
}
