//! On the sandbox, the console pages of steps 3-5, 7-9 and 10 are forms in the wizard: the
//! attendee types or pastes each value as into the IAM Identity Center console, and what is
//! saved is what the sandbox's Identity Center sends from then on. Nothing here compares the
//! typed values with the wizard's: as in the console, a typo shows at sign-in.

use crate::cloud::console::ensure::{ATTRIBUTE_NAME_FORMATS, NAME_ID_FORMATS};
use crate::cloud::sandbox::{ConsolePage, Mapping};
use crate::domain::setup::{AttributeMapping, Setup};
use crate::domain::suggest::edit_distance;

/// What a form field holds: free text, or one of the console's fixed choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// A format menu: the short names the console lists.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One field of a console form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub label: String,
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    pub kind: FieldKind,
    /// The value the wizard shows for this field (on the step's screen), to compare with
    /// what is typed; `None` for a field the guide leaves as it is.
    pub shown: Option<String>,
    /// The console refuses to save the page while this field is empty.
    pub required: bool,
}

impl FormField {
    fn text(label: impl Into<String>, value: &str, shown: Option<String>, required: bool) -> Self {
        FormField {
            label: label.into(),
            value: value.to_string(),
            cursor: value.chars().count(),
            kind: FieldKind::Text,
            shown,
            required,
        }
    }

    fn choice(
        label: impl Into<String>,
        menu: &'static [(&'static str, &'static str)],
        value: &str,
        shown: Option<String>,
    ) -> Self {
        FormField {
            kind: FieldKind::Choice(menu),
            ..FormField::text(label, value, shown, true)
        }
    }

    /// A format menu moves to the previous (`-1`) or next (`1`) choice, wrapping.
    pub fn cycle(&mut self, by: isize) {
        let FieldKind::Choice(menu) = self.kind else {
            return;
        };
        let n = menu.len() as isize;
        let at = menu
            .iter()
            .position(|(short, _)| *short == self.value)
            .map_or(if by > 0 { -1 } else { 0 }, |i| i as isize);
        let next = (at + by).rem_euclid(n) as usize;
        self.value = menu[next].0.to_string();
        self.cursor = self.value.chars().count();
    }
}

/// A console page as a form, over one application of the sandbox's Identity Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleForm {
    /// The console step the page is (3-5, 7-9 or 10).
    pub step: &'static str,
    pub application_arn: String,
    pub application_name: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// Why the last save was refused, shown above the keys.
    pub error: Option<String>,
    /// Rows of attributes besides the Subject (step 10 only).
    attribute_rows: usize,
}

/// Step 10 shows at least this many attribute rows: the guide's two.
const ATTRIBUTE_ROWS: usize = 2;

/// The attribute rows of the mappings page, each with the wizard's mapping it is compared
/// with. A saved row sits beside the wizard's mapping of the same name; a row whose name
/// matches none (a typo in the name, say) goes beside the closest-named mapping still
/// without a row, so a page opened again compares like with like. Empty rows make up the guide's rows.
fn attribute_rows_in_order<'w>(
    saved: &[(String, Mapping)],
    wanted: &'w [AttributeMapping],
) -> Vec<(String, Mapping, Option<&'w AttributeMapping>)> {
    let mut slots: Vec<Option<(String, Mapping)>> = vec![None; wanted.len()];
    let mut others = Vec::new();
    for (name, mapping) in saved {
        match wanted.iter().position(|w| w.attribute == name.as_str()) {
            Some(i) if slots[i].is_none() => slots[i] = Some((name.clone(), mapping.clone())),
            _ => others.push((name.clone(), mapping.clone())),
        }
    }
    // A misspelled name goes beside the mapping whose name it is closest to.
    let mut pairs: Vec<(usize, usize, usize)> = others
        .iter()
        .enumerate()
        .flat_map(|(o, (name, _))| {
            (0..wanted.len())
                .filter(|w| slots[*w].is_none())
                .map(move |w| (edit_distance(name, wanted[w].attribute), o, w))
        })
        .collect();
    pairs.sort_unstable();
    let mut placed = vec![false; others.len()];
    for (_, o, w) in pairs {
        if !placed[o] && slots[w].is_none() {
            slots[w] = Some(others[o].clone());
            placed[o] = true;
        }
    }
    let others = others
        .into_iter()
        .zip(placed)
        .filter(|(_, placed)| !placed)
        .map(|(row, _)| row);
    let empty = || (String::new(), Mapping::new("", "unspecified"));
    let mut rows: Vec<_> = slots
        .into_iter()
        .zip(wanted)
        .map(|(slot, w)| {
            let (name, mapping) = slot.unwrap_or_else(empty);
            (name, mapping, Some(w))
        })
        .chain(others.map(|(name, mapping)| (name, mapping, None)))
        .collect();
    while rows.len() < ATTRIBUTE_ROWS {
        let (name, mapping) = empty();
        rows.push((name, mapping, None));
    }
    rows
}

