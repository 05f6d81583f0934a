//! The Examples and Exit status sections of every command's help, kept as data so that
//! `--help` and the man pages (`connect-sso man`) say the same.

use std::fmt::Write as _;

use clap::builder::StyledStr;
use clap::builder::styling::Style;

/// One command's examples and exit statuses.
pub struct Page {
    /// The command's path below `connect-sso`, e.g. `metadata check`; empty for the wizard.
    pub path: &'static str,
    /// An invocation and what it does.
    pub examples: &'static [(&'static str, &'static str)],
    /// An exit status and when the command ends with it.
    pub exit: &'static [(u8, &'static str)],
}

/// Said by every command that validates answers: what exit status 2 means for it.
const BAD_ANSWERS: &str =
    "the answers are not valid, or the answers file or the metadata cannot be read";

pub static PAGES: &[Page] = &[
    Page {
        path: "",
        examples: &[
            (
                "connect-sso",
                "the wizard: full screen in a terminal, plain prompts otherwise",
            ),
            (
                "connect-sso --sandbox",
                "the wizard on the built-in sandbox account (no AWS needed)",
            ),
            (
                "connect-sso --config customer.toml --session acme",
                "start or resume the session acme with the answers of customer.toml",
            ),
            (
                "connect-sso --plain --yes --sandbox",
                "plain prompts, yes to every question",
            ),
            (
                "connect-sso plan --config customer.toml",
                "every step and value, offline",
            ),
        ],
        exit: &[
            (
                0,
                "the wizard ended cleanly (plain mode: the verification passed)",
            ),
            (
                1,
                "something failed, or the plain mode's verification did not pass;\nany command: its output could not be written",
            ),
            (
                2,
                "bad input: answers, answers file or session name; a usage error",
            ),
        ],
    },
    Page {
        path: "plan",
        examples: &[
            (
                "connect-sso plan --instance-arn \\\n    arn:aws:connect:eu-west-2:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef",
                "the whole procedure for one instance",
            ),
            (
                "connect-sso plan --config customer.toml --format markdown > runbook.md",
                "a runbook to hand to a customer",
            ),
            (
                "connect-sso plan --config customer.toml --metadata idc.xml --format json",
                "as JSON, with what the metadata holds",
            ),
        ],
        exit: &[(0, "the plan was printed"), (2, BAD_ANSWERS)],
    },
    Page {
        path: "apply",
        examples: &[
            (
                "connect-sso apply --sandbox --yes",
                "try it on the sandbox account, without AWS",
            ),
            (
                "connect-sso apply --config customer.toml --metadata idc.xml --dry-run",
                "what would change, changing nothing",
            ),
            (
                "connect-sso apply --config customer.toml --metadata idc.xml --yes",
                "apply without asking",
            ),
            (
                "connect-sso apply --config customer.toml --metadata idc.xml --yes \\\n    --user maria@example.com --create-connect-users",
                "also assign a user, and create their Connect user",
            ),
        ],
        exit: &[
            (
                0,
                "everything apply can do is done (--dry-run: nothing is in the way),\nor the changes were declined at the prompt",
            ),
            (1, "an AWS call failed, or something still blocks sign-in"),
            (
                2,
                "the answers or the metadata are not valid or missing, or the changes\nwere refused: no terminal to confirm them and no --yes",
            ),
        ],
    },
    Page {
        path: "export",
        examples: &[
            (
                "connect-sso export --config customer.toml > runbook.md",
                "a Markdown runbook",
            ),
            (
                "connect-sso export --config customer.toml --format cli > steps-6.sh",
                "an AWS CLI script for steps 6a-6c",
            ),
            (
                "connect-sso export --config customer.toml --format cloudformation",
                "a CloudFormation template for the provider, policy and role",
            ),
        ],
        exit: &[(0, "the export was printed"), (2, BAD_ANSWERS)],
    },
    Page {
        path: "doctor",
        examples: &[
            (
                "connect-sso doctor --sandbox",
                "check the sandbox account's setup",
            ),
            (
                "connect-sso doctor --config customer.toml --metadata idc.xml",
                "check the whole sign-in chain on AWS",
            ),
            (
                "connect-sso doctor --session acme --user maria@example.com",
                "check a session saved by the wizard, and one user",
            ),
            (
                "connect-sso doctor --config customer.toml --format json",
                "the checks as JSON (or markdown, for a ticket)",
            ),
        ],
        exit: &[
            (
                0,
                "every check passed: sign-in should work (--strict: nothing warned)",
            ),
            (1, "a check failed (--strict: or warned)"),
            (2, "the answers, the metadata or the session are not usable"),
        ],
    },
    Page {
        path: "troubleshoot",
        examples: &[
            ("connect-sso troubleshoot", "every entry"),
            (
                "connect-sso troubleshoot not-onboarded",
                "one entry, as doctor names it",
            ),
            (
                "connect-sso troubleshoot --format json",
                "every entry as JSON",
            ),
        ],
        exit: &[
            (0, "the entries were printed"),
            (2, "there is no entry with that ID"),
        ],
    },
    Page {
        path: "teardown",
        examples: &[
            (
                "connect-sso teardown --config customer.toml --dry-run",
                "what would be removed, what is kept and why",
            ),
            (
                "connect-sso teardown --config customer.toml",
                "list everything, then ask",
            ),
            (
                "connect-sso teardown --sandbox --yes",
                "remove what apply created on the sandbox",
            ),
        ],
        exit: &[
            (
                0,
                "everything to remove was removed (--dry-run: listed),\nor the removal was declined at the prompt",
            ),
            (1, "reading or removing a resource failed"),
            (
                2,
                "the answers are not valid, the credentials are for another account,\nor the removal was refused: no terminal to confirm it and no --yes",
            ),
        ],
    },
    Page {
        path: "inspect-assertion",
        examples: &[
            (
                "connect-sso inspect-assertion response.txt --config customer.toml",
                "check a captured SAMLResponse against the setup and the account",
            ),
            (
                "pbpaste | connect-sso inspect-assertion - --config customer.toml --offline",
                "from the clipboard, against the plan only (no AWS calls)",
            ),
            (
                "connect-sso inspect-assertion response.txt --sandbox",
                "against the sandbox",
            ),
        ],
        exit: &[
            (0, "every check passed"),
            (1, "a check failed"),
            (
                2,
                "the SAMLResponse cannot be read or decoded, or the answers or the\nmetadata are not usable",
            ),
        ],
    },
    Page {
        path: "sign-in-test",
        examples: &[
            (
                "connect-sso sign-in-test response.txt --config customer.toml",
                "ask AWS whether the captured response signs the person in",
            ),
            (
                "pbpaste | connect-sso sign-in-test - --config customer.toml --format json",
                "from the clipboard, as JSON",
            ),
            (
                "connect-sso sign-in-test response.txt --config customer.toml \\\n    --role arn:aws:iam::123456789012:role/ConnectSSO",
                "test only the Role attribute's pair with that role",
            ),
            (
                "connect-sso sign-in-test response.txt --sandbox",
                "against the sandbox's STS and Connect",
            ),
            (
                "connect-sso sign-in-test --sandbox --user maria.garcia@example.com",
                "the sandbox's Identity Center signs a response for her, then the test runs on it",
            ),
        ],
        exit: &[
            (0, "AWS signed the person in, for every Role pair tested"),
            (
                1,
                "AWS refused the sign-in for a pair, or could not be asked",
            ),
            (
                2,
                "the SAMLResponse cannot be read or decoded, --role names no role of\nits Role attribute, or the answers or the metadata are not usable",
            ),
        ],
    },
    Page {
        path: "users",
        examples: &[(
            "connect-sso users sync --config customer.toml --dry-run",
            "who would get a Connect user, changing nothing",
        )],
        exit: &[
            (0, "as the subcommand says"),
            (2, "no subcommand, or a usage error"),
        ],
    },
    Page {
        path: "users sync",
        examples: &[
            (
                "connect-sso users sync --sandbox --dry-run",
                "the plan on the sandbox: to create, present, near misses, unmapped",
            ),
            (
                "connect-sso users sync --config customer.toml --yes",
                "create the missing Connect users without asking",
            ),
            (
                "connect-sso users sync --config customer.toml --security-profile Agent \\\n    --routing-profile \"Basic Routing Profile\" --format json",
                "with these profiles, the result as JSON",
            ),
            (
                "connect-sso users sync --config customer.toml --prune --yes",
                "also remove the unmapped users that users sync created",
            ),
        ],
        exit: &[
            (
                0,
                "every missing Connect user was created (--dry-run: the plan was shown),\nor nothing was to do, or the changes were declined at the prompt",
            ),
            (
                1,
                "an AWS call failed, the application was not found, or a user could\nnot be created or removed",
            ),
            (
                2,
                "the answers are not valid, or the changes were refused: no terminal\nto confirm them and no --yes",
            ),
        ],
    },
    Page {
        path: "permissions",
        examples: &[
            ("connect-sso permissions", "the policies for any instance"),
            (
                "connect-sso permissions --config customer.toml --format json",
                "scoped to one setup, as JSON",
            ),
        ],
        exit: &[
            (0, "the policies were printed"),
            (
                2,
                "an instance was given but the answers are not valid, or the answers\nfile cannot be read",
            ),
        ],
    },
    Page {
        path: "metadata",
        examples: &[(
            "connect-sso metadata check idc.xml",
            "check a downloaded metadata file",
        )],
        exit: &[
            (0, "as the subcommand says"),
            (2, "no subcommand, or a usage error"),
        ],
    },
    Page {
        path: "metadata check",
        examples: &[
            (
                "connect-sso metadata check idc.xml",
                "check a downloaded metadata file",
            ),
            (
                "connect-sso metadata check https://example.com/idc.xml --format json",
                "check the metadata at a URL, as JSON",
            ),
        ],
        exit: &[
            (0, "IAM would accept the metadata"),
            (1, "IAM would reject it"),
            (2, "the file or URL cannot be read"),
        ],
    },
    Page {
        path: "answers",
        examples: &[(
            "connect-sso answers example > customer.toml",
            "start an answers file",
        )],
        exit: &[
            (0, "as the subcommand says"),
            (2, "no subcommand, or a usage error"),
        ],
    },
    Page {
        path: "answers example",
        examples: &[
            (
                "connect-sso answers example > customer.toml",
                "start an answers file",
            ),
            (
                "connect-sso plan --config customer.toml",
                "then use it with any command",
            ),
        ],
        exit: &[
            (0, "the example was printed"),
            (1, "it could not be written"),
        ],
    },
    Page {
        path: "completions",
        examples: &[
            (
                "connect-sso completions bash \\\n    > ~/.local/share/bash-completion/completions/connect-sso",
                "bash",
            ),
            (
                "connect-sso completions zsh > ~/.zfunc/_connect-sso",
                "zsh, with ~/.zfunc in $fpath",
            ),
            (
                "connect-sso completions fish > ~/.config/fish/completions/connect-sso.fish",
                "fish",
            ),
        ],
        exit: &[
            (0, "the completion script was printed"),
            (1, "it could not be written"),
            (2, "the shell is not one of those listed"),
        ],
    },
    Page {
        path: "man",
        examples: &[
            ("connect-sso man | man -l -", "read the manual page now"),
            (
                "connect-sso man --dir ~/.local/share/man/man1",
                "install a page per command (connect-sso.1, connect-sso-apply.1, ...)",
            ),
        ],
        exit: &[
            (0, "the page was printed, or every page was written"),
            (
                1,
                "a page could not be written, or the directory could not be created",
            ),
        ],
    },
];

