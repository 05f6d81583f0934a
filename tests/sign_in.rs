//! `connect-sso sign-in-test` as a user runs it: the real binary on the sandbox, after
//! `apply` put the test key's metadata in its SAML provider, on responses signed with that
//! key. Exit 0 when AWS (here the sandbox's STS and Connect) signs the person in, 1 when it
//! refuses, 2 for unusable input; and the session's credentials appear nowhere: not in
//! standard output or error, not in any file under HOME.

#[path = "common/saml.rs"]
mod saml;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use connect_sso::cloud::sandbox::{SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN};
use connect_sso::domain::assertion::{C14nOptions, canonicalize};
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

fn spec(user: &str) -> Spec {
    let s = setup();
    Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        user,
        OffsetDateTime::now_utc() - Duration::minutes(1),
    )
}

/// A home with the test metadata in `idc.xml` and a sandbox account on which apply ran.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn applied() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("idc.xml"),
            saml::metadata(&idc_key().cert_der, saml::ISSUER),
        )
        .unwrap();
        let scratch = Scratch { dir };
        let metadata = scratch.path("idc.xml");
        let o = scratch.run(
            &["--sandbox", "apply", "--metadata", &metadata, "--yes"],
            None,
        );
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        scratch
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn file(&self, name: &str, content: &str) -> String {
        std::fs::write(self.dir.path().join(name), content).unwrap();
        self.path(name)
    }

    fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }

    /// Runs the binary with this home, no CONNECT_SSO_* or AWS_* settings.
    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let home = self.home();
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
        for (k, _) in std::env::vars() {
            if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("HOME", &home)
            .env("XDG_STATE_HOME", home.join("state"))
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", home.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("the binary runs");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// `sign-in-test --sandbox FILE` with `content` in FILE, and `extra` options.
    fn test(&self, content: &str, extra: &[&str]) -> Output {
        let file = self.file("response.txt", content);
        let mut args = vec!["sign-in-test", "--sandbox", file.as_str()];
        args.extend_from_slice(extra);
        let o = self.run(&args, None);
        assert_no_secret(&o, &self.home());
        o
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Where `text` holds something shaped like the sandbox's temporary credentials: an access
/// key id (`ASIA` and 16 hex digits) or a session token (its `SBXSESSION` prefix).
fn secret_in(text: &str) -> Option<String> {
    if let Some(at) = text.find("SBXSESSION") {
        return Some(text[at..].chars().take(40).collect());
    }
    let bytes = text.as_bytes();
    (0..bytes.len()).find_map(|i| {
        let key = bytes.get(i..i + 20)?;
        (key.starts_with(b"ASIA")
            && key[4..]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)))
        .then(|| String::from_utf8_lossy(key).into_owned())
    })
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn assert_no_secret(o: &Output, home: &Path) {
    for (name, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        assert_eq!(secret_in(&text), None, "a credential in {name}:\n{text}");
    }
    let mut files = Vec::new();
    files_under(home, &mut files);
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert_eq!(secret_in(&text), None, "a credential in {}", file.display());
    }
}

#[test]
fn the_secret_detector_finds_what_the_sandbox_hands_out() {
    assert!(secret_in("key ASIA0123456789ABCDEF here").is_some());
    assert!(secret_in("token SBXSESSIONabc.def").is_some());
    assert_eq!(secret_in("ASIA is a continent; ASIAN"), None);
}

