//! Walking: which files to scan, found in parallel with the `ignore` crate (ripgrep's walker).
//!
//! A leak scanner must not skip what a code search would, so the defaults differ from
//! ripgrep's: hidden files are scanned and `.gitignore` is not honoured (`--respect-gitignore`
//! opts in); only version-control folders (`.git`, ...) are skipped. A `.sladdignore` file
//! (gitignore syntax) is always honoured. Symbolic links are not followed unless asked, so a
//! scan never leaves the tree it was given; special files (FIFOs, devices, sockets) are never
//! opened, because reading a FIFO blocks forever.
//!
//! Files named explicitly (arguments, `--files-from`) are always scanned, as in ripgrep: the
//! user asked for them. With `force_exclude` (`--force-exclude`, for pre-commit, which names
//! every staged file) they are filtered as the walk would have filtered them.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::{Override, OverrideBuilder};
use ignore::{Match, WalkBuilder, WalkState};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The ignore file sladd always honours.
pub const IGNORE_FILE: &str = ".sladdignore";

/// Version-control folders: their content is history, not files being published.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"];

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub paths: Vec<PathBuf>,
    pub respect_gitignore: bool,
    /// ripgrep-style globs: `*.txt` includes, `!*.log` excludes.
    pub globs: Vec<String>,
    /// Files larger than this are reported as not examined.
    pub max_filesize: Option<u64>,
    pub threads: usize,
    pub follow_links: bool,
    /// Apply `.sladdignore`, globs (and `.gitignore` with `respect_gitignore`) to files named
    /// explicitly too.
    pub force_exclude: bool,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            paths: vec![PathBuf::from(".")],
            respect_gitignore: false,
            globs: Vec::new(),
            max_filesize: None,
            threads: 0,
            follow_links: false,
            force_exclude: false,
        }
    }
}

/// What the walker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file to scan. `follow`: it may be opened through a symbolic link (it was
    /// named explicitly, or `--follow`); otherwise a link swapped in since the walk is refused.
    File { path: PathBuf, follow: bool },
    /// A path that will not be examined, and why.
    NotExamined { path: PathBuf, reason: String },
    /// A symbolic link that was not followed: counted, not reported.
    Symlink { path: PathBuf },
}

/// Number of worker threads for `threads` (0 = automatic, as ripgrep: cores, at most 12).
pub fn thread_count(threads: usize) -> usize {
    if threads > 0 {
        return threads;
    }
    // Asked once: each call reads the cgroup's CPU quota from /proc and /sys.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(12)
    })
}

/// Walks the tree in parallel. `make_visitor` is called once per walker thread; the visitor
/// it returns is called for every entry on that thread, and stops the whole walk by returning
/// `Break`.
pub fn walk<'s, F>(opts: &WalkOptions, make_visitor: F) -> Result<(), ignore::Error>
where
    F: Fn() -> Box<dyn FnMut(Entry) -> ControlFlow<()> + Send + 's> + Sync,
{
    let mut paths = opts.paths.iter();
    let first = paths.next().cloned().unwrap_or_else(|| PathBuf::from("."));
    let mut b = WalkBuilder::new(&first);
    for p in paths {
        b.add(p);
    }
    b.standard_filters(false)
        .hidden(false)
        .parents(true)
        .git_ignore(opts.respect_gitignore)
        .git_exclude(opts.respect_gitignore)
        .git_global(opts.respect_gitignore)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(thread_count(opts.threads))
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| VCS_DIRS.contains(&n)))
        });
    if !opts.globs.is_empty() {
        let mut ob = OverrideBuilder::new(&first);
        for g in &opts.globs {
            ob.add(g)?;
        }
        b.overrides(ob.build()?);
    }
    let max = opts.max_filesize;
    let follow_links = opts.follow_links;
    let explicit = match opts.force_exclude {
        true => Some(ExplicitFilter::new(&opts.globs, opts.respect_gitignore)?),
        false => None,
    };
    let explicit = explicit.as_ref();
    b.build_parallel().run(|| {
        let mut visit = make_visitor();
        Box::new(move |result| {
            let flow = match result {
                Ok(entry) => {
                    if entry.depth() == 0
                        && explicit.is_some_and(|f| f.excluded(entry.path()))
                        && !entry.file_type().is_some_and(|t| t.is_dir())
                    {
                        return WalkState::Continue;
                    }
                    match classify(&entry, max, follow_links) {
                        Some(e) => visit(e),
                        None => ControlFlow::Continue(()),
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or_default();
                    visit(Entry::NotExamined {
                        path,
                        reason: error_reason(&err),
                    })
                }
            };
            match flow {
                ControlFlow::Continue(()) => WalkState::Continue,
                ControlFlow::Break(()) => WalkState::Quit,
            }
        })
    });
    Ok(())
}

