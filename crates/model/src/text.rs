//! Text from input files shown to a person: control characters escaped.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1: `\x1b`, `\x07`, `\n`, `\t`…) written as a
/// visible escape (`\x1b`, `\u{9b}`), so content echoed from a file (a reject reason, an
/// account id in a table) can neither drive the terminal nor break a line apart. Borrowed when
/// there is nothing to escape.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_keeps_other_text() {
        assert_eq!(
            escape_controls("<x\x1b]0;PWNED\x07>"),
            "<x\\x1b]0;PWNED\\x07>"
        );
        assert_eq!(escape_controls("a\tb\nc\u{9b}d"), "a\\tb\\nc\\u{9b}d");
        assert!(matches!(escape_controls("plain é ✓"), Cow::Borrowed(_)));
    }
}
