//! `connect-sso inspect-assertion` as a user runs it: the real binary on responses signed
//! with a test key, every way of copying them, and one test per kind of failure, with exit
//! codes 0 (nothing fails), 1 (a check fails) and 2 (the input or the answers are unusable).

#[path = "common/isolated.rs"]
mod isolated;
#[path = "common/saml.rs"]
mod saml;

use std::process::Output;

use connect_sso::cloud::sandbox::{SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN};
use connect_sso::domain::assertion::issue;
use connect_sso::domain::setup::{Answers, Setup};
use saml::{Sign, Spec, idc_key, other_key};
use time::{Duration, OffsetDateTime};

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
        ..Answers::default()
    })
    .unwrap()
}

/// A correct response for the sandbox setup, issued a minute ago.
fn spec() -> Spec {
    let s = setup();
    Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        SANDBOX_EXISTING_CONNECT_USERNAME,
        OffsetDateTime::now_utc() - Duration::minutes(1),
    )
}

fn signed(spec: &Spec) -> String {
    saml::signed(spec, idc_key(), Sign::Assertion)
}

/// A scratch folder with the test Identity Center metadata in `idc.xml`.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("idc.xml"),
            saml::metadata(&idc_key().cert_der, saml::ISSUER),
        )
        .unwrap();
        Scratch { dir }
    }

    fn file(&self, name: &str, content: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn metadata(&self) -> String {
        self.dir
            .path()
            .join("idc.xml")
            .to_string_lossy()
            .into_owned()
    }

    /// Runs the binary with an empty home, no CONNECT_SSO_* or AWS_* settings, `stdin` on
    /// standard input.
    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        isolated::run(self.dir.path(), &self.dir.path().join("home"), args, stdin)
    }

    /// `inspect-assertion --sandbox --offline --metadata idc.xml FILE`, with `content` in FILE.
    fn inspect(&self, content: &str) -> Output {
        let file = self.file("response.txt", content.as_bytes());
        self.run(
            &[
                "inspect-assertion",
                "--sandbox",
                "--offline",
                "--metadata",
                &self.metadata(),
                &file,
            ],
            None,
        )
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The text block of the finding whose header line contains `header`.
fn block<'a>(text: &'a str, header: &str) -> &'a str {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("no {header:?} in:\n{text}"));
    let rest = &text[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    &rest[..end]
}

fn assert_fails(o: &Output, header: &str, words: &[&str]) {
    let text = stdout(o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(o));
    let b = block(&text, header);
    for w in words {
        assert!(b.contains(w), "{w:?} not in:\n{b}");
    }
}

// ---- a good response, every way of copying it --------------------------------------------

#[test]
fn a_good_response_passes_in_every_form() {
    let scratch = Scratch::new();
    let xml = signed(&spec());
    let relay = setup().relay_state(None);
    let cases = [
        (xml.clone(), "XML"),
        (saml::base64(&xml), "base64 form value"),
        (saml::base64_wrapped(&xml), "base64 form value"),
        (
            saml::url_encode(&saml::base64(&xml)),
            "URL-encoded form value",
        ),
        (saml::form_body(&xml, Some(&relay)), "whole form body"),
    ];
    for (input, kind) in cases {
        let o = scratch.inspect(&input);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{kind}: {text}{}", stderr(&o));
        assert!(text.contains(&format!("read as    {kind}")), "{text}");
        assert!(text.contains("✓ ok    Role attribute"), "{text}");
        assert!(text.contains("✓ ok    Signing certificate"), "{text}");
        assert!(text.contains("0 failures"), "{text}");
        assert!(!text.contains("✗"), "{text}");
    }
    let o = scratch.inspect(&saml::form_body(&xml, Some(&relay)));
    let text = stdout(&o);
    assert!(text.contains(&format!("RelayState {relay}")), "{text}");
    assert!(text.contains("✓ ok    RelayState"), "{text}");
}

#[test]
fn reads_standard_input() {
    let scratch = Scratch::new();
    let xml = signed(&spec());
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--offline",
            "--metadata",
            &scratch.metadata(),
            "-",
        ],
        Some(saml::form_body(&xml, None).as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("read as    whole form body"));
}

