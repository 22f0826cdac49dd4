//! E-mail messages (EML): the header block, the text and HTML bodies, and the attachments.
//!
//! The message is parsed with mail-parser as the extractor parses it. The header block is
//! redacted line by line as written (and a subject hidden in an encoded word is rewritten as
//! a new encoded word when it holds a finding). Each text body is decoded (transfer encoding
//! and charset), redacted, and encoded back the same way (quoted-printable, base64 or as
//! is; the same charset). HTML bodies are redacted as text, as HTML files are. Each
//! attachment is redacted as a file of its own and written back in its transfer encoding;
//! one that cannot be redacted (a PDF, a picture attached as a file) refuses the message.
//! Inline pictures (a logo the HTML body shows) are kept as they are. Everything else — the
//! MIME structure, boundaries, other headers — stays byte for byte.

use super::edit;
use super::{Redacted, Redactor, Refusal, Target};
use crate::detect::Segment;
use crate::detect::context::WindowMode;
use crate::extract::{Buffers, Ctx};
use crate::model::Location;
use mail_parser::{Encoding, HeaderName, MessageParser, MimeHeaders, PartType};

/// Redacts a message. Returns the new bytes, or None when nothing changed.
pub fn redact(
    red: &mut Redactor,
    data: &[u8],
    ctx: &Ctx<'_>,
    inner: Option<&str>,
    bufs: &mut Buffers,
) -> Result<(Option<Vec<u8>>, Redacted), Refusal> {
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| Refusal("damaged e-mail message: no headers could be read".into()))?;
    let crlf = memchr::memmem::find(data, b"\r\n").is_some();
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut done = Redacted::default();
    // (start, end, new bytes) in the raw message.
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();

    // The header block, as written.
    let root = msg.root_part();
    let header_end = (root.raw_body_offset() as usize).min(data.len());
    let (headers, legacy) = match std::str::from_utf8(&data[..header_end]) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(&data[..header_end])
                .0,
            true,
        ),
    };
    let place = |part: &str| Location {
        line: 1,
        column: 1,
        part: Some(part.to_string()),
        ..Location::default()
    };
    let seg = Segment::new(headers.as_bytes()).with_window(WindowMode::Line);
    let target = if legacy {
        Target::Windows1252
    } else {
        Target::Unicode
    };
    let planned = red.plan(&[seg], &[place("headers")], inner, target);
    if !planned.is_empty() {
        let repl: Vec<(usize, usize, &str)> = planned
            .iter()
            .map(|p| (p.start, p.end, p.with.as_str()))
            .collect();
        let new = edit::replace_in(&headers, &repl);
        let bytes = if legacy {
            encoding_rs::WINDOWS_1252.encode(&new).0.into_owned()
        } else {
            new.into_bytes()
        };
        edits.push((0, header_end, bytes));
        done.replacements
            .extend(planned.into_iter().map(|p| p.audit));
    }
    // A subject in an encoded word is not in the header text as written.
    if let Some(subject) = msg.subject()
        && !headers.contains(subject)
    {
        let planned = red.plan(
            &[Segment::new(subject.as_bytes())],
            &[place("subject")],
            inner,
            Target::Unicode,
        );
        if !planned.is_empty() {
            let repl: Vec<(usize, usize, &str)> = planned
                .iter()
                .map(|p| (p.start, p.end, p.with.as_str()))
                .collect();
            let new = edit::replace_in(subject, &repl);
            let header = root
                .headers
                .iter()
                .find(|h| h.name == HeaderName::Subject)
                .ok_or_else(|| Refusal("the subject could not be located".into()))?;
            if !edits.is_empty() {
                return Err(Refusal(
                    "findings in both the headers and an encoded subject: cannot be redacted"
                        .into(),
                ));
            }
            let value = format!(
                " =?utf-8?b?{}?={nl}",
                base64(new.as_bytes(), usize::MAX, nl)
            );
            edits.push((
                header.offset_start as usize,
                header.offset_end as usize,
                value.into_bytes(),
            ));
            done.replacements
                .extend(planned.into_iter().map(|p| p.audit));
        }
    }

    let mut bodies = 0usize;
    let mut attachments = 0usize;
    for (i, part) in msg.parts.iter().enumerate() {
        let id = i as u32;
        let (start, end) = (
            part.raw_body_offset() as usize,
            part.raw_end_offset() as usize,
        );
        if end > data.len() || start > end {
            return Err(Refusal(
                "damaged e-mail message: a part could not be located".into(),
            ));
        }
        if msg.attachments.contains(&id) {
            attachments += 1;
            if matches!(part.body, PartType::InlineBinary(_)) {
                continue;
            }
            let name = part
                .attachment_name()
                .map(|n| n.replace('/', "_"))
                .unwrap_or_else(|| format!("attachment-{attachments}"));
            let (bytes, name): (&[u8], String) = match &part.body {
                PartType::Text(t) | PartType::Html(t) => (t.as_bytes(), name),
                PartType::Binary(b) | PartType::InlineBinary(b) => (b, name),
                PartType::Message(m) if !name.contains('.') => {
                    (m.raw_message(), format!("{name}.eml"))
                }
                PartType::Message(m) => (m.raw_message(), name),
                PartType::Multipart(_) => continue,
            };
            let member = super::zip::join(inner, &name);
            let (new, d) = red
                .member(bytes, &name, &ctx.deeper(), &member, bufs, false)
                .map_err(|r| Refusal(format!("attachment {name}: {r}")))?;
            done.absorb(d);
            if let Some(new) = new {
                let text_part = matches!(part.body, PartType::Text(_) | PartType::Html(_));
                let encoded = if text_part {
                    // Text attachments were decoded from their charset; write them back in it.
                    let enc = charset(part);
                    let s = String::from_utf8_lossy(&new);
                    transfer(&enc.encode(&s).0, part.encoding, nl)
                } else {
                    transfer(&new, part.encoding, nl)
                };
                edits.push((start, end, encoded));
            }
            continue;
        }
        if i == 0 && !matches!(part.body, PartType::Text(_) | PartType::Html(_)) {
            continue;
        }
        let (text, html) = match &part.body {
            PartType::Text(t) if msg.text_body.contains(&id) || msg.html_body.contains(&id) => {
                (t, false)
            }
            PartType::Html(h) if msg.html_body.contains(&id) || msg.text_body.contains(&id) => {
                (h, true)
            }
            _ => continue,
        };
        bodies += 1;
        let label = match (bodies, html) {
            (1, false) => "body".to_string(),
            (n, false) => format!("body {n}"),
            (1, true) => "body (html)".to_string(),
            (n, true) => format!("body {n} (html)"),
        };
        let enc = charset(part);
        let target = if enc == encoding_rs::UTF_8 {
            Target::Unicode
        } else {
            Target::Windows1252
        };
        let new = if html {
            // As the extractor reads HTML bodies: through the markup walker.
            let plan = super::xml::plan_markup(
                red,
                text,
                crate::extract::markup::Dialect::Html,
                Some(&label),
                inner,
                target,
                ctx,
            )?;
            if plan.edits.is_empty() {
                continue;
            }
            let (new, conflict) = edit::apply(text.as_bytes(), plan.edits);
            if conflict {
                return Err(Refusal(format!(
                    "{label}: overlapping changes could not be made safely"
                )));
            }
            done.absorb(plan.done);
            String::from_utf8_lossy(&new).into_owned()
        } else {
            let planned = red.plan(
                &[Segment::new(text.as_bytes())],
                &[place(&label)],
                inner,
                target,
            );
            if planned.is_empty() {
                continue;
            }
            let repl: Vec<(usize, usize, &str)> = planned
                .iter()
                .map(|p| (p.start, p.end, p.with.as_str()))
                .collect();
            let new = edit::replace_in(text, &repl);
            done.replacements
                .extend(planned.into_iter().map(|p| p.audit));
            new
        };
        let (bytes, _, unmappable) = enc.encode(&new);
        if unmappable {
            return Err(Refusal(format!(
                "{label}: the replacement cannot be written in the body's charset"
            )));
        }
        edits.push((start, end, transfer(&bytes, part.encoding, nl)));
    }
    if edits.is_empty() {
        return Ok((None, done));
    }
    edits.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 0;
    for (start, end, with) in edits {
        if start < pos {
            return Err(Refusal(
                "damaged e-mail message: parts overlap, cannot be redacted".into(),
            ));
        }
        out.extend_from_slice(&data[pos..start]);
        out.extend_from_slice(&with);
        pos = end;
    }
    out.extend_from_slice(&data[pos..]);
    Ok((Some(out), done))
}

