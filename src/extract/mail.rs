//! E-mail: single messages (EML, RFC 822/MIME) and mailboxes (MBOX).
//!
//! mail-parser decodes base64 and quoted-printable bodies and legacy charsets. The header
//! block is scanned as written (addresses, subject; `part = "headers"`, lines as in the
//! file) and the decoded subject again, since encoded words hide it. Each text body is a
//! `part` of its own (`body`, `body 2`, ...; lines within the decoded text), HTML bodies go
//! through the markup extractor, and attachments — including attached messages — are
//! extracted as files of their own, named by their file name in `inner`.

use super::{Buffers, Ctx, Problem, Sink, extract_member_bytes, limit, markup};
use crate::detect::Segment;
use crate::model::Location;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::io::Read;

pub fn eml(
    data: &[u8],
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| Problem::reason("damaged e-mail message: no headers could be read"))?;
    let root = msg.root_part();
    let header_end = (root.raw_body_offset() as usize).min(data.len());
    let headers = super::decode_text(&data[..header_end]);
    if !headers.trim().is_empty() {
        let place = Location {
            line: 1,
            column: 1,
            part: Some("headers".to_string()),
            ..Location::default()
        };
        let seg =
            Segment::new(headers.as_bytes()).with_window(crate::detect::context::WindowMode::Line);
        sink.record(None, &[seg], &[place]);
    }
    if let Some(subject) = msg.subject()
        && !headers.contains(subject)
    {
        let place = Location {
            line: 1,
            column: 1,
            part: Some("subject".to_string()),
            ..Location::default()
        };
        sink.record(None, &[Segment::new(subject.as_bytes())], &[place]);
    }
    let mut bodies = 0usize;
    let mut attachments = 0usize;
    for (i, part) in msg.parts.iter().enumerate() {
        ctx.check_time()?;
        let id = i as u32;
        if msg.attachments.contains(&id) {
            attachments += 1;
            if attachments > ctx.limits.max_entries {
                return Err(limit(
                    "max-entries",
                    format!("more than {} attachments", ctx.limits.max_entries),
                ));
            }
            let name = part
                .attachment_name()
                .map(|n| n.replace('/', "_"))
                .unwrap_or_else(|| format!("attachment-{attachments}"));
            let bytes: &[u8] = match &part.body {
                PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                PartType::Binary(b) | PartType::InlineBinary(b) => b,
                PartType::Message(m) => m.raw_message(),
                PartType::Multipart(_) => continue,
            };
            let name = match (&part.body, name.contains('.')) {
                (PartType::Message(_), false) => format!("{name}.eml"),
                _ => name,
            };
            extract_member_bytes(bytes, &name, ctx, bufs, sink)?;
            continue;
        }
        if i == 0 && !matches!(part.body, PartType::Text(_) | PartType::Html(_)) {
            continue;
        }
        match &part.body {
            PartType::Text(t) if msg.text_body.contains(&id) || msg.html_body.contains(&id) => {
                bodies += 1;
                let label = body_label(bodies);
                let place = Location {
                    line: 1,
                    column: 1,
                    part: Some(label),
                    ..Location::default()
                };
                sink.record(None, &[Segment::new(t.as_bytes())], &[place]);
            }
            PartType::Html(h) if msg.html_body.contains(&id) || msg.text_body.contains(&id) => {
                bodies += 1;
                let label = format!("{} (html)", body_label(bodies));
                markup::extract_part(h.as_bytes(), markup::Dialect::Html, Some(&label), ctx, sink)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn body_label(n: usize) -> String {
    if n == 1 {
        "body".to_string()
    } else {
        format!("body {n}")
    }
}

/// A mailbox: each message is extracted as a member `message-N.eml`.
pub fn mbox(
    reader: impl Read,
    ctx: &Ctx<'_>,
    bufs: &mut Buffers,
    sink: &mut dyn Sink,
) -> Result<(), Problem> {
    // The whole mailbox counts against the file's budget, not a member's: it is one stream of
    // many messages, each bounded by the budget too.
    let mut capped = ctx.capped(reader, None);
    capped.member_limit = ctx.limits.max_total_bytes;
    let iter = mail_parser::mailbox::mbox::MessageIterator::new(std::io::BufReader::new(capped));
    for (n, m) in iter.enumerate() {
        if n >= ctx.limits.max_entries {
            return Err(limit(
                "max-entries",
                format!("more than {} messages", ctx.limits.max_entries),
            ));
        }
        ctx.check_time()?;
        let m = m?;
        let name = format!("message-{}.eml", n + 1);
        extract_member_bytes(m.contents(), &name, ctx, bufs, sink)?;
    }
    Ok(())
}
