//! SIGINT (Ctrl-C) and SIGTERM (a cancelled CI job) while minted tokens are live: revoke
//! them within a few seconds, print one line saying so and how to resume, and exit with
//! the shell's code for the signal (130, 143). A token left alive could publish for the
//! rest of its 30 minutes.
//!
//! The handler is installed when the first token is about to be minted, so runs that
//! mint none end on a signal as before. Nothing else is done on the way out: the process
//! ends as a killed one would, without running the main thread's destructors, so a
//! release keeps its journal and resumes, and its lock goes with the process. Children
//! (cargo) get the signal as before: a handler is not inherited across `exec`, and
//! whether they get it depends only on who sent it (a terminal signals the whole process
//! group). A signal after every token was revoked ends the process by that signal, as
//! without the handler. The signal also sets a flag at once; the main thread, which may
//! run on before the handler's thread (its cargo died of the same signal), checks it
//! before revoking on its own and before `launchkit::main` returns, and then waits for
//! the handler to end the process ([`leave_to_handler`]).
//!
//! Unix only (see `trusted.rs` for elsewhere).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, TryLockError};
use std::time::{Duration, Instant};

use super::{LIVE, Live};

/// How long the handler waits for an exchange or a revocation under way to end.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// How long all revocations may take, after that: CI runners kill a cancelled job a few
/// seconds after signalling it.
const REVOKE_WITHIN: Duration = Duration::from_secs(2);

/// Set in the signal handler itself, at once: the handler's thread may run later than
/// the main thread, which must then leave the end to it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// From now on, SIGINT and SIGTERM revoke every live minted token before the process
/// ends; once per process.
pub fn revoke_on_signal() {
    use signal_hook::consts::{SIGINT, SIGTERM};

    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| match signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    interrupted(signal);
                }
            });
            for signal in [SIGINT, SIGTERM] {
                // Without the flag the run may end with its own code before the handler.
                let _ = signal_hook::flag::register(signal, &INTERRUPTED);
            }
        }
        Err(err) => eprintln!(
            "warning: cannot handle SIGINT and SIGTERM ({err}): an interrupted run leaves its trusted-publishing token to expire 30 minutes after it was minted"
        ),
    });
}

/// After a signal, waits for the handler's thread, which ends the process: a run that
/// stops because cargo got the signal too must not end first, with its own exit code,
/// nor revoke what the handler revokes.
pub fn leave_to_handler() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// Revokes what is live and exits; with nothing live, ends the process by `signal`.
fn interrupted(signal: i32) -> ! {
    let code = 128 + signal;
    // Held until the process exits, so the run prints nothing more (a cargo that got the
    // signal too would make it report a failed upload): the last line is the handler's.
    let _stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let deadline = Instant::now() + LOCK_WAIT;
    // Held until the process exits, so the main thread mints and revokes nothing more.
    let live = loop {
        match LIVE.try_lock() {
            Ok(live) => break live,
            Err(TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                let _ = writeln!(
                    stderr,
                    "interrupted: a trusted-publishing token exchange or revocation did not end in time, so a minted token may stay valid until 30 minutes after it was minted"
                );
                std::process::exit(code);
            }
        }
    };
    if live.is_empty() {
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(code);
    }
    let _ = writeln!(stderr, "{}", revoke(&live));
    std::process::exit(code)
}

/// Revokes every token in `live` within [`REVOKE_WITHIN`]; the line that says so.
fn revoke(live: &[Live]) -> String {
    let deadline = Instant::now() + REVOKE_WITHIN;
    let failed: Vec<String> = live
        .iter()
        .filter_map(|Live { api, token, .. }| {
            let left = deadline.saturating_duration_since(Instant::now());
            let left = left.max(Duration::from_millis(100));
            launchkit_registry::trusted::revoke(api, token, left).err()
        })
        .map(|err| token_free(&err.to_string(), live))
        .collect();
    let resume = &live.last().expect("a live token").resume;
    let total = live.len();
    let tokens = if total == 1 { "token" } else { "tokens" };
    if failed.is_empty() {
        return format!(
            "interrupted: revoked the {total} trusted-publishing {tokens} this run minted; resume with: {resume}"
        );
    }
    format!(
        "interrupted: could not revoke {} of the {total} trusted-publishing {tokens} this run minted ({}), they stay valid until 30 minutes after they were minted; resume with: {resume}",
        failed.len(),
        failed.join("; ")
    )
}

/// `text` without any of the tokens.
fn token_free(text: &str, live: &[Live]) -> String {
    live.iter().fold(text.to_owned(), |text, live| live.token.redact(&text))
}