/// Decides whether a file named explicitly would have been skipped by the walk: a
/// version-control folder, a `.sladdignore` (or, with `respect_gitignore`, `.gitignore`) in its
/// folder or any parent, or an exclude glob matching it or a parent folder. Globs are matched
/// relative to the current folder (pre-commit runs at the repository root).
struct ExplicitFilter {
    overrides: Override,
    cwd: PathBuf,
    respect_gitignore: bool,
    /// Ignore matchers per folder, most specific file first.
    cache: Mutex<HashMap<PathBuf, Vec<Gitignore>>>,
}

impl ExplicitFilter {
    fn new(globs: &[String], respect_gitignore: bool) -> Result<ExplicitFilter, ignore::Error> {
        let cwd = std::path::absolute(".").map_err(ignore::Error::Io)?;
        let mut ob = OverrideBuilder::new(&cwd);
        for g in globs {
            ob.add(g)?;
        }
        Ok(ExplicitFilter {
            overrides: ob.build()?,
            cwd,
            respect_gitignore,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn excluded(&self, path: &Path) -> bool {
        let Ok(abs) = std::path::absolute(path) else {
            return false;
        };
        if abs.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|n| VCS_DIRS.contains(&n))
        }) {
            return true;
        }
        if self.overrides.matched(&abs, false).is_ignore() {
            return true;
        }
        for dir in abs.ancestors().skip(1) {
            if !dir.starts_with(&self.cwd) || dir == self.cwd {
                break;
            }
            if self.overrides.matched(dir, true).is_ignore() {
                return true;
            }
        }
        for dir in abs.ancestors().skip(1) {
            for gi in self.matchers(dir) {
                match gi.matched_path_or_any_parents(&abs, false) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }

    fn matchers(&self, dir: &Path) -> Vec<Gitignore> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let mut names = vec![IGNORE_FILE];
                if self.respect_gitignore {
                    names.push(".gitignore");
                }
                names
                    .into_iter()
                    .map(|n| dir.join(n))
                    .filter(|p| p.is_file())
                    .filter_map(|p| {
                        let mut b = GitignoreBuilder::new(dir);
                        b.add(&p);
                        b.build().ok()
                    })
                    .collect()
            })
            .clone()
    }
}

fn classify(entry: &ignore::DirEntry, max: Option<u64>, follow_links: bool) -> Option<Entry> {
    let path = entry.path().to_path_buf();
    let ft = entry.file_type()?;
    if ft.is_dir() {
        return None;
    }
    // A regular file found in a folder needs no `stat` here: the directory entry gave its
    // type, and a `stat` now could not vouch for the file at open time anyway. The scan
    // checks it on the open file (`extract::open_regular`) and reports a file gone since the
    // listing the same way. Only a size limit needs the size.
    if max.is_none() && ft.is_file() && entry.depth() > 0 {
        return Some(Entry::File {
            path,
            follow: follow_links,
        });
    }
    // A symlink named on the command line is followed: the user asked for it.
    let meta = if ft.is_symlink() {
        if entry.depth() > 0 {
            return Some(Entry::Symlink { path });
        }
        std::fs::metadata(&path)
    } else {
        // Keep the OS error's kind: a file deleted since it was listed is "vanished".
        entry.metadata().map_err(|e| match e.io_error() {
            Some(io) => std::io::Error::new(io.kind(), io.to_string()),
            None => std::io::Error::other(e.to_string()),
        })
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) => {
            return Some(Entry::NotExamined {
                path,
                reason: io_reason(&e),
            });
        }
    };
    if meta.is_dir() {
        return None;
    }
    if !meta.is_file() {
        return Some(Entry::NotExamined {
            path,
            reason: special_file_reason(&meta),
        });
    }
    if let Some(max) = max
        && meta.len() > max
    {
        return Some(Entry::NotExamined {
            path,
            reason: format!("larger than --max-filesize ({} bytes > {max})", meta.len()),
        });
    }
    Some(Entry::File {
        path,
        follow: follow_links || entry.depth() == 0,
    })
}

