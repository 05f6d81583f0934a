//! `--plain`: the wizard's steps as plain line-by-line prompts, for screen readers, logs,
//! `TERM=dumb` and piped input. It drives the same state machine as the full screen.

use std::io::{BufRead, Write};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::driver::Driver;
use crate::app::effects::Effects;
use crate::app::{Focus, Key, Msg, Overlay, State, StepStatus, screen_values, validate};
use crate::cloud::sandbox::Sandbox;
use crate::steps::{Input, STEPS, StepKind};
use crate::ui::clean;

struct Plain<'a> {
    d: Driver,
    /// `--yes`: every question answered yes.
    yes: bool,
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

/// The longest answer line read; the rest of a longer line is skipped, so a stream without
/// line breaks (`< /dev/zero`) cannot grow memory.
const MAX_LINE: usize = 64 * 1024;

/// Reads one line of at most [`MAX_LINE`] bytes; `Ok(None)` at the end of input, and the
/// flag says whether the line was cut.
fn read_line_capped(input: &mut dyn BufRead) -> std::io::Result<Option<(String, bool)>> {
    let mut line = Vec::new();
    let mut cut = false;
    let mut any = false;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (take, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_LINE.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        cut |= take > room;
        input.consume(take);
        if end {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some((text.trim_end_matches(['\r', '\n']).to_string(), cut)))
}

/// Full-screen key hints in results, said the way plain mode works.
fn plain_words(line: &str) -> Option<String> {
    const WORDS: [(&str, &str); 8] = [
        (
            ": p and g pick them from Identity Center",
            ": type user names, emails or group names at step 11's prompts (resuming the session asks again)",
        ),
        (
            ". Press u to unassign them",
            ": connect-sso asks whether to unassign them next",
        ),
        (
            "Press a to create the missing Connect users: you pick their security and routing profiles first",
            "connect-sso offers to create the missing Connect users next",
        ),
        (
            "press a to create them",
            "connect-sso offers to create them next",
        ),
        (
            "press a to create it",
            "connect-sso offers to create it next",
        ),
        (
            ", then press d.",
            ", then answer y when asked whether it is done.",
        ),
        ("press d when you have done it", "answer y when it is done"),
        ("press r", "answer y to run it"),
    ];
    if line.starts_with("i Press t for the troubleshooting list") {
        return Some("i `connect-sso troubleshoot` explains the usual causes".to_string());
    }
    let mut out = line.to_string();
    for (screen, plain) in WORDS {
        out = out.replace(screen, plain);
    }
    Some(out)
}

impl Plain<'_> {
    /// One line of input; `None` at the end of input.
    fn ask(&mut self, prompt: &str) -> std::io::Result<Option<String>> {
        write!(self.out, "{prompt}")?;
        self.out.flush()?;
        match read_line_capped(self.input)? {
            None => {
                writeln!(self.out)?;
                Ok(None)
            }
            Some((line, cut)) => {
                if cut {
                    writeln!(
                        self.out,
                        "  note: that line was longer than {} KiB; only its start was read",
                        MAX_LINE / 1024
                    )?;
                }
                Ok(Some(line))
            }
        }
    }

    /// A yes/no question: `default` on an empty line, asked again on anything but y/yes/n/no;
    /// `None` at the end of input.
    fn confirm(&mut self, question: &str, default: bool) -> std::io::Result<Option<bool>> {
        let choices = if default { "[Y/n]" } else { "[y/N]" };
        loop {
            let Some(answer) = self.ask(&format!("{question} {choices}: "))? else {
                return Ok(None);
            };
            match answer.trim().to_ascii_lowercase().as_str() {
                "" => return Ok(Some(default)),
                "y" | "yes" => return Ok(Some(true)),
                "n" | "no" => return Ok(Some(false)),
                _ => writeln!(self.out, "  Please answer y or n.")?,
            }
        }
    }

    fn report(&mut self, step: &str) -> std::io::Result<()> {
        if let Some(r) = self.d.state.reports.get(step).cloned() {
            for line in r.lines.iter().filter_map(|l| plain_words(l)) {
                // Lines of checks carry their own verdict symbol; the rest gets the result's.
                let own = ["✓ ", "✗ ", "! ", "? ", "i ", "  "]
                    .iter()
                    .any(|s| line.starts_with(s));
                if own {
                    writeln!(self.out, "  {}", clean(&line))?;
                } else {
                    let mark = if r.ok { "ok" } else { "problem" };
                    writeln!(self.out, "  {mark}: {}", clean(&line))?;
                }
            }
        }
        if let Some(f) = self.d.state.flash.take() {
            let f = plain_words(&f).unwrap_or(f);
            writeln!(self.out, "  note: {}", clean(&f))?;
        }
        Ok(())
    }

    async fn step_screen(&mut self, index: usize) -> std::io::Result<bool> {
        let step = STEPS[index];
        let (n, m) = (index + 1, STEPS.len());
        writeln!(
            self.out,
            "\n== Step {n} of {m}: {} ({}) [{}]",
            step.title,
            step.id,
            step.kind.label()
        )?;
        writeln!(self.out, "{}", step.guidance.trim())?;
        if step.id == "11" && self.d.state.mode.is_live() {
            self.list_people().await?;
        }
        // Inputs: Enter keeps the value shown in brackets.
        for i in 0..self.d.state.screen_fields().len() {
            loop {
                let field = self.d.state.screen_fields()[i].clone();
                // Enter keeps what the brackets show: the answer, or the default it stands for.
                let shown = match field.value.trim() {
                    "" => self.d.state.default_of(field.input).unwrap_or_default(),
                    v => v.to_string(),
                };
                let prompt = format!("{} [{}]: ", field.label(), clean(&shown));
                let Some(answer) = self.ask(&prompt)? else {
                    return Ok(false);
                };
                if !answer.trim().is_empty() {
                    let f = self.d.state.field_mut(field.input);
                    f.value = answer.trim().to_string();
                    f.cursor = f.value.chars().count();
                }
                self.d.state.focus = Focus::Field(i);
                self.d.key(Key::Enter).await;
                validate(&mut self.d.state);
                match self.d.state.screen_fields()[i].error.clone() {
                    Some(e) => {
                        writeln!(self.out, "  problem: {}", clean(&e))?;
                        // Ask again with the earlier value offered, not the rejected one.
                        let f = self.d.state.field_mut(field.input);
                        f.value = field.value.clone();
                        f.cursor = f.value.chars().count();
                        f.error = None;
                    }
                    None => break,
                }
            }
        }
        self.d.state.focus = Focus::Values(0);
        self.report(step.id)?;
        let values = screen_values(&self.d.state);
        for (label, value) in &values {
            writeln!(self.out, "  {}:", clean(label))?;
            for line in value.lines() {
                writeln!(self.out, "    {}", clean(line))?;
            }
        }
        let live = self.d.state.mode.is_live();
        let question = match step.kind {
            StepKind::Manual if step.id == "2" => None,
            // Walking the guide, the usual answer is yes; n leaves it for later.
            StepKind::Manual => Some(("Done in the console?", true, 'd')),
            _ if !live => None,
            StepKind::Automated => Some(("Run it now?", true, 'r')),
            StepKind::Check => Some(("Check now?", true, 'r')),
        };
        if let Some((question, default, key)) = question {
            // `--yes` (or a piped "y") answers; anything else is asked again.
            let yes = match self.yes {
                true => true,
                false => match self.confirm(question, default)? {
                    Some(yes) => yes,
                    None => return Ok(false),
                },
            };
            if yes {
                self.d.key(Key::Char(key)).await;
                if self.d.state.overlay == Overlay::ConsoleForm && !self.console_form().await? {
                    return Ok(false);
                }
            }
            self.report(step.id)?;
        }
        if step.id == "11" && live && !self.create_connect_users().await? {
            return Ok(false);
        }
        if step.id == "11" && live && !self.unassign_removed().await? {
            return Ok(false);
        }
        let (_, word) = self.d.state.status(step.id).marker();
        writeln!(self.out, "  status: {word}")?;
        Ok(true)
    }

    /// Step 11 without a picker: who is in the identity store, read through the people
    /// picker as the full screen's `p` reads it, so the names can be typed.
    async fn list_people(&mut self) -> std::io::Result<()> {
        /// More than this many are counted, not listed: a directory can hold thousands.
        const SHOWN: usize = 12;
        self.d.key(Key::Char('p')).await;
        let Some(picker) = self.d.state.picker.clone() else {
            return Ok(());
        };
        self.d.key(Key::Esc).await;
        match (picker.choices, picker.error) {
            (Some(people), _) if !people.is_empty() => {
                writeln!(
                    self.out,
                    "  People in Identity Center (type their emails or user names):"
                )?;
                for c in people.iter().take(SHOWN) {
                    writeln!(self.out, "    {}", clean(&c.shown))?;
                }
                if people.len() > SHOWN {
                    writeln!(self.out, "    … and {} more", people.len() - SHOWN)?;
                }
            }
            (_, Some(e)) => writeln!(
                self.out,
                "  note: the people could not be listed: {}",
                clean(&e)
            )?,
            _ => {}
        }
        Ok(())
    }

    /// On the sandbox, a console step's page as prompts: each field with what Enter takes
    /// in brackets (the wizard's value, or what the page holds for a field the wizard has no
    /// value for), and what the page holds now when that differs; `-` empties it; a format
    /// is one of the menu's names. Keeping every default gives the guide's setup; anything
    /// typed is saved as typed. `--yes` takes the wizard's values. `false` at the end of
    /// input.
    async fn console_form(&mut self) -> std::io::Result<bool> {
        let Some(form) = self.d.state.console_form.clone() else {
            return Ok(true);
        };
        writeln!(
            self.out,
            "  {} ({}): type each value as you would in the console; Enter takes the one in brackets, - empties the field",
            clean(&form.title()),
            clean(&form.application_name)
        )?;
        let mut ask: Vec<usize> = (0..form.fields.len()).collect();
        while self.d.state.overlay == Overlay::ConsoleForm {
            for i in std::mem::take(&mut ask) {
                if !self.form_field(i).await? {
                    return Ok(false);
                }
            }
            self.d.key(Key::Ctrl('s')).await;
            if let Some(form) = &self.d.state.console_form {
                // Refused: say why and ask again for the field it names.
                let (why, focus) = (form.error.clone().unwrap_or_default(), form.focus);
                writeln!(self.out, "  problem: {}", clean(&why))?;
                if self.yes {
                    // The wizard's values were refused: asking again would loop.
                    self.d.key(Key::Esc).await;
                    writeln!(
                        self.out,
                        "  nothing saved: --yes cannot answer this page; run without --yes to type it"
                    )?;
                    break;
                }
                ask.push(focus);
            }
        }
        Ok(true)
    }

    /// One field of the console form; `false` at the end of input.
    async fn form_field(&mut self, i: usize) -> std::io::Result<bool> {
        use crate::app::console_form::FieldKind;
        let Some(field) = self
            .d
            .state
            .console_form
            .as_ref()
            .map(|f| f.fields[i].clone())
        else {
            return Ok(true);
        };
        let value = if self.yes {
            field.shown.clone().unwrap_or(field.value.clone())
        } else {
            // Enter takes the wizard's value; what the page holds is said when it differs.
            let offered = field.shown.clone().unwrap_or_else(|| field.value.clone());
            if !field.value.trim().is_empty() && field.value != offered {
                writeln!(self.out, "    the page holds now: {}", clean(&field.value))?;
            }
            let names = match field.kind {
                FieldKind::Choice(menu) => {
                    let names: Vec<&str> = menu.iter().map(|(short, _)| *short).collect();
                    format!(" ({})", names.join(", "))
                }
                FieldKind::Text => String::new(),
            };
            loop {
                let prompt = format!("  {}{names} [{}]: ", field.label, clean(&offered));
                let Some(answer) = self.ask(&prompt)? else {
                    return Ok(false);
                };
                let answer = match answer.trim() {
                    "" => offered.clone(),
                    "-" => String::new(),
                    a => a.to_string(),
                };
                match field.kind {
                    FieldKind::Choice(menu) if !menu.iter().any(|(s, _)| *s == answer) => {
                        writeln!(self.out, "  Please answer one of{names}.")?;
                    }
                    _ => break answer,
                }
            }
        };
        self.d.dispatch(Msg::FormAnswer { field: i, value });
        Ok(true)
    }

    /// Step 11 found people connect-sso assigned who are no longer in the answer: ask before
    /// taking the application away from them. Removing access is never a default, so
    /// `--yes` does not answer this one. `false` at the end of input.
    async fn unassign_removed(&mut self) -> std::io::Result<bool> {
        if self.d.state.unrequested.is_empty() {
            return Ok(true);
        }
        let names: Vec<String> = self
            .d
            .state
            .unrequested
            .iter()
            .map(|e| clean(&e.user_name).into_owned())
            .collect();
        if self.yes {
            writeln!(
                self.out,
                "  {} still assigned; --yes never unassigns: run without it to be asked",
                names.join(", ")
            )?;
            return Ok(true);
        }
        let question = format!(
            "Unassign {} (no longer in the answer) from the application?",
            names.join(", ")
        );
        match self.confirm(&question, false)? {
            None => return Ok(false),
            Some(false) => return Ok(true),
            Some(true) => {}
        }
        self.d.key(Key::Char('u')).await;
        self.d.key(Key::Char('y')).await;
        if let Some(flash) = self.d.state.flash.take() {
            writeln!(self.out, "  {}", clean(&flash))?;
        }
        self.report("11")?;
        Ok(true)
    }

    /// Step 11 found people without a Connect user: offer to create them with the profiles
    /// the answers name, walking the same pickers as `a` on the full screen. `false` at the
    /// end of input.
    async fn create_connect_users(&mut self) -> std::io::Result<bool> {
        let state = &self.d.state;
        let missing = state
            .users
            .iter()
            .any(|u| u.connect_user.is_none() && u.connect_username.is_some())
            || state.reach.as_ref().is_some_and(|r| r.missing > 0);
        if !missing {
            return Ok(true);
        }
        let profile = |input| self.d.state.answers_or_default(input).unwrap_or_default();
        let question = format!(
            "Create the missing Connect users (security profile {}, routing profile {})?",
            clean(&profile(Input::SecurityProfile)),
            clean(&profile(Input::RoutingProfile))
        );
        let yes = match self.yes {
            true => true,
            false => match self.confirm(&question, true)? {
                Some(yes) => yes,
                None => return Ok(false),
            },
        };
        if !yes {
            return Ok(true);
        }
        self.d.key(Key::Char('a')).await;
        // Each picker opens on the answer: Enter keeps it. Two lists, then the run.
        for _ in 0..2 {
            if self.d.state.overlay != Overlay::Picker {
                break;
            }
            self.d.key(Key::Enter).await;
        }
        if self.d.state.overlay == Overlay::Picker {
            self.d.key(Key::Esc).await;
        }
        if let Some(flash) = self.d.state.flash.take() {
            writeln!(self.out, "  {}", clean(&flash))?;
        }
        self.report("11")?;
        Ok(true)
    }
}

