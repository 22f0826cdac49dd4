//! `--format html`: one self-contained page a privacy officer can e-mail to management.
//!
//! Totals by severity and category, bar charts (inline SVG) of findings per category and per
//! top-level folder, the files with the most serious findings first, every finding with its
//! place and masked value, the files not examined, and the scan's parameters and date.
//! Norwegian by default, English with `--lang en`.
//!
//! Offline by construction: no script, no font, no image or style sheet from anywhere; the
//! page's Content-Security-Policy (`default-src 'none'`) makes a browser refuse any request
//! even if something slipped in. Every string that comes from the scan (file names, container
//! paths, sheet names, column headers, reasons) goes through [`esc`]; a file named
//! `<script>.txt` is text on the page.

use super::{Out, ReportContext, Reporter};
use crate::model::{Category, Finding, Lang, Location, NotExamined, Severity};
use crate::scan::{FileResult, Summary};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Files listed in the overview table; all of them are in the findings section.
const OVERVIEW_FILES: usize = 25;
/// Up to this many findings, every file's section starts open; above, the first few.
const OPEN_ALL_UP_TO: usize = 500;
const OPEN_FIRST: usize = 20;

pub struct Html {
    out: Out,
    ctx: ReportContext,
    results: Vec<FileResult>,
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Counts per severity, most severe first.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts([u64; 5]);

impl Counts {
    fn add(&mut self, s: Severity) {
        self.0[rank(s)] += 1;
    }
    fn get(&self, s: Severity) -> u64 {
        self.0[rank(s)]
    }
    fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// Index in [`Severity::ALL`] (critical first).
fn rank(s: Severity) -> usize {
    Severity::ALL.iter().position(|&x| x == s).unwrap_or(4)
}

impl Html {
    pub fn new(out: Out, ctx: ReportContext) -> Html {
        Html {
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

    fn sev(&self, s: Severity) -> &'static str {
        match self.ctx.lang {
            Lang::Nb => s.norwegian(),
            Lang::En => s.as_str(),
        }
    }

    fn cat(&self, c: Category) -> &'static str {
        match self.ctx.lang {
            Lang::Nb => c.norwegian(),
            Lang::En => c.as_str(),
        }
    }

    fn place(&self, l: &Location, inner: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(i) = inner {
            parts.push(i.to_string());
        }
        if let Some(p) = l.page {
            parts.push(format!("{} {p}", self.t("side", "page")));
        }
        match (&l.sheet, &l.cell) {
            (Some(s), Some(c)) => parts.push(format!("{s}!{c}")),
            (Some(s), None) => parts.push(s.clone()),
            (None, Some(c)) => parts.push(c.clone()),
            (None, None) => {}
        }
        if let Some(p) = &l.part {
            parts.push(p.clone());
        }
        parts.push(format!(
            "{} {}:{}",
            self.t("linje", "line"),
            l.line,
            l.column
        ));
        parts.join(" · ")
    }

    /// The top-level folder of a path below the scanned roots, for the per-folder chart.
    fn top_folder(&self, path: &str) -> String {
        let p = crate::fingerprint::normalise_path(path);
        let roots = &self.ctx.run.paths;
        for root in roots {
            let r = crate::fingerprint::normalise_path(root);
            let r = r.trim_end_matches('/');
            let rest = if r.is_empty() || r == "." {
                Some(p.as_str())
            } else {
                p.strip_prefix(r).and_then(|x| x.strip_prefix('/'))
            };
            if let Some(rest) = rest {
                let prefix = if roots.len() > 1 && !(r.is_empty() || r == ".") {
                    format!("{r}/")
                } else {
                    String::new()
                };
                return match rest.split_once('/') {
                    Some((first, _)) => format!("{prefix}{first}/"),
                    None => format!("{prefix}{}", self.t("(øverste nivå)", "(top level)")),
                };
            }
        }
        match p.split_once('/') {
            Some((first, _)) if !first.is_empty() => format!("{first}/"),
            _ => p,
        }
    }