impl ConsoleForm {
    /// The form of `page` as the sandbox shows it now, with the values `setup` gives.
    pub fn new(arn: &str, name: &str, page: &ConsolePage, setup: &Setup) -> ConsoleForm {
        let mut fields = Vec::new();
        let mut attribute_rows = 0;
        match page {
            ConsolePage::Metadata { acs_url, audience } => {
                let acs = setup.acs_url().to_string();
                fields.push(FormField::text(
                    "Application ACS URL",
                    acs_url,
                    Some(acs),
                    true,
                ));
                let aud = setup.audience().to_string();
                fields.push(FormField::text(
                    "Application SAML audience",
                    audience,
                    Some(aud),
                    true,
                ));
            }
            ConsolePage::Properties { relay_state } => fields.push(FormField::text(
                "Relay state",
                relay_state,
                Some(setup.relay_state(None)),
                false,
            )),
            ConsolePage::Mappings {
                subject,
                attributes,
            } => {
                let wanted = setup.attribute_mappings();
                let want = |i: usize| wanted.get(i);
                fields.push(FormField::text(
                    "Subject: maps to",
                    &subject.value,
                    want(0).map(|m| m.value.clone()),
                    true,
                ));
                fields.push(FormField::choice(
                    "Subject: format",
                    &NAME_ID_FORMATS,
                    &subject.format,
                    want(0).map(|m| m.format.to_string()),
                ));
                let rows = attribute_rows_in_order(attributes, wanted.get(1..).unwrap_or(&[]));
                attribute_rows = rows.len();
                for (row, (name, mapping, wanted)) in rows.into_iter().enumerate() {
                    let n = row + 1;
                    fields.push(FormField::text(
                        format!("Attribute {n}: user attribute in the application"),
                        &name,
                        wanted.map(|m| m.attribute.to_string()),
                        false,
                    ));
                    fields.push(FormField::text(
                        format!("Attribute {n}: maps to"),
                        &mapping.value,
                        wanted.map(|m| m.value.clone()),
                        false,
                    ));
                    fields.push(FormField::choice(
                        format!("Attribute {n}: format"),
                        &ATTRIBUTE_NAME_FORMATS,
                        &mapping.format,
                        wanted.map(|m| m.format.to_string()),
                    ));
                }
            }
        }
        ConsoleForm {
            step: page.step(),
            application_arn: arn.to_string(),
            application_name: name.to_string(),
            fields,
            focus: 0,
            error: None,
            attribute_rows,
        }
    }

    /// The console page's title, as its breadcrumb (the application is named inside).
    pub fn title(&self) -> String {
        let page = match self.step {
            "3-5" => "Edit configuration › Application metadata",
            "7-9" => "Edit configuration › Application properties",
            _ => "Edit attribute mappings",
        };
        format!("Sandbox console › {page}")
    }

    pub fn focused(&mut self) -> &mut FormField {
        &mut self.fields[self.focus]
    }

    /// Moves the focus by `by` fields, wrapping.
    pub fn move_focus(&mut self, by: isize) {
        let n = self.fields.len() as isize;
        self.focus = (self.focus as isize + by).rem_euclid(n) as usize;
    }

