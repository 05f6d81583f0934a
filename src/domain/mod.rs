//! Pure values and rules: no I/O, no clocks, no async. Everything the guide asks to type or
//! paste is generated here, so it can be tested to the last character.

pub mod assertion;
pub mod diff;
pub mod input;
pub mod metadata;
pub mod operator;
pub mod policy;
pub mod region;
pub mod setup;
pub mod suggest;
pub mod text;
