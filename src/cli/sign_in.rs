//! `connect-sso sign-in-test FILE|-`: asks AWS whether a captured SAMLResponse signs the
//! person in. The inspector's checks first, then for each Role pair (or `--role`'s) STS
//! `AssumeRoleWithSAML` and Connect `GetFederationToken` with the session it gives; AWS's
//! verdict with the troubleshooting entry and the fix. The temporary credentials and tokens
//! are never printed, logged or saved.
//!
//! `connect-sso --sandbox sign-in-test --user NAME`: the sandbox's Identity Center issues
//! the response for that user, as the access portal would, and the test runs on it: a
//! simulated sign-in from the portal to the instance, or the cause it fails.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;

use super::inspect::{input_error, read_input, supplied_metadata};
use super::options::{AwsOptions, InstanceOptions, MetadataOptions, SandboxOptions, SetupOptions};
use super::plan::load_setup;
use super::{AnswerArgs, Format, GlobalArgs, Status};
use crate::cloud::sandbox::{IssueError, IssuedResponse};
use crate::cloud::sign_in::{Attempt, CAPTURE_FRESH, Outcome, SignInReport, sign_in_test};
use crate::domain::assertion::{Severity, decode};
use crate::ui::clean;

#[derive(Debug, Args)]
pub struct SignInArgs {
    /// The captured SAMLResponse: a file with the form value (base64, URL-encoded or not),
    /// the whole form body (SAMLResponse=...&RelayState=...) or the XML; - reads standard input
    #[arg(value_name = "FILE|-", required_unless_present = "issue_for")]
    pub file: Option<PathBuf>,
    /// On the sandbox: its Identity Center issues a signed response for this user (user
    /// name or email), as their access portal would, and the test runs on that instead of
    /// FILE
    #[arg(
        long = "user",
        value_name = "NAME",
        conflicts_with = "file",
        help_heading = "Sandbox"
    )]
    pub issue_for: Option<String>,
    /// Test only the Role attribute's pair with this role ARN (default: every pair)
    #[arg(long, value_name = "ARN")]
    pub role: Option<String>,
    #[command(flatten)]
    pub(super) instance: InstanceOptions,
    #[command(flatten)]
    pub(super) setup: SetupOptions,
    #[command(flatten)]
    pub(super) metadata: MetadataOptions,
    #[command(flatten)]
    pub(super) aws: AwsOptions,
    #[command(flatten)]
    pub(super) sandbox: SandboxOptions,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

fn write_json(doc: &serde_json::Value, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(doc).expect("JSON values serialize")
    )
}

/// A response the sandbox's Identity Center would not issue: why, with its troubleshooting
/// entry; exit 2 for a user it does not have, 1 for a setup that signs nobody in.
fn issue_error(
    format: Format,
    e: &IssueError,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    if e.is_bad_input() {
        return input_error(format, &e.to_string(), out, err);
    }
    if format == Format::Json {
        write_json(
            &json!({ "error": e.to_string(), "trouble": e.trouble() }),
            out,
        )?;
    } else {
        writeln!(out, "✗ {e}")?;
    }
    Ok(Status::CheckFailed)
}

