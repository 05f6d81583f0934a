//! Small pieces every screen uses: cleaning outside text, wrapping, a scrolled document,
//! a text input, the spinner and centred boxes.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;

/// Makes text from outside (AWS names, pasted answers, files, reports) safe to draw.
///
/// Control characters (escape sequences, carriage returns, tabs) and the bidirectional
/// overrides that can reorder what the eye sees become U+FFFD, one for one: the user sees
/// that something unprintable is there, and a field's cursor stays on the same character.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

fn unsafe_char(c: char) -> bool {
    // A screen line has no room for line feeds or tabs either.
    crate::domain::text::is_unsafe(c) || c == '\n' || c == '\t'
}

/// Display width in terminal cells.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    width(c.encode_utf8(&mut buf))
}

/// Wraps at spaces to `max` cells; words longer than a line (ARNs, URLs) start a line and
/// are cut where it ends, so every character stays on screen. Leading spaces (JSON indentation) stay.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_inclusive(' ') {
        let visible = width(word.trim_end_matches(' '));
        if used > 0 && used + visible > max {
            out.push(line.trim_end().to_string());
            line.clear();
            used = 0;
        }
        for c in word.chars() {
            let w = char_width(c);
            if c == ' ' && used + w > max {
                continue; // a space at the end of a line is the break itself
            }
            if used + w > max {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += w;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line.trim_end().to_string());
    }
    out
}

/// The lines of a scrollable pane, wrapped to its width as they are added.
pub struct Doc {
    pub lines: Vec<Line<'static>>,
    pub width: usize,
}

impl Doc {
    pub fn new(width: u16) -> Doc {
        Doc {
            lines: Vec::new(),
            width: usize::from(width),
        }
    }

    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    /// Adds a line as is; it must fit (the pane cuts what does not).
    pub fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    /// Adds `text` wrapped after `prefix`, continuation lines indented by the prefix width.
    /// `text` must already be clean.
    pub fn wrapped(&mut self, prefix: Vec<Span<'static>>, text: &str, style: Style) {
        let indent: usize = prefix.iter().map(Span::width).sum();
        let mut prefix = Some(prefix);
        for part in wrap(text, self.width.saturating_sub(indent)) {
            let mut spans = prefix
                .take()
                .unwrap_or_else(|| vec![Span::raw(" ".repeat(indent))]);
            spans.push(Span::styled(part, style));
            self.lines.push(Line::from(spans));
        }
    }

    /// Adds outside text (possibly several lines) wrapped and indented.
    pub fn outside(&mut self, indent: usize, text: &str, style: Style) {
        for line in text.lines() {
            self.wrapped(vec![Span::raw(" ".repeat(indent))], &clean(line), style);
        }
    }
}

/// Draws `lines` in `area` from line `scroll` on. When they do not fit, the last row says
/// how much is hidden and which keys scroll. `keep` are lines that must stay visible (the
/// focused field, the selected value). Returns the first line shown.
pub fn scrolled(
    frame: &mut Frame,
    area: Rect,
    lines: &[Line<'static>],
    scroll: u16,
    keep: Option<std::ops::Range<usize>>,
    theme: &Theme,
) -> usize {
    let rows = usize::from(area.height);
    if rows == 0 {
        return 0;
    }
    if lines.len() <= rows {
        frame.render_widget(Paragraph::new(lines.to_vec()), area);
        return 0;
    }
    let view = rows.saturating_sub(1);
    // `scroll` only grows with Ctrl-D; past the end it shows the end.
    let mut first = usize::from(scroll).min(lines.len() - view);
    if let Some(keep) = keep {
        if keep.end > first + view {
            first = keep.end.saturating_sub(view);
        }
        // The start wins when the range is taller than the view.
        first = first.min(keep.start);
    }
    let shown = Rect {
        height: view as u16,
        ..area
    };
    frame.render_widget(Paragraph::new(lines[first..first + view].to_vec()), shown);
    let below = lines.len() - first - view;
    let note = match (first, below) {
        (0, b) => format!("↓ {b} more lines: Ctrl-D scrolls down"),
        (a, 0) => format!("↑ {a} lines above: Ctrl-U scrolls up"),
        (a, b) => format!("↑ {a} above, ↓ {b} below: Ctrl-D / Ctrl-U scroll"),
    };
    let bottom = Rect {
        y: area.y + view as u16,
        height: 1,
        ..area
    };
    frame.render_widget(Paragraph::new(Span::styled(note, theme.dim())), bottom);
    first
}

/// What part of a field's value is shown in `cells` cells so the cursor stays in view,
/// and the cursor's column within it.
pub fn input_window(value: &str, cursor: usize, cells: usize) -> (String, usize) {
    let chars: Vec<char> = value.chars().collect();
    let cursor = cursor.min(chars.len());
    // One cell is kept for the cursor after the last character.
    let room = cells.saturating_sub(1).max(1);
    let mut start = 0;
    while start < cursor
        && chars[start..cursor]
            .iter()
            .map(|c| char_width(*c))
            .sum::<usize>()
            > room
    {
        start += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in &chars[start..] {
        let w = char_width(*c);
        if used + w > cells {
            break;
        }
        shown.push(*c);
        used += w;
    }
    let column = chars[start..cursor].iter().map(|c| char_width(*c)).sum();
    (shown, column)
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

/// A bordered box centred in `area`, cleared, no larger than `area`; returns its inside.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: &str,
    theme: &Theme,
) -> Rect {
    let outer = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(outer);
    frame.render_widget(Clear, outer);
    frame.render_widget(block, outer);
    inner
}

/// A popup as tall as `area` and as wide as it allows, up to `max_width`, for lists and
/// reports that use every row they get.
pub fn tall_popup(
    frame: &mut Frame,
    area: Rect,
    max_width: u16,
    title: &str,
    theme: &Theme,
) -> Rect {
    let width = area.width.saturating_sub(4).min(max_width);
    popup(frame, area, width, area.height, title, theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_replaces_escapes_one_for_one() {
        assert!(matches!(clean("plain › text"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{1b}[31mb\r\n"), "a\u{FFFD}[31mb\u{FFFD}\u{FFFD}");
        assert_eq!(clean("x\u{202E}y"), "x\u{FFFD}y");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("ab abcdefgh", 4), ["ab", "abcd", "efgh"]);
        assert_eq!(wrap("    \"a\": 1", 20), ["    \"a\": 1"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn input_window_follows_the_cursor() {
        assert_eq!(input_window("abc", 3, 10), ("abc".to_string(), 3));
        assert_eq!(input_window("abcdefghij", 10, 5), ("ghij".to_string(), 4));
        assert_eq!(input_window("abcdefghij", 0, 5), ("abcde".to_string(), 0));
    }
}