#[test]
fn json_output_carries_every_finding() {
    let scratch = Scratch::new();
    let file = scratch.file("r.b64", saml::base64(&signed(&spec())).as_bytes());
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--offline",
            "--metadata",
            &scratch.metadata(),
            "--format",
            "json",
            &file,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["input"], "base64");
    assert_eq!(report["offline"], true);
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(report["response"]["signatures"][0]["covers"], "Assertion");
    assert_eq!(report["response"]["signatures"][0]["signature_ok"], true);
    let fields: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in [
        "Destination",
        "Audience",
        "Role attribute",
        "RoleSessionName",
        "Signing certificate",
    ] {
        assert!(fields.contains(&field), "{fields:?}");
    }
}

#[test]
fn without_metadata_the_certificate_is_a_warning() {
    let scratch = Scratch::new();
    let file = scratch.file("r.xml", signed(&spec()).as_bytes());
    let o = scratch.run(
        &["inspect-assertion", "--sandbox", "--offline", &file],
        None,
    );
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        block(&text, "! warn  Signing certificate").contains("give --metadata FILE"),
        "{text}"
    );
    assert!(text.contains("i info  AWS checks"), "{text}");
}

// ---- against the sandbox account ---------------------------------------------------------

#[test]
fn the_sandbox_account_has_no_provider_yet() {
    // Each run starts a fresh sandbox account, where steps 6a-6c are not done.
    let scratch = Scratch::new();
    let file = scratch.file("r.xml", signed(&spec()).as_bytes());
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--metadata",
            &scratch.metadata(),
            &file,
        ],
        None,
    );
    let text = stdout(&o);
    assert!(
        text.contains("checked    against the plan and the sandbox account"),
        "{text}"
    );
    assert_fails(
        &o,
        "✗ fail  IAM SAML provider",
        &[
            "does not exist",
            "Step 6a is not done",
            "see: connect-sso troubleshoot not-authorized-assume-role",
        ],
    );
    assert!(
        block(&text, "✗ fail  IAM role").contains("no role named ConnectSSO-5f8c2a4e"),
        "{text}"
    );
    assert!(
        block(&text, "✓ ok    Connect user").contains(SANDBOX_EXISTING_CONNECT_USERNAME),
        "{text}"
    );
    // The metadata file still serves as the trusted certificates.
    assert!(text.contains("✓ ok    Signing certificate"), "{text}");
}

#[test]
fn a_person_without_a_connect_user_is_named() {
    let scratch = Scratch::new();
    let s = setup();
    let spec = Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        "kwame.mensah@example.com",
        OffsetDateTime::now_utc(),
    );
    let file = scratch.file("r.xml", signed(&spec).as_bytes());
    let o = scratch.run(&["inspect-assertion", "--sandbox", &file], None);
    assert_fails(
        &o,
        "✗ fail  Connect user",
        &[
            "no user named kwame.mensah@example.com",
            "see: connect-sso troubleshoot not-onboarded",
        ],
    );
}

#[test]
fn without_credentials_the_aws_checks_only_warn() {
    let scratch = Scratch::new();
    let file = scratch.file("r.xml", signed(&spec()).as_bytes());
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--instance-arn",
            SANDBOX_INSTANCE_ARN,
            "--metadata",
            &scratch.metadata(),
            &file,
        ],
        None,
    );
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    let b = block(&text, "! warn  IAM SAML provider");
    assert!(b.contains("could not check the IAM SAML provider"), "{b}");
    assert!(text.contains("! warn  IAM role"), "{text}");
    assert!(text.contains("! warn  Connect user"), "{text}");
}

// ---- one failure at a time ---------------------------------------------------------------

#[test]
fn wrong_destination() {
    let regional = "https://us-east-1.signin.aws.amazon.com/saml";
    let spec = Spec {
        destination: Some(regional.into()),
        recipient: Some(regional.into()),
        ..spec()
    };
    let o = Scratch::new().inspect(&signed(&spec));
    assert_fails(
        &o,
        "✗ fail  Destination",
        &[
            &format!("seen: {regional}"),
            "expected: https://signin.aws.amazon.com/saml",
            "regional sign-in endpoint of us-east-1",
            "see: connect-sso troubleshoot wrong-acs-url",
        ],
    );
    assert_fails(&o, "✗ fail  Recipient", &["wrong-acs-url"]);
}

#[test]
fn misspelled_role_attribute() {
    let spec = spec().rename_attribute(
        saml::ROLE_ATTRIBUTE,
        "https://aws.amazon.com/SAML/Attributes/role",
    );
    let o = Scratch::new().inspect(&signed(&spec));
    assert_fails(
        &o,
        "✗ fail  Role attribute",
        &[
            "seen: \"https://aws.amazon.com/SAML/Attributes/role\" (letters in the wrong case)",
            "expected: https://aws.amazon.com/SAML/Attributes/Role",
            "see: connect-sso troubleshoot invalid-saml-response",
        ],
    );
}

