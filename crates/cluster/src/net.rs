//! Connecting the processes, with a deadline and names, before timely takes the sockets.
//!
//! timely's own `create_sockets` retries an unreachable peer forever and says nothing about a
//! peer that never calls. Here process `i` dials every lower-numbered process and accepts the
//! higher ones (timely's convention), each side sends a hello (magic, version, its index, the
//! cluster's shape and a digest of the job) and checks the other's, and a peer that has not
//! answered by the deadline is named in the error. The connected sockets then go to
//! `initialize_networking_from_sockets`, timely's entry point for sockets made elsewhere.

use crate::{ClusterError, Result};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

const MAGIC: &[u8; 8] = b"renownc1";

/// What both ends of a connection must agree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The sender's process index.
    pub index: u64,
    /// How many processes the sender expects.
    pub processes: u64,
    /// How many workers per process the sender runs.
    pub workers: u64,
    /// A digest of the job (measure, date, inputs' shape): processes started with different
    /// commands refuse each other instead of computing nonsense.
    pub job: u64,
}

impl Hello {
    fn bytes(&self) -> [u8; 40] {
        let mut b = [0u8; 40];
        b[..8].copy_from_slice(MAGIC);
        b[8..16].copy_from_slice(&self.index.to_le_bytes());
        b[16..24].copy_from_slice(&self.processes.to_le_bytes());
        b[24..32].copy_from_slice(&self.workers.to_le_bytes());
        b[32..40].copy_from_slice(&self.job.to_le_bytes());
        b
    }

    fn read(stream: &mut TcpStream) -> std::io::Result<Option<Hello>> {
        let mut b = [0u8; 40];
        stream.read_exact(&mut b)?;
        if &b[..8] != MAGIC {
            return Ok(None);
        }
        let at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
        Ok(Some(Hello {
            index: at(8),
            processes: at(16),
            workers: at(24),
            job: at(32),
        }))
    }
}

fn resolve(address: &str) -> Result<SocketAddr> {
    address
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            ClusterError::Config(format!(
                "{address}: not a host:port this machine can resolve"
            ))
        })
}

/// Checks a peer's hello against ours; `expected` is the index it should have, if known.
fn check(
    theirs: Option<Hello>,
    ours: &Hello,
    expected: Option<u64>,
    address: &str,
) -> Result<Hello> {
    let Some(h) = theirs else {
        return Err(ClusterError::Config(format!(
            "{address}: something answered that is not a renown cluster process"
        )));
    };
    let who = format!("process {} ({address})", h.index);
    if expected.is_some_and(|e| e != h.index) || h.index >= ours.processes || h.index == ours.index
    {
        return Err(ClusterError::Config(format!(
            "{who}: answered with process index {}, expected {}",
            h.index,
            expected.map_or("another".into(), |e| e.to_string())
        )));
    }
    if (h.processes, h.workers) != (ours.processes, ours.workers) {
        return Err(ClusterError::Config(format!(
            "{who}: runs {} processes × {} workers, this one {} × {}: start every process with the same --processes and --workers",
            h.processes, h.workers, ours.processes, ours.workers
        )));
    }
    if h.job != ours.job {
        return Err(ClusterError::Config(format!(
            "{who}: was started with another command (measure, date or --top differ)"
        )));
    }
    Ok(h)
}

