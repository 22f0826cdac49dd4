//! Panics cost one file, never the scan, and never leak what the file holds.
//!
//! Every file is scanned inside [`catch`]; a panic in an extractor or rule becomes a
//! not-examined reason starting with "internal error", with the source location of the panic
//! (never its message: a parser's panic message can quote the bytes it choked on). The
//! default panic hook prints the message to standard error, so the CLI replaces it
//! ([`install_hook`]): inside a guard the hook only notes where the panic happened; outside one
//! (a bug in sladd's own driver) it prints a generic line with the location.

use std::cell::{Cell, RefCell};

/// The start of every reason for a panic caught while scanning a file.
pub const INTERNAL_ERROR: &str = "internal error";

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static WHERE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic hook for the whole process: no panic message is ever printed.
#[allow(clippy::print_stderr)]
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", short_path(l.file()), l.line()))
            .unwrap_or_else(|| "an unknown place".to_string());
        if GUARDED.get() {
            WHERE.set(Some(at));
        } else {
            eprintln!("sladd: internal error (a bug in sladd) at {at}; please report it");
        }
    }));
}

/// Runs `f`; a panic inside becomes `Err(reason)`, the reason naming where it happened.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.replace(true);
    WHERE.set(None);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.set(outer);
    outcome.map_err(|_| {
        let at = WHERE.take();
        let mut reason =
            format!("{INTERNAL_ERROR} while scanning this file (a bug in sladd; please report it");
        if let Some(at) = at {
            reason.push_str(&format!(": panic at {at}"));
        }
        reason.push(')');
        reason
    })
}

/// A source path without the build machine's folders: `src/extract/xlsx.rs`,
/// `quick-xml-0.42.0/src/reader.rs`, `core/src/str/mod.rs`.
fn short_path(file: &str) -> &str {
    if let Some(i) = file.find("/registry/src/") {
        let rest = &file[i + "/registry/src/".len()..];
        return rest.split_once('/').map_or(rest, |(_, r)| r);
    }
    if let Some(i) = file.find("/library/") {
        return &file[i + "/library/".len()..];
    }
    file
}

/// A deliberate panic for the tests of this guard, in debug builds only: the extractor panics
/// on a file or member whose name equals `$SLADD_DEBUG_PANIC_ON`. Release builds have no such
/// switch.
#[cfg(debug_assertions)]
pub fn debug_panic(name: Option<&str>) {
    if let Some(name) = name
        && std::env::var_os("SLADD_DEBUG_PANIC_ON").is_some_and(|w| w == name)
    {
        panic!("deliberate panic (SLADD_DEBUG_PANIC_ON) on {name}");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn debug_panic(_: Option<&str>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_reason_without_its_message() {
        let r: Result<(), String> = catch(|| panic!("secret 20036914700"));
        let reason = r.unwrap_err();
        assert!(reason.starts_with(INTERNAL_ERROR), "{reason}");
        assert!(!reason.contains("20036914700"), "{reason}");
        assert_eq!(catch(|| 7), Ok(7));
    }

    #[test]
    fn short_paths() {
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/quick-xml-0.42.0/src/reader.rs"
            ),
            "quick-xml-0.42.0/src/reader.rs"
        );
        assert_eq!(
            short_path("/rustc/abc/library/core/src/str/mod.rs"),
            "core/src/str/mod.rs"
        );
        assert_eq!(short_path("src/extract/xlsx.rs"), "src/extract/xlsx.rs");
    }
}
