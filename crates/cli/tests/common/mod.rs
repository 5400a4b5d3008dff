//! What the tests that run the real `renown` binary share. Each test file compiles its own copy
//! and uses part of it.
#![allow(dead_code)]

use renown_ingest::schema::SchemaRow;
use renown_model::Event;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_renown");

/// Runs `renown ARGS` in `dir` (so the default store is `renown.db` there, whatever the
/// caller's `RENOWN_DB` and `RENOWN_CONFIG`) and fails the test if it panicked.
pub fn renown(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RENOWN_DB")
        .env_remove("RENOWN_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run renown");
    assert_ne!(
        out.status.code(),
        Some(101),
        "renown panicked on {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes `events` as renown's own JSON Lines (what `renown export` writes).
pub fn write_jsonl(path: &Path, events: &[Event]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for e in events {
        serde_json::to_writer(&mut out, &SchemaRow::from_event(e, false)).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}

/// The `host:port` in the first line `renown serve` prints (`… http://127.0.0.1:PORT/ …`).
pub fn served_address(first_line: &str) -> String {
    first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
        .to_string()
}

/// Kills the server when the test ends, whether it passed or not. Its standard output stays
/// open: the server writes to it after the first line.
pub struct Server(
    Child,
    String,
    #[allow(dead_code)] BufReader<std::process::ChildStdout>,
);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    /// `renown serve` on the store in `dir`, on a free port.
    pub fn start(dir: &Path) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .current_dir(dir)
            .env_remove("RENOWN_DB")
            .env_remove("RENOWN_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = served_address(&first);
        Server(child, addr, stdout)
    }

    /// The status line and headers, and the body (de-chunked), of `GET path`.
    pub fn request(&self, path: &str) -> (String, String) {
        let addr = &self.1;
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        s.read_to_end(&mut response).unwrap();
        let text = String::from_utf8(response).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_string()
        };
        (head.to_string(), body)
    }

    /// The JSON body of `GET path`, which must answer 200; a progressive answer's parts (the
    /// backtest's, which say what is `pending`) are asked again until it is complete.
    pub fn get(&self, path: &str) -> Value {
        for _ in 0..3000 {
            let (head, body) = self.request(path);
            assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}\n{body}");
            let v: Value =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
            if !v.get("pending").is_some_and(Value::is_object) {
                return v;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{path} was still partial after 3000 asks")
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
}

/// Equal JSON, except that two floats may differ in their last bits: explain's sums run over
/// hash maps, whose order differs between processes (two CLI runs differ the same way).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