#[test]
fn role_and_provider_swapped_is_only_a_note() {
    let s = setup();
    let spec = spec().attribute(
        saml::ROLE_ATTRIBUTE,
        &[&format!("{},{}", s.provider_arn(), s.role_arn())],
    );
    let o = Scratch::new().inspect(&signed(&spec));
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        block(&text, "i info  Role attribute").contains("either order"),
        "{text}"
    );
}

#[test]
fn foreign_role_arn() {
    let s = setup();
    let value = format!("arn:aws:iam::999999999999:role/Admin,{}", s.provider_arn());
    let spec = spec().attribute(saml::ROLE_ATTRIBUTE, &[&value]);
    let o = Scratch::new().inspect(&signed(&spec));
    assert_fails(
        &o,
        "✗ fail  Role attribute",
        &[
            &format!("seen: {value}"),
            &format!("expected: {}", s.role_attribute()),
            "in account 999999999999",
            "see: connect-sso troubleshoot not-authorized-assume-role",
        ],
    );
}

#[test]
fn spaces_around_the_comma() {
    let s = setup();
    let spec = spec().attribute(
        saml::ROLE_ATTRIBUTE,
        &[&format!("{}, {}", s.role_arn(), s.provider_arn())],
    );
    let o = Scratch::new().inspect(&signed(&spec));
    assert_fails(
        &o,
        "✗ fail  Role attribute",
        &["space around the comma", "invalid-saml-response"],
    );
}

#[test]
fn bad_role_session_name() {
    let spec = spec().attribute(saml::ROLE_SESSION_NAME_ATTRIBUTE, &["CORP\\maria"]);
    let o = Scratch::new().inspect(&signed(&spec));
    assert_fails(
        &o,
        "✗ fail  RoleSessionName",
        &[
            "seen: \"CORP\\maria\"",
            "a backslash",
            "see: connect-sso troubleshoot windows-upn",
        ],
    );
}

#[test]
fn expired_capture_warns() {
    let s = setup();
    let old = Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        SANDBOX_EXISTING_CONNECT_USERNAME,
        OffsetDateTime::now_utc() - Duration::days(2),
    );
    let o = Scratch::new().inspect(&signed(&old));
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    let b = block(&text, "! warn  NotOnOrAfter");
    assert!(b.contains("that is expected for a saved file"), "{b}");
    assert!(
        b.contains("see: connect-sso troubleshoot session-expired"),
        "{b}"
    );
}

#[test]
fn untrusted_certificate() {
    let o = Scratch::new().inspect(&saml::signed(&spec(), other_key(), Sign::Assertion));
    assert_fails(
        &o,
        "✗ fail  Signing certificate",
        &[
            "attacker.example.com",
            "(the metadata file)",
            "connect-sso apply --sandbox --metadata FILE",
            "see: connect-sso troubleshoot certificate",
        ],
    );
}

#[test]
fn expired_certificate() {
    let expired = idc_key().with_validity(
        OffsetDateTime::now_utc() - Duration::days(800),
        OffsetDateTime::now_utc() - Duration::days(1),
    );
    let scratch = Scratch::new();
    let metadata = scratch.file(
        "old.xml",
        saml::metadata(&expired.cert_der, saml::ISSUER).as_bytes(),
    );
    let file = scratch.file(
        "r.xml",
        saml::signed(&spec(), &expired, Sign::Assertion).as_bytes(),
    );
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--offline",
            "--metadata",
            &metadata,
            &file,
        ],
        None,
    );
    assert_fails(
        &o,
        "✗ fail  Certificate validity",
        &["expired on", "see: connect-sso troubleshoot certificate"],
    );
}

#[test]
fn tampered_signature() {
    let xml = signed(&spec());
    let tampered = xml.replacen(SANDBOX_EXISTING_CONNECT_USERNAME, "admin@example.com", 2);
    let o = Scratch::new().inspect(&tampered);
    assert_fails(
        &o,
        "✗ fail  Signature on Assertion",
        &["digest does not match", "changed after it was signed"],
    );
    assert_fails(&o, "✗ fail  Signed assertion", &["invalid-saml-response"]);
}

