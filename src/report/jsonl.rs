//! `--format jsonl`: one JSON object per finding, one per line, nothing else on stdout.
//!
//! Fields (stable; see README "Output contract"): `path`, `inner`, `rule`, `category`,
//! `severity`, `confidence`, `masked`, `value` (only with `--reveal`), `location` (`line`,
//! `column`, and where they apply `page`, `sheet`, `cell`, `part`, `field`), `fingerprint`,
//! `note`. Files that could not be examined are not findings: they go to standard error.

use super::{FindingOut, Out, ReportContext, Reporter};
use crate::scan::{FileResult, Summary};
use std::io::{self, Write};

pub struct Jsonl {
    out: Out,
    ctx: ReportContext,
    /// With `sort`, results are held until the end.
    held: Vec<FileResult>,
    /// One file's lines, written out at once: serde_json writes a finding in dozens of
    /// small pieces, each a dynamic call into the boxed writer otherwise.
    line: Vec<u8>,
}

impl Jsonl {
    pub fn new(out: Out, ctx: ReportContext) -> Jsonl {
        Jsonl {
            out,
            ctx,
            held: Vec::new(),
            line: Vec::new(),
        }
    }

    fn write(&mut self, findings: &[&crate::model::Finding]) -> io::Result<()> {
        self.line.clear();
        for f in findings {
            serde_json::to_writer(&mut self.line, &FindingOut::new(f, self.ctx.reveal))?;
            self.line.push(b'\n');
        }
        self.out.write_all(&self.line)
    }
}

impl Reporter for Jsonl {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        if self.ctx.summary_only {
            return Ok(());
        }
        if self.ctx.sort {
            if !result.findings.is_empty() {
                self.held.push(result.clone());
            }
            return Ok(());
        }
        let findings: Vec<_> = result.findings.iter().collect();
        self.write(&findings)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.ctx.summary_only {
            serde_json::to_writer(&mut self.out, summary)?;
            self.out.write_all(b"\n")?;
        } else {
            let held = std::mem::take(&mut self.held);
            let (findings, _) = super::sorted(&held);
            self.write(&findings)?;
        }
        self.out.flush()
    }
}
