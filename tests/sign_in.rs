//! `connect-sso sign-in-test` as a user runs it: the real binary on the sandbox, after
//! `apply` put the test key's metadata in its SAML provider, on responses signed with that
//! key. Exit 0 when AWS (here the sandbox's STS and Connect) signs the person in, 1 when it
//! refuses, 2 for unusable input; and the session's credentials appear nowhere: not in
//! standard output or error, not in any file under HOME.

#[path = "common/isolated.rs"]
mod isolated;
#[path = "common/saml.rs"]
mod saml;

use std::path::Path;
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
        isolated::run(self.dir.path(), &self.home(), args, stdin)
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
    // A response of its own for each form: STS accepts one once, in this run or the next.
    let xml = || {
        saml::signed(
            &spec(SANDBOX_EXISTING_CONNECT_USERNAME).unique(),
            idc_key(),
            Sign::Assertion,
        )
    };
    let relay = setup().relay_state(None);
    for input in [
        xml(),
        saml::base64(&xml()),
        saml::url_encode(&saml::base64(&xml())),
        saml::form_body(&xml(), Some(&relay)),
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
        Some(saml::form_body(&xml(), Some(&relay)).as_bytes()),
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

// ---- The sandbox's Identity Center issues the response (`--user NAME`)

const MARIA: &str = SANDBOX_EXISTING_CONNECT_USERNAME;
/// Seeded in Identity Center, with no Connect user.
const KWAME: &str = "kwame.mensah@example.com";

impl Scratch {
    fn empty() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A sandbox fully set up by `apply --sandbox --yes`, Maria and Kwame assigned.
    fn set_up() -> Scratch {
        let scratch = Scratch::empty();
        let o = scratch.run(
            &[
                "--sandbox",
                "apply",
                "--yes",
                "--user",
                MARIA,
                "--user",
                KWAME,
            ],
            None,
        );
        // Kwame has no Connect user: apply says so (exit 1) and sets up the rest.
        assert!(o.status.code().is_some(), "{}{}", stdout(&o), stderr(&o));
        assert!(scratch.account().exists(), "{}", stderr(&o));
        scratch
    }

    fn account(&self) -> std::path::PathBuf {
        self.home()
            .join("state")
            .join("connect-sso")
            .join("sandbox")
            .join("account.json")
    }

    fn saved(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.account()).unwrap()).unwrap()
    }

    fn edit_saved(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut account = self.saved();
        edit(&mut account);
        std::fs::write(
            self.account(),
            serde_json::to_string_pretty(&account).unwrap(),
        )
        .unwrap();
    }

    /// `--sandbox sign-in-test --user NAME` and `extra`; nothing secret in what it shows or
    /// leaves, neither the session's credentials nor the account's private key.
    fn sign_in(&self, user: &str, extra: &[&str]) -> Output {
        let mut args = vec!["--sandbox", "sign-in-test", "--user", user];
        args.extend_from_slice(extra);
        let o = self.run(&args, None);
        assert_no_secret(&o, &self.home());
        if self.account().exists() {
            assert_no_private_key(&o, &self.saved());
        }
        o
    }
}

/// The account's private key (base64 PKCS#8), nor any 40 characters of it, nor a PEM block.
fn assert_no_private_key(o: &Output, account: &serde_json::Value) {
    let key = account["signing_key"]["private_key_pkcs8"]
        .as_str()
        .expect("the saved account has a signing key");
    for (name, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        assert!(!text.contains("PRIVATE KEY"), "a key in {name}:\n{text}");
        for piece in key.as_bytes().chunks(40).filter(|c| c.len() == 40) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(!text.contains(piece), "the private key in {name}:\n{text}");
        }
    }
}