/// Connects to every other process of `addresses` by `deadline`: `sockets[i]` is the stream to
/// process `i`, `None` at our own index.
pub fn connect(
    addresses: &[String],
    hello: Hello,
    deadline: Instant,
) -> Result<Vec<Option<TcpStream>>> {
    let me = hello.index as usize;
    let total = addresses.len();
    let listener = if me + 1 < total {
        let at = resolve(&addresses[me])?;
        let l = TcpListener::bind(at).map_err(|e| {
            ClusterError::Config(format!(
                "process {me}: cannot listen on {}: {e}",
                addresses[me]
            ))
        })?;
        l.set_nonblocking(true)
            .map_err(|e| ClusterError::Config(e.to_string()))?;
        Some(l)
    } else {
        None
    };
    let dial_addresses: Vec<String> = addresses[..me].to_vec();
    let dialer = std::thread::spawn(move || -> Result<Vec<Option<TcpStream>>> {
        let mut out = Vec::new();
        for (i, address) in dial_addresses.iter().enumerate() {
            let at = resolve(address)?;
            let mut last_error = String::from("no answer");
            let stream = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ClusterError::Unreachable(format!(
                        "process {i} ({address}) could not be reached: {last_error}"
                    )));
                }
                match TcpStream::connect_timeout(&at, left.min(Duration::from_secs(2))) {
                    Ok(s) => break s,
                    Err(e) => {
                        last_error = e.to_string();
                        std::thread::sleep(Duration::from_millis(200).min(left));
                    }
                }
            };
            let mut stream = stream;
            let io = |e: std::io::Error| {
                ClusterError::Unreachable(format!(
                    "process {i} ({address}): the handshake failed: {e}"
                ))
            };
            stream.set_nodelay(true).map_err(io)?;
            stream.write_all(&hello.bytes()).map_err(io)?;
            stream
                .set_read_timeout(Some(
                    deadline
                        .saturating_duration_since(Instant::now())
                        .max(Duration::from_millis(100)),
                ))
                .map_err(io)?;
            let theirs = Hello::read(&mut stream).map_err(io)?;
            check(theirs, &hello, Some(i as u64), address)?;
            stream.set_read_timeout(None).map_err(io)?;
            out.push(Some(stream));
        }
        Ok(out)
    });
    let mut accepted: Vec<Option<TcpStream>> = (me + 1..total).map(|_| None).collect();
    let mut accept_error = None;
    if let Some(listener) = listener {
        while accepted.iter().any(Option::is_none) {
            match listener.accept() {
                Ok((mut stream, from)) => {
                    let from = from.to_string();
                    let r = (|| -> Result<usize> {
                        let io = |e: std::io::Error| {
                            ClusterError::Unreachable(format!("{from}: the handshake failed: {e}"))
                        };
                        stream.set_nonblocking(false).map_err(io)?;
                        stream.set_nodelay(true).map_err(io)?;
                        stream
                            .set_read_timeout(Some(Duration::from_secs(5)))
                            .map_err(io)?;
                        let theirs = Hello::read(&mut stream).map_err(io)?;
                        let h = check(theirs, &hello, None, &from)?;
                        if (h.index as usize) <= me {
                            return Err(ClusterError::Config(format!(
                                "{from}: process {} dialled process {me}, which dials it",
                                h.index
                            )));
                        }
                        stream.write_all(&hello.bytes()).map_err(io)?;
                        stream.set_read_timeout(None).map_err(io)?;
                        Ok(h.index as usize)
                    })();
                    match r {
                        Ok(i) => accepted[i - me - 1] = Some(stream),
                        Err(e) => {
                            accept_error = Some(e);
                            break;
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        let missing: Vec<String> = accepted
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.is_none())
                            .map(|(k, _)| {
                                format!("process {} ({})", me + 1 + k, addresses[me + 1 + k])
                            })
                            .collect();
                        accept_error = Some(ClusterError::Unreachable(format!(
                            "{} never connected to process {me} ({})",
                            missing.join(", "),
                            addresses[me]
                        )));
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    accept_error = Some(ClusterError::Config(format!(
                        "accepting on {}: {e}",
                        addresses[me]
                    )));
                    break;
                }
            }
        }
    }
    let dialled = dialer
        .join()
        .map_err(|_| ClusterError::Failed("the connecting thread panicked".into()))?;
    // The dialling error first: a lower process that cannot be reached explains the rest.
    let mut sockets = dialled?;
    if let Some(e) = accept_error {
        return Err(e);
    }
    sockets.push(None);
    sockets.extend(accepted);
    Ok(sockets)
}
