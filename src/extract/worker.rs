//! Risky parsers run in a subprocess, so a crash, hang or runaway allocation costs one file.
//!
//! PDF and OLE parsers panic on a few percent of damaged files, and some overflow the stack,
//! loop or try to allocate 100+ GB (see `../shared/reference-crates-and-speed.md`): nothing
//! in-process can catch those. The parent re-executes the sladd binary as the hidden command
//! `sladd __extract-worker REQUEST`, writes the document to its standard input and reads
//! records back as JSON lines from its standard output. The child limits its own address
//! space (RLIMIT_AS) before reading anything; the parent kills it after
//! [`Limits::worker_timeout`]. Inside the child, `catch_unwind` turns ordinary panics into a
//! reason, so only true crashes show up as a signal.
//!
//! Records stream out as they are made, so what a parser produced before crashing is kept.
//! When [`Limits::worker`] is `None` (unit tests of the library, which have no sladd binary
//! at hand) the job runs in-process behind `catch_unwind` only.

use super::{Buffers, Ctx, Limits, Problem, Sink, mib};
use crate::detect::Segment;
use crate::detect::context::WindowMode;
use crate::model::{Location, Text};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};

/// What a worker is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Job {
    Pdf,
    Ole,
}

impl Job {
    fn parser(self) -> &'static str {
        match self {
            Job::Pdf => "PDF",
            Job::Ole => "OLE (legacy Office/Outlook)",
        }
    }
}

/// The request on the worker's command line.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub job: Job,
    pub depth: usize,
    pub budget: u64,
    pub limits: Limits,
}

/// One line of worker output: what a [`Sink`] call carries, owned.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Msg {
    Record {
        inner: Option<String>,
        segs: Vec<Seg>,
        places: Vec<Location>,
    },
    NotExamined {
        inner: Option<String>,
        reason: String,
    },
    Binary {
        inner: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Seg {
    text: String,
    line: bool,
    label: Option<String>,
    note: Option<Text>,
}

/// Runs `job` on `data` isolated as far as the configuration allows.
pub fn isolated(job: Job, data: &[u8], ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<(), Problem> {
    match &ctx.limits.worker {
        Some(exe) => subprocess(exe, job, data, ctx, sink),
        None => in_process(job, data, ctx, sink),
    }
}

fn in_process(job: Job, data: &[u8], ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<(), Problem> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_job(job, data, ctx, sink)
    }))
    .unwrap_or_else(|_| {
        Err(Problem::reason(format!(
            "the {} parser failed on this file (internal parser error)",
            job.parser()
        )))
    })
}

fn run_job(job: Job, data: &[u8], ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<(), Problem> {
    match job {
        Job::Pdf => super::pdf::extract(data, sink),
        Job::Ole => super::ole::extract(data, ctx, &mut Buffers::default(), sink),
    }
}

fn subprocess(
    exe: &std::path::Path,
    job: Job,
    data: &[u8],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    ctx.check_time()?;
    let request = Request {
        job,
        depth: ctx.depth,
        budget: ctx.budget.get(),
        limits: ctx.limits.clone(),
    };
    let request = serde_json::to_string(&request).map_err(std::io::Error::other)?;
    let mut child = Command::new(exe)
        .arg("__extract-worker")
        .arg(request)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Problem::reason(format!("could not start the parser worker: {e}")))?;
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    // The worker's output is bounded like a decompressed member.
    let cap = ctx.limits.max_member_bytes.saturating_mul(2);
    let timeout = match ctx.deadline {
        Some(d) => d.remaining().min(ctx.limits.worker_timeout),
        None => ctx.limits.worker_timeout,
    };
    let (output, timed_out) = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(w) = stdin.as_mut() {
                // A worker that dies early closes the pipe: the error is the exit status's.
                let _ = w.write_all(data);
            }
            drop(stdin);
        });
        let (tx, rx) = crossbeam_channel::bounded(1);
        s.spawn(move || {
            let mut out = Vec::new();
            if let Some(r) = stdout {
                let _ = r.take(cap).read_to_end(&mut out);
            }
            let _ = tx.send(out);
        });
        match rx.recv_timeout(timeout) {
            Ok(out) => (out, false),
            Err(_) => {
                let _ = child.kill();
                (rx.recv().unwrap_or_default(), true)
            }
        }
    });
    let status = child.wait()?;
    // Complete lines are kept even when the worker died after writing them.
    for line in output.lines() {
        let Ok(line) = line else { break };
        let Ok(msg) = serde_json::from_str::<Msg>(&line) else {
            break;
        };
        replay(msg, sink);
    }
    if timed_out {
        // The file's time budget, when that is what ran out.
        ctx.check_time()?;
        return Err(super::limit(
            "worker-timeout",
            format!(
                "the {} parser took longer than {} s",
                job.parser(),
                timeout.as_secs()
            ),
        ));
    }
    if output.len() as u64 >= cap {
        return Err(super::limit(
            "max-member-bytes",
            format!(
                "the {} parser produced more than {}",
                job.parser(),
                mib(cap)
            ),
        ));
    }
    if !status.success() {
        return Err(Problem::reason(crash_reason(job, &status, ctx.limits)));
    }
    Ok(())
}

fn crash_reason(job: Job, status: &std::process::ExitStatus, limits: &Limits) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return match sig {
                6 => format!(
                    "the {} parser aborted (out of its {} memory limit, or a crash)",
                    job.parser(),
                    mib(limits.worker_memory)
                ),
                11 | 7 => format!(
                    "the {} parser crashed (stack overflow or memory fault)",
                    job.parser()
                ),
                s => format!("the {} parser was killed by signal {s}", job.parser()),
            };
        }
    }
    let _ = limits;
    format!(
        "the {} parser failed (worker exit status {})",
        job.parser(),
        status.code().unwrap_or(-1)
    )
}

