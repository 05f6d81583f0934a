//! `connect-sso man [--dir DIR]`: the manual pages, generated from the same clap definitions
//! as `--help` (clap_mangen), with the commands' examples and exit statuses as sections.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_mangen::Man;

use super::{Cli, Status, help};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR (connect-sso.1, connect-sso-apply.1, ...), creating
    /// it if needed, instead of printing the top-level page
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Escapes text for roff: backslashes, hyphens (so they stay hyphens) and a leading dot or
/// apostrophe (which would start a request).
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// The EXAMPLES and EXIT STATUS sections of the command at `path`.
fn page_sections(path: &str, roff: &mut Vec<u8>) -> io::Result<()> {
    let Some(page) = help::page(path) else {
        return Ok(());
    };
    writeln!(roff, ".SH EXAMPLES")?;
    for (command, what) in page.examples {
        writeln!(roff, ".TP")?;
        // One line: the tag of .TP is the next line only.
        let command = command.replace(" \\\n    ", " ");
        writeln!(roff, "\\fB{}\\fR", roff_escape(&command))?;
        writeln!(roff, "{}", roff_escape(what))?;
    }
    writeln!(roff, ".SH \"EXIT STATUS\"")?;
    for (code, when) in page.exit {
        writeln!(roff, ".TP")?;
        writeln!(roff, "\\fB{code}\\fR")?;
        writeln!(roff, "{}", roff_escape(when))?;
    }
    Ok(())
}

/// The roff page of one command; `path` is its path below `connect-sso` (`""` for the top).
fn render(cmd: clap::Command, path: &str) -> io::Result<Vec<u8>> {
    let has_arguments = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let man = Man::new(cmd);
    let mut roff = Vec::new();
    man.render_title(&mut roff)?;
    man.render_name_section(&mut roff)?;
    man.render_synopsis_section(&mut roff)?;
    man.render_description_section(&mut roff)?;
    if has_arguments {
        man.render_options_section(&mut roff)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut roff)?;
    }
    // In place of clap_mangen's EXTRA section, which would run the help's lines together.
    page_sections(path, &mut roff)?;
    man.render_version_section(&mut roff)?;
    Ok(roff)
}

/// The top-level command as the man pages describe it: built, without the `help`
/// subcommand, and without the after-help text that the sections replace.
fn top_command() -> clap::Command {
    let mut cmd = Cli::command()
        .disable_help_subcommand(true)
        .about(help::ABOUT)
        .long_about(help::ABOUT_WIZARD);
    cmd.build();
    cmd
}

/// Strips the after-help of a command (its sections are written separately).
fn without_after_help(cmd: clap::Command) -> clap::Command {
    cmd.after_help(None::<&str>).after_long_help(None::<&str>)
}

/// The top-level page.
pub fn top_page() -> io::Result<Vec<u8>> {
    render(without_after_help(top_command()), "")
}

/// Every page: its file name (`connect-sso-metadata-check.1`) and its text.
pub fn all_pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, path: &str, pages: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
        let name = Man::new(cmd.clone()).get_filename();
        pages.push((name, render(without_after_help(cmd.clone()), path)?));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let sub_path = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &sub_path, pages)?;
        }
        Ok(())
    }
    let mut pages = Vec::new();
    walk(&top_command(), "", &mut pages)?;
    Ok(pages)
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file beside it, then
/// renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let result = written.and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Writes every page into `dir`; the names of the files written.
pub fn write_pages(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the directory {}: {e}; give --dir a directory you can write to",
            dir.display()
        )
    })?;
    let pages = all_pages().map_err(|e| format!("cannot render the manual pages: {e}"))?;
    let mut written = Vec::new();
    for (name, text) in pages {
        let path = dir.join(&name);
        write_atomically(&path, &text).map_err(|e| {
            format!(
                "cannot write {}: {e}; give --dir a directory you can write to",
                path.display()
            )
        })?;
        written.push(path);
    }
    Ok(written)
}

pub fn run(args: &ManArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    match &args.dir {
        None => {
            out.write_all(&top_page()?)?;
            Ok(Status::Ok)
        }
        Some(dir) => match write_pages(dir) {
            Ok(written) => {
                let top = dir.join("connect-sso.1");
                let hint = match dir.parent() {
                    Some(parent) if dir.file_name().is_some_and(|n| n == "man1") => format!(
                        "with {} in MANPATH, `man connect-sso` finds them",
                        parent.display()
                    ),
                    _ => "put them in a man1 directory under MANPATH for `man connect-sso`"
                        .to_string(),
                };
                writeln!(
                    err,
                    "Wrote {} manual pages to {}; read one with `man -l {}`; {hint}",
                    written.len(),
                    dir.display(),
                    top.display(),
                )?;
                Ok(Status::Ok)
            }
            Err(message) => {
                writeln!(err, "error: {message}")?;
                Ok(Status::CheckFailed)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes_what_would_be_read_as_requests() {
        assert_eq!(roff_escape("--dry-run"), "\\-\\-dry\\-run");
        assert_eq!(roff_escape(".hidden"), "\\&.hidden");
        assert_eq!(roff_escape("a\\b"), "a\\eb");
    }

    #[test]
    fn every_page_has_examples_and_exit_statuses() {
        for (name, text) in all_pages().unwrap() {
            let text = String::from_utf8(text).unwrap();
            assert!(text.contains(".SH EXAMPLES"), "{name}");
            assert!(text.contains(".SH \"EXIT STATUS\""), "{name}");
            assert!(!text.contains(".SH EXTRA"), "{name}");
        }
    }
}
