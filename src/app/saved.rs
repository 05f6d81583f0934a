//! What a session file holds (the answers and the progress) and how a state is saved to and
//! restored from it.

use serde::{Deserialize, Serialize};

use super::basis::BASIS_VERSION;
use super::{Mode, State, StepReport, StepStatus, screen_count};
use crate::steps::Input;

/// The format of session files this version writes; a newer one is left alone.
pub const SESSION_FORMAT: u32 = 1;

/// What a session file holds: the answers and the progress, never credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// Format of the file, for later migrations.
    pub version: u32,
    pub mode: Mode,
    pub screen: usize,
    pub fields: Vec<(Input, String)>,
    pub statuses: Vec<(String, StepStatus)>,
    pub reports: Vec<(String, StepReport)>,
    /// What each result was computed from; absent in sessions from before it was kept.
    #[serde(default)]
    pub bases: Vec<(String, String)>,
    /// The formula of `bases` ([`BASIS_VERSION`]); 1 in sessions from before it was kept.
    #[serde(default = "first_basis_version")]
    pub basis_version: u32,
}

fn first_basis_version() -> u32 {
    1
}

impl State {
    pub fn to_saved(&self) -> Saved {
        Saved {
            version: SESSION_FORMAT,
            mode: self.mode,
            screen: self.screen,
            fields: self
                .fields
                .iter()
                .map(|f| (f.input, f.value.clone()))
                .collect(),
            // A step still running is saved as it was before: its run did not finish.
            statuses: self
                .statuses
                .keys()
                .map(|k| (k.to_string(), self.settled_status(k)))
                .collect(),
            reports: self
                .reports
                .keys()
                .filter_map(|k| Some((k.to_string(), self.settled_report(k)?.clone())))
                .collect(),
            bases: self
                .bases
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            basis_version: BASIS_VERSION,
        }
    }

    /// Restores a saved session over a fresh state. A step that was running when the
    /// session was saved did not finish: it is shown as not started.
    pub fn restore(&mut self, saved: Saved) {
        self.mode = saved.mode;
        self.screen = saved.screen.min(screen_count() - 1);
        for (input, value) in saved.fields {
            if let Some(f) = self.fields.iter_mut().find(|f| f.input == input) {
                f.cursor = value.chars().count();
                f.value = value;
            }
        }
        for (id, status) in saved.statuses {
            if let Some(step) = crate::steps::step(&id) {
                let status = if status == StepStatus::InProgress {
                    StepStatus::NotStarted
                } else {
                    status
                };
                self.statuses.insert(step.id, status);
            }
        }
        for (id, report) in saved.reports {
            if let Some(step) = crate::steps::step(&id) {
                self.reports.insert(step.id, report);
            }
        }
        for (id, basis) in saved.bases {
            if let Some(step) = crate::steps::step(&id) {
                self.bases.insert(step.id, basis);
            }
        }
        self.basis_migration = (saved.basis_version < BASIS_VERSION).then_some(saved.basis_version);
        self.refresh_bases();
        // What was already out of date when the session was saved is not news.
        self.announced_stale = self.stale_steps();
    }
}