    /// The page as typed, or what the console would refuse and which field to fix (focused).
    pub fn page(&mut self) -> Result<ConsolePage, String> {
        let missing = (0..self.fields.len()).find(|&i| {
            let f = &self.fields[i];
            f.required && f.value.trim().is_empty() && !self.in_unnamed_row(i)
        });
        if let Some(i) = missing {
            self.focus = i;
            return Err(format!(
                "{} is required: type or paste it{}",
                self.fields[i].label,
                match &self.fields[i].shown {
                    Some(_) => " (the wizard's value is shown with it)",
                    None => "",
                }
            ));
        }
        // A row is a name and a value, each attribute once, as in the console: what would
        // be dropped or merged on saving is refused instead.
        for row in 0..self.attribute_rows {
            let (name_at, value_at) = (2 + row * 3, 3 + row * 3);
            let name = self.fields[name_at].value.trim();
            let value = self.fields[value_at].value.trim();
            let n = row + 1;
            let (focus, why) = if name.is_empty() && !value.is_empty() {
                (
                    name_at,
                    format!(
                        "Attribute {n} has a value but no name: name the attribute, or clear its value (Ctrl-U)"
                    ),
                )
            } else if !name.is_empty() && value.is_empty() {
                (
                    value_at,
                    format!("Attribute {n}: maps to is required for attribute {n}"),
                )
            } else if let Some(earlier) =
                (0..row).find(|r| !name.is_empty() && self.fields[2 + r * 3].value.trim() == name)
            {
                (
                    name_at,
                    format!(
                        "Attribute {n} repeats the name of attribute {}: map each attribute once",
                        earlier + 1
                    ),
                )
            } else {
                continue;
            };
            self.focus = focus;
            return Err(why);
        }
        let text = |i: usize| self.fields[i].value.clone();
        Ok(match self.step {
            "3-5" => ConsolePage::Metadata {
                acs_url: text(0),
                audience: text(1),
            },
            "7-9" => ConsolePage::Properties {
                relay_state: text(0),
            },
            _ => ConsolePage::Mappings {
                subject: Mapping::new(&text(0), &text(1)),
                attributes: (0..self.attribute_rows)
                    .map(|row| {
                        let at = 2 + row * 3;
                        (text(at), Mapping::new(&text(at + 1), &text(at + 2)))
                    })
                    .collect(),
            },
        })
    }

    /// Whether field `i` is in an attribute row without a name: that row is left out, so
    /// its fields need not be filled in.
    fn in_unnamed_row(&self, i: usize) -> bool {
        self.step == "10" && i >= 2 && self.fields[2 + (i - 2) / 3 * 3].value.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::setup::{Answers, ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE};

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(crate::cloud::sandbox::SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    fn mappings_form() -> ConsoleForm {
        let page = ConsolePage::Mappings {
            subject: Mapping::new("${user:subject}", "persistent"),
            attributes: Vec::new(),
        };
        ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup())
    }

    #[test]
    fn the_mappings_form_shows_the_guides_rows_and_saves_what_was_typed() {
        let mut form = mappings_form();
        assert_eq!(form.fields.len(), 2 + 3 * ATTRIBUTE_ROWS);
        assert_eq!(
            form.fields[2].shown.as_deref(),
            Some(ROLE_SESSION_NAME_ATTRIBUTE)
        );
        assert_eq!(form.fields[5].shown.as_deref(), Some(ROLE_ATTRIBUTE));
        assert!(form.title().contains("Edit attribute mappings"));
        // Identity Center's default Subject is kept until changed; rows without a name are
        // left out.
        let ConsolePage::Mappings {
            subject,
            attributes,
        } = form.page().unwrap()
        else {
            panic!("step 10");
        };
        assert_eq!(subject.format, "persistent");
        assert!(attributes.iter().all(|(n, _)| n.is_empty()));
        // A named attribute needs its value, and the focus goes to it.
        form.fields[2].value = ROLE_SESSION_NAME_ATTRIBUTE.into();
        let err = form.page().unwrap_err();
        assert!(err.contains("Attribute 1: maps to is required"), "{err}");
        assert_eq!(form.focus, 3);
        // A value without a name would be dropped on saving: refused, on the name.
        form.fields[2].value.clear();
        form.fields[3].value = "${user:email}".into();
        let err = form.page().unwrap_err();
        assert!(err.contains("Attribute 1 has a value but no name"), "{err}");
        assert_eq!(form.focus, 2);
        // The same name twice would be merged: refused, on the second.
        form.fields[2].value = ROLE_SESSION_NAME_ATTRIBUTE.into();
        form.fields[5].value = format!(" {ROLE_SESSION_NAME_ATTRIBUTE}");
        form.fields[6].value = "${user:name}".into();
        let err = form.page().unwrap_err();
        assert!(
            err.contains("Attribute 2 repeats the name of attribute 1"),
            "{err}"
        );
        assert_eq!(form.focus, 5);
        form.fields[5].value.clear();
        form.fields[6].value.clear();
        form.fields[3].value = "${user:email}".into();
        let ConsolePage::Mappings { attributes, .. } = form.page().unwrap() else {
            panic!("step 10");
        };
        assert_eq!(attributes[0].0, ROLE_SESSION_NAME_ATTRIBUTE);
        assert_eq!(attributes[0].1.format, "unspecified");
    }

    #[test]
    fn a_page_opened_again_puts_each_saved_row_beside_the_wizards_mapping_of_its_name() {
        let role = setup().role_attribute();
        // As the sandbox keeps them: sorted by name, so Role before RoleSessionName, and a
        // misspelled name after both.
        let page = ConsolePage::Mappings {
            subject: Mapping::new("${user:email}", "emailAddress"),
            attributes: vec![
                (ROLE_ATTRIBUTE.into(), Mapping::new(&role, "unspecified")),
                (
                    "https://aws.amazon.com/SAML/Attributes/RoleSesionName".into(),
                    Mapping::new("${user:email}", "unspecified"),
                ),
            ],
        };
        let form = ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup());
        assert_eq!(form.fields.len(), 2 + 3 * 2);
        // Row 1 is the wizard's RoleSessionName row: the misspelled row is compared with it.
        assert_eq!(
            form.fields[2].shown.as_deref(),
            Some(ROLE_SESSION_NAME_ATTRIBUTE)
        );
        assert!(form.fields[2].value.ends_with("RoleSesionName"));
        // Row 2 holds Role, beside the wizard's Role value.
        assert_eq!(form.fields[5].value, ROLE_ATTRIBUTE);
        assert_eq!(form.fields[6].value, role);
        assert_eq!(form.fields[6].shown.as_deref(), Some(role.as_str()));

        // Both names misspelled: each goes beside the mapping it is closest to, though the
        // sandbox keeps "…/Rol" before "…/RoleSesionName".
        let page = ConsolePage::Mappings {
            subject: Mapping::new("${user:email}", "emailAddress"),
            attributes: vec![
                (
                    "https://aws.amazon.com/SAML/Attributes/Rol".into(),
                    Mapping::new(&role, "unspecified"),
                ),
                (
                    "https://aws.amazon.com/SAML/Attributes/RoleSesionName".into(),
                    Mapping::new("${user:email}", "unspecified"),
                ),
            ],
        };
        let form = ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup());
        assert!(form.fields[2].value.ends_with("RoleSesionName"));
        assert!(form.fields[5].value.ends_with("/Rol"));
        assert_eq!(form.fields[6].shown.as_deref(), Some(role.as_str()));

