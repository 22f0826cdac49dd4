//! `--format human`: findings grouped by file, for a clerk reading a terminal.
//!
//! Norwegian by default (`--lang en` for English). Colour only on a terminal. Output is sorted
//! by path so two runs over the same folder read the same.

use super::{Out, ReportContext, Reporter};
use crate::model::{Finding, Lang, Location, NotExamined, Severity};
use crate::scan::{FileResult, Summary};
use anstyle::{AnsiColor, Effects, Style};
use std::io::{self, Write};

pub struct Human {
    out: Out,
    ctx: ReportContext,
    results: Vec<FileResult>,
}

impl Human {
    pub fn new(out: Out, ctx: ReportContext) -> Human {
        Human {
            out,
            ctx,
            results: Vec::new(),
        }
    }

    fn t<'a>(&self, no: &'a str, en: &'a str) -> &'a str {
        match self.ctx.lang {
            Lang::Nb => no,
            Lang::En => en,
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.ctx.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn severity_label(&self, s: Severity) -> String {
        let word = match self.ctx.lang {
            Lang::Nb => s.norwegian().to_uppercase(),
            Lang::En => s.as_str().to_uppercase(),
        };
        let style = match s {
            Severity::Critical => Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD | Effects::INVERT),
            Severity::High => Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
            Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
            Severity::Info => Style::new().effects(Effects::DIMMED),
        };
        // Pad before painting so escape codes do not break alignment.
        self.paint(style, &format!("{word:<8}"))
    }

    /// Where a finding is, in words a clerk understands: "side 2, linje 4", "ark Brukere,
    /// celle B3", "kommentar, linje 1". The JSON formats keep the raw part names.
    fn location(&self, l: &Location) -> String {
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
            parts.push(self.part_name(p));
        }
        if l.cell.is_none() || l.line > 1 || l.column > 1 {
            parts.push(match self.ctx.lang {
                Lang::Nb => format!("linje {}, kolonne {}", l.line, l.column),
                Lang::En => format!("line {}, column {}", l.line, l.column),
            });
        }
        parts.join(", ")
    }

