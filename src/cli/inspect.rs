//! `connect-sso inspect-assertion FILE|-`: check a SAMLResponse captured in the browser
//! against the setup (and, unless --offline, against the account), field by field.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;

use super::options::{AwsOptions, InstanceOptions, MetadataOptions, SandboxOptions, SetupOptions};
use super::plan::load_setup;
use super::{AnswerArgs, Format, GlobalArgs, Status};
use crate::cloud::inspect::{InspectReport, inspect};
use crate::cloud::metadata_source::{fetch, is_url, read_metadata_file};
use crate::domain::assertion::{AssertionError, MAX_INPUT_BYTES, Severity, decode};
use crate::domain::metadata::{self, format_date};
use crate::files::{ReadError, read_small};
use crate::ui::clean;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The captured SAMLResponse: a file with the form value (base64, URL-encoded or not),
    /// the whole form body (SAMLResponse=...&RelayState=...) or the XML; - reads standard input
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
    /// Check against the plan only, with no AWS calls (the SAML provider, role and Connect
    /// user are not checked)
    #[arg(long)]
    pub offline: bool,
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

/// Reads the input, at most [`MAX_INPUT_BYTES`] (and one byte more to tell it was more).
pub(super) fn read_input(file: &Path) -> Result<Vec<u8>, String> {
    let too_large = || {
        AssertionError::TooLarge {
            len: MAX_INPUT_BYTES + 1,
            max: MAX_INPUT_BYTES,
        }
        .to_string()
    };
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(too_large());
        }
        return Ok(bytes);
    }
    read_small(file, MAX_INPUT_BYTES as u64).map_err(|e| match e {
        ReadError::Io(e) => format!(
            "cannot read {}: {e}. Give the file the SAMLResponse was saved in, or - to paste it",
            file.display()
        ),
        ReadError::TooLarge => format!("{}: {}", file.display(), too_large()),
    })
}

/// Unusable input: said on standard error, or as `{"error": ...}` with JSON output.
pub(super) fn input_error(
    format: Format,
    message: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    if format == Format::Json {
        let doc = json!({ "error": message });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON values serialize")
        )?;
    } else {
        writeln!(err, "error: {message}")?;
    }
    Ok(Status::BadInput)
}

/// The metadata the answers name, as trusted certificates for the inspector's checks; an
/// expired certificate in it is reported by the checks rather than refused.
pub(super) async fn supplied_metadata(path: Option<&PathBuf>) -> Result<Option<String>, String> {
    let Some(path) = path else {
        return Ok(None);
    };
    let source = path.to_string_lossy();
    let bytes = if is_url(&source) {
        fetch(&source).await
    } else {
        read_metadata_file(path)
    }?;
    metadata::parse(&bytes)
        .map(|_| Some(String::from_utf8_lossy(&bytes).into_owned()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(
    global: &GlobalArgs,
    args: &InspectArgs,
    now: OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    if args.file == Path::new("-") && io::stdin().is_terminal() {
        writeln!(
            err,
            "Paste the SAMLResponse (the form value, the whole form body or the XML), then press \
             Ctrl-D on an empty line (Ctrl-Z, Enter on Windows)."
        )?;
    }
    let bytes = match read_input(&args.file) {
        Ok(b) => b,
        Err(message) => return input_error(args.format, &message, out, err),
    };
    let decoded = match decode(&bytes) {
        Ok(d) => d,
        Err(e) => return input_error(args.format, &e.to_string(), out, err),
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
            Ok(text) => text,
            Err(message) => return input_error(args.format, &message, out, err),
        };
        let account = if args.offline {
            None
        } else {
            let access = super::account::Access::ReadOnly;
            Some(super::account::connect(global, &answers, access, err).await?)
        };
        let cloud = account.as_ref().map(super::account::Account::cloud);
        let report = inspect(cloud, &setup, &decoded, supplied.as_deref(), now).await;
        let mut report = match report {
            Ok(r) => r,
            Err(e) => return input_error(args.format, &e.to_string(), out, err),
        };
        // Each proposed command as it can be run from here.
        let file = global
            .config
            .as_deref()
            .and_then(|p| super::config::load(p).ok());
        let rerun = crate::rerun::Rerun::new(
            global.account(),
            &answers,
            &args.answers.from_env,
            file.as_ref(),
        );
        for f in &mut report.findings {
            if let Some(fix) = &mut f.fix {
                *fix = rerun.complete(fix);
            }
        }
        match args.format {
            Format::Json => writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).expect("the report serializes")
            )?,
            Format::Text | Format::Markdown => render_text(&report, global.sandbox, out)?,
        }
        Ok(if report.failed() {
            Status::CheckFailed
        } else {
            Status::Ok
        })
    })
}

fn input_label(report: &InspectReport) -> &'static str {
    report.input.label()
}

/// One block per finding: severity, field, then what was seen, expected, the fix and the
/// troubleshooting entry. Every value from the response is cleaned of control characters.
pub fn render_text(report: &InspectReport, sandbox: bool, out: &mut dyn Write) -> io::Result<()> {
    let r = &report.response;
    let issued = r
        .assertion
        .as_ref()
        .and_then(|a| a.issue_instant.as_deref())
        .or(r.issue_instant.as_deref())
        .and_then(|t| {
            OffsetDateTime::parse(t.trim(), &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| format_date(&t))
        .unwrap_or_else(|| "at an unknown time".into());
    writeln!(
        out,
        "SAMLResponse {} issued {issued}",
        clean(r.id.as_deref().unwrap_or("(no ID)"))
    )?;
    writeln!(
        out,
        "  from       {}",
        clean(
            r.assertion
                .as_ref()
                .and_then(|a| a.issuer.as_deref())
                .or(r.issuer.as_deref())
                .unwrap_or("(no Issuer)")
        )
    )?;
    writeln!(out, "  read as    {}", input_label(report))?;
    if let Some(relay) = &report.relay_state {
        writeln!(out, "  RelayState {}", clean(relay))?;
    }
    writeln!(
        out,
        "  checked    {}",
        match (report.offline, sandbox) {
            (true, _) => "against the plan only (offline)",
            (false, true) => "against the plan and the sandbox account",
            (false, false) => "against the plan and the AWS account",
        }
    )?;
    for f in &report.findings {
        writeln!(out)?;
        writeln!(
            out,
            "{} {:<5} {}",
            f.severity.symbol(),
            f.severity.label(),
            clean(&f.field)
        )?;
        for (label, value) in [
            ("seen", &f.seen),
            ("expected", &f.expected),
            ("fix", &f.fix),
        ] {
            if let Some(value) = value {
                writeln!(out, "        {label}: {}", clean(value))?;
            }
        }
        if let Some(id) = f.trouble {
            writeln!(out, "        see: connect-sso troubleshoot {id}")?;
        }
    }
    let s = report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(out)?;
    writeln!(
        out,
        "{}, {}, {}, {}.",
        plural(s.pass, "ok", "ok"),
        plural(s.warn, "warning", "warnings"),
        plural(s.fail, "failure", "failures"),
        plural(s.info, "note", "notes"),
    )?;
    let verdict = if report.failed() {
        "AWS sign-in or Connect would refuse this response: fix the failures above."
    } else if report.findings.iter().any(|f| f.severity == Severity::Warn) {
        "Nothing fails; read the warnings above."
    } else {
        "Everything checked is as this setup expects."
    };
    writeln!(out, "{verdict}")
}
