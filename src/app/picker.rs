//! Step 11's pickers: choosing from what AWS lists instead of typing it. The people and
//! group pickers list the identity store's users and groups (`ListUsers`, `ListGroups`, every
//! page), filtered as you type, several chosen at once; the profile pickers list the instance's security and routing profiles,
//! one chosen, before `a` creates Connect users with them.

use serde::Serialize;

use crate::cloud::{IdcGroup, IdcUser, NamedId};
use crate::steps::Input;

/// What a picker chooses, and so which answer it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    People,
    Groups,
    SecurityProfile,
    RoutingProfile,
}

impl Pick {
    /// The field the choice is written into.
    pub fn input(self) -> Input {
        match self {
            Pick::People => Input::Users,
            Pick::Groups => Input::Groups,
            Pick::SecurityProfile => Input::SecurityProfile,
            Pick::RoutingProfile => Input::RoutingProfile,
        }
    }

    /// Whether several rows may be chosen (people) or exactly one (a profile).
    pub fn several(self) -> bool {
        matches!(self, Pick::People | Pick::Groups)
    }

    pub fn title(self) -> &'static str {
        match self {
            Pick::People => "People in Identity Center",
            Pick::Groups => "Groups in Identity Center",
            Pick::SecurityProfile => "Security profile of the Connect users to create (1 of 2)",
            Pick::RoutingProfile => "Routing profile of the Connect users to create (2 of 2)",
        }
    }

    /// What the list holds, for "Reading the …" and "… could not be read".
    pub fn what(self) -> &'static str {
        match self {
            Pick::People => "users",
            Pick::Groups => "groups",
            Pick::SecurityProfile => "security profiles",
            Pick::RoutingProfile => "routing profiles",
        }
    }
}

/// One row to pick: the value written into the answer and what the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub value: String,
    pub shown: String,
}

impl Choice {
    /// A person: the email sign-in uses (else the user name), shown with the display name.
    fn from_user(u: &IdcUser) -> Choice {
        let value = u
            .emails
            .first()
            .cloned()
            .unwrap_or_else(|| u.user_name.clone());
        let name = u
            .display_name
            .clone()
            .unwrap_or_else(|| u.user_name.clone());
        let shown = if name == value {
            value.clone()
        } else {
            format!("{name}  {value}")
        };
        Choice { value, shown }
    }

    /// A group: by its display name, which is unique in an identity store.
    fn from_group(g: &IdcGroup) -> Choice {
        Choice {
            value: g.display_name.clone(),
            shown: g.display_name.clone(),
        }
    }

    /// A profile: Connect's `CreateUser` takes its id, connect-sso's answer its name.
    fn from_profile(p: &NamedId) -> Choice {
        Choice {
            value: p.name.clone(),
            shown: p.name.clone(),
        }
    }
}

/// A picker's state while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub pick: Pick,
    /// `None` while the list is being read.
    pub choices: Option<Vec<Choice>>,
    /// Why the list could not be read.
    pub error: Option<String>,
    /// What was typed to narrow the list (case-insensitive, anywhere in a row).
    pub filter: String,
    /// Index in [`Picker::visible`] of the highlighted row.
    pub selected: usize,
    /// Values chosen so far, in the order chosen; for a single choice, the current answer.
    pub chosen: Vec<String>,
}

impl Picker {
    /// Opens with what the answer already holds chosen.
    pub fn new(pick: Pick, current: &[String]) -> Picker {
        Picker {
            pick,
            choices: None,
            error: None,
            filter: String::new(),
            selected: 0,
            chosen: current.to_vec(),
        }
    }

    pub fn loaded_people(&mut self, users: &[IdcUser]) {
        self.loaded(users.iter().map(Choice::from_user).collect());
    }

    pub fn loaded_groups(&mut self, groups: &[IdcGroup]) {
        self.loaded(groups.iter().map(Choice::from_group).collect());
    }

    pub fn loaded_profiles(&mut self, profiles: &[NamedId]) {
        self.loaded(profiles.iter().map(Choice::from_profile).collect());
    }

    fn loaded(&mut self, mut choices: Vec<Choice>) {
        choices.sort_by_key(|c| c.shown.to_lowercase());
        self.choices = Some(choices);
        // A single choice opens on the current answer, so Enter alone keeps it.
        self.selected = if self.pick.several() {
            0
        } else {
            let visible = self.visible();
            visible.iter().position(|c| self.is_chosen(c)).unwrap_or(0)
        };
    }

