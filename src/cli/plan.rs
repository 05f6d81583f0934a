//! `connect-sso plan`: the whole procedure for one setup, offline, as text, JSON or Markdown.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{Format, GlobalArgs, PermissionsArgs, PlanArgs, Status, config};
use crate::cloud::metadata_source::load_source_blocking;
use crate::domain::metadata::format_date;
use crate::domain::operator;
use crate::domain::policy::pretty;
use crate::domain::setup::{AnswerError, Answers, Setup};
use crate::plan::{MetadataSummary, Plan, PlanStep};

/// Merges flags and environment over the answers file, then validates.
pub fn resolve_answers(global: &GlobalArgs, given: Answers) -> Result<Answers, String> {
    match &global.config {
        Some(path) => Ok(given.or(config::load(path).map_err(|e| e.to_string())?)),
        None => Ok(given),
    }
}

/// Writes every invalid answer with its fix; returns the status for bad input.
pub fn invalid_answers(err: &mut dyn Write, errors: &[AnswerError]) -> io::Result<Status> {
    writeln!(err, "error: the answers are not valid:")?;
    for e in errors {
        writeln!(err, "  - {e}")?;
    }
    Ok(Status::BadInput)
}

/// The answers from flags and environment over the answers file, and on the sandbox its
/// SAML instance when no level names one; `None` when the file is unusable (reported to
/// `err`).
pub fn load_answers(
    global: &GlobalArgs,
    given: Answers,
    err: &mut dyn Write,
) -> io::Result<Option<Answers>> {
    match resolve_answers(global, given) {
        Ok(mut a) => {
            // After the file: its instance, when it names one, is the one meant.
            super::default_sandbox_instance(global, &mut a);
            Ok(Some(a))
        }
        Err(message) => {
            writeln!(err, "error: {message}")?;
            Ok(None)
        }
    }
}

/// The metadata the answers name, checked: its summary and the document; `Ok(None)` when
/// it is unusable (reported to `err`), `Ok(Some(None))` when no metadata is given.
pub fn given_metadata(
    answers: &Answers,
    now: OffsetDateTime,
    err: &mut dyn Write,
) -> io::Result<Option<Option<(MetadataSummary, String)>>> {
    let Some(path) = &answers.metadata else {
        return Ok(Some(None));
    };
    match load_source_blocking(&path.to_string_lossy(), now) {
        Ok((checked, document)) => Ok(Some(Some((
            MetadataSummary::new(path.display().to_string(), &checked),
            document,
        )))),
        Err(message) => {
            writeln!(err, "error: {message}")?;
            Ok(None)
        }
    }
}

/// The answers and the validated setup; `None` when either is unusable (reported to `err`).
pub fn load_setup(
    global: &GlobalArgs,
    given: Answers,
    err: &mut dyn Write,
) -> io::Result<Option<(Answers, Setup)>> {
    let Some(answers) = load_answers(global, given, err)? else {
        return Ok(None);
    };
    match Setup::from_answers(&answers) {
        Ok(setup) => Ok(Some((answers, setup))),
        Err(errors) => {
            invalid_answers(err, &errors)?;
            Ok(None)
        }
    }
}

pub fn run(
    global: &GlobalArgs,
    args: &PlanArgs,
    now: OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let Some((answers, setup)) = load_setup(global, args.answers.to_answers(global), err)? else {
        return Ok(Status::BadInput);
    };
    let Some(metadata) = given_metadata(&answers, now, err)? else {
        return Ok(Status::BadInput);
    };
    let plan = Plan::build(&setup, metadata.map(|(summary, _)| summary));
    match args.format {
        Format::Text => out.write_all(render_text(&plan).as_bytes())?,
        Format::Markdown => out.write_all(render_markdown(&plan).as_bytes())?,
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&plan).expect("the plan serializes")
        )?,
    }
    Ok(Status::Ok)
}

/// `connect-sso permissions`: the operator's policies, scoped to the setup when it is known.
pub fn run_permissions(
    global: &GlobalArgs,
    args: &PermissionsArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let Some(answers) = load_answers(global, args.answers.to_answers(global), err)? else {
        return Ok(Status::BadInput);
    };
    let given = answers.instance_arn.is_some() || answers.instance_id.is_some();
    let setup = match Setup::from_answers(&answers) {
        Ok(s) => Some(s),
        Err(errors) if given => return invalid_answers(err, &errors),
        Err(_) => None,
    };
    let connect = operator::connect_policy(setup.as_ref());
    let identity = operator::identity_policy();
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "connect": connect,
                "identity": identity,
            }))
            .expect("JSON values serialize")
        )?,
        Format::Text | Format::Markdown => {
            writeln!(
                out,
                "Connect context (the account that owns the Connect instance{}):",
                if setup.is_some() {
                    "; scoped to this setup"
                } else {
                    "; pass --instance-arn to scope it"
                }
            )?;
            writeln!(out, "{}\n", pretty(&connect))?;
            writeln!(out, "Identity context (where IAM Identity Center runs):")?;
            writeln!(out, "{}", pretty(&identity))?;
        }
    }
    Ok(Status::Ok)
}

const WIDTH: usize = 88;

/// Greedy word wrap; words longer than the width stay whole (URLs must not break).
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn step_heading(s: &PlanStep) -> String {
    if s.id.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let noun = if s.id.contains('-') { "Steps" } else { "Step" };
        format!("{noun} {}: {}", s.id, s.title)
    } else {
        s.title.to_string()
    }
}

