//! `--format sarif`: SARIF 2.1.0 (OASIS), the format GitHub code scanning uploads.
//!
//! - One `rule` per loaded rule, with the Norwegian and the English title and description in
//!   `shortDescription`, `fullDescription` and `help`, and GitHub's `security-severity`.
//! - Severity → `level`: critical and high are `error`, medium `warning`, low and info `note`.
//! - A finding in a plain text file has a `region` (line, column in Unicode code points,
//!   `columnKind` says so). A finding inside a container (a document part, an archive member)
//!   or on a page or sheet points at the outer file with no region, since its line is not a
//!   line of that file; the inner path and place are in the message and the result's
//!   `properties`.
//! - The keyed fingerprint goes into `partialFingerprints` so that alerts survive edits.
//! - Files not examined are `toolExecutionNotifications` of the invocation.
//!
//! URIs are relative to the current folder when the path is (GitHub resolves them against the
//! repository root, so run sladd from there), percent-encoded, with `/` separators.

use super::{Out, ReportContext, Reporter};
use crate::model::{Finding, Lang, Location, NotExamined, Severity};
use crate::rules::Rule;
use crate::scan::{FileResult, Summary};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};
use std::path::PathBuf;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `partialFingerprints` key; bump the version if the fingerprint input ever changes.
pub const FINGERPRINT_KEY: &str = "sladd/v1";

pub struct Sarif {
    out: Out,
    ctx: ReportContext,
    results: Vec<FileResult>,
    cwd: Option<PathBuf>,
}

impl Sarif {
    pub fn new(out: Out, ctx: ReportContext) -> Sarif {
        Sarif {
            out,
            ctx,
            results: Vec::new(),
            cwd: std::env::current_dir().ok(),
        }
    }

    fn t<'a>(&self, no: &'a str, en: &'a str) -> &'a str {
        match self.ctx.lang {
            Lang::Nb => no,
            Lang::En => en,
        }
    }

    fn rule(r: &Rule) -> Value {
        let both = |no: &str, en: &str| {
            if no == en || en.is_empty() {
                no.to_string()
            } else if no.is_empty() {
                en.to_string()
            } else {
                format!("{no} / {en}")
            }
        };
        let help_text = format!(
            "{}\n\n{}\n\nSladd eller fjern verdien før dokumentet deles. Er det kjente testdata, \
             legg hashen fra `sladd allowlist-hash` i sladd.toml.\n\nRedact or remove the value \
             before the document is shared. If it is known test data, put the hash from \
             `sladd allowlist-hash` in sladd.toml.",
            r.description.no, r.description.en
        );
        let help_markdown = format!(
            "**{}** ({})\n\n{}\n\n**{}**\n\n{}\n\nSladd eller fjern verdien før dokumentet \
             deles. Er det kjente testdata, legg hashen fra `sladd allowlist-hash` i \
             `sladd.toml`.\n\nRedact or remove the value before the document is shared. If it \
             is known test data, put the hash from `sladd allowlist-hash` in `sladd.toml`.",
            r.title.no, r.id, r.description.no, r.title.en, r.description.en
        );
        let mut full = both(&r.description.no, &r.description.en);
        if full.is_empty() {
            full = both(&r.title.no, &r.title.en);
        }
        json!({
            "id": r.id,
            "name": r.title.en,
            "shortDescription": { "text": both(&r.title.no, &r.title.en) },
            "fullDescription": { "text": full },
            "help": { "text": help_text, "markdown": help_markdown },
            "defaultConfiguration": { "level": level(r.severity) },
            "properties": {
                "tags": ["security", "privacy", "personal-data", r.category.as_str()],
                "security-severity": security_severity(r.severity),
                "severity": r.severity.as_str(),
                "category": r.category.as_str(),
            },
        })
    }