    /// A document part by what it is to the reader ("topptekst", "lysbilde 3").
    fn part_name(&self, part: &str) -> String {
        let file = part.rsplit('/').next().unwrap_or(part);
        let stem = file.trim_end_matches(".xml");
        let number = stem.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let (no, en) = match stem.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "document" | "content" => ("dokumenttekst", "body text"),
            "header" => ("topptekst", "header"),
            "footer" => ("bunntekst", "footer"),
            "styles" if part == "styles.xml" => ("topp- eller bunntekst", "header or footer"),
            "comments" | "commentsExtended" => ("kommentar", "comment"),
            "footnotes" => ("fotnote", "footnote"),
            "endnotes" => ("sluttnote", "endnote"),
            "core" | "app" | "custom" | "meta" => ("metadata", "metadata"),
            "sharedStrings" => ("celletekst", "cell text"),
            "slide" => ("lysbilde", "slide"),
            "notesSlide" => ("notater til lysbilde", "speaker notes of slide"),
            _ => return part.to_string(),
        };
        let word = self.t(no, en);
        if number.is_empty() {
            word.to_string()
        } else {
            format!("{word} {number}")
        }
    }

    fn finding(&self, f: &Finding, (title_width, value_width): (usize, usize)) -> String {
        let rule = self.ctx.rules.get(&f.rule);
        let title = rule.map_or(f.rule.as_str(), |r| r.title.get(self.ctx.lang));
        let value = if self.ctx.reveal { &f.value } else { &f.masked };
        let pad = title_width.saturating_sub(title.chars().count());
        let vpad = value_width.saturating_sub(value.chars().count());
        let mut line = format!(
            "  {} {title}{} {value}{}  {}\n",
            self.severity_label(f.severity),
            " ".repeat(pad),
            " ".repeat(vpad),
            self.location(&f.location),
        );
        let mut details = vec![match self.ctx.lang {
            Lang::Nb => format!("sikkerhet {}", f.confidence.norwegian()),
            Lang::En => format!("confidence {}", f.confidence.as_str()),
        }];
        if let Some(field) = &f.location.field {
            details.push(format!("{} «{field}»", self.t("kolonne", "column")));
        }
        if let Some(note) = &f.note {
            details.push(note.get(self.ctx.lang).to_string());
        }
        let dim = Style::new().effects(Effects::DIMMED);
        line.push_str(&format!(
            "           {}",
            self.paint(dim, &details.join(" · "))
        ));
        line
    }

    fn not_examined_line(&self, n: &NotExamined) -> String {
        match &n.inner {
            Some(i) => format!("  {} → {}: {}", n.path, i, n.reason),
            None => format!("  {}: {}", n.path, n.reason),
        }
    }

    fn summary_lines(&self, s: &Summary) -> Vec<String> {
        let counts: Vec<String> = Severity::ALL
            .iter()
            .map(|&sev| {
                let n = s.by_severity.get(&sev).copied().unwrap_or(0);
                let word = match self.ctx.lang {
                    Lang::Nb => sev.norwegian(),
                    Lang::En => sev.as_str(),
                };
                format!("{word} {n}")
            })
            .collect();
        let files_total = s.files_scanned + s.files_binary + s.files_not_examined;
        let mut lines = vec![match self.ctx.lang {
            Lang::Nb => format!(
                "{} funn i {} av {} filer ({}).",
                s.findings,
                s.files_with_findings,
                files_total,
                counts.join(", ")
            ),
            Lang::En => format!(
                "{} finding(s) in {} of {} file(s) ({}).",
                s.findings,
                s.files_with_findings,
                files_total,
                counts.join(", ")
            ),
        }];
        let secs = s.elapsed.as_secs_f64();
        lines.push(match self.ctx.lang {
            Lang::Nb => format!(
                "Skannet {} filer ({}) på {:.2} s. Hoppet over {} binærfiler og {} symbolske lenker. Ikke undersøkt: {}.",
                s.files_scanned,
                human_bytes(s.bytes_scanned),
                secs,
                s.files_binary,
                s.symlinks_skipped,
                s.not_examined
            ),
            Lang::En => format!(
                "Scanned {} file(s) ({}) in {:.2} s. Skipped {} binary file(s) and {} symbolic link(s). Not examined: {}.",
                s.files_scanned,
                human_bytes(s.bytes_scanned),
                secs,
                s.files_binary,
                s.symlinks_skipped,
                s.not_examined
            ),
        });
        if s.allowlisted + s.baselined > 0 {
            lines.push(match self.ctx.lang {
                Lang::Nb => format!(
                    "Ikke vist: {} funn på tillatelseslisten og {} funn fra baselinen.",
                    s.allowlisted, s.baselined
                ),
                Lang::En => format!(
                    "Not shown: {} allowlisted finding(s) and {} in the baseline.",
                    s.allowlisted, s.baselined
                ),
            });
        }
        let failing = s.at_or_above(self.ctx.fail_on);
        if failing > 0 {
            let sev = match self.ctx.lang {
                Lang::Nb => self.ctx.fail_on.norwegian(),
                Lang::En => self.ctx.fail_on.as_str(),
            };
            lines.push(match self.ctx.lang {
                Lang::Nb => format!("{failing} funn har alvorlighet {sev} eller høyere: ikke publiser før de er vurdert."),
                Lang::En => format!("{failing} finding(s) at severity {sev} or above: do not publish before they are reviewed."),
            });
        }
        if !self.ctx.reveal && s.findings > 0 {
            lines.push(
                self.t(
                    "Verdiene er maskert. Bruk --reveal for å se dem (skriv ikke resultatet til en delt mappe).",
                    "Values are masked. Use --reveal to show them (do not write that output to a shared folder).",
                )
                .to_string(),
            );
        }
        lines
    }
}

impl Reporter for Human {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        if !result.findings.is_empty() || !result.not_examined.is_empty() {
            self.results.push(result.clone());
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let (findings, not_examined) = super::sorted(&self.results);
        let bold = Style::new().effects(Effects::BOLD);
        let mut text = String::new();
        if !self.ctx.summary_only {
            let title_width = findings
                .iter()
                .filter_map(|f| self.ctx.rules.get(&f.rule))
                .map(|r| r.title.get(self.ctx.lang).chars().count())
                .max()
                .unwrap_or(0)
                .min(44);
            let value_width = findings
                .iter()
                .map(|f| {
                    if self.ctx.reveal { &f.value } else { &f.masked }
                        .chars()
                        .count()
                })
                .max()
                .unwrap_or(0)
                .min(24);
            let widths = (title_width, value_width);
            let mut current: Option<(&str, Option<&str>)> = None;
            for f in &findings {
                let key = (f.path.as_str(), f.inner.as_deref());
                if current != Some(key) {
                    if current.is_some() {
                        text.push('\n');
                    }
                    let head = match key.1 {
                        Some(inner) => format!("{} → {inner}", key.0),
                        None => key.0.to_string(),
                    };
                    text.push_str(&self.paint(bold, &head));
                    text.push('\n');
                    current = Some(key);
                }
                text.push_str(&self.finding(f, widths));
                text.push('\n');
            }
            if !findings.is_empty() {
                text.push('\n');
            }
        }
        if !not_examined.is_empty() {
            text.push_str(&self.paint(bold, self.t("Ikke undersøkt:", "Not examined:")));
            text.push('\n');
            for n in &not_examined {
                text.push_str(&self.not_examined_line(n));
                text.push('\n');
            }
            text.push('\n');
        }
        if summary.findings == 0 {
            text.push_str(self.t("Ingen funn.", "No findings."));
            text.push('\n');
        }
        for line in self.summary_lines(summary) {
            text.push_str(&line);
            text.push('\n');
        }
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