    fn render(&self, summary: &Summary) -> String {
        let (findings, not_examined) = super::sorted(&self.results);
        let lang = match self.ctx.lang {
            Lang::Nb => "nb",
            Lang::En => "en",
        };
        let mut h = String::with_capacity(64 * 1024 + findings.len() * 400);
        let title = self.t("Rapport om personopplysninger", "Personal data report");
        let _ = writeln!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:\">\n\
             <meta name=\"generator\" content=\"sladd {version}\">\n\
             <title>{title} – sladd</title>\n<style>{STYLE}</style>\n</head>\n<body>",
            version = env!("CARGO_PKG_VERSION"),
        );
        let _ = writeln!(
            h,
            "<header><h1>{title}</h1><p class=\"meta\">{} {} · sladd {} · {}: {}</p></header>",
            self.t("Skannet", "Scanned"),
            esc(&self.ctx.run.started),
            env!("CARGO_PKG_VERSION"),
            self.t("Mappe", "Path"),
            esc(&self.scanned_paths()),
        );
        if self.ctx.reveal {
            let _ = writeln!(
                h,
                "<p class=\"warning\" id=\"revealed\">{}</p>",
                self.t(
                    "Denne rapporten viser verdiene umaskert (--reveal). Den inneholder \
                     personopplysninger og må behandles deretter: ikke send den videre.",
                    "This report shows values unmasked (--reveal). It holds personal data and \
                     must be handled as such: do not pass it on."
                )
            );
        }
        self.totals(&mut h, summary);
        self.charts(&mut h, &findings);
        self.files(&mut h, &findings);
        self.not_examined(&mut h, &not_examined);
        self.parameters(&mut h);
        h.push_str("</body>\n</html>\n");
        h
    }

    fn scanned_paths(&self) -> String {
        let run = &self.ctx.run;
        let mut paths = run.paths.clone();
        if let Some(f) = &run.files_from {
            paths.push(format!("--files-from {f}"));
        }
        paths.join(", ")
    }

