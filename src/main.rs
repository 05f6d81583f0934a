use std::process::ExitCode;

use clap::Parser;
use connect_sso::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    // Standard error is locked per write, not for the whole run: the progress spinner
    // draws on it from its own thread.
    let mut stderr = std::io::stderr();
    cli::run(cli, &mut stdout.lock(), &mut stderr).into()
}
