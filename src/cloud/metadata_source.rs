//! Where the IAM Identity Center metadata comes from: a file the user downloaded.

use std::path::Path;

use time::OffsetDateTime;

use crate::domain::metadata::{self, CheckedMetadata, MAX_BYTES, MetadataError};
use crate::files::{ReadError, read_small};

/// Reads a metadata file, refusing early one too large for IAM.
pub fn read_metadata_file(path: &Path) -> Result<Vec<u8>, String> {
    read_small(path, MAX_BYTES as u64).map_err(|e| match e {
        ReadError::Io(e) => format!(
            "cannot read the metadata file {}: {e}. Check the path; the file is the one downloaded from the IAM Identity Center application",
            path.display()
        ),
        ReadError::TooLarge => format!(
            "{}: {}",
            path.display(),
            MetadataError::TooLarge { len: MAX_BYTES + 1 }
        ),
    })
}

/// Reads and checks a metadata file, with a message naming the file on failure.
pub fn load_checked(path: &Path, now: OffsetDateTime) -> Result<CheckedMetadata, String> {
    let bytes = read_metadata_file(path)?;
    metadata::check(&bytes, now).map_err(|e| format!("{}: {e}", path.display()))
}

/// The checked metadata and the document text, ready for `CreateSAMLProvider`.
pub fn load_document(
    path: &Path,
    now: OffsetDateTime,
) -> Result<(CheckedMetadata, String), String> {
    let bytes = read_metadata_file(path)?;
    let checked = metadata::check(&bytes, now).map_err(|e| format!("{}: {e}", path.display()))?;
    // check() accepted it, so it is UTF-8.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok((checked, text))
}

/// How long a metadata download may take before it is given up.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Is this source a URL rather than a file path?
pub fn is_url(source: &str) -> bool {
    let lower = source.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Checks a metadata URL before anything is sent: HTTPS, except plain HTTP to this machine
/// (tests and local mirrors), and no credentials in it.
pub fn check_url(url: &str) -> Result<hyper::Uri, String> {
    let uri: hyper::Uri = url
        .trim()
        .parse()
        .map_err(|e| format!("'{url}' is not a valid URL ({e}): copy the metadata URL from the Identity Center application again"))?;
    let host = uri.host().unwrap_or_default();
    // Plain http only to this machine: `localhost` or a literal loopback address (127.0.0.0/8,
    // ::1), never a name that merely starts with "127.".
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || literal
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if loopback => {}
        _ => {
            return Err(format!(
                "'{url}' is not an https URL: the IAM Identity Center metadata URL starts with https://portal.sso."
            ));
        }
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("the URL holds a user name or password: remove them".to_string());
    }
    Ok(uri)
}

/// Downloads a metadata document, refusing more than IAM's limit and redirects.
pub async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt;

    let uri = check_url(url)?;
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| format!("cannot set up HTTPS: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: hyper_util::client::legacy::Client<_, http_body_util::Empty<hyper::body::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector);
    let work = async {
        let response = client
            .get(uri.clone())
            .await
            .map_err(|e| format!("cannot download {url}: {e}. Check the network, or download the file in a browser and give its path"))?;
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get(hyper::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("elsewhere");
            return Err(format!("{url} redirects to {to}: give that URL instead"));
        }
        if !status.is_success() {
            return Err(format!(
                "{url} answered {status}: check the URL (Identity Center application › IAM Identity Center SAML metadata file)"
            ));
        }
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| format!("the download of {url} broke off: {e}"))?;
            if let Some(chunk) = frame.data_ref() {
                bytes.extend_from_slice(chunk);
                if bytes.len() > MAX_BYTES {
                    return Err(format!(
                        "{url}: {}",
                        MetadataError::TooLarge { len: bytes.len() }
                    ));
                }
            }
        }
        Ok(bytes)
    };
    tokio::time::timeout(FETCH_TIMEOUT, work)
        .await
        .map_err(|_| {
            format!(
                "{url} did not answer within {} s: check the network",
                FETCH_TIMEOUT.as_secs()
            )
        })?
}

/// The checked metadata and its text from a file path or an https URL.
pub async fn load_source(
    source: &str,
    now: OffsetDateTime,
) -> Result<(CheckedMetadata, String), String> {
    if !is_url(source) {
        let path = crate::files::expand_user_path(source);
        return tokio::task::spawn_blocking(move || load_document(&path, now))
            .await
            .map_err(|e| format!("reading the metadata stopped: {e}"))?;
    }
    let bytes = fetch(source).await?;
    let checked = metadata::check(&bytes, now).map_err(|e| format!("{source}: {e}"))?;
    Ok((checked, String::from_utf8_lossy(&bytes).into_owned()))
}

/// `load_source` for commands that have no async runtime running.
pub fn load_source_blocking(
    source: &str,
    now: OffsetDateTime,
) -> Result<(CheckedMetadata, String), String> {
    if !is_url(source) {
        return load_document(&crate::files::expand_user_path(source), now);
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the download: {e}"))?
        .block_on(load_source(source, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_except_to_this_machine() {
        assert!(check_url("https://portal.sso.us-east-1.amazonaws.com/saml/metadata/abc").is_ok());
        assert!(check_url("http://127.0.0.1:8080/m.xml").is_ok());
        assert!(check_url("http://127.9.9.9/m.xml").is_ok());
        assert!(check_url("http://[::1]:8080/m.xml").is_ok());
        assert!(check_url("http://localhost/m.xml").is_ok());
        for remote in [
            "http://127.attacker.example/m.xml",
            "http://127.0.0.1.attacker.example/m.xml",
            "http://128.0.0.1/m.xml",
            "http://[::2]/m.xml",
        ] {
            assert!(check_url(remote).is_err(), "{remote}");
        }
        let err =
            check_url("http://portal.sso.us-east-1.amazonaws.com/saml/metadata/abc").unwrap_err();
        assert!(err.contains("not an https URL"), "{err}");
        assert!(
            check_url("https://user:pw@example.com/m.xml")
                .unwrap_err()
                .contains("password")
        );
        assert!(check_url("ht tp://x").is_err());
        assert!(is_url("HTTPS://x") && !is_url("/tmp/idc.xml") && !is_url("metadata.xml"));
    }

    /// A one-shot HTTP server on loopback that answers `response` to the first request.
    fn serve_once(response: Vec<u8>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(&response);
            }
        });
        format!("http://127.0.0.1:{port}/saml/metadata/test")
    }

    #[tokio::test]
    async fn downloads_and_checks_the_metadata() {
        let body = include_bytes!("../../tests/fixtures/metadata/idc-metadata.xml");
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(body);
        let url = serve_once(response);
        let now = time::macros::datetime!(2027-01-01 0:00 UTC);
        let (checked, text) = load_source(&url, now).await.unwrap();
        assert!(
            checked
                .metadata
                .entity_id
                .starts_with("https://portal.sso.us-east-1")
        );
        assert_eq!(text.as_bytes(), body);
    }

    #[tokio::test]
    async fn http_errors_and_redirects_say_what_to_do() {
        let url = serve_once(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        );
        let err = fetch(&url).await.unwrap_err();
        assert!(err.contains("404"), "{err}");
        let url = serve_once(
            b"HTTP/1.1 302 Found\r\nLocation: https://example.com/login\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        );
        let err = fetch(&url).await.unwrap_err();
        assert!(
            err.contains("redirects to https://example.com/login"),
            "{err}"
        );
    }
}
