//! The one filter every command's output goes through: characters a terminal would act on
//! (escape sequences, carriage returns, C1 controls, bidirectional overrides) are written as
//! `\uXXXX` instead. Values echoed from input, files or AWS can then never recolour, clear or
//! rewrite the user's terminal. The escape is also JSON's own, so JSON output keeps its
//! meaning: such characters can only stand inside JSON strings, where `\u009b` is the same
//! string as the raw character.

use std::io::{self, Write};

use crate::domain::text::is_unsafe;

/// Wraps a writer; text passes unchanged except for unsafe characters.
pub struct SafeWriter<'a> {
    inner: &'a mut dyn Write,
    /// The start of a UTF-8 sequence cut by the previous write (at most 3 bytes).
    pending: Vec<u8>,
}

impl<'a> SafeWriter<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Self {
        SafeWriter {
            inner,
            pending: Vec::new(),
        }
    }

    fn write_text(&mut self, text: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if is_unsafe(c) {
                self.inner.write_all(&text.as_bytes()[start..i])?;
                write!(self.inner, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[start..])
    }
}

impl Write for SafeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut rest: &[u8] = &bytes;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.write_text(text)?;
                    rest = &[];
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // Valid by construction: `valid_up_to` says so.
                    self.write_text(std::str::from_utf8(valid).unwrap_or_default())?;
                    match e.error_len() {
                        // A sequence cut at the end: wait for the rest of it.
                        None => {
                            self.pending = after.to_vec();
                            rest = &[];
                        }
                        // Not UTF-8 at all: nothing we print is, but never pass raw bytes on.
                        Some(n) => {
                            self.inner.write_all("\u{FFFD}".as_bytes())?;
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for SafeWriter<'_> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.inner.write_all("\u{FFFD}".as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(pieces: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut w = SafeWriter::new(&mut out);
            for p in pieces {
                w.write_all(p).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn terminal_controls_become_visible_escapes() {
        assert_eq!(
            filtered(&["a\u{1b}[31mb\r\n\tc\u{9b}2J\u{202e}".as_bytes()]),
            "a\\u001b[31mb\\u000d\n\tc\\u009b2J\\u202e"
        );
    }

    #[test]
    fn a_character_cut_between_writes_is_joined_again() {
        let text = "é\u{9b}€";
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(filtered(&[a, b]), "é\\u009b€", "cut at {cut}");
        }
    }

    #[test]
    fn json_keeps_its_meaning() {
        let value = serde_json::json!({"entity": "x\u{9b}y\u{202e}z"});
        let text = filtered(&[serde_json::to_string(&value).unwrap().as_bytes()]);
        assert!(!text.contains('\u{9b}'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn invalid_bytes_never_pass_through() {
        assert_eq!(filtered(&[b"a\xffb"]), "a\u{FFFD}b");
        assert_eq!(filtered(&[b"a\xc3"]), "a\u{FFFD}");
    }
}
