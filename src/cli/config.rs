//! The answers file: TOML whose keys are the flags' names with underscores.

use std::path::{Path, PathBuf};

use crate::domain::setup::Answers;
use crate::files::{ReadError, read_small};

/// Largest answers file read; a real one is well under 2 KB.
const MAX_CONFIG_BYTES: u64 = 1_000_000;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot read the answers file {path}: {source}. Check the path given to --config; `connect-sso answers example > answers.toml` starts one"
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the answers file {path} is larger than 1 MB; it is probably not an answers file. Check the path given to --config"
    )]
    TooLarge { path: PathBuf },
    #[error(
        "the answers file {path} is not valid: {message}`connect-sso answers example` prints every key it may hold, with comments"
    )]
    Parse { path: PathBuf, message: String },
}

/// Loads an answers file. A relative `metadata` path is taken relative to the file itself,
/// so an answers file and its metadata can travel together.
pub fn load(path: &Path) -> Result<Answers, ConfigError> {
    let text = read_small(path, MAX_CONFIG_BYTES).map_err(|e| match e {
        ReadError::Io(source) => ConfigError::Read {
            path: path.to_path_buf(),
            source,
        },
        ReadError::TooLarge => ConfigError::TooLarge {
            path: path.to_path_buf(),
        },
    })?;
    let text = String::from_utf8(text).map_err(|_| ConfigError::Parse {
        path: path.to_path_buf(),
        message: "it is not UTF-8 text. ".to_string(),
    })?;
    parse(&text, path.parent().unwrap_or(Path::new(""))).map_err(|message| ConfigError::Parse {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses answers-file text; `base` resolves a relative metadata path.
pub fn parse(text: &str, base: &Path) -> Result<Answers, String> {
    let mut answers: Answers = toml::from_str(text).map_err(|e| e.to_string())?;
    if let Some(m) = answers.metadata.take() {
        let url = crate::cloud::metadata_source::is_url(&m.to_string_lossy());
        answers.metadata = Some(if m.is_relative() && !url {
            base.join(m)
        } else {
            m
        });
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_metadata_is_resolved_against_the_file() {
        let a = parse(
            "metadata = \"idc.xml\"\nrole_name = \"R\"\n",
            Path::new("/tmp/acme"),
        )
        .unwrap();
        assert_eq!(a.metadata.unwrap(), PathBuf::from("/tmp/acme/idc.xml"));
        assert_eq!(a.role_name.as_deref(), Some("R"));
        let a = parse("metadata = \"/abs/idc.xml\"", Path::new("/tmp")).unwrap();
        assert_eq!(a.metadata.unwrap(), PathBuf::from("/abs/idc.xml"));
    }

    #[test]
    fn unknown_keys_and_bad_types_are_named() {
        let err = parse("rolename = \"x\"", Path::new("")).unwrap_err();
        assert!(err.contains("rolename"), "{err}");
        let err = parse("role_name = 5", Path::new("")).unwrap_err();
        assert!(err.contains("role_name"), "{err}");
    }

    #[test]
    fn the_example_answers_file_parses() {
        let a = parse(
            include_str!("../../assets/answers.example.toml"),
            Path::new(""),
        )
        .unwrap();
        assert!(a.instance_arn.is_some());
    }

    #[test]
    fn load_reports_missing_and_oversized_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load(&dir.path().join("nope.toml")).unwrap_err();
        assert!(missing.to_string().contains("--config"), "{missing}");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 1_000_001]).unwrap();
        assert!(matches!(load(&big), Err(ConfigError::TooLarge { .. })));
    }
}
