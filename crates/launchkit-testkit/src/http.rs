//! Just enough HTTP/1.1 for the proxy and health checks: bodies framed by `Content-Length`
//! (cargo's uploads and the registry's answers are); one request per connection, except
//! for the test server, which keeps connections open as real servers do.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long any socket read or write may block before the exchange is abandoned.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Header names and values, in order.
pub type Headers = Vec<(String, String)>;

/// A request as read from a client.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The path and query, such as `/3/a/abc`.
    pub target: String,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

/// A response, as read from the upstream or built by the proxy.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The headers, without `Content-Length` and `Connection` (written from the body).
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

/// The value of header `name` (case-insensitive).
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
}

/// Removes every header called `name`.
pub fn remove_header(headers: &mut Headers, name: &str) {
    headers.retain(|(key, _)| !key.eq_ignore_ascii_case(name));
}

fn read_head(reader: &mut impl BufRead) -> io::Result<Option<(String, Headers)>> {
    let mut first = String::new();
    if reader.read_line(&mut first)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "headers cut short"));
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    Ok(Some((first.trim_end().to_owned(), headers)))
}

fn content_length(headers: &Headers) -> io::Result<usize> {
    if header(headers, "transfer-encoding").is_some_and(|value| value.contains("chunked")) {
        return Err(io::Error::other("chunked bodies are not supported by the test proxy"));
    }
    Ok(header(headers, "content-length").and_then(|value| value.parse().ok()).unwrap_or(0))
}

/// Reads one request. Answers `Expect: 100-continue` so the client sends its body now
/// rather than after its own one-second wait. `None` when the client closed first.
pub fn read_request(stream: &TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream);
    let Some((line, headers)) = read_head(&mut reader)? else {
        return Ok(None);
    };
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad request line {line:?}"),
        ));
    };
    let length = content_length(&headers)?;
    if length > 0
        && header(&headers, "expect")
            .is_some_and(|value| value.eq_ignore_ascii_case("100-continue"))
    {
        (&*stream).write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request { method: method.to_owned(), target: target.to_owned(), headers, body }))
}

/// Reads a whole response from a connection the peer closes after answering.
pub fn read_response(stream: &TcpStream) -> io::Result<Response> {
    let mut reader = BufReader::new(stream);
    let (line, mut headers) = read_head(&mut reader)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no response"))?;
    let status =
        line.split_whitespace().nth(1).and_then(|code| code.parse().ok()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {line:?}"))
        })?;
    let length = header(&headers, "content-length").and_then(|value| value.parse::<usize>().ok());
    let mut body = Vec::new();
    match length {
        Some(length) => {
            body.resize(length, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            content_length(&headers)?;
            reader.read_to_end(&mut body)?;
        }
    }
    for name in ["content-length", "connection", "keep-alive"] {
        remove_header(&mut headers, name);
    }
    Ok(Response { status, headers, body })
}

/// Writes `request` with `Connection: close`, so the answer ends at end of stream.
pub fn write_request(stream: &TcpStream, request: &Request) -> io::Result<()> {
    let hop = |key: &str| {
        ["connection", "keep-alive", "expect", "content-length"]
            .iter()
            .any(|h| key.eq_ignore_ascii_case(h))
    };
    let headers = request.headers.iter().filter(|(key, _)| !hop(key));
    write_message(
        stream,
        format!("{} {} HTTP/1.1", request.method, request.target),
        headers,
        &request.body,
        true,
    )
}

/// Writes `response` with its length and `Connection: close`.
pub fn write_response(stream: &TcpStream, response: &Response) -> io::Result<()> {
    write_answer(stream, response, true)
}

/// Writes `response` with its length, and `Connection: close` when `close`; otherwise the
/// client may send its next request on the same connection.
pub fn write_answer(stream: &TcpStream, response: &Response, close: bool) -> io::Result<()> {
    let first = format!("HTTP/1.1 {} {}", response.status, reason(response.status));
    write_message(stream, first, response.headers.iter(), &response.body, close)
}

fn write_message<'a>(
    mut stream: &TcpStream,
    first: String,
    headers: impl Iterator<Item = &'a (String, String)>,
    body: &[u8],
    close: bool,
) -> io::Result<()> {
    let mut out = first + "\r\n";
    for (key, value) in headers {
        out.push_str(&format!("{key}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    out.push_str(if close { "Connection: close\r\n\r\n" } else { "\r\n" });
    // One write: a head and a body sent apart wait for the peer's delayed ACK (Nagle),
    // 40 ms per answer on a kept-open connection.
    let mut message = out.into_bytes();
    message.extend_from_slice(body);
    stream.write_all(&message)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Opens a connection with [`IO_TIMEOUT`] on reads and writes.
pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(stream)
}

/// `GET path` on `addr`, the whole answer.
pub fn get(addr: SocketAddr, path: &str) -> io::Result<Response> {
    let stream = connect(addr)?;
    let headers = vec![("Host".to_owned(), addr.to_string())];
    write_request(
        &stream,
        &Request { method: "GET".into(), target: path.into(), headers, body: Vec::new() },
    )?;
    read_response(&stream)
}
