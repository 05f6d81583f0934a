//! A step screen: title and kind, the console where it happens, the guidance, the answers
//! it needs, what the last action found, and the values to copy with where each goes.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::step_list::number;
use super::theme::Theme;
use super::widgets::{Doc, clean, input_window, scrolled, spinner, width};
use crate::app::{Focus, State, StepStatus, screen_values};
use crate::plan::Plan;
use crate::steps::{Step, StepKind};

fn badge(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Manual => "[MANUAL]",
        StepKind::Automated => "[RUN]",
        StepKind::Check => "[CHECK]",
    }
}

/// Sets the cursor only when `with_cursor`: an overlay on top hides it.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    step: &Step,
    theme: &Theme,
    with_cursor: bool,
) {
    let [head, _, body] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    draw_head(frame, head, state, step, theme);

    let mut doc = Doc::new(body.width);
    for (i, paragraph) in step.guidance.trim().split("\n\n").enumerate() {
        if i > 0 {
            doc.blank();
        }
        doc.wrapped(Vec::new(), &paragraph.replace('\n', " "), theme.text());
    }
    operations(&mut doc, step, theme);
    // Built once per draw: the fields' defaults and the values' targets come from it.
    let plan = state.plan();
    let cursor = fields(&mut doc, state, theme);
    report(&mut doc, state, step, theme);
    let selected = values(&mut doc, state, step, plan.as_ref(), theme);
    // Last, so the step's own fields and values keep their place.
    console_api(&mut doc, state, step, theme);

    // What must stay in view: the field being typed in, or a row the user moved to with
    // the arrows. Row 1 is where every screen starts, so it does not pull the guidance
    // out of view, and neither does a row once the user has scrolled on their own.
    let keep = match (cursor, selected) {
        (Some((line, _)), _) => Some(line..line + 1),
        (None, Some((0, _))) => None,
        (None, Some((_, lines))) if state.scroll == 0 => Some(lines),
        _ => None,
    };
    let first = scrolled(frame, body, &doc.lines, state.scroll, keep, theme);
    if let Some((line, column)) = cursor
        && with_cursor
        && line >= first
        && line - first < usize::from(body.height)
    {
        frame.set_cursor_position(Position::new(
            body.x + column as u16,
            body.y + (line - first) as u16,
        ));
    }
}

/// Two fixed lines: the step and its kind, then where it happens and its status.
fn draw_head(frame: &mut Frame, area: Rect, state: &State, step: &Step, theme: &Theme) {
    let name = match number(step) {
        "" => String::new(),
        n if n.contains('-') => format!("Steps {n}  "),
        n => format!("Step {n}  "),
    };
    let badge = badge(step.kind);
    let title = Line::from(vec![
        Span::styled(name, theme.title()),
        Span::styled(step.title, theme.title()),
        Span::raw("  "),
        Span::styled(badge, theme.key()),
    ]);
    let status = state.status(step.id);
    let (symbol, word) = status.marker();
    let place = Line::from(vec![
        Span::styled(format!("in the {}", step.console.label()), theme.dim()),
        Span::raw("   "),
        Span::styled(format!("{symbol} {word}"), theme.status(status)),
    ]);
    frame.render_widget(Paragraph::new(vec![title, place]), area);
}

/// Which AWS operations connect-sso calls for this step: what the user's rights must allow.
fn operations(doc: &mut Doc, step: &Step, theme: &Theme) {
    let text = match (step.runs, step.checks) {
        ([], []) => return,
        ([], checks) => format!("connect-sso checks with {}", checks.join(", ")),
        (runs, checks) => format!(
            "connect-sso runs {} and checks with {}",
            runs.join(", "),
            checks.join(", ")
        ),
    };
    doc.blank();
    doc.wrapped(Vec::new(), &text, theme.dim());
}

/// Whether the console API option runs this step, and on step 1 how to turn it on.
fn console_api(doc: &mut Doc, state: &State, step: &Step, theme: &Theme) {
    let text = if state.console_api_runs(step.id) {
        "Console API on: r runs steps 1, 2, 3-5 and 10 through it (o on step 1: off)"
    } else if step.id == "1" && state.mode.is_live() {
        "o: connect-sso can do steps 1, 2, 3-5 and 10 through the console API"
    } else {
        return;
    };
    doc.blank();
    doc.wrapped(Vec::new(), text, theme.key());
}

/// The screen's text inputs; returns the focused one's (line, column) for the cursor.
fn fields(doc: &mut Doc, state: &State, theme: &Theme) -> Option<(usize, usize)> {
    let mut cursor = None;
    if !state.screen_fields().is_empty() {
        doc.blank();
    }
    for (i, field) in state.screen_fields().into_iter().enumerate() {
        let focused = state.focus == Focus::Field(i);
        let marker = if focused { "› " } else { "  " };
        let label = if focused { theme.key() } else { theme.bold() };
        doc.push(Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(field.label(), label),
        ]));
        // The focused input is an underlined box the width of the pane: it shows without
        // colour too. An empty one that is not being edited says what will be used.
        let cells = doc.width.saturating_sub(4);
        let value = clean(&field.value);
        if focused {
            let (shown, column) = input_window(&value, field.cursor, cells);
            let pad = cells.saturating_sub(width(&shown));
            let style = theme.value().add_modifier(Modifier::UNDERLINED);
            cursor = Some((doc.lines.len(), 2 + column));
            doc.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(shown, style),
                Span::styled(" ".repeat(pad), style),
            ]));
        } else if value.is_empty() {
            let text = match state.default_of(field.input) {
                Some(d) => format!("(empty: {} is used)", clean(&d)),
                None => "(empty)".to_string(),
            };
            doc.wrapped(vec![Span::raw("  ")], &text, theme.dim());
        } else {
            doc.wrapped(vec![Span::raw("  ")], &value, theme.value());
        }
        if let Some(error) = &field.error {
            doc.wrapped(
                vec![Span::styled("  ✗ ", theme.error())],
                &clean(error),
                theme.error(),
            );
        }
    }
    cursor
}