pub fn run(
    global: &GlobalArgs,
    args: &SignInArgs,
    now: OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    if args.issue_for.is_some() && !global.sandbox {
        let message = format!(
            "--user NAME asks the sandbox's IAM Identity Center to issue the response, and only \
             the sandbox's can be asked: add --sandbox. On AWS, give the FILE of a captured \
             response instead. {CAPTURE_FRESH}"
        );
        return input_error(args.format, &message, out, err);
    }
    // A captured response is read and decoded before anything else: unusable input is
    // said at once.
    let captured = match &args.file {
        Some(file) => {
            if file == Path::new("-") && io::stdin().is_terminal() {
                writeln!(
                    err,
                    "Paste the SAMLResponse (the form value, the whole form body or the XML), \
                     then press Ctrl-D on an empty line (Ctrl-Z, Enter on Windows)."
                )?;
            }
            let bytes = match read_input(file) {
                Ok(b) => b,
                Err(message) => return input_error(args.format, &message, out, err),
            };
            match decode(&bytes) {
                Ok(d) => Some(d),
                Err(e) => return input_error(args.format, &e.to_string(), out, err),
            }
        }
        None => None,
    };
    let given = args.answers.to_answers(global);
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
    };
    let Some(runtime) = super::runtime(err)? else {
        return Ok(Status::CheckFailed);
    };
    runtime.block_on(async {
        let supplied = match supplied_metadata(answers.metadata.as_ref()).await {
            Ok(s) => s,
            Err(message) => return input_error(args.format, &message, out, err),
        };
        let access = super::account::Access::ReadOnly;
        let account = super::account::connect(global, &answers, access, err).await?;
        let (decoded, issued) = match (captured, account.sandbox(), &args.issue_for) {
            (Some(decoded), _, _) => (decoded, None),
            (None, Some(sandbox), Some(user)) => {
                let issued = match sandbox.issue_response(user, &setup, now) {
                    Ok(i) => i,
                    Err(e) => return issue_error(args.format, &e, out, err),
                };
                // Read as a captured form body is: the test sees what the browser posts.
                match decode(issued.form_body().as_bytes()) {
                    Ok(d) => (d, Some(issued)),
                    Err(e) => return input_error(args.format, &e.to_string(), out, err),
                }
            }
            // Refused above (clap asks for FILE or --user; --user only with --sandbox).
            (None, _, _) => {
                return input_error(
                    args.format,
                    "give the captured SAMLResponse's FILE (or - for standard input), or --user NAME with --sandbox",
                    out,
                    err,
                );
            }
        };
        let report = sign_in_test(
            account.cloud(),
            &setup,
            &decoded,
            supplied.as_deref(),
            args.role.as_deref(),
            now,
        )
        .await;
        let mut report = match report {
            Ok(r) => r,
            Err(e) => return input_error(args.format, &e.to_string(), out, err),
        };
        // STS took a captured response: a later run on this account refuses it too, as AWS
        // would. (One the sandbox issued for this run was never shown, so nobody can reuse it.)
        if let Some(sandbox) = account.sandbox()
            && issued.is_none()
            && let Err(e) = sandbox.keep_spent_assertions()
        {
            writeln!(
                err,
                "warning: the sandbox account could not note the response as used, so another run would accept it again: {e}"
            )?;
        }
        // Each proposed command as it can be run from here.
        let file = global
            .config
            .as_deref()
            .and_then(|p| super::config::load(p).ok());
        let rerun =
            crate::rerun::Rerun::new(global.account(), &answers, &args.answers.from_env, file.as_ref());
        for f in &mut report.inspection.findings {
            if let Some(fix) = &mut f.fix {
                *fix = rerun.complete(fix);
            }
        }
        for a in &mut report.attempts {
            if let Outcome::Refused { fix, .. } = &mut a.outcome {
                *fix = rerun.complete(fix);
            }
        }
        match args.format {
            Format::Json => {
                let mut doc = serde_json::to_value(&report).expect("the report serializes");
                if let (Some(issued), Some(fields)) = (&issued, doc.as_object_mut()) {
                    fields.insert("issued".to_string(), issued_json(issued));
                }
                write_json(&doc, out)?
            }
            Format::Text | Format::Markdown => {
                if let Some(issued) = &issued {
                    render_issued(issued, out)?;
                }
                render_text(&report, global.sandbox, out)?;
                if let Some(issued) = &issued {
                    render_landing(&report, issued, out)?;
                }
            }
        }
        Ok(if report.signed_in {
            Status::Ok
        } else {
            Status::CheckFailed
        })
    })
}

/// What the sandbox's Identity Center issued (no secret in it: the response is signed,
/// not secret, and the test uses it up).
fn issued_json(issued: &IssuedResponse) -> serde_json::Value {
    json!({
        "by": "the sandbox's IAM Identity Center",
        "user": issued.user_name,
        "application_arn": issued.application_arn,
        "acs_url": issued.acs_url,
        "relay_state": issued.relay_state,
    })
}

fn render_issued(issued: &IssuedResponse, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "The sandbox's IAM Identity Center issued a SAMLResponse for {} (application {}), \
         posted to {}",
        clean(&issued.user_name),
        clean(&issued.application_arn),
        clean(&issued.acs_url)
    )?;
    writeln!(out)
}

