//! The tasks that talk to a registry, end to end: `publish`, and after a release `verify`,
//! `yank`, `status` and `doctor`. Real cargo, the real registry server, a fault proxy.

mod doctor;
mod errors;
mod faults;
mod flows;
mod status;
mod support;
mod verify;
mod yank;
