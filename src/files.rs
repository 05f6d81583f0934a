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
