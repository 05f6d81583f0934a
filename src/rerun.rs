//! The commands a report proposes as fixes, made runnable as printed: they carry what this
//! run was given that the proposed command would not find by itself. The environment is the
//! same shell's and the answers file is passed on with `--config`, so what remains is the
//! sandbox, the answers file itself, and the answers given as flags or read from a session.

use std::path::Path;

use crate::domain::setup::Answers;

/// The commands a fix may propose.
const COMMANDS: &[&str] = &[
    "apply",
    "doctor",
    "teardown",
    "plan",
    "export",
    "inspect-assertion",
    "sign-in-test",
];

/// What to add to a proposed `connect-sso COMMAND`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rerun {
    /// Flags with their values, shell-quoted, each with a leading space.
    suffix: String,
    /// On the sandbox with its own metadata: a `--metadata FILE` placeholder is dropped.
    sandbox_metadata: bool,
    /// A file to write in for a `--metadata FILE` placeholder, quoted.
    metadata: Option<String>,
}

/// Quotes a value for a POSIX shell when it needs it.
fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Which account the proposed command must work on, as this run does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Account<'a> {
    /// `--sandbox-scenario NAME`: a workshop scenario's own account.
    pub scenario: Option<&'a str>,
    /// `--sandbox` (or a scenario).
    pub sandbox: bool,
    /// `--config FILE`.
    pub config: Option<&'a Path>,
}

impl Account<'_> {
    /// The flag that puts a command on this account, with its leading space: the
    /// scenario's, the sandbox's, or none on AWS.
    pub fn flag(&self) -> String {
        match self.scenario {
            Some(name) => format!(" --sandbox-scenario {}", quoted(name)),
            None if self.sandbox => " --sandbox".to_string(),
            None => String::new(),
        }
    }
}

impl Rerun {
    /// From this run: the account it works on and the `answers` it resolved, leaving out
    /// those the proposed command gets anyway (`from_env`, the answers file `file`, the
    /// sandbox's own instance). Metadata and users are not carried: a fix names its own.
    pub fn new(
        account: Account<'_>,
        answers: &Answers,
        from_env: &[&str],
        file: Option<&Answers>,
    ) -> Rerun {
        // The account the fix is for: a scenario's own, the sandbox, or AWS.
        let mut suffix = account.flag();
        if let Some(config) = account.config {
            suffix.push_str(&format!(" --config {}", quoted(&config.to_string_lossy())));
        }
        let empty = Answers::default();
        let file = file.unwrap_or(&empty);
        let mut put = |id: &'static str, value: &Option<String>, in_file: &Option<String>| {
            let Some(value) = value else { return };
            if from_env.contains(&id) || in_file.as_ref() == Some(value) {
                return;
            }
            if account.sandbox
                && id == "instance_arn"
                && value == crate::cloud::sandbox::SANDBOX_INSTANCE_ARN
            {
                return;
            }
            suffix.push_str(&format!(" --{} {}", id.replace('_', "-"), quoted(value)));
        };
        put("profile", &answers.profile, &file.profile);
        put("region", &answers.region, &file.region);
        put(
            "identity_profile",
            &answers.identity_profile,
            &file.identity_profile,
        );
        put(
            "identity_region",
            &answers.identity_region,
            &file.identity_region,
        );
        put("instance_arn", &answers.instance_arn, &file.instance_arn);
        put("instance_id", &answers.instance_id, &file.instance_id);
        put("account_id", &answers.account_id, &file.account_id);
        put(
            "identity_store_id",
            &answers.identity_store_id,
            &file.identity_store_id,
        );
        put("app_name", &answers.app_name, &file.app_name);
        put("provider_name", &answers.provider_name, &file.provider_name);
        put("policy_name", &answers.policy_name, &file.policy_name);
        put("role_name", &answers.role_name, &file.role_name);
        put(
            "sign_in_endpoint",
            &answers.sign_in_endpoint,
            &file.sign_in_endpoint,
        );
        Rerun {
            suffix,
            sandbox_metadata: account.sandbox && answers.metadata.is_none(),
            metadata: None,
        }
    }

    /// The metadata file this run was given, written in for a `--metadata FILE`
    /// placeholder (the wizard knows the file; a fix that means a new download still
    /// names it, to be replaced by the same path).
    pub fn with_metadata(mut self, path: Option<&str>) -> Rerun {
        self.metadata = path.map(quoted);
        self
    }

    /// `text` with every proposed `` `connect-sso COMMAND ...` `` completed. On the sandbox
    /// with no metadata given the metadata is the sandbox's own, so a `--metadata FILE`
    /// placeholder is dropped; a run given a file keeps it (the fix means a new download).
    pub fn complete(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.suffix.len());
        let mut rest = text;
        while let Some(at) = rest.find("`connect-sso ") {
            let start = at + "`connect-sso ".len();
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let word_end = rest.find([' ', '`']).unwrap_or(rest.len());
            let word = &rest[..word_end];
            out.push_str(word);
            rest = &rest[word_end..];
            let end = rest.find('`').unwrap_or(rest.len());
            // A command naming a session reads its answers and account from it already.
            if !COMMANDS.contains(&word) || rest[..end].contains(" --session ") {
                continue;
            }
            out.push_str(&self.suffix);
            let command = match (&self.metadata, self.sandbox_metadata) {
                (Some(path), _) => {
                    rest[..end].replace(" --metadata FILE", &format!(" --metadata {path}"))
                }
                (None, true) => rest[..end].replace(" --metadata FILE", ""),
                (None, false) => rest[..end].to_string(),
            };
            out.push_str(&command);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_carry_the_sandbox_the_file_and_the_flags() {
        let account = Account {
            sandbox: true,
            config: Some(Path::new("my answers.toml")),
            ..Account::default()
        };
        let answers = Answers {
            instance_arn: Some(crate::cloud::sandbox::SANDBOX_INSTANCE_ARN.into()),
            role_name: Some("FromFlag".into()),
            policy_name: Some("FromFile".into()),
            app_name: Some("Amazon Connect it's".into()),
            provider_name: Some("FromEnv".into()),
            ..Answers::default()
        };
        let file = Answers {
            policy_name: Some("FromFile".into()),
            ..Answers::default()
        };
        let r = Rerun::new(account, &answers, &["provider_name"], Some(&file));
        assert_eq!(
            r.complete("run `connect-sso apply --metadata FILE` (step 6a), or `connect-sso apply --user a@b.c`; see `connect-sso troubleshoot x`"),
            "run `connect-sso apply --sandbox --config 'my answers.toml' --app-name 'Amazon Connect it'\\''s' --role-name FromFlag` (step 6a), or `connect-sso apply --sandbox --config 'my answers.toml' --app-name 'Amazon Connect it'\\''s' --role-name FromFlag --user a@b.c`; see `connect-sso troubleshoot x`"
        );
    }

    #[test]
    fn on_aws_the_metadata_placeholder_stays_and_plain_text_is_untouched() {
        let answers = Answers {
            instance_arn: Some(
                "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef"
                    .into(),
            ),
            ..Answers::default()
        };
        let r = Rerun::new(Account::default(), &answers, &[], None);
        assert_eq!(
            r.complete("run `connect-sso apply --metadata FILE`"),
            "run `connect-sso apply --instance-arn arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef --metadata FILE`"
        );
        assert_eq!(r.complete("no command here"), "no command here");
        let given = "`connect-sso doctor --sandbox --session default`";
        assert_eq!(r.complete(given), given, "a session carries its answers");
        assert_eq!(r.complete("`connect-sso"), "`connect-sso");
    }
}
