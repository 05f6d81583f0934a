//! `connect-sso metadata check FILE`: would IAM accept this metadata, and what does it hold.

use std::io::{self, Write};
use std::path::Path;

use serde_json::json;
use time::OffsetDateTime;

use super::{Format, MetadataCheckArgs, Status};
use crate::cloud::metadata_source::{fetch, is_url, read_metadata_file};
use crate::domain::metadata::{self, CertValidity, CheckedMetadata, format_date};

pub fn run_check(
    args: &MetadataCheckArgs,
    now: OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let source = args.file.to_string_lossy();
    let read = if is_url(&source) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| rt.block_on(fetch(&source)))
    } else {
        read_metadata_file(&args.file)
    };
    let bytes = match read {
        Ok(b) => b,
        Err(message) => {
            writeln!(err, "error: {message}")?;
            return Ok(Status::BadInput);
        }
    };
    let result = metadata::check(&bytes, now);
    match args.format {
        Format::Json => {
            let doc = match &result {
                Ok(c) => json!({
                    "file": args.file.display().to_string(),
                    "accepted": true,
                    "entity_id": c.metadata.entity_id,
                    "sso_endpoints": c.metadata.sso_endpoints,
                    "certificates": c.metadata.certificates.iter().map(|cert| json!({
                        "subject": cert.subject,
                        "issuer": cert.issuer,
                        "not_before": rfc3339(cert.not_before),
                        "not_after": rfc3339(cert.not_after),
                        "validity": cert.validity(now),
                        "key_algorithm": cert.key_algorithm,
                        "key_bits": cert.key_bits,
                        "sha256_fingerprint": cert.sha256_fingerprint,
                    })).collect::<Vec<_>>(),
                    "byte_len": c.metadata.byte_len,
                    "warnings": c.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                }),
                Err(e) => json!({
                    "file": args.file.display().to_string(),
                    "accepted": false,
                    "error": e.to_string(),
                }),
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).expect("JSON values serialize")
            )?;
        }
        Format::Text | Format::Markdown => match &result {
            Ok(c) => write_text(out, &args.file, c, now)?,
            Err(e) => writeln!(
                err,
                "{}: IAM would reject this metadata.\n{e}",
                args.file.display()
            )?,
        },
    }
    Ok(if result.is_ok() {
        Status::Ok
    } else {
        Status::CheckFailed
    })
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn write_text(
    out: &mut dyn Write,
    file: &Path,
    c: &CheckedMetadata,
    now: OffsetDateTime,
) -> io::Result<()> {
    let m = &c.metadata;
    writeln!(
        out,
        "Metadata file  {} ({} bytes)",
        file.display(),
        m.byte_len
    )?;
    writeln!(out, "Entity id      {}", m.entity_id)?;
    for (i, e) in m.sso_endpoints.iter().enumerate() {
        let label = if i == 0 { "SSO endpoints" } else { "" };
        let binding = e.binding.rsplit(':').next().unwrap_or(&e.binding);
        writeln!(out, "{label:<14} {binding:<14} {}", e.location)?;
    }
    for (i, cert) in m.certificates.iter().enumerate() {
        writeln!(out, "Signing certificate {}", i + 1)?;
        writeln!(out, "  Subject      {}", cert.subject)?;
        if cert.issuer != cert.subject {
            writeln!(out, "  Issuer       {}", cert.issuer)?;
        }
        let status = match cert.validity(now) {
            CertValidity::Valid { days_left } => format!("valid, {days_left} days left"),
            CertValidity::Expired => "EXPIRED".to_string(),
            CertValidity::NotYetValid => "NOT YET VALID".to_string(),
        };
        writeln!(
            out,
            "  Valid        {} to {} ({status})",
            format_date(&cert.not_before),
            format_date(&cert.not_after)
        )?;
        writeln!(
            out,
            "  Key          {} {} bits",
            cert.key_algorithm, cert.key_bits
        )?;
        writeln!(out, "  SHA-256      {}", cert.sha256_fingerprint)?;
    }
    for w in &c.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(out, "OK: IAM will accept this metadata.")
}