/// The encoding named by a part's charset (WHATWG labels: `us-ascii` and `iso-8859-1` are
/// read as Windows-1252, as mail-parser does), UTF-8 if none.
fn charset(part: &mail_parser::MessagePart<'_>) -> &'static encoding_rs::Encoding {
    part.content_type()
        .and_then(|ct| ct.attribute("charset"))
        .and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()))
        .unwrap_or(encoding_rs::UTF_8)
}

/// Encodes bytes for a part's transfer encoding.
fn transfer(bytes: &[u8], encoding: Encoding, nl: &str) -> Vec<u8> {
    match encoding {
        Encoding::Base64 => format!("{}{nl}", base64(bytes, 76, nl)).into_bytes(),
        Encoding::QuotedPrintable => quoted_printable(bytes, nl).into_bytes(),
        Encoding::None => bytes.to_vec(),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 with lines of `width` characters joined by `nl`.
pub fn base64(bytes: &[u8], width: usize, nl: &str) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    let mut line = 0;
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let quad = [
            B64[(n >> 18) as usize & 63] as char,
            B64[(n >> 12) as usize & 63] as char,
            if chunk.len() > 1 {
                B64[(n >> 6) as usize & 63] as char
            } else {
                '='
            },
            if chunk.len() > 2 {
                B64[n as usize & 63] as char
            } else {
                '='
            },
        ];
        if line + 4 > width {
            out.push_str(nl);
            line = 0;
        }
        out.extend(quad);
        line += 4;
    }
    out
}

