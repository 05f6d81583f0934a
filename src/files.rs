//! Bounded reads of files the user points at (answers, metadata): a wrong path to a huge
//! file must not eat memory.

use std::path::Path;

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

/// Reads a whole file, refusing (without reading it all) one larger than `max` bytes.
pub fn read_small(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// A path as people type it: a leading `~`, `~/`, `$HOME` or `${HOME}` stands for the home
/// folder (a shell would expand it; a quoted answer or a wizard field does not). Anything
/// else, `~user` included, is taken as it is.
pub fn expand_home(path: &str, home: Option<&Path>) -> std::path::PathBuf {
    let Some(home) = home.filter(|h| !h.as_os_str().is_empty()) else {
        return path.into();
    };
    for prefix in ["${HOME}", "$HOME", "~"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            if rest.is_empty() {
                return home.to_path_buf();
            }
            if let Some(rest) = rest.strip_prefix('/') {
                return home.join(rest);
            }
        }
    }
    path.into()
}

/// [`expand_home`] with this process's `HOME`.
pub fn expand_user_path(path: &str) -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    expand_home(path, home.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_expanded_at_the_start_only() {
        let home = Some(Path::new("/home/ana"));
        let cases = [
            (
                "~/Downloads/metadata.xml",
                "/home/ana/Downloads/metadata.xml",
            ),
            ("$HOME/m.xml", "/home/ana/m.xml"),
            ("${HOME}/m.xml", "/home/ana/m.xml"),
            ("~", "/home/ana"),
            ("~bob/m.xml", "~bob/m.xml"),
            ("$HOMEWORK/m.xml", "$HOMEWORK/m.xml"),
            ("./~/m.xml", "./~/m.xml"),
            ("/tmp/m.xml", "/tmp/m.xml"),
        ];
        for (typed, expected) in cases {
            assert_eq!(expand_home(typed, home), Path::new(expected), "{typed}");
        }
        assert_eq!(expand_home("~/m.xml", None), Path::new("~/m.xml"));
    }
}
