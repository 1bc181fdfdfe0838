//! A real SMTP server for the tests, on a local port: it speaks enough of RFC 5321 for lettre
//! (EHLO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) and keeps every message it
//! accepts. `fail_next(n)` makes it answer the next `n` DATA commands with a temporary error
//! (451), to test retries; `set_delay_ms` makes it slow.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    failures: Arc<Mutex<usize>>,
    /// Milliseconds to wait before accepting each message (a slow server).
    delay_ms: Arc<Mutex<u64>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let sink = SmtpSink { url: format!("smtp://127.0.0.1:{port}"), ..SmtpSink::default() };
        let shared = sink.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = shared.clone();
                std::thread::spawn(move || {
                    let _ = s.session(stream);
                });
            }
        });
        sink
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn set_delay_ms(&self, ms: u64) {
        *self.delay_ms.lock().expect("lock") = ms;
    }

    pub fn fail_next(&self, n: usize) {
        *self.failures.lock().expect("lock") = n;
    }

    fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        // Replies go out at once, as a real server's do (no Nagle delay on small writes).
        stream.set_nodelay(true)?;
        let mut out = stream.try_clone()?;
        let mut input = BufReader::new(stream);
        out.write_all(b"220 sink.test ESMTP\r\n")?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                out.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
            } else if upper.starts_with("MAIL FROM:") {
                from = line[10..].trim().to_owned();
                to.clear();
                out.write_all(b"250 OK\r\n")?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned());
                out.write_all(b"250 OK\r\n")?;
            } else if upper.starts_with("DATA") {
                out.write_all(b"354 go ahead\r\n")?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if input.read_until(b'\n', &mut raw)? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") { &raw[1..] } else { &raw[..] };
                    data.extend_from_slice(unstuffed);
                }
                let delay = *self.delay_ms.lock().expect("lock");
                if delay > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                }
                let fail = {
                    let mut f = self.failures.lock().expect("lock");
                    let fail = *f > 0;
                    *f = f.saturating_sub(1);
                    fail
                };
                if fail {
                    out.write_all(b"451 4.3.0 try again later\r\n")?;
                } else {
                    self.received.lock().expect("lock").push(Received { from: from.clone(), to: to.clone(), data });
                    out.write_all(b"250 OK queued\r\n")?;
                }
            } else if upper.starts_with("QUIT") {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            } else {
                // RSET, NOOP and anything else.
                out.write_all(b"250 OK\r\n")?;
            }
        }
    }
}
