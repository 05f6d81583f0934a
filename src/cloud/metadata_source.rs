//! Where the IAM Identity Center metadata comes from: a file the user downloaded.

use std::path::Path;

use time::OffsetDateTime;

use crate::domain::metadata::{self, CheckedMetadata, MAX_BYTES, MetadataError};
use crate::files::{ReadError, read_small};

/// Reads a metadata file, refusing early one too large for IAM.
pub fn read_metadata_file(path: &Path) -> Result<Vec<u8>, String> {
    read_small(path, MAX_BYTES as u64).map_err(|e| match e {
        ReadError::Io(e) => format!(
            "cannot read the metadata file {}: {e}. Check the path; the file is the one downloaded from the IAM Identity Center application",
            path.display()
        ),
        ReadError::TooLarge => format!(
            "{}: {}",
            path.display(),
            MetadataError::TooLarge { len: MAX_BYTES + 1 }
        ),
    })
}

/// Reads and checks a metadata file, with a message naming the file on failure.
pub fn load_checked(path: &Path, now: OffsetDateTime) -> Result<CheckedMetadata, String> {
    let bytes = read_metadata_file(path)?;
    metadata::check(&bytes, now).map_err(|e| format!("{}: {e}", path.display()))
}

/// The checked metadata and the document text, ready for `CreateSAMLProvider`.
pub fn load_document(
    path: &Path,
    now: OffsetDateTime,
) -> Result<(CheckedMetadata, String), String> {
    let bytes = read_metadata_file(path)?;
    let checked = metadata::check(&bytes, now).map_err(|e| format!("{}: {e}", path.display()))?;
    // check() accepted it, so it is UTF-8.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok((checked, text))
}