    fn totals(&self, h: &mut String, s: &Summary) {
        let files_total = s.files_scanned + s.files_binary + s.files_not_examined;
        let _ = writeln!(
            h,
            "<section id=\"totals\"><h2>{}</h2>\n<div class=\"cards\">\n\
             <div class=\"card total\"><span class=\"n\" id=\"total-findings\">{}</span>\
             <span class=\"l\">{}</span></div>",
            self.t("Oppsummering", "Summary"),
            s.findings,
            self.t("funn i alt", "findings in all"),
        );
        for sev in Severity::ALL {
            let n = s.by_severity.get(&sev).copied().unwrap_or(0);
            let _ = writeln!(
                h,
                "<div class=\"card sev-{id}\"><span class=\"n\" id=\"total-{id}\">{n}</span>\
                 <span class=\"l\">{}</span></div>",
                self.sev(sev),
                id = sev.as_str(),
            );
        }
        h.push_str("</div>\n");
        let _ = writeln!(
            h,
            "<p>{}</p>",
            match self.ctx.lang {
                Lang::Nb => format!(
                    "{} funn i {} av {} filer. {} filer eller deler ble ikke undersøkt.",
                    s.findings, s.files_with_findings, files_total, s.not_examined
                ),
                Lang::En => format!(
                    "{} finding(s) in {} of {} file(s). {} file(s) or part(s) were not examined.",
                    s.findings, s.files_with_findings, files_total, s.not_examined
                ),
            }
        );
        let failing = s.at_or_above(self.ctx.fail_on);
        let verdict = if failing > 0 {
            match self.ctx.lang {
                Lang::Nb => format!(
                    "{failing} funn har alvorlighet {} eller høyere: ikke publiser før de er vurdert.",
                    self.sev(self.ctx.fail_on)
                ),
                Lang::En => format!(
                    "{failing} finding(s) at severity {} or above: do not publish before they are reviewed.",
                    self.sev(self.ctx.fail_on)
                ),
            }
        } else {
            match self.ctx.lang {
                Lang::Nb => format!(
                    "Ingen funn med alvorlighet {} eller høyere.",
                    self.sev(self.ctx.fail_on)
                ),
                Lang::En => format!(
                    "No finding at severity {} or above.",
                    self.sev(self.ctx.fail_on)
                ),
            }
        };
        let class = if failing > 0 {
            "verdict bad"
        } else {
            "verdict ok"
        };
        let _ = writeln!(
            h,
            "<p class=\"{class}\" id=\"verdict\">{}</p>",
            esc(&verdict)
        );
        if s.allowlisted + s.baselined > 0 {
            let _ = writeln!(
                h,
                "<p>{}</p>",
                match self.ctx.lang {
                    Lang::Nb => format!(
                        "Ikke tatt med: {} funn på tillatelseslisten (kjente testdata) og {} funn som \
                         allerede står i baselinen.",
                        s.allowlisted, s.baselined
                    ),
                    Lang::En => format!(
                        "Left out: {} finding(s) on the allowlist (known test data) and {} already \
                         in the baseline.",
                        s.allowlisted, s.baselined
                    ),
                }
            );
        }
        // Totals by category, as a table (the chart below shows the same by severity).
        if !s.by_category.is_empty() {
            let _ = writeln!(
                h,
                "<table class=\"small\" id=\"category-totals\"><thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
                self.t("Kategori", "Category"),
                self.t("Funn", "Findings"),
            );
            for (c, n) in &s.by_category {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"num\" data-category=\"{}\">{n}</td></tr>",
                    esc(self.cat(*c)),
                    c.as_str()
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str("</section>\n");
    }

    fn charts(&self, h: &mut String, findings: &[&Finding]) {
        if findings.is_empty() {
            return;
        }
        let mut by_cat: BTreeMap<Category, Counts> = BTreeMap::new();
        let mut by_folder: BTreeMap<String, Counts> = BTreeMap::new();
        for f in findings {
            by_cat.entry(f.category).or_default().add(f.severity);
            by_folder
                .entry(self.top_folder(&f.path))
                .or_default()
                .add(f.severity);
        }
        let cats: Vec<(String, Counts)> = by_cat
            .into_iter()
            .map(|(c, n)| (self.cat(c).to_string(), n))
            .collect();
        let mut folders: Vec<(String, Counts)> = by_folder.into_iter().collect();
        folders.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
        let _ = writeln!(
            h,
            "<section id=\"charts\"><h2>{}</h2>\n{}\n<div class=\"chart\"><h3>{}</h3>\n{}</div>\n\
             <div class=\"chart\"><h3>{}</h3>\n{}</div>\n</section>",
            self.t("Fordeling", "Distribution"),
            self.legend(),
            self.t("Funn per kategori", "Findings per category"),
            self.bar_chart("chart-category", &cats),
            self.t(
                "Funn per mappe (øverste nivå)",
                "Findings per top-level folder"
            ),
            self.bar_chart("chart-folder", &folders[..folders.len().min(20)]),
        );
    }

    fn legend(&self) -> String {
        let mut s = String::from("<p class=\"legend\">");
        for sev in Severity::ALL {
            let _ = write!(
                s,
                "<span class=\"key sev-{}\"></span>{} ",
                sev.as_str(),
                self.sev(sev)
            );
        }
        s.push_str("</p>");
        s
    }

    /// A horizontal bar chart, one bar per label stacked by severity, as inline SVG.
    fn bar_chart(&self, id: &str, rows: &[(String, Counts)]) -> String {
        const LABEL_W: u64 = 230;
        const BAR_W: u64 = 380;
        const ROW_H: u64 = 26;
        let max = rows.iter().map(|r| r.1.total()).max().unwrap_or(1).max(1);
        let height = ROW_H * rows.len() as u64 + 6;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg id=\"{id}\" class=\"bars\" role=\"img\" width=\"{w}\" height=\"{height}\" \
             viewBox=\"0 0 {w} {height}\" xmlns=\"http://www.w3.org/2000/svg\">",
            w = LABEL_W + BAR_W + 60,
        );
        for (i, (label, counts)) in rows.iter().enumerate() {
            let y = i as u64 * ROW_H + 3;
            let short: String = if label.chars().count() > 32 {
                let tail: String = label
                    .chars()
                    .rev()
                    .take(31)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                format!("…{tail}")
            } else {
                label.clone()
            };
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
                LABEL_W - 8,
                y + 16,
                esc(label),
                esc(&short)
            );
            let mut x = LABEL_W;
            for sev in Severity::ALL {
                let n = counts.get(sev);
                if n == 0 {
                    continue;
                }
                // At least 2 px so a single finding beside thousands stays visible.
                let w = (n * BAR_W / max).max(2);
                let _ = writeln!(
                    s,
                    "<rect class=\"sev-{}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{}\">\
                     <title>{}: {} {n}</title></rect>",
                    sev.as_str(),
                    ROW_H - 6,
                    esc(label),
                    self.sev(sev),
                );
                x += w;
            }
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                x + 6,
                y + 16,
                counts.total()
            );
        }
        s.push_str("</svg>");
        s
    }

