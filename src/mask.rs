//! Masking of matched values, so that no report written by default contains a usable identifier.
//!
//! Masking keeps the shape of the value (separators, length) because a clerk recognises
//! `******-***45` as "a fødselsnummer ending in 45" and can find it in the document, while the
//! report itself no longer identifies anybody.

use serde::{Deserialize, Serialize};

/// How a rule's matches are masked. Chosen per rule in the rule pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaskStyle {
    /// Every letter and digit but the last two becomes `*`; separators stay.
    #[default]
    KeepLastTwo,
    /// E-mail: the first character of the local part and the domain stay.
    Email,
    /// Words that are not identifying on their own (health terms): the first three letters stay.
    KeepPrefix,
}

/// The character used to mask.
pub const MASK: char = '*';

pub fn mask(value: &str, style: MaskStyle) -> String {
    match style {
        MaskStyle::KeepLastTwo => keep_last(value, 2),
        MaskStyle::Email => mask_email(value),
        MaskStyle::KeepPrefix => keep_prefix(value, 3),
    }
}

/// Replaces every alphanumeric character except the last `keep` with `*`.
pub fn keep_last(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    // Short values would be shown almost whole: mask them completely.
    let keep = if total <= keep * 3 { 0 } else { keep };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > total - keep { c } else { MASK }
            } else {
                c
            }
        })
        .collect()
}

fn keep_prefix(value: &str, keep: usize) -> String {
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen <= keep { c } else { MASK }
            } else {
                c
            }
        })
        .collect()
}

fn mask_email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            let mut out = String::with_capacity(value.len());
            let mut chars = local.chars();
            if let Some(first) = chars.next() {
                out.push(first);
            }
            out.extend(chars.map(|_| MASK));
            out.push('@');
            out.push_str(domain);
            out
        }
        None => keep_last(value, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_separators_and_last_two() {
        assert_eq!(mask("010190 12345", MaskStyle::KeepLastTwo), "****** ***45");
        assert_eq!(
            mask("1234.56.78903", MaskStyle::KeepLastTwo),
            "****.**.***03"
        );
        assert_eq!(
            mask("+47 912 34 567", MaskStyle::KeepLastTwo),
            "+** *** ** *67"
        );
    }

    #[test]
    fn short_values_are_masked_whole() {
        assert_eq!(mask("F32", MaskStyle::KeepLastTwo), "***");
    }

    #[test]
    fn email_keeps_first_letter_and_domain() {
        assert_eq!(
            mask("ola.nordmann@example.no", MaskStyle::Email),
            "o***********@example.no"
        );
    }

    #[test]
    fn prefix_style() {
        assert_eq!(mask("depresjon", MaskStyle::KeepPrefix), "dep******");
    }
}
