//! Reading what the admin copied (XML, base64, URL-encoded base64 or a whole form body) into
//! the SAMLResponse XML, and [`AssertionError`], which says why an input cannot be inspected.

use base64::Engine as _;
use serde::Serialize;

use super::{MAX_INPUT_BYTES, MAX_XML_BYTES, PROTOCOL_NS};
use crate::domain::metadata::strip_bom;

/// How to copy the right thing; appended to most input errors.
const COPY_HINT: &str = "To capture it: open the browser's developer tools on the Network tab \
     (tick \"Preserve log\"), sign in from the AWS access portal, open the POST request to the \
     AWS sign-in page (https://signin.aws.amazon.com/saml, or your region's sign-in URL) and \
     copy the SAMLResponse value from its form data (Payload tab)";

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// The XML itself.
    Xml,
    /// The base64 form value.
    Base64,
    /// The form value still URL-encoded (`%2B`, `%3D`).
    UrlEncodedBase64,
    /// A whole form body, `SAMLResponse=...&RelayState=...`.
    FormBody,
}

impl InputKind {
    pub fn label(self) -> &'static str {
        match self {
            InputKind::Xml => "XML",
            InputKind::Base64 => "base64 form value",
            InputKind::UrlEncodedBase64 => "URL-encoded form value",
            InputKind::FormBody => "whole form body",
        }
    }
}

/// The SAMLResponse XML and, when the input was a whole form body, its relay state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    pub xml: String,
    pub relay_state: Option<String>,
    pub kind: InputKind,
}

/// Why the input cannot be inspected. Every message says what is wrong and what to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssertionError {
    #[error("the input is empty: nothing was pasted or the file is empty. {COPY_HINT}")]
    Empty,

    #[error(
        "the input is {len} bytes, more than the {max} bytes accepted; a SAMLResponse is a few \
         dozen kilobytes at most, so this is something else (a whole HAR file or page?). \
         {COPY_HINT}"
    )]
    TooLarge { len: usize, max: usize },

    #[error(
        "the input is not text (it may be binary, compressed or UTF-16). Paste or save the \
         SAMLResponse value as plain text. {COPY_HINT}"
    )]
    NotText,

    #[error(
        "this looks like an HTML page, not a SAMLResponse: saving the sign-in page does not \
         capture the response. {COPY_HINT}"
    )]
    HtmlPage,

    #[error(
        "this is a SAMLRequest (what a service sends to the identity provider), not the \
         SAMLResponse Identity Center posts to AWS. {COPY_HINT}"
    )]
    SamlRequest,

    #[error("the form data has no SAMLResponse field (it has: {fields}). {COPY_HINT}")]
    NoSamlResponseField { fields: String },

    #[error(
        "the value is not valid base64 ({detail}); it was probably cut short or changed when \
         copied. Copy the whole value again, from the first to the last character. {COPY_HINT}"
    )]
    NotBase64 { detail: String },

    #[error(
        "the value decodes to binary data, not XML: it is not a SAMLResponse (or it is \
         compressed, which the HTTP-POST sign-in to AWS never does). {COPY_HINT}"
    )]
    DecodedNotXml,

    #[error(
        "the SAMLResponse is not well-formed XML ({detail}); it was probably cut short or \
         edited. {COPY_HINT}"
    )]
    NotXml { detail: String },

    #[error(
        "the XML contains a DOCTYPE/DTD (document type or entity declarations), which Identity \
         Center never sends and this tool refuses for safety; nothing in it was expanded or \
         fetched. {COPY_HINT}"
    )]
    DtdForbidden,

    #[error(
        "this is SAML metadata (the file that describes an identity provider), not a \
         SAMLResponse. Check metadata with `connect-sso metadata check FILE`. {COPY_HINT}"
    )]
    Metadata,

    #[error(
        "this is a lone <Assertion>; the inspector needs the whole <Response> around it to \
         check where it was sent. Copy the whole SAMLResponse value instead. {COPY_HINT}"
    )]
    BareAssertion,

    #[error(
        "the XML is not a SAMLResponse: its top-level element is {root}, where <Response> in \
         namespace {PROTOCOL_NS} was expected. {COPY_HINT}"
    )]
    NotResponse { root: String },
}