#[test]
fn wrapped_assertion() {
    let xml = signed(&spec());
    let start = xml.find("<saml2:Assertion ").unwrap();
    let end = xml.find("</saml2:Assertion>").unwrap() + "</saml2:Assertion>".len();
    let genuine = &xml[start..end];
    let signature_start = genuine.find("<ds:Signature ").unwrap();
    let signature_end = genuine.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let forged = format!(
        "{}{}",
        &genuine[..signature_start],
        &genuine[signature_end..]
    )
    .replace(&spec().assertion_id, "_forged")
    .replace(SANDBOX_EXISTING_CONNECT_USERNAME, "admin@example.com");
    let wrapped = format!("{}{forged}{genuine}{}", &xml[..start], &xml[end..]);
    let o = Scratch::new().inspect(&wrapped);
    assert_fails(
        &o,
        "✗ fail  Signed assertion",
        &["no valid signature covers the assertion"],
    );
    assert!(stdout(&o).contains("! warn  Signature on Assertion"));
}

// ---- unusable input: exit 2 --------------------------------------------------------------

fn assert_bad_input(o: &Output, words: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{}{err}", stdout(o));
    assert!(err.contains(words), "{words:?} not in: {err}");
    assert!(stdout(o).is_empty(), "{}", stdout(o));
}

#[test]
fn a_dtd_or_entity_bomb_is_refused() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
                <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\
                <samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol3;\
                </samlp:Response>";
    let scratch = Scratch::new();
    assert_bad_input(&scratch.inspect(bomb), "DOCTYPE/DTD");
    assert_bad_input(
        &scratch.inspect(&saml::base64(bomb)),
        "nothing in it was expanded",
    );
}

#[test]
fn an_html_page_is_refused_with_what_to_copy() {
    let page = "<!DOCTYPE html>\n<html><head><title>Amazon Web Services Sign-In</title></head>\
                <body><form method=\"post\"></form></body></html>";
    let o = Scratch::new().inspect(page);
    assert_bad_input(&o, "this looks like an HTML page, not a SAMLResponse");
    assert!(stderr(&o).contains("https://signin.aws.amazon.com/saml"));
}

#[test]
fn garbage_is_refused() {
    let scratch = Scratch::new();
    assert_bad_input(
        &scratch.inspect("hello world, this is not it!"),
        "not valid base64",
    );
    assert_bad_input(&scratch.inspect(""), "the input is empty");
    assert_bad_input(
        &scratch.inspect(&saml::base64("just text")),
        "decodes to binary data, not XML",
    );
    let file = scratch.file("bin", &[0xff, 0xfe, 0x00, 0x01]);
    assert_bad_input(
        &scratch.run(
            &["inspect-assertion", "--sandbox", "--offline", &file],
            None,
        ),
        "not text",
    );
    let huge = scratch.file("huge", &vec![b'A'; 300 * 1024]);
    assert_bad_input(
        &scratch.run(
            &["inspect-assertion", "--sandbox", "--offline", &huge],
            None,
        ),
        "more than the",
    );
    assert_bad_input(
        &scratch.run(
            &["inspect-assertion", "--sandbox", "--offline", "missing.txt"],
            None,
        ),
        "cannot read missing.txt",
    );
    assert_bad_input(
        &scratch.inspect("SAMLRequest=fZJNT8Mw"),
        "this is a SAMLRequest",
    );
    let metadata = std::fs::read_to_string(scratch.metadata()).unwrap();
    assert_bad_input(&scratch.inspect(&metadata), "this is SAML metadata");
}

#[test]
fn bad_answers_or_metadata_are_bad_input() {
    let scratch = Scratch::new();
    let file = scratch.file("r.xml", signed(&spec()).as_bytes());
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--offline",
            "--instance-id",
            "nope",
            &file,
        ],
        None,
    );
    assert_bad_input(&o, "the answers are not valid");
    let bad = scratch.file("bad.xml", b"<not-metadata/>");
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--offline",
            "--metadata",
            &bad,
            &file,
        ],
        None,
    );
    assert_bad_input(&o, "bad.xml");
    let o = scratch.run(
        &[
            "inspect-assertion",
            "--sandbox",
            "--offline",
            "--format",
            "json",
            "missing.txt",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(doc["error"].as_str().unwrap().contains("cannot read"));
}

#[test]
fn control_characters_in_values_are_not_printed() {
    // Right-to-left overrides can make a value read differently on screen.
    let spec = spec().attribute(
        saml::ROLE_SESSION_NAME_ATTRIBUTE,
        &["x\u{202e}moc.elpmaxe@y"],
    );
    let o = Scratch::new().inspect(&signed(&spec));
    assert!(!stdout(&o).contains('\u{202e}'), "{}", stdout(&o));
    assert!(stdout(&o).contains("x\u{fffd}moc"), "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(1));
}
