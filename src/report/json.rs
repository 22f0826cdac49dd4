//! `--format json`: one document `{ "findings": [...], "summary": {...}, "not_examined": [...] }`.
//! Findings have the JSONL fields; not-examined entries are `{ "path", "inner", "reason" }`.

use super::{FindingOut, Out, ReportContext, Reporter};
use crate::model::NotExamined;
use crate::scan::{FileResult, Summary};
use serde::Serialize;
use std::io::{self, Write};

pub struct Json {
    out: Out,
    ctx: ReportContext,
    results: Vec<FileResult>,
}

#[derive(Serialize)]
struct Document<'a> {
    findings: Vec<FindingOut<'a>>,
    summary: &'a Summary,
    not_examined: Vec<&'a NotExamined>,
}

impl Json {
    pub fn new(out: Out, ctx: ReportContext) -> Json {
        Json {
            out,
            ctx,
            results: Vec::new(),
        }
    }
}

impl Reporter for Json {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        if !result.findings.is_empty() || !result.not_examined.is_empty() {
            self.results.push(result.clone());
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let (findings, not_examined) = super::sorted(&self.results);
        let findings = if self.ctx.summary_only {
            Vec::new()
        } else {
            findings
                .into_iter()
                .map(|f| FindingOut::new(f, self.ctx.reveal))
                .collect()
        };
        let doc = Document {
            findings,
            summary,
            not_examined,
        };
        serde_json::to_writer_pretty(&mut self.out, &doc)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
