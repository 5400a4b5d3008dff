//! Reads while an ingest adds accounts: the real `renown` binary, a writer that keeps ingesting
//! small files (each adding new accounts), and readers running every registered measure through
//! the CLI and the HTTP API at the same time. Every read must succeed and equal what the same
//! read gives on one of the states the writer committed (replayed afterwards, one by one).

mod common;
use common::{served_address, write_jsonl, BIN};

use renown_measures::MEASURES;
use renown_model::{AccountRef, Event, Kind};
use renown_sim::{simulate, SimConfig};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Ingests the writer runs after the base, each adding `NEW_PER_INGEST` accounts.
const INGESTS: usize = 8;
const NEW_PER_INGEST: usize = 30;

fn renown(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run renown")
}

/// A simulated network (the base state) and `INGESTS` files of new accounts woven into it: they
/// post, follow, reply to and mention old accounts, and old accounts follow and reshare them, so
/// every measure's scores change with each file.
fn data_files(dir: &Path) -> Vec<PathBuf> {
    let sim = simulate(&SimConfig {
        seed: 11,
        accounts: 400,
        bought_followers: 150,
        viral_size: 60,
        days: 120,
        buy_day: 60,
        viral_day: 30,
        ..SimConfig::default()
    });
    let platform = sim.events[0].platform.to_string();
    let old: Vec<String> = sim
        .events
        .iter()
        .map(|e| e.actor.id.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let start = sim.events.iter().filter_map(|e| e.time).min().unwrap_or(0);
    let base = dir.join("base.jsonl");
    write_jsonl(&base, &sim.events);
    let mut files = vec![base];
    // A fixed xorshift: the same files every run.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut pick = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for k in 1..=INGESTS {
        let mut events = Vec::new();
        let event = |kind, actor: &str, target: Option<&str>, time: i64| {
            let mut e = Event::new(&platform, kind, AccountRef::new(actor));
            e.target = target.map(AccountRef::new);
            e.time = Some(time);
            e
        };
        for i in 0..NEW_PER_INGEST {
            let new = format!("late{k}-{i}");
            let t = start + (k as i64 * 86_400) + i as i64 * 60;
            let post_item = format!("{new}/post");
            let mut post = event(Kind::Post, &new, None, t);
            post.item = Some(post_item.clone());
            events.push(post);
            for j in 0..3 {
                let o = &old[pick(old.len())];
                events.push(event(Kind::Follow, &new, Some(o), t + j));
                events.push(event(Kind::Follow, o, Some(&new), t + 10 + j));
                let mut reshare = event(Kind::Reshare, o, Some(&new), t + 20 + j);
                reshare.item = Some(format!("{post_item}/reshare{j}"));
                reshare.parent = Some(post_item.clone());
                events.push(reshare);
            }
            let o = &old[pick(old.len())];
            let mut reply = event(Kind::Reply, &new, Some(o), t + 30);
            reply.item = Some(format!("{new}/reply"));
            events.push(reply);
            events.push(event(Kind::Mention, &new, Some(o), t + 31));
        }
        let f = dir.join(format!("late{k}.jsonl"));
        write_jsonl(&f, &events);
        files.push(f);
    }
    files
}

