//! `--plain`: the wizard's steps as plain line-by-line prompts, for screen readers, logs,
//! `TERM=dumb` and piped input. It drives the same state machine as the full screen.

use std::io::{BufRead, Write};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::driver::Driver;
use crate::app::effects::Effects;
use crate::app::{Focus, Key, Msg, State, StepStatus, screen_values, validate};
use crate::cloud::sandbox::Sandbox;
use crate::steps::{STEPS, StepKind};
use crate::ui::clean;

struct Plain<'a> {
    d: Driver,
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

impl Plain<'_> {
    /// One line of input; `None` at the end of input.
    fn ask(&mut self, prompt: &str) -> std::io::Result<Option<String>> {
        write!(self.out, "{prompt}")?;
        self.out.flush()?;
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            writeln!(self.out)?;
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
    }

    fn report(&mut self, step: &str) -> std::io::Result<()> {
        if let Some(r) = self.d.state.reports.get(step).cloned() {
            for line in r.lines {
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
            StepKind::Manual => Some("Done in the console? [y = done, s = skip, Enter = later]: "),
            _ if !live => None,
            StepKind::Automated => Some("Run it now? [Y/n]: "),
            StepKind::Check => Some("Check now? [Y/n]: "),
        };
        if let Some(q) = question {
            let Some(answer) = self.ask(q)? else {
                return Ok(false);
            };
            let a = answer.trim().to_ascii_lowercase();
            match step.kind {
                StepKind::Manual if a == "y" || a == "yes" => self.d.key(Key::Char('d')).await,
                StepKind::Manual if a == "s" => self.d.key(Key::Char('x')).await,
                StepKind::Manual => {}
                _ if a.is_empty() || a == "y" || a == "yes" => self.d.key(Key::Char('r')).await,
                _ => {}
            }
            self.report(step.id)?;
        }
        let (symbol, word) = self.d.state.status(step.id).marker();
        writeln!(self.out, "  status: {symbol} {word}")?;
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
) -> std::io::Result<State> {
    let mut p = Plain {
        d: Driver::new(state, effects, rx),
        input,
        out,
    };
    writeln!(
        p.out,
        "connect-sso ({}), session {}",
        p.d.state.mode.label(),
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
    let mut save_warned = false;
    for index in 0..STEPS.len() {
        p.d.state.screen = index + 1;
        let more = p.step_screen(index).await?;
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