    /// The rows that match the filter.
    pub fn visible(&self) -> Vec<&Choice> {
        let filter = self.filter.to_lowercase();
        self.choices
            .iter()
            .flatten()
            .filter(|c| filter.is_empty() || c.shown.to_lowercase().contains(&filter))
            .collect()
    }

    pub fn is_chosen(&self, c: &Choice) -> bool {
        self.chosen.iter().any(|v| v.eq_ignore_ascii_case(&c.value))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Space: choose the highlighted row, or un-choose it (several only).
    pub fn toggle(&mut self) {
        if !self.pick.several() {
            return;
        }
        let Some(value) = self.visible().get(self.selected).map(|c| c.value.clone()) else {
            return;
        };
        match self
            .chosen
            .iter()
            .position(|c| c.eq_ignore_ascii_case(&value))
        {
            Some(i) => {
                self.chosen.remove(i);
            }
            None => self.chosen.push(value),
        }
    }

    pub fn type_char(&mut self, c: char) {
        self.filter.push(c);
        self.selected = 0;
    }

    pub fn backspace(&mut self) {
        self.filter.pop();
        self.selected = 0;
    }

    /// What Enter writes into the answer: the chosen people (or the highlighted one when
    /// none is chosen), the highlighted profile; `None` when there is nothing to write.
    pub fn answer(&self) -> Option<String> {
        if self.pick.several() && !self.chosen.is_empty() {
            return Some(self.chosen.join(", "));
        }
        self.visible().get(self.selected).map(|c| c.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, display: &str, email: Option<&str>) -> IdcUser {
        IdcUser {
            user_id: format!("id-{name}"),
            user_name: name.to_string(),
            display_name: Some(display.to_string()),
            given_name: None,
            family_name: None,
            emails: email.map(str::to_string).into_iter().collect(),
        }
    }

    #[test]
    fn filters_chooses_several_and_writes_the_answer() {
        let mut p = Picker::new(Pick::People, &["sofia.rossi@example.com".to_string()]);
        assert_eq!(
            p.answer().as_deref(),
            Some("sofia.rossi@example.com"),
            "what the answer already had"
        );
        assert!(
            Picker::new(Pick::People, &[]).answer().is_none(),
            "nothing listed yet"
        );
        p.loaded_people(&[
            user("maria", "Maria Garcia", Some("maria.garcia@example.com")),
            user("akhan", "Aisha Khan", Some("aisha.khan@example.com")),
            user("nomail", "No Mail", None),
        ]);
        assert_eq!(p.visible().len(), 3);
        assert_eq!(p.visible()[0].shown, "Aisha Khan  aisha.khan@example.com");
        p.type_char('G');
        p.type_char('a');
        assert_eq!(p.visible().len(), 1, "{:?}", p.visible());
        p.toggle();
        p.backspace();
        p.backspace();
        p.move_by(5);
        assert_eq!(
            p.visible()[p.selected].value,
            "nomail",
            "no email: the user name"
        );
        assert_eq!(
            p.answer().unwrap(),
            "sofia.rossi@example.com, maria.garcia@example.com"
        );
        p.toggle();
        p.toggle();
        p.move_by(-9);
        assert_eq!(p.selected, 0);
    }

    #[test]
    fn a_profile_picker_opens_on_the_current_answer_and_takes_one() {
        let profile = |n: &str| NamedId {
            id: format!("id-{n}"),
            name: n.to_string(),
        };
        let mut p = Picker::new(Pick::SecurityProfile, &["agent".to_string()]);
        p.loaded_profiles(&[
            profile("Admin"),
            profile("CallCenterManager"),
            profile("Agent"),
        ]);
        assert_eq!(p.visible()[p.selected].value, "Agent", "case-insensitive");
        p.toggle();
        assert_eq!(
            p.answer().as_deref(),
            Some("Agent"),
            "Space chooses nothing more"
        );
        p.move_by(1);
        assert_eq!(p.answer().as_deref(), Some("CallCenterManager"));
        let mut none = Picker::new(Pick::RoutingProfile, &["Gone".to_string()]);
        none.loaded_profiles(&[profile("Basic Routing Profile")]);
        assert_eq!(none.answer().as_deref(), Some("Basic Routing Profile"));
    }
}
