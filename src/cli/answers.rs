//! `connect-sso answers example`: the commented answers file, every key explained.

use std::io::{self, Write};

use clap::Subcommand;

use super::Status;

/// The commented example answers file (`assets/answers.example.toml`).
pub const EXAMPLE: &str = include_str!("../../assets/answers.example.toml");

#[derive(Debug, Subcommand)]
pub enum AnswersCommand {
    /// Print a commented answers file with every key; save it and pass it with --config
    #[command(after_help = super::help::after_help("answers example"))]
    Example,
}

pub fn run(command: &AnswersCommand, out: &mut dyn Write) -> io::Result<Status> {
    match command {
        AnswersCommand::Example => out.write_all(EXAMPLE.as_bytes())?,
    }
    Ok(Status::Ok)
}