    fn place(&self, l: &Location) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(p) = l.page {
            parts.push(format!("{} {p}", self.t("side", "page")));
        }
        if let Some(s) = &l.sheet {
            parts.push(format!("{} {s}", self.t("ark", "sheet")));
        }
        if let Some(c) = &l.cell {
            parts.push(format!("{} {c}", self.t("celle", "cell")));
        }
        if let Some(p) = &l.part {
            parts.push(p.clone());
        }
        parts
    }

    fn result(&self, f: &Finding, rule_index: Option<usize>) -> Value {
        let rule = self.ctx.rules.get(&f.rule);
        let title = rule.map_or(f.rule.as_str(), |r| r.title.get(self.ctx.lang));
        let shown = if self.ctx.reveal { &f.value } else { &f.masked };
        let l = &f.location;
        let in_file =
            f.inner.is_none() && l.page.is_none() && l.sheet.is_none() && l.part.is_none();
        let mut message = format!(
            "{title}: {shown} ({} {})",
            self.t("sikkerhet", "confidence"),
            match self.ctx.lang {
                Lang::Nb => f.confidence.norwegian(),
                Lang::En => f.confidence.as_str(),
            }
        );
        if !in_file {
            let mut where_ = Vec::new();
            if let Some(i) = &f.inner {
                where_.push(i.clone());
            }
            where_.extend(self.place(l));
            where_.push(format!(
                "{} {}:{}",
                self.t("linje", "line"),
                l.line,
                l.column
            ));
            message.push_str(&format!(" {} {}", self.t("i", "in"), where_.join(", ")));
        }
        if let Some(field) = &l.field {
            message.push_str(&format!(" [{}: {field}]", self.t("kolonne", "column")));
        }
        if let Some(note) = &f.note {
            message.push_str(&format!(" ({})", note.get(self.ctx.lang)));
        }
        let mut physical = json!({ "artifactLocation": { "uri": self.uri(&f.path) } });
        if in_file && l.line > 0 {
            let mut region = json!({ "startLine": l.line, "startColumn": l.column.max(1) });
            if !f.value.contains('\n') {
                region["endColumn"] = json!(l.column.max(1) + f.value.chars().count() as u64);
            }
            physical["region"] = region;
        }
        let mut props = json!({
            "severity": f.severity.as_str(),
            "confidence": f.confidence.as_str(),
            "category": f.category.as_str(),
            "masked": f.masked,
            "line": l.line,
            "column": l.column,
        });
        if self.ctx.reveal {
            props["value"] = json!(f.value);
        }
        let optional = [
            ("inner", f.inner.clone()),
            ("page", l.page.map(|p| p.to_string())),
            ("sheet", l.sheet.clone()),
            ("cell", l.cell.clone()),
            ("part", l.part.clone()),
            ("field", l.field.clone()),
            ("note", f.note.as_ref().map(|n| n.en.clone())),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                props[k] = json!(v);
            }
        }
        let mut result = json!({
            "ruleId": f.rule,
            "level": level(f.severity),
            "message": { "text": message },
            "locations": [{ "physicalLocation": physical }],
            "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
            "properties": props,
        });
        if let Some(i) = rule_index {
            result["ruleIndex"] = json!(i);
        }
        result
    }

    fn notification(&self, n: &NotExamined) -> Value {
        let text = match &n.inner {
            Some(i) => format!(
                "{}: {i}: {}",
                self.t("Ikke undersøkt", "Not examined"),
                n.reason
            ),
            None => format!("{}: {}", self.t("Ikke undersøkt", "Not examined"), n.reason),
        };
        json!({
            "level": "warning",
            "descriptor": { "id": "not-examined" },
            "message": { "text": text },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": self.uri(&n.path) } } }],
            "properties": { "inner": n.inner, "reason": n.reason },
        })
    }

    /// A relative URI reference for a relative path (or an absolute one under the current
    /// folder); a `file://` URI otherwise.
    fn uri(&self, path: &str) -> String {
        let p = crate::fingerprint::normalise_path(path);
        if !p.starts_with('/') {
            return percent_encode(&p);
        }
        if let Some(cwd) = &self.cwd
            && let Ok(rel) = std::path::Path::new(&p).strip_prefix(cwd)
        {
            return percent_encode(&rel.to_string_lossy().replace('\\', "/"));
        }
        format!("file://{}", percent_encode(&p))
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Reporter for Sarif {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        super::keep(&mut self.results, result);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        // The log borrows the reporter; write through the output taken out of it.
        let mut out = std::mem::replace(&mut self.out, Box::new(io::sink()));
        let (findings, not_examined) = super::sorted(&self.results);
        let findings = if self.ctx.summary_only {
            Vec::new()
        } else {
            findings
        };
        let log = Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: [Run {
                tool: json!({ "driver": {
                    "name": "sladd",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": self.ctx.rules.rules.iter().map(Self::rule).collect::<Vec<_>>(),
                }}),
                invocations: json!([{
                    "executionSuccessful": true,
                    "toolExecutionNotifications":
                        not_examined.iter().map(|n| self.notification(n)).collect::<Vec<_>>(),
                }]),
                column_kind: "unicodeCodePoints",
                results: Results {
                    sarif: self,
                    findings: &findings,
                },
                properties: json!({ "summary": summary }),
            }],
        };
        serde_json::to_writer_pretty(&mut out, &log)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

/// The log, with results serialised one at a time (each result's JSON tree is built, written
/// and dropped), so a run with many findings does not hold them all as JSON values.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    invocations: Value,
    column_kind: &'static str,
    results: Results<'a>,
    properties: Value,
}

