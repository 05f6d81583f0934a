//! Colours and emphasis. Every style the screens use comes from here, so `NO_COLOR` has one
//! place to act: the plain theme keeps bold and reverse video but sets no colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme { color: true }
    }
}

impl Theme {
    /// The theme without any colour.
    pub fn plain() -> Theme {
        Theme { color: false }
    }

    /// Honours <https://no-color.org>: any non-empty `NO_COLOR` turns colours off.
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::plain(),
            _ => Theme::default(),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        Style::new()
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text: where a value goes, AWS operations, the legend.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Values to copy and typed answers: what the user carries to a console.
    pub fn value(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row and the focused field: reverse video reads without colour too.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Keys in the help bar and the key map.
    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn border(self) -> Style {
        self.dim()
    }

    /// The step's status symbol, coloured by what it means.
    pub fn status(self, status: crate::app::StepStatus) -> Style {
        use crate::app::StepStatus;
        match status {
            StepStatus::NotStarted | StepStatus::Skipped => self.dim(),
            StepStatus::InProgress | StepStatus::Stale => self.warning(),
            StepStatus::Done => self.value(),
            StepStatus::Verified => self.ok(),
            StepStatus::Failed => self.error(),
        }
    }
}