#[test]
fn the_sandbox_signs_a_response_that_signs_the_person_in() {
    let scratch = Scratch::set_up();
    let o = scratch.sign_in(MARIA, &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    assert!(
        text.contains(
            "The sandbox's IAM Identity Center issued a SAMLResponse for maria.garcia@example.com"
        ),
        "{text}"
    );
    assert!(text.contains("0 failures"), "{text}");
    assert!(
        text.contains("✓ signed in as Connect user maria.garcia@example.com"),
        "{text}"
    );
    assert!(
        text.contains(
            "lands on https://us-east-1.console.aws.amazon.com/connect/federate/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b"
        ),
        "{text}"
    );
    assert!(
        text.contains("on workshop-contact-center.my.connect.aws"),
        "{text}"
    );

    let o = scratch.sign_in(MARIA, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["signed_in"], true, "{v}");
    assert_eq!(v["issued"]["user"], MARIA, "{v}");
    assert_eq!(v["attempts"][0]["outcome"]["connect_user"], MARIA, "{v}");
    // By email or by user name, in any letter case, as the access portal signs in.
    let o = scratch.sign_in("Maria.Garcia@Example.com", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_person_without_a_connect_user_or_a_deleted_role_is_named_with_its_entry() {
    let scratch = Scratch::set_up();
    let o = scratch.sign_in(KWAME, &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    assert!(
        text.contains("refused by connect:GetFederationToken (UserNotFound)"),
        "{text}"
    );
    assert!(
        text.contains("see: connect-sso troubleshoot not-onboarded"),
        "{text}"
    );
    assert!(!text.contains("Simulated sign-in"), "{text}");

    // The role is deleted behind connect-sso's back.
    scratch.edit_saved(|account| account["roles"] = serde_json::json!([]));
    let o = scratch.sign_in(MARIA, &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    assert!(
        text.contains("refused by sts:AssumeRoleWithSAML (AccessDenied)"),
        "{text}"
    );
    assert!(
        text.contains("see: connect-sso troubleshoot not-authorized-assume-role"),
        "{text}"
    );
}

#[test]
fn the_sandbox_issues_nothing_for_an_unknown_or_unassigned_user_and_only_on_the_sandbox() {
    let scratch = Scratch::set_up();
    let o = scratch.sign_in("nobody@example.com", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("has no user nobody@example.com"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("akhan"),
        "the users are listed: {}",
        stderr(&o)
    );

    // Aisha Khan is in Identity Center but not assigned to the application.
    let o = scratch.sign_in("akhan", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("not assigned"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("troubleshoot not-assigned"),
        "{}",
        stdout(&o)
    );

    let o = scratch.run(&["sign-in-test", "--user", MARIA], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).starts_with("error: --user NAME asks the sandbox's IAM Identity Center"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("add --sandbox"), "{}", stderr(&o));

    let o = scratch.run(
        &["--sandbox", "sign-in-test", "response.txt", "--user", MARIA],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "FILE and --user: {}", stderr(&o));
}

#[test]
fn the_accounts_signing_key_is_its_own_and_stays() {
    let scratch = Scratch::set_up();
    let key = scratch.saved()["signing_key"].clone();
    assert!(key["certificate"].as_str().unwrap().len() > 500, "{key}");
    let before = std::fs::read(scratch.account()).unwrap();
    // Commands that only look use the key and write nothing.
    assert_eq!(scratch.sign_in(MARIA, &[]).status.code(), Some(0));
    let o = scratch.run(&["--sandbox", "doctor"], None);
    assert!(
        !stdout(&o).contains("differs"),
        "the provider holds the account's metadata: {}",
        stdout(&o)
    );
    assert_eq!(std::fs::read(scratch.account()).unwrap(), before);
    // Changes keep it too.
    let o = scratch.run(&["--sandbox", "apply", "--yes", "--user", MARIA], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(scratch.saved()["signing_key"], key);
    // The provider holds the metadata with the account's certificate.
    let provider = scratch.saved()["providers"][0]["metadata_document"].clone();
    assert!(
        provider
            .as_str()
            .unwrap()
            .contains(key["certificate"].as_str().unwrap()),
        "{provider}"
    );

    // Another account gets another key.
    let other = Scratch::set_up();
    assert_ne!(
        other.saved()["signing_key"]["certificate"],
        key["certificate"]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(scratch.account())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key is readable by its owner only");
    }
}

#[test]
fn an_account_saved_before_the_sandbox_signed_gets_a_key_and_keeps_it() {
    let scratch = Scratch::set_up();
    // As an earlier connect-sso saved it: no key, and the provider holds the fixed metadata.
    scratch.edit_saved(|account| {
        account.as_object_mut().unwrap().remove("signing_key");
        account["providers"][0]["metadata_document"] =
            serde_json::json!(connect_sso::cloud::sandbox::SANDBOX_METADATA);
    });
    // A command that only looks adds the key to the file.
    let o = scratch.run(&["--sandbox", "doctor"], None);
    assert!(o.status.code().is_some(), "{}", stderr(&o));
    let key = scratch.saved()["signing_key"].clone();
    assert!(key["certificate"].is_string(), "upgraded: {key}");

    // The provider still holds the old certificate: the test says so, with the fix.
    let o = scratch.sign_in(MARIA, &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("Response signature invalid"), "{text}");
    assert!(
        text.contains("see: connect-sso troubleshoot certificate"),
        "{text}"
    );

    // apply puts the account's metadata in the provider; the key stays.
    let o = scratch.run(&["--sandbox", "apply", "--yes", "--user", MARIA], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(scratch.saved()["signing_key"], key);
    let o = scratch.sign_in(MARIA, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn what_the_sandbox_issued_passes_inspect_assertion_and_sign_in_test_as_a_file() {
    use connect_sso::cloud::sandbox::{Sandbox, SandboxOptions};

    let scratch = Scratch::set_up();
    let (sandbox, warning) = Sandbox::load_or_seed(&scratch.account(), SandboxOptions::default());
    assert_eq!(warning, None);
    let issued = sandbox
        .issue_response(MARIA, &setup(), OffsetDateTime::now_utc())
        .unwrap();
    assert!(issued.xml.contains("<ds:SignatureValue>"), "{}", issued.xml);
    let form = scratch.file("issued.txt", &issued.form_body());
    let o = scratch.run(&["inspect-assertion", "--sandbox", &form], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains('✗'), "{}", stdout(&o));
    let o = scratch.test(&issued.form_body(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("✓ signed in as Connect user maria.garcia@example.com"));
}
