//! Content sniffing: what is this file, judged from its first bytes?
//!
//! Like ripgrep, a NUL byte in the head means binary — unless the NULs fall on every other
//! byte, which is UTF-16 text written without a byte-order mark by some Windows tools.

/// Bytes read before deciding.
pub const HEAD: usize = 8192;

/// How text bytes are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, or ASCII. If the head is not valid UTF-8 the file is treated as Windows-1252.
    Utf8OrLegacy,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text(TextEncoding),
    Binary,
}

pub fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Kind::Text(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Kind::Text(TextEncoding::Utf16Be);
    }
    if memchr::memchr(0, head).is_none() {
        return Kind::Text(TextEncoding::Utf8OrLegacy);
    }
    // BOM-less UTF-16: mostly-ASCII text has NUL in every other byte and nowhere else.
    let pairs = head.len() / 2;
    if pairs >= 8 {
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        if odd * 10 >= pairs * 3 && even * 100 <= pairs {
            return Kind::Text(TextEncoding::Utf16Le);
        }
        if even * 10 >= pairs * 3 && odd * 100 <= pairs {
            return Kind::Text(TextEncoding::Utf16Be);
        }
    }
    Kind::Binary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn kinds() {
        assert_eq!(sniff(b"hello"), Kind::Text(TextEncoding::Utf8OrLegacy));
        assert_eq!(sniff(b""), Kind::Text(TextEncoding::Utf8OrLegacy));
        assert_eq!(sniff(b"\xff\xfeh\0"), Kind::Text(TextEncoding::Utf16Le));
        assert_eq!(sniff(b"\xfe\xff\0h"), Kind::Text(TextEncoding::Utf16Be));
        assert_eq!(
            sniff(&utf16le("fødselsnummer 123 og mer tekst")),
            Kind::Text(TextEncoding::Utf16Le)
        );
        assert_eq!(
            sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"),
            Kind::Binary
        );
    }
}