pub fn render_text(plan: &Plan) -> String {
    let mut o = String::new();
    o.push_str(&format!("connect-sso plan for {}\n", plan.instance_arn));
    o.push_str(&format!(
        "partition {}, region {}, account {}, {} sign-in endpoint\n",
        plan.partition, plan.region, plan.account_id, plan.sign_in_endpoint
    ));
    for w in &plan.warnings {
        o.push_str(&format!("warning: {w}\n"));
    }
    if let Some(m) = &plan.metadata {
        o.push_str(&format!("metadata {}: entity id {}\n", m.file, m.entity_id));
        for c in &m.certificates {
            o.push_str(&format!(
                "  certificate {} {} bits, valid until {}, SHA-256 {}\n",
                c.key_algorithm,
                c.key_bits,
                format_date(&c.not_after),
                c.sha256_fingerprint
            ));
        }
    }
    for s in &plan.steps {
        o.push('\n');
        o.push_str(&format!(
            "{}  [{}, {}]\n",
            step_heading(s),
            s.kind.label(),
            s.console.label()
        ));
        o.push_str(&wrap(&s.guidance, WIDTH, "  "));
        for v in &s.values {
            o.push_str(&format!(
                "  {}\n      {}\n      -> {}\n",
                v.label, v.value, v.target
            ));
        }
        for d in &s.documents {
            o.push_str(&format!("  {}\n", d.label));
            for line in pretty(&d.document).lines() {
                o.push_str(&format!("      {line}\n"));
            }
        }
        if !s.runs.is_empty() {
            o.push_str(&format!("  connect-sso runs: {}\n", s.runs.join(", ")));
        }
        if !s.checks.is_empty() {
            o.push_str(&format!(
                "  connect-sso checks with: {}\n",
                s.checks.join(", ")
            ));
        }
    }
    o.push_str(&format!(
        "\nAWS operations used: {}\n",
        plan.operations().join(", ")
    ));
    o
}

/// Escapes a value for a Markdown table cell shown as code.
fn md_code(v: &str) -> String {
    let ticks = if v.contains('`') { "``" } else { "`" };
    format!("{ticks}{}{ticks}", v.replace('|', "\\|"))
}

fn md_text(v: &str) -> String {
    v.replace('|', "\\|")
}

pub fn render_markdown(plan: &Plan) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "# Single sign-on for Amazon Connect: {}\n\n",
        md_text(&plan.app_name)
    ));
    o.push_str(
        "This runbook sets up sign-in to Amazon Connect through an IAM Identity Center SAML 2.0 \
         application. Work through the steps in order and tick each box when it is done. \
         Values in code font must be entered exactly as shown.\n\n",
    );
    o.push_str("| | |\n|---|---|\n");
    o.push_str(&format!(
        "| Connect instance | {} |\n",
        md_code(&plan.instance_arn)
    ));
    o.push_str(&format!("| Account | {} |\n", md_code(&plan.account_id)));
    o.push_str(&format!("| Region | {} |\n", md_code(plan.region)));
    o.push_str(&format!(
        "| Sign-in endpoint | {} |\n",
        plan.sign_in_endpoint
    ));
    if let Some(url) = &plan.access_portal_url {
        o.push_str(&format!("| AWS access portal | {} |\n", md_code(url)));
    }
    if let Some(m) = &plan.metadata {
        o.push_str(&format!("| IdC entity id | {} |\n", md_code(&m.entity_id)));
        for c in &m.certificates {
            o.push_str(&format!(
                "| IdC signing certificate | {} {} bits, valid until {}, SHA-256 {} |\n",
                c.key_algorithm,
                c.key_bits,
                format_date(&c.not_after),
                md_code(&c.sha256_fingerprint)
            ));
        }
    }
    o.push('\n');
    if !plan.warnings.is_empty() {
        o.push_str("> **Warnings**\n");
        for w in &plan.warnings {
            o.push_str(&format!("> - {w}\n"));
        }
        o.push('\n');
    }
    for s in &plan.steps {
        o.push_str(&format!(
            "## {} ({}, {})\n\n",
            step_heading(s),
            s.kind.label(),
            s.console.label()
        ));
        o.push_str(&format!("- [ ] Done\n\n{}\n\n", s.guidance));
        if !s.values.is_empty() {
            o.push_str("| Field | Value | Where |\n|---|---|---|\n");
            for v in &s.values {
                // A value still unknown is described in italics, never in code font.
                let shown = if v.placeholder {
                    format!("_{}_", md_text(&v.value))
                } else {
                    md_code(&v.value)
                };
                o.push_str(&format!(
                    "| {} | {} | {} |\n",
                    md_text(&v.label),
                    shown,
                    md_text(&v.target)
                ));
            }
            o.push('\n');
        }
        for d in &s.documents {
            o.push_str(&format!(
                "{}:\n\n```json\n{}\n```\n\n",
                d.label,
                pretty(&d.document)
            ));
        }
        if !s.runs.is_empty() {
            o.push_str(&format!(
                "connect-sso automates this step with: {}.\n\n",
                s.runs.join(", ")
            ));
        }
        if !s.checks.is_empty() {
            o.push_str(&format!("Checked with: {}.\n\n", s.checks.join(", ")));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_long_words_whole() {
        let url = "https://example.com/".to_string() + &"a".repeat(100);
        let text = format!("see {url} now");
        let wrapped = wrap(&text, 40, "  ");
        assert_eq!(wrapped, format!("  see\n  {url}\n  now\n"));
        assert_eq!(wrap("a b c", 80, ""), "a b c\n");
        assert_eq!(wrap("", 80, ""), "");
    }

    #[test]
    fn markdown_cells_escape_pipes_and_backticks() {
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("a`b"), "``a`b``");
    }
}