fn ingest(db: &Path, file: &Path) {
    let out = renown(db, &["ingest", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "ingest {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `renown serve` on `db`, killed on drop.
struct Server {
    child: Child,
    addr: String,
    /// Kept open: the server would fail writing to a closed pipe.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(db: &Path) -> Server {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start renown serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = served_address(&first);
        Server {
            child,
            addr,
            _stdout: stdout,
        }
    }

    /// `GET path`: the status code and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The two reads under test, for one measure: its full ranking from the CLI (CSV) and from the
/// API (one page holding every account).
fn cli_read(db: &Path, measure: &str) -> Result<String, String> {
    let out = renown(
        db,
        &["rank", "--by", measure, "--top", "0", "--format", "csv"],
    );
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn api_read(server: &Server, measure: &str) -> Result<String, String> {
    match server.get(&format!("/api/leaderboard?measure={measure}&limit=1000")) {
        (200, body) => Ok(body),
        (status, body) => Err(format!("HTTP {status}: {body}")),
    }
}

/// Reads every measure, again and again until `writing` turns false (at least once).
fn read_until(
    writing: &AtomicBool,
    measures: &[&str],
    read: impl Fn(&str) -> Result<String, String>,
) -> Vec<(String, Result<String, String>)> {
    let mut got = Vec::new();
    loop {
        for m in measures {
            got.push((m.to_string(), read(m)));
        }
        if !writing.load(Ordering::Relaxed) {
            return got;
        }
    }
}

#[test]
fn every_read_during_an_ingest_is_one_committed_state() {
    let dir = tempfile::tempdir().unwrap();
    let files = data_files(dir.path());
    let live = dir.path().join("live.db");
    ingest(&live, &files[0]);
    let server = Server::start(&live);
    let measures: Vec<&str> = MEASURES.iter().map(|m| m.name).collect();

    // Readers loop over every measure until the writer is done; each keeps what it read.
    let writing = AtomicBool::new(true);
    let started = Instant::now();
    let (cli_reads, api_reads) = std::thread::scope(|s| {
        let cli = s.spawn(|| read_until(&writing, &measures, |m| cli_read(&live, m)));
        let api = s.spawn(|| read_until(&writing, &measures, |m| api_read(&server, m)));
        for f in &files[1..] {
            ingest(&live, f);
        }
        writing.store(false, Ordering::Relaxed);
        (cli.join().unwrap(), api.join().unwrap())
    });
    let overlapped = started.elapsed();
    drop(server);

    let failures: Vec<String> = cli_reads
        .iter()
        .map(|r| ("cli", r))
        .chain(api_reads.iter().map(|r| ("api", r)))
        .filter_map(|(via, (m, r))| r.as_ref().err().map(|e| format!("{via} {m}: {e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} reads failed during the ingests, e.g.\n{}",
        failures.len(),
        cli_reads.len() + api_reads.len(),
        failures[..failures.len().min(5)].join("\n")
    );

    // Replay the committed states one by one and read each at rest. States differ in their
    // account count, which every read shows (CSV rows, the API's `total`): a read is checked
    // against the state with its count, so only the states readers saw are read again.
    let accounts_in = |via: &str, read: &str| -> usize {
        match via {
            "cli" => read.lines().count().saturating_sub(1),
            _ => serde_json::from_str::<serde_json::Value>(read).unwrap()["total"]
                .as_u64()
                .unwrap() as usize,
        }
    };
    let mut by_count: HashMap<usize, Vec<(&str, &str, &str)>> = HashMap::new();
    for (via, reads) in [("cli", &cli_reads), ("api", &api_reads)] {
        for (m, read) in reads {
            let read = read.as_ref().expect("checked above");
            by_count
                .entry(accounts_in(via, read))
                .or_default()
                .push((via, m, read));
        }
    }
    let replay = dir.path().join("replay.db");
    let mut torn = Vec::new();
    let mut states = 0;
    for f in &files {
        ingest(&replay, f);
        let count = accounts_in("cli", &cli_read(&replay, "followers").unwrap());
        let Some(reads) = by_count.remove(&count) else {
            continue;
        };
        states += 1;
        let at_rest = reads
            .iter()
            .any(|r| r.0 == "api")
            .then(|| Server::start(&replay));
        let mut expected: HashMap<(&str, &str), String> = HashMap::new();
        for (via, m, read) in reads {
            let want = expected.entry((via, m)).or_insert_with(|| {
                match &at_rest {
                    Some(server) if via == "api" => api_read(server, m),
                    _ => cli_read(&replay, m),
                }
                .unwrap_or_else(|e| panic!("{count} accounts at rest, {via} {m}: {e}"))
            });
            if want != read {
                torn.push(format!("{via} {m} ({count} accounts)"));
            }
        }
    }
    torn.extend(
        by_count
            .iter()
            .map(|(count, reads)| format!("{} reads with {count} accounts", reads.len())),
    );
    assert!(
        torn.is_empty(),
        "{} of {} reads match no committed state: {torn:?}",
        torn.len(),
        cli_reads.len() + api_reads.len()
    );
    eprintln!(
        "{} CLI and {} API reads during {INGESTS} ingests ({overlapped:.1?}) each matched one \
         of {states} committed states",
        cli_reads.len(),
        api_reads.len(),
    );
}
