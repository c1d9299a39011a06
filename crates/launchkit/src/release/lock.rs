//! The release lock: `<git common dir>/launchkit/release.lock`, one release at a time.
//!
//! An executed release takes it before its first check, with the operating system's file
//! lock (`File::try_lock`), which is atomic and which the system releases when the
//! process ends, however it ends. The file's text names the holder (process, host, start
//! time, command), so a second run refuses at once and says who holds it. A file that
//! still names a holder although nobody holds the lock was left by a run that died: the
//! next run takes it over with a note. The file is never deleted, only emptied when the
//! release ends: a run that deleted it could let two others lock two different files.
//! A dry run takes no lock; it only asks whether someone holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::clock;

/// Who holds the lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// The machine it runs on.
    pub host: String,
    /// When it took the lock, RFC 3339 UTC.
    pub started: String,
    /// The command it runs.
    pub command: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Holder { pid, host, started, command } = self;
        write!(f, "process {pid} on {host}, started {started}: {command}")
    }
}

/// The lock of this run, held until it is dropped.
pub struct Lock {
    file: File,
}

/// The lock file of the repository whose git common directory is `git_dir`.
pub fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("launchkit").join("release.lock")
}

/// Takes the lock for `command`, or refuses at once, naming the holder.
pub fn take(path: &Path, command: &str) -> anyhow::Result<Lock> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open the release lock {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => bail!("{}", busy(&mut file, path)),
        Err(TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    if let Some(stale) = holder(&mut file) {
        eprintln!(
            "note: took over the release lock from {stale}: that process is gone (the system released its lock), so its release stopped unfinished"
        );
    }
    let holder = Holder {
        pid: std::process::id(),
        host: host(),
        started: clock::now(),
        command: command.into(),
    };
    let text = serde_json::to_string(&holder).expect("a holder serializes") + "\n";
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()))
        .and_then(|()| file.sync_data())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Lock { file })
}

/// Whether someone holds the lock, and who; takes nothing and writes nothing.
pub fn holder_of(path: &Path) -> anyhow::Result<Option<String>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot open {}", path.display())),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(None),
        Err(TryLockError::WouldBlock) => Ok(Some(busy(&mut file, path))),
        Err(TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

impl Drop for Lock {
    /// Empties the file before the system releases the lock, so the next run finds no
    /// stale holder.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

/// The refusal when the lock is held.
///
/// The run that holds the lock writes its name just after taking it: until then the file
/// is empty or still names an earlier run that died. So the name is trusted at once only
/// when it is a live process of this machine; otherwise the file is read again for at
/// most a second, until it names someone new.
fn busy(file: &mut File, path: &Path) -> String {
    let first = holder(file);
    let mut named = first.clone();
    for _ in 0..20 {
        let settled = named.as_ref().is_some_and(|holder| {
            Some(holder) != first.as_ref() || (holder.host == host() && !is_gone(holder))
        });
        if settled {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        named = holder(file);
    }
    let who = match named {
        Some(holder) => holder.to_string(),
        None => "a process that has not written its name yet".into(),
    };
    format!(
        "another release is running ({who}): wait for it to end; the lock is {}",
        path.display()
    )
}

/// True when `holder`'s process is gone, as far as `/proc` tells; where there is no
/// `/proc`, nothing is known to be gone.
fn is_gone(holder: &Holder) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(holder.pid.to_string()).exists()
}

/// The holder the file names, if any.
fn holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// This machine's name, as well as it can be read without a library.
fn host() -> String {
    let named = ["HOSTNAME", "COMPUTERNAME"].into_iter().find_map(|name| std::env::var(name).ok());
    named
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "an unknown host".into())
}
