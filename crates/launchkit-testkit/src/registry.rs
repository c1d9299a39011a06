//! `ferro-cargo-registry-server` as a child process on 127.0.0.1, stopped by its PID.
//!
//! The server always gets an explicit listen address (its default listens on every
//! interface) and a fresh data directory. With [`Faults`], a [`FaultProxy`] sits in front
//! of it and the server advertises the proxy as its API, so cargo's uploads go through
//! the proxy too.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::proxy::{FaultProxy, Faults};
use crate::tmp::TempDir;

/// The binary's name; `FERRO_CARGO_REGISTRY_SERVER` may point at it instead.
pub const BINARY: &str = "ferro-cargo-registry-server";
/// The version the tests are written against.
pub const VERSION: &str = "1.0.0";

/// How long the server may take to answer `/healthz`.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A running registry, and the proxy in front of it when there is one.
pub struct RegistryServer {
    child: Child,
    addr: SocketAddr,
    proxy: Option<FaultProxy>,
    /// Removed after the server stopped (fields drop after `Drop::drop`).
    _dir: TempDir,
}

impl RegistryServer {
    /// Starts a registry with an empty index in a new directory under `base`.
    pub fn start(base: &Path) -> RegistryServer {
        RegistryServer::launch(base, None)
    }

    /// Starts a registry behind a proxy that applies `faults`.
    pub fn start_with_faults(base: &Path, faults: Faults) -> RegistryServer {
        RegistryServer::launch(base, Some(faults))
    }

    fn launch(base: &Path, faults: Option<Faults>) -> RegistryServer {
        let dir = TempDir::new(base, "registry");
        let binary = binary();
        // Picking a free port and then binding it is racy with other tests; a server that
        // lost the race exits, and we try another port.
        for _ in 0..5 {
            let proxy_listener = faults.as_ref().map(|_| bind_local());
            let api = proxy_listener
                .as_ref()
                .map(|listener| format!("http://{}", listener.local_addr().unwrap()));
            let addr = free_port();
            let log = std::fs::File::create(dir.path().join("server.log")).expect("server log");
            let mut command = Command::new(&binary);
            command
                .env("FERRO_CARGO_REGISTRY_LISTEN", addr.to_string())
                .env("FERRO_CARGO_REGISTRY_DATA", dir.path().join("data"))
                .env_remove("FERRO_CARGO_REGISTRY_API")
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("server log"))
                .stderr(log);
            if let Some(api) = &api {
                command.env("FERRO_CARGO_REGISTRY_API", api);
            }
            let mut child = command
                .spawn()
                .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
            if wait_healthy(&mut child, addr) {
                let proxy = proxy_listener
                    .zip(faults.clone())
                    .map(|(listener, faults)| FaultProxy::start(listener, addr, faults));
                return RegistryServer { child, addr, proxy, _dir: dir };
            }
            stop(&mut child);
        }
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
        panic!("{BINARY} did not become healthy on 127.0.0.1; its log:\n{log}");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The origin clients use: the proxy when there is one, else the server.
    pub fn url(&self) -> String {
        format!("http://{}", self.proxy.as_ref().map_or(self.addr, FaultProxy::addr))
    }

    /// The index URL cargo takes: `sparse+http://127.0.0.1:PORT/`.
    pub fn index_url(&self) -> String {
        format!("sparse+{}/", self.url())
    }

    /// The server itself, bypassing the proxy.
    pub fn direct_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's data directory, where it stores the index and the `.crate` files.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("data")
    }

    /// The proxy, when started with faults.
    pub fn proxy(&self) -> Option<&FaultProxy> {
        self.proxy.as_ref()
    }

    /// Uploads `name@version` the way cargo frames it (JSON length, JSON, tarball length,
    /// tarball) but with a stand-in tarball, through the proxy when there is one. Returns
    /// the HTTP status. Unlike `cargo publish`, it does not wait for the index.
    pub fn upload_raw(&self, name: &str, version: &str) -> u16 {
        self.upload_to(self.proxy.as_ref().map_or(self.addr, FaultProxy::addr), name, version)
    }

    /// [`RegistryServer::upload_raw`] straight to the server, past the proxy and its
    /// rules: the registry's state before a test starts.
    pub fn seed(&self, name: &str, version: &str) -> u16 {
        self.upload_to(self.addr, name, version)
    }

    fn upload_to(&self, addr: std::net::SocketAddr, name: &str, version: &str) -> u16 {
        let metadata =
            format!(r#"{{"name":"{name}","vers":"{version}","deps":[],"features":{{}}}}"#);
        let tarball = format!("stand-in tarball of {name}@{version}");
        let mut body = (metadata.len() as u32).to_le_bytes().to_vec();
        body.extend_from_slice(metadata.as_bytes());
        body.extend_from_slice(&(tarball.len() as u32).to_le_bytes());
        body.extend_from_slice(tarball.as_bytes());
        let request = crate::http::Request {
            method: "PUT".into(),
            target: "/api/v1/crates/new".into(),
            headers: Vec::new(),
            body,
        };
        let stream = crate::http::connect(addr).expect("registry accepts connections");
        crate::http::write_request(&stream, &request).expect("upload sent");
        crate::http::read_response(&stream).expect("upload answered").status
    }

    /// The raw index file of `name` straight from the server, or `None` when it has none.
    pub fn index_file(&self, name: &str) -> Option<String> {
        let path = format!("/index/{}", index_path(&name.to_lowercase()));
        let response = crate::http::get(self.addr, &path).expect("registry answers");
        (response.status == 200).then(|| String::from_utf8_lossy(&response.body).into_owned())
    }

    /// The versions of `name` the server holds, in upload order.
    pub fn versions(&self, name: &str) -> Vec<String> {
        let file = self.index_file(name).unwrap_or_default();
        file.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|entry| entry["vers"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        self.proxy.take();
        stop(&mut self.child);
    }
}

/// cargo's index layout, repeated here so tests do not depend on the code under test.
fn index_path(name: &str) -> String {
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

fn wait_healthy(child: &mut Child, addr: SocketAddr) -> bool {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if crate::http::get(addr, "/healthz").is_ok_and(|response| response.status == 200) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// Child::kill signals exactly this PID; wait reaps it so no zombie is left.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn bind_local() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1")
}

fn free_port() -> SocketAddr {
    bind_local().local_addr().expect("local address")
}

/// The server binary, or a panic that says how to install it.
fn binary() -> PathBuf {
    find_binary().unwrap_or_else(|| {
        panic!("{BINARY} not found: run `cargo xtask test`, or `cargo install --locked {BINARY}@{VERSION}`, or set FERRO_CARGO_REGISTRY_SERVER")
    })
}

/// `FERRO_CARGO_REGISTRY_SERVER`, else the binary on `PATH`, else in cargo's bin directory.
pub fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FERRO_CARGO_REGISTRY_SERVER") {
        return Some(PathBuf::from(path));
    }
    let path_dirs =
        std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect::<Vec<_>>());
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin"));
    path_dirs
        .unwrap_or_default()
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join(BINARY))
        .find(|candidate| candidate.is_file())
}
