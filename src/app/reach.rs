//! Step 11's view of everyone the application reaches (people assigned directly and the
//! members of its groups): how many have a Connect user, how many are missing one, and the
//! near misses, read as `connect-sso users sync` reads them. `a` creates the missing ones
//! with the same sync.

use crate::cloud::sync::{SyncPlan, SyncReport};

/// At most this many near misses and failures are named; the rest are counted.
const NAMED: usize = 3;

/// What step 11's last run found about the people the application reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub people: usize,
    pub groups: usize,
    pub with_connect_user: usize,
    pub missing: usize,
    /// "maria@example.com (Connect has Maria@example.com)".
    pub near_misses: Vec<String>,
    pub without_email: usize,
    pub not_in_store: usize,
    /// Connect users created by this run.
    pub created: usize,
    /// Creations that failed, with AWS's answer.
    pub failed: Vec<String>,
}

impl Reach {
    /// What a read found, nothing created.
    pub fn planned(plan: &SyncPlan) -> Reach {
        let c = &plan.counts;
        Reach {
            people: c.assigned,
            groups: plan.groups,
            with_connect_user: c.with_connect_user,
            missing: c.missing,
            near_misses: plan
                .near_misses
                .iter()
                .map(|n| {
                    format!(
                        "{} (Connect has {})",
                        n.connect_username,
                        n.existing.join(", ")
                    )
                })
                .collect(),
            without_email: c.without_email,
            not_in_store: c.not_in_store,
            created: 0,
            failed: Vec::new(),
        }
    }

    /// After a sync: the users it created now count as present.
    pub fn synced(report: &SyncReport) -> Reach {
        let mut reach = Reach::planned(&report.plan);
        let made = report.created.len() + report.already_there.len();
        reach.created = report.created.len();
        reach.with_connect_user += made;
        reach.missing = reach.missing.saturating_sub(made);
        reach.failed = report
            .failed
            .iter()
            .map(|f| format!("{}: {}", f.connect_username, f.error))
            .chain(
                report
                    .not_started
                    .iter()
                    .map(|n| format!("{n}: not tried after the failure above")),
            )
            .collect();
        reach
    }

    /// Whether everyone reached can sign in as far as Connect users go.
    pub fn complete(&self) -> bool {
        self.missing == 0
            && self.near_misses.is_empty()
            && self.without_email == 0
            && self.failed.is_empty()
    }

    /// The lines under step 11's result, each starting with the status mark the step
    /// screen colours (`✓`, `!`, `i`).
    pub fn lines(&self) -> Vec<String> {
        let through = match self.groups {
            0 => String::new(),
            1 => " (with the members of 1 group)".to_string(),
            n => format!(" (with the members of {n} groups)"),
        };
        let mut lines = vec![format!(
            "i The application reaches {} {}{through}: {} with a Connect user, {} missing, {} near {}",
            self.people,
            plural(self.people, "person", "people"),
            self.with_connect_user,
            self.missing,
            self.near_misses.len(),
            plural(self.near_misses.len(), "miss", "misses"),
        )];
        if self.created > 0 {
            lines.push(format!(
                "✓ {} Connect {} created for the people reached",
                self.created,
                plural(self.created, "user", "users")
            ));
        }
        if self.missing > 0 && self.failed.is_empty() {
            lines.push(format!(
                "! {} {} no Connect user yet: press a to create {} (the same as `connect-sso users sync`)",
                self.missing,
                plural(self.missing, "person has", "people have"),
                plural(self.missing, "it", "them"),
            ));
        }
        lines.extend(named(&self.failed, "could not be created").map(|l| format!("! {l}")));
        if !self.near_misses.is_empty() {
            lines.push(
                "! Near misses: Connect user names must match the email exactly, letter case included; rename the Connect user or the email"
                    .to_string(),
            );
            lines.extend(named(&self.near_misses, "more").map(|l| format!("  {l}")));
        }
        if self.without_email > 0 {
            lines.push(format!(
                "! {} {} no email in Identity Center, so sign-in cannot name a Connect user: add one",
                self.without_email,
                plural(self.without_email, "person has", "people have"),
            ));
        }
        if self.not_in_store > 0 {
            lines.push(format!(
                "! {} assigned {} not in the identity store any more: remove the assignment in Identity Center",
                self.not_in_store,
                plural(self.not_in_store, "user is", "users are"),
            ));
        }
        lines
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The first few of `items`, then "… and N more (`rest`)".
fn named<'a>(items: &'a [String], rest: &'a str) -> impl Iterator<Item = String> + 'a {
    let more = items.len().saturating_sub(NAMED);
    items
        .iter()
        .take(NAMED)
        .cloned()
        .chain((more > 0).then(|| format!("… and {more} {rest}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach() -> Reach {
        Reach {
            people: 12,
            groups: 2,
            with_connect_user: 9,
            missing: 2,
            near_misses: vec!["maria@example.com (Connect has Maria@example.com)".into()],
            without_email: 0,
            not_in_store: 0,
            created: 0,
            failed: Vec::new(),
        }
    }

    #[test]
    fn counts_and_the_key_that_creates_the_missing() {
        let lines = reach().lines();
        assert_eq!(
            lines[0],
            "i The application reaches 12 people (with the members of 2 groups): 9 with a Connect user, 2 missing, 1 near miss"
        );
        assert!(lines[1].starts_with("! 2 people have no Connect user yet: press a"));
        assert!(lines.iter().any(|l| l.contains("Maria@example.com")));
        assert!(!reach().complete());
    }

    #[test]
    fn a_complete_reach_says_only_its_counts() {
        let r = Reach {
            missing: 0,
            near_misses: Vec::new(),
            with_connect_user: 12,
            groups: 0,
            ..reach()
        };
        assert!(r.complete());
        assert_eq!(
            r.lines(),
            [
                "i The application reaches 12 people: 12 with a Connect user, 0 missing, 0 near misses"
            ]
        );
    }

    #[test]
    fn failures_are_named_up_to_three() {
        let r = Reach {
            failed: (0..5).map(|i| format!("u{i}: denied")).collect(),
            ..reach()
        };
        let lines = r.lines();
        assert!(lines.iter().any(|l| l == "! u2: denied"));
        assert!(!lines.iter().any(|l| l.contains("u3")));
        assert!(lines.iter().any(|l| l == "! … and 2 could not be created"));
        assert!(!lines.iter().any(|l| l.contains("press a")));
    }
}