fn replay(msg: Msg, sink: &mut dyn Sink) {
    match msg {
        Msg::Record {
            inner,
            segs,
            places,
        } => {
            if segs.len() != places.len() {
                return;
            }
            let view: Vec<Segment<'_>> = segs
                .iter()
                .map(|s| {
                    let window = if s.line {
                        WindowMode::Line
                    } else {
                        WindowMode::Paragraph
                    };
                    Segment::new(s.text.as_bytes())
                        .with_window(window)
                        .with_label(s.label.as_deref())
                        .with_note(s.note.as_ref())
                })
                .collect();
            sink.record(inner.as_deref(), &view, &places);
        }
        Msg::NotExamined { inner, reason } => sink.not_examined(inner.as_deref(), &reason),
        Msg::Binary { inner } => sink.binary(inner.as_deref()),
    }
}

/// Writes every sink call as a JSON line.
struct JsonSink<W: Write> {
    out: W,
}

impl<W: Write> JsonSink<W> {
    fn send(&mut self, msg: &Msg) {
        // The parent reads until the pipe closes; a failed write means it is gone.
        if serde_json::to_writer(&mut self.out, msg).is_err() || self.out.write_all(b"\n").is_err()
        {
            std::process::exit(0);
        }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn record(&mut self, inner: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
        let segs = segs
            .iter()
            .map(|s| Seg {
                text: String::from_utf8_lossy(s.text).into_owned(),
                line: s.window == WindowMode::Line,
                label: s.label.map(str::to_string),
                note: s.note.cloned(),
            })
            .collect();
        self.send(&Msg::Record {
            inner: inner.map(str::to_string),
            segs,
            places: places.to_vec(),
        });
    }
    fn not_examined(&mut self, inner: Option<&str>, reason: &str) {
        self.send(&Msg::NotExamined {
            inner: inner.map(str::to_string),
            reason: reason.to_string(),
        });
    }
    fn binary(&mut self, inner: Option<&str>) {
        self.send(&Msg::Binary {
            inner: inner.map(str::to_string),
        });
    }
}

/// The worker side: `sladd __extract-worker REQUEST`. Limits its own memory, reads the
/// document from standard input and writes records to standard output.
pub fn worker_main(request: &str) -> anyhow::Result<()> {
    let req: Request = serde_json::from_str(request)?;
    #[cfg(unix)]
    {
        // Best effort: a platform that refuses still has the parent's timeout.
        let m = req.limits.worker_memory;
        let _ = rlimit::setrlimit(rlimit::Resource::AS, m, m);
    }
    // Panic messages may quote parser state; the parent reports a reason of its own.
    std::panic::set_hook(Box::new(|_| {}));
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .take(req.limits.max_member_bytes + 1)
        .read_to_end(&mut data)?;
    let budget = Cell::new(req.budget);
    let mut limits = req.limits;
    limits.worker = None;
    let ctx = Ctx {
        limits: &limits,
        depth: req.depth,
        budget: &budget,
        // The parent enforces the file's time budget by killing the worker.
        deadline: None,
    };
    let mut sink = JsonSink {
        out: std::io::BufWriter::new(std::io::stdout().lock()),
    };
    if let Err(p) = in_process(req.job, &data, &ctx, &mut sink) {
        sink.not_examined(None, &p.describe());
    }
    sink.out.flush()?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    #[derive(Default)]
    struct Collect {
        texts: Vec<(String, Option<u32>)>,
    }

    impl Sink for Collect {
        fn record(&mut self, _: Option<&str>, segs: &[Segment<'_>], places: &[Location]) {
            let t = String::from_utf8_lossy(segs[0].text).into_owned();
            self.texts.push((t, places[0].page));
        }
        fn not_examined(&mut self, _: Option<&str>, _: &str) {}
        fn binary(&mut self, _: Option<&str>) {}
    }

    /// A stand-in worker: a shell script, so crashes and hangs are real processes.
    fn run_fake(script: &str, timeout: Duration) -> (Collect, Result<(), Problem>) {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("worker");
        std::fs::write(&exe, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let limits = Limits {
            worker: Some(exe),
            worker_timeout: timeout,
            ..Limits::default()
        };
        let budget = Cell::new(limits.max_total_bytes);
        let ctx = Ctx {
            limits: &limits,
            depth: 0,
            budget: &budget,
            deadline: None,
        };
        let mut sink = Collect::default();
        let r = isolated(Job::Pdf, b"%PDF-1.4 whatever", &ctx, &mut sink);
        (sink, r)
    }

    #[test]
    fn a_crash_is_a_reason_and_output_before_it_is_kept() {
        let line = r#"{"record":{"inner":null,"segs":[{"text":"side 1","line":false,"label":null,"note":null}],"places":[{"line":1,"column":1,"page":1}]}}"#;
        let (sink, r) = run_fake(
            &format!("cat >/dev/null; echo '{line}'; kill -SEGV $$"),
            Duration::from_secs(20),
        );
        assert_eq!(sink.texts, [("side 1".to_string(), Some(1))]);
        let reason = r.unwrap_err().describe();
        assert!(reason.contains("crashed"), "{reason}");
    }

    #[test]
    fn a_hang_is_killed_at_the_timeout() {
        let started = Instant::now();
        let (_, r) = run_fake("exec sleep 30", Duration::from_millis(300));
        let reason = r.unwrap_err().describe();
        assert!(reason.contains("worker-timeout"), "{reason}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn an_abort_names_the_memory_limit() {
        let (_, r) = run_fake("cat >/dev/null; kill -ABRT $$", Duration::from_secs(20));
        let reason = r.unwrap_err().describe();
        assert!(reason.contains("memory limit"), "{reason}");
    }
}
