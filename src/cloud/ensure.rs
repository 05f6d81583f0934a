//! Idempotent ensures for the automated steps: read, diff, write only the difference, read again.