/// Reads what the admin copied: raw XML, base64 (with or without line breaks), URL-encoded
/// base64, or a whole form body `SAMLResponse=...&RelayState=...`.
pub fn decode(input: &[u8]) -> Result<Decoded, AssertionError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(AssertionError::TooLarge {
            len: input.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let text = std::str::from_utf8(strip_bom(input)).map_err(|_| AssertionError::NotText)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AssertionError::Empty);
    }
    if text.starts_with('<') {
        if looks_like_html(text) {
            return Err(AssertionError::HtmlPage);
        }
        return Ok(Decoded {
            xml: text.to_owned(),
            relay_state: None,
            kind: InputKind::Xml,
        });
    }

    let (value, relay_state, kind) = match form_fields(text) {
        Some(fields) => {
            let find = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| *v)
            };
            let Some(response) = find("SAMLResponse") else {
                if find("SAMLRequest").is_some() {
                    return Err(AssertionError::SamlRequest);
                }
                let names: Vec<String> = fields.iter().map(|(k, _)| clip(k, 40)).take(10).collect();
                return Err(AssertionError::NoSamlResponseField {
                    fields: names.join(", "),
                });
            };
            // Base64's '+' arrives as %2B in a form body, so a literal '+' is kept as it is.
            let relay = find("RelayState")
                .map(|r| percent_decode(&r.replace('+', " ")))
                .filter(|r| !r.is_empty());
            (percent_decode(response), relay, InputKind::FormBody)
        }
        None if text.contains('%') => (percent_decode(text), None, InputKind::UrlEncodedBase64),
        None => (text.to_owned(), None, InputKind::Base64),
    };
    let value = value.trim().trim_matches('"');
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(AssertionError::Empty);
    }
    let bytes = decode_base64_lenient(&compact)?;
    if bytes.len() > MAX_XML_BYTES {
        return Err(AssertionError::TooLarge {
            len: bytes.len(),
            max: MAX_XML_BYTES,
        });
    }
    let xml = std::str::from_utf8(strip_bom(&bytes)).map_err(|_| AssertionError::DecodedNotXml)?;
    let xml = xml.trim();
    if !xml.starts_with('<') {
        return Err(AssertionError::DecodedNotXml);
    }
    if looks_like_html(xml) {
        return Err(AssertionError::HtmlPage);
    }
    Ok(Decoded {
        xml: xml.to_owned(),
        relay_state,
        kind,
    })
}

/// The `key=value` (or, as developer tools show parsed form data, `key: value`) fields of a
/// form body; `None` when the text is a single value.
fn form_fields(text: &str) -> Option<Vec<(&str, &str)>> {
    // A whole URL or a query string: keep what follows the '?'.
    let body = match text.split_once('?') {
        Some((before, after)) if !before.contains('=') => after,
        _ => text,
    };
    let is_key = |k: &str| {
        !k.is_empty() && k.len() <= 64 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    // "abc=" may be base64 padding; an empty value only counts for the fields of the form.
    let known = |k: &str| {
        ["SAMLResponse", "SAMLRequest", "RelayState"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(k))
    };
    let mut fields = Vec::new();
    for part in body
        .split(['&', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let field = part
            .split_once('=')
            .filter(|(k, v)| {
                is_key(k) && (known(k) || (!v.is_empty() && !v.chars().all(|c| c == '=')))
            })
            .or_else(|| part.split_once(": ").filter(|(k, _)| is_key(k)));
        match field {
            Some((k, v)) => fields.push((k, v.trim())),
            // Base64 never holds '&', and a value ends at most in "==": not a form.
            None => return None,
        }
    }
    (!fields.is_empty()).then_some(fields)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn decode_base64_lenient(compact: &str) -> Result<Vec<u8>, AssertionError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    standard.decode(compact).or_else(|first| {
        url_safe
            .decode(compact)
            .map_err(|_| AssertionError::NotBase64 {
                detail: first.to_string(),
            })
    })
}

pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

pub(super) fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = skip_prolog(&head);
    // A tag, not a longer name such as <headers>.
    let has_tag = |tag: &str| {
        head.match_indices(tag).any(|(at, _)| {
            head[at + tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace())
        })
    };
    trimmed.starts_with("<!doctype html")
        || (trimmed.starts_with("<html") && has_tag("<html"))
        || (!trimmed.starts_with("<saml") && ["<html", "<head", "<body"].into_iter().any(has_tag))
}

/// The text after the XML declaration, processing instructions and comments.
pub(super) fn skip_prolog(text: &str) -> &str {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let after = if let Some(pi) = rest.strip_prefix("<?") {
            pi.find("?>").map(|end| &pi[end + 2..])
        } else if let Some(comment) = rest.strip_prefix("<!--") {
            comment.find("-->").map(|end| &comment[end + 3..])
        } else {
            return rest;
        };
        match after {
            Some(after) => rest = after,
            None => return rest,
        }
    }
}
