//! sladd finds personal data in files before they are shared or published.
//!
//! ```text
//!   walk ──> extract ──> detect ──> report
//!   (files)  (segments)  (hits)     (findings, not-examined, summary)
//! ```
//!
//! - [`walk`] lists the files to scan (parallel, `.sladdignore`-aware);
//! - [`extract`] turns a file's bytes into text segments with locations;
//! - [`detect`] runs every rule pack over the segments in one pass;
//! - [`scan`] drives the stages on worker threads and turns hits into [`model::Finding`]s,
//!   each file inside a panic [`guard`];
//! - [`report`] writes findings in the format asked for.
//!
//! Rules are data ([`rules`], files in `rules/`), compiled once into a [`detect::Detector`].
//! A project's `sladd.toml` ([`config`]), the command line and the defaults are resolved into
//! one [`plan::Plan`]; [`baseline`] files and the config's allowlist drop known findings before
//! they are reported. [`explain`] tells a clerk what one number is. [`redact`] writes copies
//! of files with the findings replaced.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod cli;
pub mod config;
pub mod detect;
pub mod explain;
pub mod extract;
pub mod fingerprint;
pub mod guard;
pub mod input;
pub mod mask;
pub mod model;
pub mod plan;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod synth;
pub mod walk;
