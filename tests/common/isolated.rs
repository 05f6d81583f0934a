//! The binary run as a user with nothing configured would: from `dir`, with its own `home`,
//! no CONNECT_SSO_* or AWS_* settings and no AWS files, `stdin` on standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn run(dir: &Path, home: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    std::fs::create_dir_all(home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", home)
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
