//! Archives: zip, tar and gzip. Every member is extracted as a file of its own, one level
//! deeper, named `member/path` in `inner`.
//!
//! A zip is first asked what it is: `[Content_Types].xml` makes it an Office Open XML
//! document ([`super::ooxml`]), a `mimetype` entry an OpenDocument file ([`super::odf`]); only
//! otherwise is it an archive. No member is ever written to disk. The zip crate has no bomb
//! protection of its own, so every member is read through [`Ctx::capped`], which enforces the
//! member size, the file's total and the compression ratio.

use super::{Buffers, Ctx, Problem, Sink, extract_member, limit};
use std::io::{Read, Seek};

/// Opens any zip and hands it to the right extractor.
pub fn zip<R: Read + Seek>(
    reader: R,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut za = open_zip(reader)?;
    if za.len() > ctx.limits.max_entries {
        return Err(limit(
            "max-entries",
            format!("{} members, more than {}", za.len(), ctx.limits.max_entries),
        ));
    }
    if za.index_for_name("[Content_Types].xml").is_some() {
        return super::ooxml::extract(&mut za, ctx, bufs, sink);
    }
    if za.index_for_name("mimetype").is_some() && za.index_for_name("content.xml").is_some()
        || za.index_for_name("META-INF/manifest.xml").is_some()
    {
        return super::odf::extract(&mut za, ctx, bufs, sink);
    }
    members(&mut za, |_| true, ctx, bufs, sink)
}

/// Every entry's name by index; an entry whose name cannot be read gets "" (callers skip it).
pub fn entry_names<R: Read + Seek>(za: &zip::ZipArchive<R>) -> Vec<String> {
    (0..za.len())
        .map(|i| match za.name_for_index(i) {
            Some(Ok(n)) => n.into_owned(),
            _ => String::new(),
        })
        .collect()
}

pub fn open_zip<R: Read + Seek>(reader: R) -> Result<zip::ZipArchive<R>, Problem> {
    zip::ZipArchive::new(reader).map_err(|e| zip_problem(&e))
}

/// A zip error as a reason (zip's messages are static texts, never file content).
pub fn zip_problem(e: &zip::result::ZipError) -> Problem {
    use zip::result::ZipError as Z;
    match e {
        Z::Io(io) if io.get_ref().is_some_and(|i| i.is::<Problem>()) => {
            Problem::Io(std::io::Error::new(io.kind(), io.to_string()))
        }
        Z::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Problem::reason("damaged zip: it ends too early (truncated?)")
        }
        Z::UnsupportedArchive(m) if m.contains("assword") => {
            Problem::reason("encrypted zip member (password protected)")
        }
        Z::InvalidPassword => Problem::reason("encrypted zip member (password protected)"),
        Z::InvalidArchive(m) => Problem::reason(format!("damaged zip: {m}")),
        Z::UnsupportedArchive(m) => Problem::reason(format!("unsupported zip: {m}")),
        Z::CompressionMethodNotSupported(m) => {
            Problem::reason(format!("unsupported zip compression method {m}"))
        }
        other => Problem::reason(format!("damaged zip: {other}")),
    }
}

/// Extracts the members `wanted` selects, each as a file of its own.
pub fn members<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    wanted: impl Fn(&str) -> bool,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    for i in 0..za.len() {
        let name = match za.name_for_index(i) {
            Some(Ok(n)) => n.into_owned(),
            _ => format!("#{i}"),
        };
        if name.ends_with('/') || !wanted(&name) {
            continue;
        }
        ctx.check_time()?;
        let entry = match za.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                sink.not_examined(Some(&name), &zip_problem(&e).describe());
                continue;
            }
        };
        if entry.encrypted() {
            sink.not_examined(Some(&name), "encrypted zip member (password protected)");
            continue;
        }
        let compressed = entry.compressed_size();
        extract_member(entry, &name, Some(compressed), ctx, bufs, sink)?;
    }
    Ok(())
}

/// Reads one zip member whole (a document part) within the limits.
pub fn read_part<R: Read + Seek>(
    za: &mut zip::ZipArchive<R>,
    index: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<u8>, Problem> {
    let entry = za.by_index(index).map_err(|e| zip_problem(&e))?;
    if entry.encrypted() {
        return Err(Problem::reason("encrypted zip member (password protected)"));
    }
    let compressed = entry.compressed_size();
    ctx.read_all(entry, Some(compressed)).map_err(|p| match p {
        Problem::Io(e) => zip_problem(&zip::result::ZipError::Io(e)),
        other => other,
    })
}

/// A tar archive: members are streamed one after another.
pub fn tar(
    data: &[u8],
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let mut ar = tar::Archive::new(data);
    let entries = ar
        .entries()
        .map_err(|_| Problem::reason("damaged tar archive"))?;
    for (count, entry) in entries.enumerate() {
        if count >= ctx.limits.max_entries {
            return Err(limit(
                "max-entries",
                format!("more than {} members", ctx.limits.max_entries),
            ));
        }
        ctx.check_time()?;
        let entry = entry.map_err(|_| Problem::reason("damaged tar archive (truncated?)"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("#{count}"));
        // Tar stores members uncompressed: no ratio to judge.
        extract_member(entry, &name, None, ctx, bufs, sink)?;
    }
    Ok(())
}

/// A gzip stream holds one member, named after the file without `.gz` (`.tgz` → `.tar`).
pub fn gzip(
    data: &[u8],
    name: Option<&str>,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let gz = flate2::read::MultiGzDecoder::new(data);
    let inner = match name {
        Some(n) if n.to_ascii_lowercase().ends_with(".tgz") => format!("{}.tar", &n[..n.len() - 4]),
        Some(n) if n.to_ascii_lowercase().ends_with(".gz") => n[..n.len() - 3].to_string(),
        Some(n) => format!("{n}.out"),
        None => "-".to_string(),
    };
    extract_member(gz, &inner, Some(data.len() as u64), ctx, bufs, sink)
}