struct Results<'a> {
    sarif: &'a Sarif,
    findings: &'a [&'a Finding],
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rules = &self.sarif.ctx.rules.rules;
        s.collect_seq(self.findings.iter().map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule);
            self.sarif.result(f, index)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testing::{ctx, render};
    use serde_json::Value;

    fn doc(reveal: bool) -> Value {
        serde_json::from_str(&render(Format::Sarif, ctx(reveal))).unwrap()
    }

    #[test]
    fn rules_results_and_locations() {
        let d = doc(false);
        let run = &d["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let fnr = rules.iter().find(|r| r["id"] == "no.fnr").unwrap();
        let short = fnr["shortDescription"]["text"].as_str().unwrap();
        assert!(short.contains("Fødselsnummer") && short.contains("National identity"));
        assert_eq!(fnr["defaultConfiguration"]["level"], "error");
        assert_eq!(fnr["properties"]["security-severity"], "8.0");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        // Container member: the outer file, no region, the inner path in the message.
        let docx = &results[0];
        assert_eq!(docx["ruleId"], "no.dnr");
        let loc = &docx["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "arkiv.docx");
        assert!(loc.get("region").is_none());
        assert!(
            docx["message"]["text"]
                .as_str()
                .unwrap()
                .contains("word/document.xml")
        );
        assert_eq!(docx["properties"]["inner"], "word/document.xml");
        // Plain text: a region, the URI percent-encoded.
        let txt = &results[1];
        let loc = &txt["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "brev/a%20%3Cb%3E.txt");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(loc["region"]["startColumn"], 5);
        assert_eq!(txt["level"], "error");
        assert_eq!(results[2]["level"], "note", "e-mail is low");
        let idx = txt["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], "no.fnr");
        assert_eq!(
            txt["partialFingerprints"]["sladd/v1"],
            format!("{:032x}", 2)
        );

        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0]["message"]["text"]
                .as_str()
                .unwrap()
                .contains("media/bilde.emf")
        );
    }

    #[test]
    fn masked_unless_revealed() {
        let masked = render(Format::Sarif, ctx(false));
        assert!(!masked.contains("14700"));
        let revealed = doc(true);
        assert_eq!(
            revealed["runs"][0]["results"][1]["properties"]["value"],
            "200369 14700"
        );
    }

    /// Container members, notes and not-examined members (which the text-only scans of the
    /// integration tests cannot produce) validate against the OASIS schema too.
    #[test]
    #[allow(clippy::print_stderr)]
    fn container_results_are_valid_sarif() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/schemas/sarif-schema-2.1.0.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "SKIP: {} is absent (the team's shared folder)",
                path.display()
            );
            return;
        };
        // See tests/util/mod.rs: the official `language` pattern needs its `]` escaped for a
        // strict check of the schema itself.
        let lang = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
        let text = text.replace(lang, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
        let schema: Value = serde_json::from_str(&text).unwrap();
        let v = jsonschema::options()
            .offline()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        for reveal in [false, true] {
            let d = doc(reveal);
            let errors: Vec<String> = v.iter_errors(&d).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }

    #[test]
    fn uris() {
        assert_eq!(super::percent_encode("a b/æ.txt"), "a%20b/%C3%A6.txt");
        assert_eq!(super::percent_encode("c:x#y?"), "c%3Ax%23y%3F");
    }
}
