//! An HTTP/1.1 server on 127.0.0.1 for the tests: each answer comes from the test's
//! handler, and the server records every request it saw and how many were in flight at
//! once, so limits are verified where they matter, on the server side.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: HashMap<String, String>,
    /// How many requests for this path came before this one.
    pub nth: usize,
    pub at: Instant,
}

/// What to answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Duration,
    /// Never answer: hold the connection open.
    pub hang: bool,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), delay: Duration::ZERO, hang: false }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("location", location)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn hang() -> Reply {
        Reply { hang: true, ..Reply::status(200) }
    }
}

#[derive(Default)]
struct State {
    log: Vec<Request>,
    in_flight: usize,
    max_in_flight: usize,
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running server; it stops with the test process.
pub struct Server {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let handler: Arc<Handler> = Arc::new(handler);
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, handler) = (shared.clone(), handler.clone());
                thread::spawn(move || serve(stream, &state, &*handler));
            }
        });
        Server { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `METHOD /path` of every request so far, in order.
    pub fn hits(&self) -> Vec<String> {
        self.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // Keep-alive: answer requests on this connection until the client closes it.
    while let Some((method, path, headers)) = read_head(&mut reader) {
        let request = {
            let mut state = state.lock().unwrap();
            let nth = state.log.iter().filter(|r| r.path == path).count();
            let request = Request { method, path, headers, nth, at: Instant::now() };
            state.log.push(request.clone());
            state.in_flight += 1;
            state.max_in_flight = state.max_in_flight.max(state.in_flight);
            request
        };
        let reply = handler(&request);
        if reply.hang {
            thread::sleep(Duration::from_secs(30));
            return;
        }
        thread::sleep(reply.delay);
        // Leaves the count before answering, so the count never exceeds what the client
        // has in flight.
        state.lock().unwrap().in_flight -= 1;
        let mut head = format!("HTTP/1.1 {} Test\r\ncontent-length: 0\r\n", reply.status);
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() {
            return;
        }
    }
}

type Head = (String, String, HashMap<String, String>);

fn read_head(reader: &mut impl BufRead) -> Option<Head> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            return Some((method, path, headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
}