/// The page of a command, by its path below `connect-sso` (`""` for the top level).
pub fn page(path: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.path == path)
}

/// The text after a command's options in `--help`: its examples and exit statuses.
pub fn after_help(path: &str) -> StyledStr {
    let page = page(path).unwrap_or_else(|| panic!("no help page for {path:?}"));
    let heading = Style::new().bold().underline();
    let literal = Style::new().bold();
    let mut s = String::new();
    let _ = writeln!(s, "{heading}Examples:{heading:#}");
    for (command, what) in page.examples {
        let command = command.replace('\n', "\n  ");
        let _ = writeln!(s, "  {literal}{command}{literal:#}");
        let _ = writeln!(s, "      {what}");
    }
    let _ = writeln!(s, "\n{heading}Exit status:{heading:#}");
    for (code, when) in page.exit {
        let when = when.replace('\n', "\n     ");
        let _ = writeln!(s, "  {literal}{code}{literal:#}  {when}");
    }
    StyledStr::from(s.trim_end().to_string())
}

/// What connect-sso does, in one line (the man page's NAME).
pub const ABOUT: &str =
    "Set up single sign-on into Amazon Connect through an IAM Identity Center SAML 2.0 application";

/// The top-level help's opening words: what connect-sso does, and what runs without a command.
pub const ABOUT_WIZARD: &str = "Set up single sign-on into Amazon Connect through an IAM Identity Center SAML 2.0 \
application.\n\nWithout a command, connect-sso opens the wizard: full screen in a terminal, plain \
line-by-line prompts without one (or with --plain). It saves its progress as a session and \
resumes it on the next run. The commands below do the same work non-interactively.";
