//! `connect-sso export`: the CloudFormation template and the AWS CLI script are valid and
//! carry exactly the generated documents; the script really works against moto when the
//! AWS CLI is installed.

mod common;

use std::process::Command;

use connect_sso::cli::export::{cli_script, cloudformation};
use connect_sso::domain::setup::{Answers, Setup};
use serde_json::{Value, json};

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(
            "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef"
                .into(),
        ),
        role_name: Some("ExportRole".into()),
        policy_name: Some("ExportPolicy".into()),
        provider_name: Some("ExportIdC".into()),
        ..Answers::default()
    })
    .unwrap()
}

#[test]
fn the_cloudformation_template_is_valid_json_with_the_generated_documents() {
    let s = setup();
    let binary = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args([
            "export",
            "--format",
            "cloudformation",
            "--instance-arn",
            &s.instance.arn(),
            "--role-name",
            "ExportRole",
            "--policy-name",
            "ExportPolicy",
            "--provider-name",
            "ExportIdC",
        ])
        .output()
        .unwrap();
    assert!(binary.status.success());
    let t: Value = serde_json::from_slice(&binary.stdout).expect("the template is JSON");
    assert_eq!(t, cloudformation(&s, None));
    assert_eq!(t["AWSTemplateFormatVersion"], "2010-09-09");
    let r = &t["Resources"];
    assert_eq!(r["SamlProvider"]["Type"], "AWS::IAM::SAMLProvider");
    assert_eq!(
        r["SamlProvider"]["Properties"]["SamlMetadataDocument"],
        json!({"Ref": "MetadataDocument"})
    );
    assert_eq!(
        r["FederationPolicy"]["Properties"]["PolicyDocument"],
        s.permissions_policy()
    );
    let trust = &r["FederationRole"]["Properties"]["AssumeRolePolicyDocument"];
    assert_eq!(
        trust["Statement"][0]["Principal"]["Federated"],
        json!({"Ref": "SamlProvider"})
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"],
        s.acs_url()
    );
    assert_eq!(
        r["FederationRole"]["Properties"]["ManagedPolicyArns"],
        json!([{"Ref": "FederationPolicy"}])
    );
    assert_eq!(
        t["Outputs"]["RoleAttribute"]["Value"]["Fn::Sub"],
        "${FederationRole.Arn},${SamlProvider}"
    );
    // Every Ref names a parameter or a resource of the template.
    let names: Vec<&String> = t["Parameters"]
        .as_object()
        .unwrap()
        .keys()
        .chain(r.as_object().unwrap().keys())
        .collect();
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("Ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&t, &mut found);
    assert!(!found.is_empty());
    for r in found {
        assert!(names.iter().any(|n| **n == r), "dangling Ref {r}");
    }
}

#[test]
fn the_cli_script_is_valid_bash_with_the_generated_documents() {
    let s = setup();
    let script = cli_script(&s, None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("setup.sh");
    std::fs::write(&path, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(script.contains(&connect_sso::domain::policy::pretty(
        &s.permissions_policy()
    )));
    assert!(script.contains(&connect_sso::domain::policy::pretty(&s.trust_policy())));
    assert!(script.contains("ROLE_NAME='ExportRole'"));
    assert!(script.contains(&s.role_attribute()));
}

/// Runs the script twice against moto with the AWS CLI, when both are installed.
#[test]
fn the_cli_script_creates_the_resources_against_moto() {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: the AWS CLI is not installed; pip install awscli to run this test");
        return;
    }
    let Some(moto) = common::moto::MotoServer::start() else {
        return;
    };
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("setup.sh");
    std::fs::write(&script, cli_script(&s, None)).unwrap();
    let metadata = format!(
        "{}/tests/fixtures/metadata/idc-metadata.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let run = || {
        Command::new("bash")
            .arg(&script)
            .arg(&metadata)
            .env("AWS_ENDPOINT_URL", moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("HOME", dir.path())
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        out.contains("6a SAML provider created") && out.contains("6c role created"),
        "{out}"
    );
    let second = run();
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{out}");
    assert!(out.contains("6b policy exists"), "{out}");

    // What the script made is what apply would have made: apply's ensures find it correct.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cloud = moto.sdk_cloud();
    let policy = rt
        .block_on(connect_sso::cloud::ensure::ensure_policy(&cloud, &s, true))
        .unwrap();
    let role = rt
        .block_on(connect_sso::cloud::ensure::ensure_role(&cloud, &s, true))
        .unwrap();
    assert_eq!(policy.change, connect_sso::cloud::ensure::Change::Unchanged);
    assert_eq!(role.change, connect_sso::cloud::ensure::Change::Unchanged);
}

fn export(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .arg("export")
        .args(args)
        .args(["--instance-arn", &setup().instance.arn()])
        .env("HOME", home.path())
        .env_remove("CONNECT_SSO_METADATA")
        .output()
        .unwrap()
}

fn metadata_fixture() -> String {
    format!(
        "{}/tests/fixtures/metadata/idc-metadata.xml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn export_checks_the_metadata_it_is_given_in_every_format() {
    for format in ["markdown", "cli", "cloudformation"] {
        let o = export(&["--format", format, "--metadata", "/nonexistent/m.xml"]);
        assert_eq!(o.status.code(), Some(2), "{format}");
        assert!(o.stdout.is_empty(), "{format}: nothing is exported");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("/nonexistent/m.xml"), "{format}: {e}");
    }
}

#[test]
fn the_runbook_carries_the_given_metadata_and_no_placeholder_in_code_font() {
    let file = metadata_fixture();
    let o = export(&["--metadata", &file]);
    assert!(o.status.success());
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(!md.contains("not given"), "{md}");
    assert!(md.contains(&format!("`{file}`")), "{md}");
    assert!(md.contains("portal.sso.us-east-1.amazonaws.com/saml/assertion"));

    let o = export(&[]);
    let md = String::from_utf8(o.stdout).unwrap();
    for placeholder in [
        "(not given",
        "(the file from step 2)",
        "(pass --identity-store-id",
    ] {
        assert!(md.contains(placeholder), "{placeholder} shown");
        assert!(
            !md.contains(&format!("`{placeholder}")),
            "{placeholder} in code font:\n{md}"
        );
    }
}

#[test]
fn the_script_and_template_default_to_the_given_metadata() {
    let file = metadata_fixture();
    let o = export(&["--format", "cli", "--metadata", &file]);
    assert!(o.status.success());
    let script = String::from_utf8(o.stdout).unwrap();
    assert!(
        script.contains(&format!("METADATA_FILE='{file}'")),
        "{script}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("setup.sh");
    std::fs::write(&path, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success());

    let o = export(&["--format", "cloudformation", "--metadata", &file]);
    assert!(o.status.success());
    let t: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        t["Parameters"]["MetadataDocument"]["Default"],
        json!(std::fs::read_to_string(&file).unwrap())
    );
}

#[test]
fn plan_and_export_on_the_sandbox_use_its_instance_unless_one_is_named() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_connect-sso"))
            .args(args)
            .env("HOME", home.path())
            .env_remove("CONNECT_SSO_INSTANCE_ARN")
            .output()
            .unwrap()
    };
    let sandbox = connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ARN;
    for args in [
        &["plan", "--sandbox"][..],
        &["export", "--sandbox"],
        &["export", "--sandbox", "--format", "cli"],
    ] {
        let o = run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(sandbox),
            "{args:?}"
        );
    }
    // An instance named anywhere, the answers file included, is the one used.
    let file = home.path().join("c.toml");
    std::fs::write(
        &file,
        format!("instance_arn = \"{}\"\n", setup().instance.arn()),
    )
    .unwrap();
    let o = run(&["plan", "--sandbox", "--config", file.to_str().unwrap()]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&setup().instance.arn()), "{text}");
    assert!(!text.contains(sandbox), "{text}");
}
