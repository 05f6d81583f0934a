//! Text from outside (answers, files, AWS names) made safe to show: which characters a
//! terminal would act on instead of printing, and how an echoed value is shortened.

/// Characters a terminal acts on (escape sequences, carriage returns, C1 controls such as
/// U+009B, which some terminals read as an escape) or that reorder what the eye sees (the
/// bidirectional overrides). Line feed and tab are ordinary text here; callers that draw
/// one line at a time treat them themselves.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Longest echoed value, in characters: enough to recognise it, short enough that a
/// pasted 100 KB value does not bury the message around it.
pub const ECHO_MAX: usize = 80;

/// A value as an error message repeats it: whole when short, else its start and its length.
pub fn echo(value: &str) -> String {
    let count = value.chars().count();
    if count <= ECHO_MAX {
        return value.to_string();
    }
    let start: String = value.chars().take(ECHO_MAX - 20).collect();
    format!("{start}… ({count} characters in all)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c1_controls_and_bidi_overrides_are_unsafe() {
        for c in [
            '\u{1b}', '\r', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\0',
        ] {
            assert!(is_unsafe(c), "{:?}", c);
        }
        for c in ['\n', '\t', 'a', 'é', '€', ' '] {
            assert!(!is_unsafe(c), "{:?}", c);
        }
    }

    #[test]
    fn long_values_are_shortened_with_their_length() {
        assert_eq!(echo("mars-1"), "mars-1");
        let exact = "a".repeat(ECHO_MAX);
        assert_eq!(echo(&exact), exact);
        let long = "é".repeat(120_000);
        let shown = echo(&long);
        assert!(shown.chars().count() < ECHO_MAX + 30, "{shown}");
        assert!(shown.ends_with("… (120000 characters in all)"), "{shown}");
    }
}