#[test]
fn a_good_response_signs_the_person_in_in_every_form() {
    let scratch = Scratch::applied();
    let xml = saml::signed(
        &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
        idc_key(),
        Sign::Assertion,
    );
    let relay = setup().relay_state(None);
    for input in [
        xml.clone(),
        saml::base64(&xml),
        saml::url_encode(&saml::base64(&xml)),
        saml::form_body(&xml, Some(&relay)),
    ] {
        let o = scratch.test(&input, &[]);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
        assert!(
            text.contains(&format!(
                "✓ signed in as Connect user {SANDBOX_EXISTING_CONNECT_USERNAME}"
            )),
            "{text}"
        );
        assert!(
            text.contains("sign-in URL on workshop-contact-center.my.connect.aws"),
            "{text}"
        );
        assert!(text.contains("AWS signed the person in"), "{text}");
        assert!(!text.contains("https://workshop-contact-center"), "{text}");
    }
    // Standard input, as JSON.
    let o = scratch.run(
        &["sign-in-test", "--sandbox", "-", "--format", "json"],
        Some(saml::form_body(&xml, Some(&relay)).as_bytes()),
    );
    assert_no_secret(&o, &scratch.home());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["signed_in"], true);
    let outcome = &v["attempts"][0]["outcome"];
    assert_eq!(outcome["result"], "signed_in");
    assert_eq!(outcome["connect_user"], SANDBOX_EXISTING_CONNECT_USERNAME);
    assert_eq!(
        outcome["sign_in_host"],
        "workshop-contact-center.my.connect.aws"
    );
    assert_eq!(v["attempts"][0]["role_arn"], setup().role_arn());
}

#[test]
fn refusals_name_the_troubleshooting_entry() {
    let scratch = Scratch::applied();
    let cases: [(String, &str, &str); 3] = [
        (
            saml::signed(
                &spec("kwame.mensah@example.com"),
                idc_key(),
                Sign::Assertion,
            ),
            "✗ refused by connect:GetFederationToken (UserNotFound)",
            "not-onboarded",
        ),
        (
            saml::signed(
                &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
                other_key(),
                Sign::Assertion,
            ),
            "✗ refused by sts:AssumeRoleWithSAML (InvalidIdentityToken): Response signature invalid",
            "certificate",
        ),
        (
            saml::unsigned(&spec(SANDBOX_EXISTING_CONNECT_USERNAME)),
            "Response signature invalid",
            "certificate",
        ),
    ];
    for (xml, line, trouble) in cases {
        let o = scratch.test(&xml, &[]);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
        assert!(text.contains(line), "{line:?} not in:\n{text}");
        assert!(
            text.contains(&format!("see: connect-sso troubleshoot {trouble}")),
            "{text}"
        );
        assert!(text.contains("AWS refused the sign-in"), "{text}");
    }
}

#[test]
fn an_expired_response_says_how_to_capture_a_fresh_one() {
    let scratch = Scratch::applied();
    let s = setup();
    let old = Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        SANDBOX_EXISTING_CONNECT_USERNAME,
        OffsetDateTime::now_utc() - Duration::hours(3),
    );
    let o = scratch.test(&saml::signed(&old, idc_key(), Sign::Assertion), &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("(ExpiredToken)"), "{text}");
    assert!(text.contains("developer tools"), "{text}");
    assert!(text.contains("signin.aws.amazon.com/saml"), "{text}");
    assert!(text.contains("5 minutes"), "{text}");
    assert!(
        text.contains("see: connect-sso troubleshoot session-expired"),
        "{text}"
    );
}

#[test]
fn role_picks_a_pair_and_bad_input_exits_2() {
    let scratch = Scratch::applied();
    let xml = saml::signed(
        &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
        idc_key(),
        Sign::Assertion,
    );
    let role = setup().role_arn();
    let o = scratch.test(&xml, &["--role", &role]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    let o = scratch.test(&xml, &["--role", "arn:aws:iam::111122223333:role/Nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("leave --role out"), "{}", stderr(&o));
    assert!(stderr(&o).contains(&role), "{}", stderr(&o));

    let o = scratch.test("<html><body>Sign in</body></html>", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).starts_with("error: "), "{}", stderr(&o));

    let o = scratch.test("", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("empty"), "{v}");
}

#[test]
fn a_fresh_sandbox_has_no_provider_to_sign_in_with() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = Scratch { dir };
    let xml = saml::signed(
        &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
        idc_key(),
        Sign::Assertion,
    );
    let o = scratch.test(&xml, &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    assert!(text.contains("Specified provider doesn't exist"), "{text}");
    assert!(text.contains("step 6a is not done"), "{text}");
}