/// Where the simulated sign-in ends: the relay state (the instance's federation URL) for
/// the Connect user AWS signed in.
fn render_landing(
    report: &SignInReport,
    issued: &IssuedResponse,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(Outcome::SignedIn {
        connect_user,
        sign_in_host,
        ..
    }) = report
        .attempts
        .iter()
        .map(|a| &a.outcome)
        .find(|o| matches!(o, Outcome::SignedIn { .. }))
    else {
        return Ok(());
    };
    let lands = issued
        .relay_state
        .as_deref()
        .map(|r| format!(" lands on {} and", clean(r)))
        .unwrap_or_default();
    writeln!(
        out,
        "Simulated sign-in: {}{lands} opens Connect as user {}{}",
        clean(&issued.user_name),
        clean(connect_user),
        sign_in_host
            .as_deref()
            .map(|h| format!(" on {}", clean(h)))
            .unwrap_or_default()
    )
}

/// The inspector's failures and warnings in short, then AWS's verdict on each pair. Every
/// value from the response or from AWS is cleaned of control characters.
pub fn render_text(report: &SignInReport, sandbox: bool, out: &mut dyn Write) -> io::Result<()> {
    let inspection = &report.inspection;
    let r = &inspection.response;
    writeln!(
        out,
        "Sign-in test of SAMLResponse {} ({})",
        clean(r.id.as_deref().unwrap_or("(no ID)")),
        inspection.input.label()
    )?;
    writeln!(
        out,
        "  asked      {}",
        if sandbox {
            "the sandbox account's STS and Connect"
        } else {
            "AWS STS and Amazon Connect"
        }
    )?;
    let s = inspection.summary;
    writeln!(
        out,
        "  inspector  {} ok, {} warnings, {} failures (`connect-sso inspect-assertion` shows every check)",
        s.pass, s.warn, s.fail
    )?;
    for f in inspection
        .findings
        .iter()
        .filter(|f| matches!(f.severity, Severity::Fail | Severity::Warn))
    {
        writeln!(out)?;
        writeln!(
            out,
            "{} {:<5} {}",
            f.severity.symbol(),
            f.severity.label(),
            clean(&f.field)
        )?;
        for (label, value) in [("seen", &f.seen), ("fix", &f.fix)] {
            if let Some(value) = value {
                writeln!(out, "        {label}: {}", clean(value))?;
            }
        }
        if let Some(id) = f.trouble {
            writeln!(out, "        see: connect-sso troubleshoot {id}")?;
        }
    }
    if report.attempts.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "✗ AWS was not asked: the Role attribute holds no role,provider pair, so AWS sign-in \
             would show \"Your request included an invalid SAML response\". Map \
             https://aws.amazon.com/SAML/Attributes/Role to ROLE_ARN,PROVIDER_ARN (step 10)"
        )?;
        writeln!(
            out,
            "        see: connect-sso troubleshoot invalid-saml-response"
        )?;
    }
    for (i, attempt) in report.attempts.iter().enumerate() {
        writeln!(out)?;
        render_attempt(i + 1, attempt, out)?;
    }
    writeln!(out)?;
    let verdict = if report.signed_in {
        "AWS signed the person in: Connect would open for them."
    } else if report
        .attempts
        .iter()
        .any(|a| matches!(a.outcome, Outcome::NotAnswered { .. }))
    {
        "No verdict for every pair: AWS could not be asked (see above); fix that and test again."
    } else {
        "AWS refused the sign-in: fix what is named above, then test again with a fresh response."
    };
    writeln!(out, "{verdict}")
}

fn render_attempt(n: usize, attempt: &Attempt, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Role pair {n}: {},{}",
        clean(&attempt.role_arn),
        clean(&attempt.provider_arn)
    )?;
    match &attempt.outcome {
        Outcome::SignedIn {
            connect_user,
            connect_user_id,
            sign_in_host,
            ..
        } => {
            writeln!(
                out,
                "✓ signed in as Connect user {} (id {})",
                clean(connect_user),
                clean(connect_user_id)
            )?;
            if let Some(host) = sign_in_host {
                writeln!(out, "        sign-in URL on {}", clean(host))?;
            }
            writeln!(
                out,
                "        the session's credentials and tokens were dropped, never shown"
            )
        }
        Outcome::Refused {
            step,
            code,
            message,
            trouble,
            fix,
        } => {
            writeln!(
                out,
                "✗ refused by {} ({}): {}",
                step.action(),
                clean(code),
                clean(message)
            )?;
            writeln!(out, "        fix: {}", clean(fix))?;
            if let Some(id) = trouble {
                writeln!(out, "        see: connect-sso troubleshoot {id}")?;
            }
            Ok(())
        }
        Outcome::NotAnswered { step, error } => {
            writeln!(
                out,
                "! {} could not be asked: {}",
                step.action(),
                clean(error)
            )
        }
    }
}
