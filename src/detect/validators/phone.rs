//! Norwegian telephone numbers (Nkom numbering plan, reference §2).
//!
//! Eight digits. Personal subscriber numbers start with 2-7 (fixed) or 4/9 (mobile). Numbers
//! starting 0 or 1 are short/special numbers, 58 and 59 are machine-to-machine, and 80-89 are
//! special-rate service numbers; none of those identify a person, so they are rejected.

pub fn is_subscriber(s: &[u8]) -> bool {
    if s.len() != 8 || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    !matches!((s[0], s[1]), (b'0' | b'1' | b'8', _) | (b'5', b'8' | b'9'))
}

pub fn is_mobile(s: &[u8]) -> bool {
    is_subscriber(s) && matches!(s[0], b'4' | b'9')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(is_mobile(b"91234567"));
        assert!(is_mobile(b"41234567"));
        assert!(is_subscriber(b"22334455"));
        assert!(!is_mobile(b"22334455"));
        assert!(!is_subscriber(b"80012345"));
        assert!(!is_subscriber(b"58123456"));
        assert!(!is_subscriber(b"01234567"));
        assert!(!is_subscriber(b"9123456"));
    }
}
