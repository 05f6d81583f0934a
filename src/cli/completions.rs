//! `connect-sso completions SHELL`: the shell's completion script, generated from the same
//! clap definitions as the parser.

use std::io::{self, Write};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Status};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// The completion script of `shell` for the whole command line.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "connect-sso", &mut script);
    script
}

pub fn run(args: &CompletionsArgs, out: &mut dyn Write) -> io::Result<Status> {
    // Generated whole first: the generators panic on a failed write.
    out.write_all(&script(args.shell))?;
    Ok(Status::Ok)
}
