//! The people picker of step 11: the identity store's users, filtered as you type, several
//! chosen at once, written into the step's answer. What it lists comes from `ListUsers`
//! (every page) in the identity context.

use serde::Serialize;

use crate::cloud::IdcUser;

/// One person to pick: the value written into the answer (the email sign-in uses, else the
/// user name) and what the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub value: String,
    pub shown: String,
}

impl Person {
    fn from_user(u: &IdcUser) -> Person {
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
        Person { value, shown }
    }
}

/// The picker's state while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeoplePicker {
    /// `None` while the list is being read.
    pub people: Option<Vec<Person>>,
    /// Why the list could not be read.
    pub error: Option<String>,
    /// What was typed to narrow the list (case-insensitive, anywhere in a row).
    pub filter: String,
    /// Index in [`PeoplePicker::visible`] of the highlighted row.
    pub selected: usize,
    /// Values chosen so far, in the order chosen.
    pub chosen: Vec<String>,
}

impl PeoplePicker {
    /// Opens with the people already in the answer chosen.
    pub fn new(current: &[String]) -> PeoplePicker {
        PeoplePicker {
            chosen: current.to_vec(),
            ..PeoplePicker::default()
        }
    }

    pub fn loaded(&mut self, users: &[IdcUser]) {
        let mut people: Vec<Person> = users.iter().map(Person::from_user).collect();
        people.sort_by_key(|p| p.shown.to_lowercase());
        self.people = Some(people);
        self.selected = 0;
    }

    /// The rows that match the filter.
    pub fn visible(&self) -> Vec<&Person> {
        let filter = self.filter.to_lowercase();
        self.people
            .iter()
            .flatten()
            .filter(|p| filter.is_empty() || p.shown.to_lowercase().contains(&filter))
            .collect()
    }

    pub fn is_chosen(&self, p: &Person) -> bool {
        self.chosen.iter().any(|c| c.eq_ignore_ascii_case(&p.value))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Space: choose the highlighted person, or un-choose them.
    pub fn toggle(&mut self) {
        let Some(value) = self.visible().get(self.selected).map(|p| p.value.clone()) else {
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

    /// What Enter writes into the answer: the chosen people, or the highlighted one when
    /// none is chosen; `None` when there is nothing to write.
    pub fn answer(&self) -> Option<String> {
        if !self.chosen.is_empty() {
            return Some(self.chosen.join(", "));
        }
        self.visible().get(self.selected).map(|p| p.value.clone())
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
        let mut p = PeoplePicker::new(&["sofia.rossi@example.com".to_string()]);
        assert_eq!(
            p.answer().as_deref(),
            Some("sofia.rossi@example.com"),
            "what the answer already had"
        );
        assert!(
            PeoplePicker::new(&[]).answer().is_none(),
            "nothing listed yet"
        );
        p.loaded(&[
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
}