/// Walks every step once; returns the statuses at the end. A kept `sandbox` account is saved
/// after every step, so what was done survives an interrupted run.
pub async fn run(
    state: State,
    effects: Effects,
    rx: UnboundedReceiver<Msg>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    sandbox: Option<&Sandbox>,
    yes: bool,
) -> std::io::Result<State> {
    // What the wizard noted while starting (a resumed or damaged session, the sandbox).
    let notes = state.flash.clone();
    let saved = state.screen.saturating_sub(1).min(STEPS.len() - 1);
    let mut p = Plain {
        d: Driver::new(state, effects, rx),
        yes,
        input,
        out,
    };
    writeln!(
        p.out,
        "connect-sso ({}), session {}",
        p.d.state.mode_name(),
        p.d.state.session_name
    )?;
    p.d.settle().await;
    if p.d.state.mode.is_live() {
        if let Some(c) = p.d.state.contexts.clone() {
            writeln!(
                p.out,
                "connect context:  account {} as {}",
                c.connect.account,
                clean(&c.connect.arn)
            )?;
            writeln!(
                p.out,
                "identity context: account {} as {}",
                c.identity.account,
                clean(&c.identity.arn)
            )?;
        }
        if let Some(e) = p.d.state.context_error.clone() {
            writeln!(p.out, "problem: {}", clean(&e))?;
            writeln!(
                p.out,
                "Continuing in plan-only mode: values and documents, no live actions."
            )?;
            p.d.state.mode = crate::app::Mode::PlanOnly;
        }
    }
    if let Some(notes) = notes {
        writeln!(p.out, "{}", clean(&notes))?;
    }
    // Where the session stopped, or the first step before it still to do, out of date or
    // failed: a resumed run goes on from there rather than re-verifying what cannot pass.
    // Read once the opening work is done: until the metadata file is read, 6a's result
    // cannot be told current.
    let unfinished = STEPS.iter().position(|s| {
        s.id != "verify"
            && !matches!(
                p.d.state.status(s.id),
                StepStatus::Done | StepStatus::Verified | StepStatus::Skipped
            )
    });
    let first = unfinished.map_or(saved, |u| u.min(saved));
    if first > 0 {
        writeln!(
            p.out,
            "Resuming at step {} of {} ({}); the steps before it keep their results.",
            first + 1,
            STEPS.len(),
            STEPS[first].id
        )?;
    }
    let mut save_warned = false;
    let mut announced_save: Option<String> = None;
    for index in first..STEPS.len() {
        p.d.state.screen = index + 1;
        let more = p.step_screen(index).await?;
        // A failed save is said once (and again only if the reason changes).
        if let Some(e) = p.d.state.save_error.clone()
            && announced_save.as_ref() != Some(&e)
        {
            writeln!(
                p.out,
                "warning: The session could not be saved: {}. The run goes on and tries again after each step",
                clean(&e)
            )?;
            announced_save = Some(e);
        }
        if let Some(e) = sandbox.and_then(super::account::save_error)
            && !std::mem::replace(&mut save_warned, true)
        {
            writeln!(p.out, "warning: {}", clean(&e))?;
        }
        if !more {
            writeln!(p.out, "End of input: stopping here; the session is saved.")?;
            break;
        }
    }
    let done = STEPS
        .iter()
        .filter(|s| {
            matches!(
                p.d.state.status(s.id),
                StepStatus::Done | StepStatus::Verified
            )
        })
        .count();
    writeln!(p.out, "\n{done} of {} steps done or verified.", STEPS.len())?;
    p.d.dispatch(Msg::Key(Key::Char('q')));
    Ok(p.d.state)
}