    /// Files ordered by their most serious findings: critical count, then high, ...
    fn files(&self, h: &mut String, findings: &[&Finding]) {
        let mut files: BTreeMap<&str, (Counts, Vec<&Finding>)> = BTreeMap::new();
        for f in findings {
            let e = files.entry(f.path.as_str()).or_default();
            e.0.add(f.severity);
            e.1.push(f);
        }
        let mut files: Vec<(&str, (Counts, Vec<&Finding>))> = files.into_iter().collect();
        files.sort_by(|a, b| b.1.0.0.cmp(&a.1.0.0).then_with(|| a.0.cmp(b.0)));

        let _ = writeln!(
            h,
            "<section id=\"files\"><h2>{}</h2>",
            self.t(
                "Filer med de alvorligste funnene først",
                "Files with the most serious findings first"
            )
        );
        if files.is_empty() {
            let _ = writeln!(
                h,
                "<p>{}</p>\n</section>",
                self.t("Ingen funn.", "No findings.")
            );
            return;
        }
        let _ = write!(
            h,
            "<table id=\"file-table\"><thead><tr><th>{}</th>",
            self.t("Fil", "File")
        );
        for sev in Severity::ALL {
            let _ = write!(h, "<th class=\"num\">{}</th>", self.sev(sev));
        }
        let _ = writeln!(
            h,
            "<th class=\"num\">{}</th></tr></thead><tbody>",
            self.t("I alt", "Total")
        );
        for (i, (path, (counts, _))) in files.iter().take(OVERVIEW_FILES).enumerate() {
            let link = if self.ctx.summary_only {
                esc(path)
            } else {
                format!("<a href=\"#file-{i}\">{}</a>", esc(path))
            };
            let _ = write!(h, "<tr><td class=\"path\">{link}</td>");
            for sev in Severity::ALL {
                let n = counts.get(sev);
                let class = if n > 0 {
                    format!("num sev-text-{}", sev.as_str())
                } else {
                    "num zero".into()
                };
                let _ = write!(h, "<td class=\"{class}\">{n}</td>");
            }
            let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", counts.total());
        }
        h.push_str("</tbody></table>\n");
        if files.len() > OVERVIEW_FILES {
            let _ = writeln!(
                h,
                "<p>{}</p>",
                match self.ctx.lang {
                    Lang::Nb => format!(
                        "… og {} filer til (alle står under).",
                        files.len() - OVERVIEW_FILES
                    ),
                    Lang::En => format!(
                        "… and {} more file(s) (all are listed below).",
                        files.len() - OVERVIEW_FILES
                    ),
                }
            );
        }
        h.push_str("</section>\n");
        if self.ctx.summary_only {
            return;
        }

        let _ = writeln!(
            h,
            "<section id=\"findings\"><h2>{}</h2>",
            self.t("Alle funn", "All findings")
        );
        let open_all = findings.len() <= OPEN_ALL_UP_TO;
        let value_head = if self.ctx.reveal {
            self.t("Verdi (umaskert)", "Value (unmasked)")
        } else {
            self.t("Verdi (maskert)", "Value (masked)")
        };
        for (i, (path, (counts, list))) in files.iter().enumerate() {
            let open = if open_all || i < OPEN_FIRST {
                " open"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<details id=\"file-{i}\"{open}><summary><span class=\"path\">{}</span> \
                 <span class=\"count\">{} {}</span></summary>\n<table class=\"findings\"><thead><tr>\
                 <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                esc(path),
                counts.total(),
                self.t("funn", "finding(s)"),
                self.t("Sted", "Place"),
                self.t("Alvorlighet", "Severity"),
                self.t("Type", "Kind"),
                value_head,
                self.t("Sikkerhet", "Confidence"),
                self.t("Merknad", "Note"),
            );
            for f in list {
                let rule = self.ctx.rules.get(&f.rule);
                let title = rule.map_or(f.rule.as_str(), |r| r.title.get(self.ctx.lang));
                let value = if self.ctx.reveal { &f.value } else { &f.masked };
                let mut note = f
                    .note
                    .as_ref()
                    .map(|n| n.get(self.ctx.lang).to_string())
                    .unwrap_or_default();
                if let Some(field) = &f.location.field {
                    let col = format!("{}: {field}", self.t("kolonne", "column"));
                    note = if note.is_empty() {
                        col
                    } else {
                        format!("{col}; {note}")
                    };
                }
                let confidence = match self.ctx.lang {
                    Lang::Nb => f.confidence.norwegian(),
                    Lang::En => f.confidence.as_str(),
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td><span class=\"badge sev-{}\">{}</span></td><td>{}</td>\
                     <td class=\"value\">{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&self.place(&f.location, f.inner.as_deref())),
                    f.severity.as_str(),
                    self.sev(f.severity),
                    esc(title),
                    esc(value),
                    confidence,
                    esc(&note),
                );
            }
            h.push_str("</tbody></table></details>\n");
        }
        h.push_str("</section>\n");
    }

