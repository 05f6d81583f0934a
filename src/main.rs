use std::process::ExitCode;

use clap::Parser;
use connect_sso::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    cli::run(cli, &mut stdout.lock(), &mut stderr.lock()).into()
}
