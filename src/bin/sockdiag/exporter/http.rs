//! The exporter's HTTP server: `GET /metrics`, an index at `/`, and a
//! status for everything else, over std's `TcpListener` with `httparse`
//! reading the requests.
//!
//! Not tiny_http: its 0.12 has no per-connection read timeout and starts
//! a thread for every connection it waits on, so a scraper that connects
//! and sends nothing holds a thread forever and a thousand of them a
//! thousand threads. Here a fixed set of workers serves connections from
//! a bounded queue (a connection beyond it gets `503` at once), each
//! request must arrive whole within [`Limits::timeout`] and
//! [`Limits::max_request`] bytes, and every response closes its
//! connection.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::out::exposition::Format;

/// The latest exposition in both formats.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub text: Arc<String>,
    pub openmetrics: Arc<String>,
}

/// How much the server takes.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once.
    pub workers: usize,
    /// Connections accepted and waiting for a worker.
    pub queue: usize,
    /// Time for a request to arrive whole, and for a response to leave.
    pub timeout: Duration,
    /// Bytes of a request's head at most.
    pub max_request: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A scrape behind a full queue of silent connections waits at
        // most queue / workers x timeout = 6 s (Prometheus's default
        // scrape timeout is 10 s); one beyond it gets 503 at once.
        Limits {
            workers: 8,
            queue: 16,
            timeout: Duration::from_secs(3),
            max_request: 8 * 1024,
        }
    }
}

/// Serves `shared` on `listener` from threads of its own, for as long as
/// the process lives.
pub fn serve(
    listener: TcpListener,
    shared: Arc<Mutex<Rendered>>,
    limits: Limits,
) -> io::Result<()> {
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(limits.queue);
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..limits.workers {
        let (rx, shared) = (Arc::clone(&rx), Arc::clone(&shared));
        std::thread::Builder::new()
            .name(format!("sockdiag-http-{i}"))
            .spawn(move || work(&rx, &shared, limits))?;
    }
    std::thread::Builder::new()
        .name("sockdiag-http-accept".to_owned())
        .spawn(move || accept(&listener, &tx, limits))?;
    Ok(())
}

/// Accepts connections and queues them; a full queue answers `503`.
fn accept(listener: &TcpListener, tx: &SyncSender<TcpStream>, limits: Limits) {
    for stream in listener.incoming() {
        // An accept that failed (descriptors exhausted, a reset) leaves
        // the listener as it was.
        let Ok(stream) = stream else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let _ = stream.set_write_timeout(Some(limits.timeout));
        match tx.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(mut s)) => {
                // What the client sent first is read (briefly), so that
                // closing does not reset the connection before it reads
                // the 503.
                let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
                let _ = s.read(&mut [0u8; 1024]);
                let _ = respond(&mut s, 503, "text/plain; charset=utf-8", b"busy\n", false);
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

fn work(rx: &Mutex<Receiver<TcpStream>>, shared: &Mutex<Rendered>, limits: Limits) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(mut stream) = next else {
            return;
        };
        // A connection that goes away is no concern of the others.
        let _ = handle(&mut stream, shared, limits);
    }
}

/// What a request asked for.
enum Asked {
    /// `GET` or `HEAD` (`head`) of `path`, accepting `accept`.
    Get {
        path: String,
        accept: Option<String>,
        head: bool,
    },
    /// Another method.
    Method,
}

/// Reads one request head: `Err(status)` for one that cannot be served.
fn read_request(stream: &mut TcpStream, limits: Limits) -> Result<Asked, u16> {
    let start = Instant::now();
    let mut buf = vec![0u8; limits.max_request];
    let mut len = 0;
    loop {
        let left = limits.timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(408);
        }
        stream.set_read_timeout(Some(left)).map_err(|_| 408u16)?;
        let Some(room) = buf.get_mut(len..).filter(|r| !r.is_empty()) else {
            return Err(431);
        };
        match stream.read(room) {
            Ok(0) => return Err(400),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(408),
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(buf.get(..len).unwrap_or_default()) {
            Ok(httparse::Status::Complete(_)) => {
                let head = req.method == Some("HEAD");
                if req.method != Some("GET") && !head {
                    return Ok(Asked::Method);
                }
                let accept = req
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("accept"))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned());
                let path = req.path.unwrap_or("/");
                let path = path.split('?').next().unwrap_or(path).to_owned();
                return Ok(Asked::Get { path, accept, head });
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => return Err(431),
            Err(_) => return Err(400),
        }
    }
}

fn handle(stream: &mut TcpStream, shared: &Mutex<Rendered>, limits: Limits) -> io::Result<()> {
    const TEXT: &str = "text/plain; charset=utf-8";
    match read_request(stream, limits) {
        Err(status) => respond(stream, status, TEXT, reason(status).as_bytes(), false),
        Ok(Asked::Method) => respond(stream, 405, TEXT, b"GET or HEAD only\n", false),
        Ok(Asked::Get { path, accept, head }) => match path.as_str() {
            "/metrics" => {
                let format = Format::negotiate(accept.as_deref());
                let body = {
                    let r = shared.lock().unwrap_or_else(PoisonError::into_inner);
                    match format {
                        Format::Text => Arc::clone(&r.text),
                        Format::OpenMetrics => Arc::clone(&r.openmetrics),
                    }
                };
                respond(stream, 200, format.content_type(), body.as_bytes(), head)
            }
            "/" => respond(
                stream,
                200,
                TEXT,
                b"sockdiag exporter: the metrics are at /metrics\n",
                head,
            ),
            _ => respond(
                stream,
                404,
                TEXT,
                b"not found: the metrics are at /metrics\n",
                head,
            ),
        },
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Writes a whole response and closes the connection.
fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let allow = if status == 405 {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    let header = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{allow}Connection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Both)
}
