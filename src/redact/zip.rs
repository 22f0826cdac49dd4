//! Zip files: which kind (OOXML, ODF, plain archive), and rebuilding one with changed
//! entries.
//!
//! Entries that do not change are copied byte for byte (their compressed data, method, times
//! and attributes), so an ODF file's `mimetype` stays first and stored. Changed entries are
//! written with their original compression method. A plain archive is rebuilt with each
//! member redacted as a file of its own; one member that cannot be redacted refuses the
//! whole archive, so nothing is published half-cleaned. Members are never written to disk,
//! and an archive whose member names climb out of it (`../`, absolute paths) is refused.

use super::{Redacted, Redactor, Refusal};
use crate::extract::archive::{open_zip, read_part, zip_problem};
use crate::extract::{Buffers, Ctx, limit};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, Write};

/// The changes to make to a zip.
#[derive(Debug, Default)]
pub struct Changes {
    /// New content of entries, by name.
    pub changed: HashMap<String, Vec<u8>>,
    /// Entries to leave out (thumbnails).
    pub dropped: HashSet<String>,
}

fn zerr(e: zip::result::ZipError) -> Refusal {
    zip_problem(&e).into()
}

/// The names of all entries, in order (`#N` for unreadable names).
pub fn names<R: Read + Seek>(za: &zip::ZipArchive<R>) -> Vec<String> {
    (0..za.len())
        .map(|i| match za.name_for_index(i) {
            Some(Ok(n)) => n.into_owned(),
            _ => format!("#{i}"),
        })
        .collect()
}

/// Writes the archive with `changes` made to `out`.
pub fn rebuild<R: Read + Seek, W: Write + Seek>(
    za: &mut zip::ZipArchive<R>,
    out: W,
    changes: &Changes,
) -> Result<W, Refusal> {
    let mut w = zip::ZipWriter::new(out);
    if !za.comment().is_empty() {
        w.set_raw_comment(za.comment().to_vec().into_boxed_slice())
            .map_err(zerr)?;
    }
    for (i, name) in names(za).iter().enumerate() {
        if changes.dropped.contains(name) {
            continue;
        }
        let entry = za.by_index_raw(i).map_err(zerr)?;
        match changes.changed.get(name) {
            Some(bytes) => {
                let opts = entry
                    .options()
                    .large_file(bytes.len() as u64 >= u32::MAX as u64);
                drop(entry);
                w.start_file(name.as_str(), opts).map_err(zerr)?;
                w.write_all(bytes)?;
            }
            None => w.raw_copy_file(entry).map_err(zerr)?,
        }
    }
    w.finish().map_err(zerr)
}

/// Redacts any zip: an OOXML or ODF document, or an archive of files.
pub fn redact<R: Read + Seek, W: Write + Seek>(
    red: &mut Redactor,
    reader: R,
    out: W,
    ctx: &Ctx<'_>,
    inner: Option<&str>,
    bufs: &mut Buffers,
) -> Result<(W, Redacted), Refusal> {
    let mut za = open_zip(reader)?;
    if za.len() > ctx.limits.max_entries {
        return Err(limit(
            "max-entries",
            format!("{} members, more than {}", za.len(), ctx.limits.max_entries),
        )
        .into());
    }
    if za.index_for_name("[Content_Types].xml").is_some() {
        return super::ooxml::redact(red, &mut za, out, ctx, inner, bufs);
    }
    if za.index_for_name("mimetype").is_some() && za.index_for_name("content.xml").is_some()
        || za.index_for_name("META-INF/manifest.xml").is_some()
    {
        return super::odf::redact(red, &mut za, out, ctx, inner);
    }
    archive(red, &mut za, out, ctx, inner, bufs)
}

/// True if a member name would climb out of the archive when unpacked.
pub fn escapes(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') || n.split('/').any(|c| c == "..")
}

/// A plain archive: every member redacted as a file of its own.
fn archive<R: Read + Seek, W: Write + Seek>(
    red: &mut Redactor,
    za: &mut zip::ZipArchive<R>,
    out: W,
    ctx: &Ctx<'_>,
    inner: Option<&str>,
    bufs: &mut Buffers,
) -> Result<(W, Redacted), Refusal> {
    let mut done = Redacted::default();
    let mut changes = Changes::default();
    let names = names(za);
    for name in &names {
        if escapes(name) {
            return Err(Refusal(
                "a member's name points outside the archive (../ or an absolute path): \
                 not redacted"
                    .into(),
            ));
        }
    }
    for (i, name) in names.iter().enumerate() {
        if name.ends_with('/') {
            continue;
        }
        let encrypted = za.by_index_raw(i).map_err(zerr)?.encrypted();
        if encrypted {
            return Err(Refusal(format!(
                "member {name}: encrypted (password protected), cannot be redacted"
            )));
        }
        let data = read_part(za, i, ctx)?;
        let member = join(inner, name);
        let (result, d) = red
            .member(&data, name, &ctx.deeper(), &member, bufs, false)
            .map_err(|r| Refusal(format!("member {name}: {r}")))?;
        if let Some(bytes) = result {
            changes.changed.insert(name.clone(), bytes);
        }
        done.absorb(d);
    }
    let out = rebuild(za, out, &changes)?;
    Ok((out, done))
}

/// `outer/name`, or `name` at the top.
pub fn join(outer: Option<&str>, name: &str) -> String {
    match outer {
        Some(o) => format!("{o}/{name}"),
        None => name.to_string(),
    }
}

/// Checks that no replaced value is still in any text-like entry of the finished zip
/// (settings, fallback copies, caches the redactor does not rewrite).
pub fn residue<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    changes: &Changes,
    values: &[(String, String)],
    ctx: &Ctx<'_>,
) -> Result<(), Refusal> {
    if values.is_empty() {
        return Ok(());
    }
    let finders: Vec<memchr::memmem::Finder<'_>> = values
        .iter()
        .map(|(v, _)| memchr::memmem::Finder::new(v.as_bytes()))
        .collect();
    for (i, name) in names(za).iter().enumerate() {
        let lower = name.to_ascii_lowercase();
        let textual = [
            ".xml", ".rels", ".vml", ".txt", ".csv", ".json", ".html", ".htm",
        ]
        .iter()
        .any(|e| lower.ends_with(e));
        if !textual || changes.dropped.contains(name) {
            continue;
        }
        let owned;
        let data: &[u8] = match changes.changed.get(name) {
            Some(b) => b,
            None => {
                owned = read_part(za, i, ctx)?;
                &owned
            }
        };
        if finders.iter().any(|f| f.find(data).is_some()) {
            return Err(Refusal(format!(
                "a replaced value is also in {name}, which sladd does not rewrite: not written"
            )));
        }
    }
    Ok(())
}
