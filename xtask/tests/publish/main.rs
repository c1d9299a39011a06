//! The tasks that talk to a registry, end to end: `publish`, and after a release `verify`,
//! `yank`, `status` and `doctor`. Real cargo, the real registry server, a fault proxy.

mod connections;
mod doctor;
mod errors;
mod faults;
mod flows;
mod metadata;
mod pacing;
mod preflight;
// The same checker the preflight tests use, for the reports of verify and doctor.
#[path = "../it/schema.rs"]
mod schema;
mod status;
mod support;
mod trusted;
mod verify;
mod yank;
