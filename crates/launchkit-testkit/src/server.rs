//! A small HTTP server on 127.0.0.1 that answers with a function the test gives: a web
//! API's contract (docs.rs status, a forge) served for real, over a socket.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::http::{self, Request, Response};

/// A running server; stops when dropped. It keeps connections open between requests, as
/// real servers do, and counts them, so tests see whether a client reuses them.
pub struct HttpServer {
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
    acceptor: Acceptor,
}

impl HttpServer {
    /// Serves `handler` on a free port of 127.0.0.1.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (log, count) = (Arc::clone(&requests), Arc::clone(&connections));
        let acceptor = Acceptor::start(listener, move |stream| {
            count.fetch_add(1, Ordering::Relaxed);
            answer(&stream, &handler, &log);
        });
        HttpServer { requests, connections, acceptor }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.acceptor.addr)
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// An accept loop on its own thread, each connection served on a thread of its own by
/// `serve`; stops when dropped. The proxy and the server share it.
pub(crate) struct Acceptor {
    pub(crate) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Acceptor {
    pub(crate) fn start(
        listener: TcpListener,
        serve: impl Fn(TcpStream) + Send + Sync + 'static,
    ) -> Acceptor {
        Acceptor::start_closable(listener, Arc::default(), serve)
    }

    /// Like [`Acceptor::start`]; while `closed_until` lies in the future the socket is
    /// closed (clients get "connection refused"), then bound again on the same port.
    pub(crate) fn start_closable(
        listener: TcpListener,
        closed_until: Arc<Mutex<Option<Instant>>>,
        serve: impl Fn(TcpStream) + Send + Sync + 'static,
    ) -> Acceptor {
        let addr = listener.local_addr().expect("listening address");
        let serve = Arc::new(serve);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut listener = Some(listener);
            let closed = || {
                let until = *closed_until.lock().unwrap_or_else(PoisonError::into_inner);
                until.is_some_and(|until| until > Instant::now())
            };
            while !stopping.load(Ordering::Relaxed) {
                if closed() {
                    listener = None;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                if listener.is_none() {
                    // The port was ours a moment ago; std sets SO_REUSEADDR on Unix.
                    listener = TcpListener::bind(addr).ok();
                    continue;
                }
                let Some(open) = &listener else { continue };
                let Ok((stream, _)) = open.accept() else { continue };
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                if closed() {
                    // Accepted while the outage began: dropped unanswered, as a dying server would.
                    continue;
                }
                let serve = Arc::clone(&serve);
                std::thread::spawn(move || serve(stream));
            }
        });
        Acceptor { addr, stop, thread: Some(thread) }
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A response with `status` and a JSON body.
pub fn json(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.as_bytes().to_vec(),
    }
}

fn answer(
    stream: &TcpStream,
    handler: impl Fn(&Request) -> Response,
    requests: &Mutex<Vec<Request>>,
) {
    let _ = stream.set_read_timeout(Some(http::IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(http::IO_TIMEOUT));
    while let Ok(Some(request)) = http::read_request(stream) {
        let close = http::header(&request.headers, "connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"));
        let response = handler(&request);
        requests.lock().unwrap_or_else(PoisonError::into_inner).push(request);
        if http::write_answer(stream, &response, close).is_err() || close {
            return;
        }
    }
}

/// A port that accepts connections and never answers: a registry or host that hangs.
/// Connections complete in the kernel's backlog, so clients wait for their own timeout.
pub struct Silent {
    listener: TcpListener,
}

impl Silent {
    /// Binds a free port of 127.0.0.1.
    pub fn start() -> Silent {
        Silent { listener: TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1") }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.listener.local_addr().expect("local address"))
    }
}
