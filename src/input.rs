//! The user's own files (rule packs, term lists, code tables, the config, baselines, path
//! lists, key files), read whole but only up to a size bound: a wrong path (a disk image, a
//! log) gives an error instead of filling memory.

use std::io::{self, Read};
use std::path::Path;

/// Key files hold a few dozen bytes.
pub const MAX_KEY_FILE: u64 = 1 << 20;
/// Rule packs, term lists, code tables and the config. The shipped ones are under 20 KiB, and
/// term lists big enough to matter hit the term automaton's limit long before this.
pub const MAX_TEXT_FILE: u64 = 32 << 20;
/// Baselines and `--files-from` lists grow with the scanned tree: a million findings or
/// paths take about 100 MiB.
pub const MAX_LIST_FILE: u64 = 1 << 30;

/// The bytes of `path`, if there are at most `max`.
pub fn read(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    // A regular file's size is known: refuse it before reading. For a pipe or a device the
    // bound is enforced while reading.
    match file.metadata() {
        Ok(m) if m.len() > max => Err(too_large(max)),
        _ => read_from(file, max),
    }
}

/// The text of `path` (UTF-8), if it is at most `max` bytes.
pub fn read_to_string(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read(path, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Everything `reader` gives, if it is at most `max` bytes.
pub fn read_from(reader: impl Read, max: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(buf)
}

fn too_large(max: u64) -> io::Error {
    let size = match max {
        m if m >= 1 << 20 => format!("{} MiB", m >> 20),
        m => format!("{m} bytes"),
    };
    io::Error::other(format!("larger than {size}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_up_to_the_bound_are_read_and_larger_ones_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, "ø".repeat(8)).unwrap();
        assert_eq!(read_to_string(&p, 16).unwrap(), "ø".repeat(8));
        let e = read(&p, 15).unwrap_err();
        assert_eq!(e.to_string(), "larger than 15 bytes");
        // Sparse: refused from its size, without reading 2 GiB.
        std::fs::File::create(&p).unwrap().set_len(2 << 30).unwrap();
        let e = read(&p, MAX_LIST_FILE).unwrap_err();
        assert_eq!(e.to_string(), "larger than 1024 MiB");
    }

    #[test]
    fn a_stream_is_bounded_while_it_is_read() {
        assert_eq!(read_from(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_from(io::repeat(b'x'), 1 << 20).is_err());
    }

    #[test]
    fn text_must_be_utf8() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, b"f\xf8dt").unwrap();
        assert_eq!(
            read_to_string(&p, 16).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }
}