/// A spinner while this step's action runs, else what its last action found.
fn report(doc: &mut Doc, state: &State, step: &Step, theme: &Theme) {
    if let Some(busy) = state.busy.as_ref().filter(|b| b.step == step.id) {
        doc.blank();
        doc.wrapped(
            vec![Span::styled(
                format!("{} ", spinner(busy.frame)),
                theme.warning(),
            )],
            &format!("{}…  (Ctrl-C cancels)", clean(&busy.label)),
            theme.warning(),
        );
        return;
    }
    let Some(report) = state.reports.get(step.id) else {
        return;
    };
    doc.blank();
    if state.status(step.id) == StepStatus::Stale {
        // Kept for reference, but it no longer describes these answers.
        doc.wrapped(
            vec![Span::styled("↻ ", theme.warning())],
            "Last result, out of date: the answers it was computed from have changed. Run or check this step again.",
            theme.warning(),
        );
    } else {
        doc.push(Line::styled("Last result", theme.bold()));
    }
    // Lines of checks carry their own verdict symbol; their indented lines (evidence, fix)
    // belong to the check above and keep its colour.
    let mut current = theme.text();
    for line in report.lines.iter().flat_map(|l| l.lines()) {
        let line = clean(line);
        let own = [
            ("✓ ", theme.ok()),
            ("✗ ", theme.error()),
            ("! ", theme.warning()),
            ("? ", theme.warning()),
            ("i ", theme.dim()),
        ]
        .into_iter()
        .find(|(symbol, _)| line.starts_with(symbol));
        let (symbol, style, text) = if let Some((symbol, style)) = own {
            current = style;
            (symbol, style, &line[symbol.len()..])
        } else if line.starts_with("  ") {
            ("  ", current, line.trim_start())
        } else if line.trim_start().starts_with("warning:") {
            // A warning in a good result is neither a success nor a failure.
            ("! ", theme.warning(), &line[..])
        } else if report.ok {
            ("✓ ", theme.ok(), &line[..])
        } else {
            ("✗ ", theme.error(), &line[..])
        };
        doc.wrapped(vec![Span::styled(symbol, style)], text, style);
    }
}

/// The copyable values: number, label, value, and where it goes. The rows are
/// `screen_values`, the list the number keys copy from, so the numbers cannot disagree.
/// Returns the selected row and its lines.
fn values(
    doc: &mut Doc,
    state: &State,
    step: &Step,
    plan: Option<&Plan>,
    theme: &Theme,
) -> Option<(usize, Range<usize>)> {
    let rows = screen_values(state);
    doc.blank();
    if rows.is_empty() {
        doc.push(Line::styled("Values to copy", theme.bold()));
        let why = match state.setup() {
            Err(errors) => match errors.first() {
                Some(e) => format!(
                    "They appear once the answers are valid. First problem: {}",
                    clean(&e.to_string())
                ),
                None => "They appear once the answers are valid.".to_string(),
            },
            Ok(_) => "This step has none.".to_string(),
        };
        doc.wrapped(Vec::new(), &why, theme.dim());
        return None;
    }
    doc.push(Line::from(vec![
        Span::styled("Values to copy", theme.bold()),
        Span::styled(
            "  (1-9 copies that row; ↑↓ then c the selected one)",
            theme.dim(),
        ),
    ]));
    let targets: Vec<String> = plan
        .and_then(|p| p.steps.iter().find(|s| s.id == step.id))
        .map(|s| s.values.iter().map(|v| v.target.clone()).collect())
        .unwrap_or_default();
    let mut found = None;
    for (i, (label, value)) in rows.iter().enumerate() {
        let selected = state.focus == Focus::Values(i);
        let start = doc.lines.len();
        let marker = if selected { "›" } else { " " };
        let key = if i < 9 {
            (i + 1).to_string()
        } else {
            " ".to_string()
        };
        let head = format!("{marker} {key} ");
        let label_style = if selected {
            theme.selected()
        } else {
            theme.bold()
        };
        doc.wrapped(
            vec![Span::styled(head, theme.key())],
            &clean(label),
            label_style,
        );
        doc.outside(4, value, theme.value());
        if let Some(target) = targets.get(i) {
            doc.wrapped(vec![Span::raw("    → ")], &clean(target), theme.dim());
        }
        if selected {
            // A document is long: its first line is enough to show it is selected.
            let end = if value.contains('\n') {
                start + 2
            } else {
                doc.lines.len()
            };
            found = Some((i, start..end));
        }
    }
    found
}