/// Quoted-printable (RFC 2045): line breaks kept, lines soft-broken before 76 characters.
pub fn quoted_printable(bytes: &[u8], nl: &str) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut line = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hard = match b {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some(2),
            b'\n' => Some(1),
            _ => None,
        };
        if let Some(skip) = hard {
            out.push_str(nl);
            line = 0;
            i += skip;
            continue;
        }
        let at_line_end = matches!(bytes.get(i + 1), None | Some(b'\r' | b'\n'));
        let literal =
            (33..=126).contains(&b) && b != b'=' || (b == b' ' || b == b'\t') && !at_line_end;
        let piece = if literal {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + piece.len() > 75 {
            out.push('=');
            out.push_str(nl);
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoders() {
        assert_eq!(base64(b"Man", 76, "\n"), "TWFu");
        assert_eq!(base64(b"Ma", 76, "\n"), "TWE=");
        assert_eq!(base64(b"hello world", 8, "\n"), "aGVsbG8g\nd29ybGQ=");
        assert_eq!(
            quoted_printable("fødsel = 1 \nx".as_bytes(), "\r\n"),
            "f=C3=B8dsel =3D 1=20\r\nx"
        );
        let long = "a".repeat(100);
        let qp = quoted_printable(long.as_bytes(), "\n");
        assert!(qp.lines().all(|l| l.len() <= 76));
        assert_eq!(qp.replace("=\n", ""), long);
    }
}