pub fn special_file_reason(meta: &std::fs::Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        let kind = if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_block_device() || t.is_char_device() {
            "a device file"
        } else {
            "not a regular file"
        };
        format!("not opened: {kind}")
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        "not opened: not a regular file".to_string()
    }
}

/// An OS error as a reason, without the path (which the report already shows).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "file vanished or does not exist".to_string(),
        _ => {
            let s = e.to_string();
            // Strip " (os error N)" for readability; keep the message.
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_reason(err),
        ignore::Error::Io(e) => io_reason(e),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop (back to {})", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// The paths that do not exist, checked before a scan so a typo fails loudly instead of
/// scanning nothing and passing.
pub fn missing_paths(paths: &[PathBuf]) -> Vec<&Path> {
    paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .map(|p| p.as_path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn collect(opts: &WalkOptions) -> Vec<String> {
        let out = Mutex::new(Vec::new());
        walk(opts, || {
            let out = &out;
            Box::new(move |e| {
                let s = match e {
                    Entry::File { path, .. } => format!("F {}", path.display()),
                    Entry::NotExamined { path, reason } => format!("N {} {reason}", path.display()),
                    Entry::Symlink { path } => format!("L {}", path.display()),
                };
                out.lock().unwrap().push(s);
                ControlFlow::Continue(())
            })
        })
        .unwrap();
        let mut v = out.into_inner().unwrap();
        v.sort();
        v
    }

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join(".git")).unwrap();
        std::fs::create_dir_all(p.join("sub")).unwrap();
        std::fs::write(p.join(".git/config"), "x").unwrap();
        std::fs::write(p.join(".hidden.txt"), "x").unwrap();
        std::fs::write(p.join(".gitignore"), "ignored.txt\n").unwrap();
        std::fs::write(p.join("ignored.txt"), "x").unwrap();
        std::fs::write(p.join(".sladdignore"), "skip-me.txt\n").unwrap();
        std::fs::write(p.join("skip-me.txt"), "x").unwrap();
        std::fs::write(p.join("sub/big.csv"), "x".repeat(100)).unwrap();
        d
    }

    fn names(v: &[String], root: &Path) -> Vec<String> {
        let r = format!("{}/", root.display());
        v.iter().map(|s| s.replace(&r, "")).collect()
    }

    #[test]
    fn defaults_scan_hidden_and_gitignored_but_not_vcs_or_sladdignore() {
        let d = tree();
        let opts = WalkOptions {
            paths: vec![d.path().to_path_buf()],
            ..Default::default()
        };
        let got = names(&collect(&opts), d.path());
        assert_eq!(
            got,
            [
                "F .gitignore",
                "F .hidden.txt",
                "F .sladdignore",
                "F ignored.txt",
                "F sub/big.csv"
            ]
        );
    }

    #[test]
    fn respect_gitignore_globs_and_size() {
        let d = tree();
        let opts = WalkOptions {
            paths: vec![d.path().to_path_buf()],
            respect_gitignore: true,
            globs: vec!["!*.txt".into()],
            max_filesize: Some(20),
            ..Default::default()
        };
        let got = names(&collect(&opts), d.path());
        assert_eq!(
            got,
            [
                "F .gitignore",
                "F .sladdignore",
                "N sub/big.csv larger than --max-filesize (100 bytes > 20)"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn special_files_and_symlinks_are_not_opened() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let fifo = p.join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        std::os::unix::fs::symlink("/etc/hostname", p.join("link")).unwrap();
        std::os::unix::fs::symlink(p, p.join("loop")).unwrap();
        let got = names(
            &collect(&WalkOptions {
                paths: vec![p.to_path_buf()],
                ..Default::default()
            }),
            p,
        );
        let mut want = vec!["L link".to_string(), "L loop".to_string()];
        if ok {
            want.push("N pipe not opened: a FIFO (named pipe)".to_string());
        }
        assert_eq!(got, want);
        // Following links, the loop is found and reported, not walked forever.
        let opts = WalkOptions {
            paths: vec![p.to_path_buf()],
            follow_links: true,
            ..Default::default()
        };
        let got = collect(&opts);
        assert!(
            got.iter().any(|s| s.contains("symbolic link loop")),
            "{got:?}"
        );
    }

    #[test]
    fn thread_count_auto() {
        assert!(thread_count(0) >= 1);
        assert_eq!(thread_count(3), 3);
    }
}
