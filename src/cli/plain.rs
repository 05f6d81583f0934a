//! `--plain`: the wizard's steps as plain line-by-line prompts, for screen readers, logs,
//! `TERM=dumb` and piped input. It drives the same state machine as the full screen.

use std::io::{BufRead, Write};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::effects::Effects;
use crate::app::{Focus, Key, Msg, State, StepStatus, screen_values, update, validate};
use crate::steps::{STEPS, StepKind};

struct Plain<'a> {
    state: State,
    effects: Effects,
    rx: UnboundedReceiver<Msg>,
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

impl Plain<'_> {
    fn dispatch(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            self.effects.run(cmd, &self.state);
        }
    }

    async fn settle(&mut self) {
        // A task sends its result before it finishes, so "not busy and nothing queued"
        // means settled.
        loop {
            match self.rx.try_recv() {
                Ok(msg) => self.dispatch(msg),
                Err(_) if self.effects.busy() => {
                    if let Ok(Some(msg)) =
                        tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
                    {
                        self.dispatch(msg);
                    }
                }
                Err(_) => break,
            }
        }
    }

    async fn key(&mut self, key: Key) {
        self.dispatch(Msg::Key(key));
        self.settle().await;
    }

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
        if let Some(r) = self.state.reports.get(step).cloned() {
            for line in r.lines {
                let mark = if r.ok { "ok" } else { "problem" };
                writeln!(self.out, "  {mark}: {}", clean(&line))?;
            }
        }
        if let Some(f) = self.state.flash.take() {
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
        for i in 0..self.state.screen_fields().len() {
            loop {
                let field = self.state.screen_fields()[i].clone();
                let prompt = format!("{} [{}]: ", field.label(), clean(&field.value));
                let Some(answer) = self.ask(&prompt)? else {
                    return Ok(false);
                };
                if !answer.trim().is_empty() {
                    let f = self.state.field_mut(field.input);
                    f.value = answer.trim().to_string();
                    f.cursor = f.value.chars().count();
                }
                self.state.focus = Focus::Field(i);
                self.key(Key::Enter).await;
                validate(&mut self.state);
                match self.state.screen_fields()[i].error.clone() {
                    Some(e) => {
                        writeln!(self.out, "  problem: {}", clean(&e))?;
                        // Ask again with the earlier value offered, not the rejected one.
                        let f = self.state.field_mut(field.input);
                        f.value = field.value.clone();
                        f.cursor = f.value.chars().count();
                        f.error = None;
                    }
                    None => break,
                }
            }
        }
        self.state.focus = Focus::Values(0);
        self.report(step.id)?;
        let values = screen_values(&self.state);
        for (label, value) in &values {
            writeln!(self.out, "  {}:", clean(label))?;
            for line in value.lines() {
                writeln!(self.out, "    {}", clean(line))?;
            }
        }
        let live = self.state.mode.is_live();
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
                StepKind::Manual if a == "y" || a == "yes" => self.key(Key::Char('d')).await,
                StepKind::Manual if a == "s" => self.key(Key::Char('x')).await,
                StepKind::Manual => {}
                _ if a.is_empty() || a == "y" || a == "yes" => self.key(Key::Char('r')).await,
                _ => {}
            }
            self.report(step.id)?;
        }
        let (symbol, word) = self.state.status(step.id).marker();
        writeln!(self.out, "  status: {symbol} {word}")?;
        Ok(true)
    }
}

/// Walks every step once; returns the statuses at the end.
pub async fn run(
    state: State,
    effects: Effects,
    rx: UnboundedReceiver<Msg>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> std::io::Result<State> {
    let mut p = Plain {
        state,
        effects,
        rx,
        input,
        out,
    };
    writeln!(
        p.out,
        "connect-sso ({}), session {}",
        p.state.mode.label(),
        p.state.session_name
    )?;
    for cmd in crate::app::init(&mut p.state) {
        p.effects.run(cmd, &p.state);
    }
    p.settle().await;
    if p.state.mode.is_live() {
        if let Some(c) = p.state.contexts.clone() {
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
        if let Some(e) = p.state.context_error.clone() {
            writeln!(p.out, "problem: {}", clean(&e))?;
            writeln!(
                p.out,
                "Continuing in plan-only mode: values and documents, no live actions."
            )?;
            p.state.mode = crate::app::Mode::PlanOnly;
        }
    }
    for index in 0..STEPS.len() {
        p.state.screen = index + 1;
        if !p.step_screen(index).await? {
            writeln!(p.out, "End of input: stopping here; the session is saved.")?;
            break;
        }
    }
    let done = STEPS
        .iter()
        .filter(|s| {
            matches!(
                p.state.status(s.id),
                StepStatus::Done | StepStatus::Verified
            )
        })
        .count();
    writeln!(p.out, "\n{done} of {} steps done or verified.", STEPS.len())?;
    p.dispatch(Msg::Key(Key::Char('q')));
    Ok(p.state)
}