        // A third row the guide does not ask for is shown with nothing to compare.
        let page = ConsolePage::Mappings {
            subject: Mapping::new("${user:email}", "emailAddress"),
            attributes: vec![
                (
                    "department".into(),
                    Mapping::new("${user:department}", "basic"),
                ),
                (ROLE_ATTRIBUTE.into(), Mapping::new(&role, "unspecified")),
                (
                    ROLE_SESSION_NAME_ATTRIBUTE.into(),
                    Mapping::new("${user:email}", "unspecified"),
                ),
            ],
        };
        let mut form = ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup());
        assert_eq!(form.fields.len(), 2 + 3 * 3);
        assert_eq!(form.fields[2].value, ROLE_SESSION_NAME_ATTRIBUTE);
        assert_eq!(form.fields[5].value, ROLE_ATTRIBUTE);
        assert_eq!(form.fields[8].value, "department");
        assert_eq!(form.fields[8].shown, None);
        // Saved again unchanged, the page holds the same three rows.
        let ConsolePage::Mappings { attributes, .. } = form.page().unwrap() else {
            panic!("step 10");
        };
        assert_eq!(attributes.len(), 3);
    }

    #[test]
    fn formats_are_chosen_from_the_consoles_menu_and_required_fields_are_named() {
        let mut form = mappings_form();
        form.focus = 1;
        form.focused().cycle(1);
        assert_eq!(form.fields[1].value, "transient", "after persistent");
        form.focused().cycle(1);
        assert_eq!(form.fields[1].value, "emailAddress", "wraps");
        form.focused().cycle(-1);
        assert_eq!(form.fields[1].value, "transient");
        form.move_focus(-2);
        assert_eq!(form.focus, form.fields.len() - 1);

        let page = ConsolePage::Metadata {
            acs_url: String::new(),
            audience: String::new(),
        };
        let mut form = ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup());
        form.fields[0].value = "https://signin.aws.amazon.com/saml".into();
        form.focus = 0;
        let err = form.page().unwrap_err();
        assert!(
            err.starts_with("Application SAML audience is required"),
            "{err}"
        );
        assert_eq!(form.focus, 1);
        let page = ConsolePage::Properties {
            relay_state: String::new(),
        };
        let mut form = ConsoleForm::new("arn:app", "Amazon Connect", &page, &setup());
        assert_eq!(
            form.page().unwrap(),
            ConsolePage::Properties {
                relay_state: String::new()
            },
            "the relay state may stay empty, as in the console"
        );
    }
}