    fn not_examined(&self, h: &mut String, list: &[&NotExamined]) {
        let _ = writeln!(
            h,
            "<section id=\"not-examined\"><h2>{}</h2>",
            self.t("Ikke undersøkt", "Not examined")
        );
        if list.is_empty() {
            let _ = writeln!(
                h,
                "<p>{}</p>\n</section>",
                self.t("Alle filer ble undersøkt.", "Every file was examined.")
            );
            return;
        }
        let _ = writeln!(
            h,
            "<p>{}</p>\n<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            self.t(
                "Disse filene eller delene kunne ikke leses. De kan inneholde personopplysninger \
                 og må sjekkes på annen måte.",
                "These files or parts could not be read. They may hold personal data and must be \
                 checked another way."
            ),
            self.t("Fil", "File"),
            self.t("Del", "Part"),
            self.t("Årsak", "Reason"),
        );
        for n in list {
            let _ = writeln!(
                h,
                "<tr><td class=\"path\">{}</td><td class=\"path\">{}</td><td>{}</td></tr>",
                esc(&n.path),
                esc(n.inner.as_deref().unwrap_or("")),
                esc(&n.reason)
            );
        }
        h.push_str("</tbody></table>\n</section>\n");
    }

    fn parameters(&self, h: &mut String) {
        let run = &self.ctx.run;
        let none = self.t("ingen", "none");
        let yes_no = |b: bool| {
            if b {
                self.t("ja", "yes")
            } else {
                self.t("nei", "no")
            }
        };
        let mut rows: Vec<(&str, String)> = vec![
            (self.t("Dato", "Date"), run.started.clone()),
            (
                self.t("Program", "Program"),
                format!("sladd {}", env!("CARGO_PKG_VERSION")),
            ),
            (self.t("Skannet", "Scanned"), self.scanned_paths()),
            (
                self.t("Konfigurasjon", "Configuration"),
                run.config.clone().unwrap_or_else(|| none.to_string()),
            ),
            (
                self.t("Baseline", "Baseline"),
                run.baseline.clone().unwrap_or_else(|| none.to_string()),
            ),
            (
                self.t("Feiler ved (--fail-on)", "Fails at (--fail-on)"),
                format!(
                    "{} {}",
                    self.sev(self.ctx.fail_on),
                    self.t("eller høyere", "or above")
                ),
            ),
            (
                self.t("Regler i bruk", "Rules in use"),
                self.ctx
                    .rules
                    .rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ];
        if !run.disabled_rules.is_empty() {
            rows.push((
                self.t("Slått av", "Disabled"),
                run.disabled_rules.join(", "),
            ));
        }
        if !run.severity_overrides.is_empty() {
            let list: Vec<String> = run
                .severity_overrides
                .iter()
                .map(|(id, s)| format!("{id} → {}", self.sev(*s)))
                .collect();
            rows.push((
                self.t("Endret alvorlighet", "Severity overrides"),
                list.join(", "),
            ));
        }
        rows.push((
            self.t("Tillatelsesliste", "Allowlist"),
            match self.ctx.lang {
                Lang::Nb => format!("{} hasher", run.allowlist_entries),
                Lang::En => format!("{} hash(es)", run.allowlist_entries),
            },
        ));
        if !run.globs.is_empty() {
            rows.push((self.t("Filtre", "Filters"), run.globs.join(" ")));
        }
        if let Some(m) = run.max_filesize {
            rows.push((
                self.t("Største filstørrelse", "Largest file size"),
                format!("{m} B"),
            ));
        }
        rows.push((
            self.t("Følger .gitignore", "Honours .gitignore"),
            yes_no(run.respect_gitignore).to_string(),
        ));
        rows.push((
            self.t("Streng (--strict)", "Strict (--strict)"),
            yes_no(run.strict).to_string(),
        ));
        rows.push((
            self.t("Verdier", "Values"),
            if self.ctx.reveal {
                self.t("vist umaskert (--reveal)", "shown unmasked (--reveal)")
            } else {
                self.t("maskert", "masked")
            }
            .to_string(),
        ));
        let _ = writeln!(
            h,
            "<section id=\"parameters\"><h2>{}</h2>\n<dl>",
            self.t("Om skanningen", "About the scan")
        );
        for (k, v) in rows {
            let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
        }
        h.push_str("</dl>\n</section>\n");
    }
}

impl Reporter for Html {
    fn file(&mut self, result: &FileResult) -> io::Result<()> {
        super::keep(&mut self.results, result);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let page = self.render(summary);
        self.out.write_all(page.as_bytes())?;
        self.out.flush()
    }
}

const STYLE: &str = "
:root{--critical:#7f1d1d;--high:#c62828;--medium:#b45309;--low:#0e7490;--info:#6b7280}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1f2933;line-height:1.4}
h1{margin:0 0 .25rem;font-size:1.7rem}h2{margin-top:2rem;border-bottom:2px solid #e4e7eb;padding-bottom:.25rem}h3{font-size:1rem;margin:.5rem 0}
.meta{color:#52606d;margin:0}
.warning{background:#fde8e8;border:2px solid var(--high);padding:.75rem;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border-radius:8px;padding:.75rem 1rem;min-width:7.5rem;color:#fff;background:#334e68}
.card .n{display:block;font-size:1.9rem;font-weight:700}.card .l{font-size:.9rem}
.card.sev-critical{background:var(--critical)}.card.sev-high{background:var(--high)}.card.sev-medium{background:var(--medium)}.card.sev-low{background:var(--low)}.card.sev-info{background:var(--info)}
.verdict{padding:.5rem .75rem;border-radius:6px;font-weight:600}.verdict.bad{background:#fde8e8;color:#7f1d1d}.verdict.ok{background:#e3f9e5;color:#14532d}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.92rem}table.small{width:auto;min-width:20rem}
th,td{border-bottom:1px solid #e4e7eb;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f5f7fa}
.num{text-align:right;font-variant-numeric:tabular-nums}.zero{color:#9aa5b1}
.path{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88rem}
.value{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;color:#fff;font-size:.8rem}
.badge.sev-critical{background:var(--critical)}.badge.sev-high{background:var(--high)}.badge.sev-medium{background:var(--medium)}.badge.sev-low{background:var(--low)}.badge.sev-info{background:var(--info)}
.sev-text-critical,.sev-text-high{color:var(--high);font-weight:700}.sev-text-medium{color:var(--medium);font-weight:600}
svg.bars text{font-size:13px;fill:#1f2933;font-family:system-ui,Arial,sans-serif}
svg .sev-critical{fill:var(--critical)}svg .sev-high{fill:var(--high)}svg .sev-medium{fill:var(--medium)}svg .sev-low{fill:var(--low)}svg .sev-info{fill:var(--info)}
.legend .key{display:inline-block;width:.8rem;height:.8rem;margin:0 .25rem 0 .75rem;vertical-align:middle;border-radius:2px}
.legend .key.sev-critical{background:var(--critical)}.legend .key.sev-high{background:var(--high)}.legend .key.sev-medium{background:var(--medium)}.legend .key.sev-low{background:var(--low)}.legend .key.sev-info{background:var(--info)}
.chart{overflow-x:auto}
details{border:1px solid #e4e7eb;border-radius:6px;margin:.5rem 0;padding:.25rem .75rem}summary{cursor:pointer;padding:.25rem 0}summary .count{color:#52606d}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-word}
@media print{body{max-width:none;padding:0}details{break-inside:avoid}a{color:inherit;text-decoration:none}}
";

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::testing::{ctx, render};
    use crate::model::Lang;

    #[test]
    fn escapes_file_names_and_stays_offline() {
        let page = render(Format::Html, ctx(false));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("brev/a &lt;b&gt;.txt"));
        assert!(!page.contains("a <b>"), "raw file name leaked into markup");
        assert!(!page.contains("<script"), "no scripts");
        assert!(!page.contains("<link"), "no external style sheets");
        // The only URL is the SVG namespace (an identifier, never fetched).
        let urls = page.matches("http://").count() + page.matches("https://").count();
        let ns = page.matches("http://www.w3.org/2000/svg").count();
        assert_eq!(urls, ns, "no URLs but the SVG namespace");
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn totals_order_and_masking() {
        let page = render(Format::Html, ctx(false));
        assert!(page.contains("id=\"total-findings\">3<"));
        assert!(page.contains("id=\"total-high\">2<"));
        assert!(page.contains("id=\"total-low\">1<"));
        assert!(page.contains("id=\"total-critical\">0<"));
        assert!(page.contains("****** ***00"));
        assert!(!page.contains("14700"), "values are masked");
        assert!(page.contains("media/bilde.emf"), "not examined is listed");
        assert!(page.contains("lang=\"nb\"") && page.contains("Ikke undersøkt"));
        // Both files have one high finding; brev/ also has a low one, so it comes first.
        let brev = page.find("id=\"file-0\"").unwrap();
        assert!(page[brev..].starts_with("id=\"file-0\" open><summary><span class=\"path\">brev/"));
        assert!(page.contains("1970-01-01 00:00 UTC"));
    }

    #[test]
    fn english_and_reveal() {
        let mut c = ctx(true);
        c.lang = Lang::En;
        let page = render(Format::Html, c);
        assert!(page.contains("lang=\"en\""));
        assert!(page.contains("Not examined"));
        assert!(page.contains("id=\"revealed\""));
        assert!(page.contains("200369 14700"));
    }

    #[test]
    fn summary_only_lists_no_values() {
        let mut c = ctx(false);
        c.summary_only = true;
        let page = render(Format::Html, c);
        assert!(page.contains("id=\"total-findings\">3<"));
        assert!(!page.contains("***00"));
        assert!(!page.contains("id=\"findings\""));
    }

    #[test]
    fn top_level_folders() {
        let mut c = ctx(false);
        c.run.paths = vec!["./docs".into()];
        let html = super::Html::new(Box::new(std::io::sink()), c);
        assert_eq!(html.top_folder("docs/brev/a.txt"), "brev/");
        assert_eq!(html.top_folder("./docs/a.txt"), "(øverste nivå)");
        assert_eq!(html.top_folder("other/x/y.txt"), "other/");
    }
}
