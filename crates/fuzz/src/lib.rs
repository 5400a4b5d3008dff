#![warn(missing_docs)]
//! Fuzzing every reader on stable Rust (cargo fuzz needs nightly, which this project cannot
//! assume): inputs are real samples mutated by [`mutate`], each is run through one reader inside
//! `catch_unwind`, and any panic is a finding whose input is kept under `regressions/`.

use renown_ingest::input::open_reader;
use renown_ingest::{Format, ReadOptions, Sink, Stop};
use renown_model::Record;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A sink that counts and drops everything: the harness only cares that readers return.
#[derive(Default, Debug)]
pub struct Counting {
    /// Records sent.
    pub records: u64,
    /// Records rejected.
    pub rejects: u64,
    /// Warnings.
    pub warnings: u64,
    /// Times the input was reported damaged.
    pub damaged: u64,
}

impl Sink for Counting {
    fn record(&mut self, _: u64, r: Record) -> Result<(), Stop> {
        // Touch the record so a reader that builds something odd is at least dropped normally.
        drop(r);
        self.records += 1;
        Ok(())
    }
    fn reject(&mut self, _: u64, reason: String) -> Result<(), Stop> {
        assert!(!reason.is_empty(), "a reject must say why");
        self.rejects += 1;
        Ok(())
    }
    fn damaged(&mut self, _: u64, _: String) {
        self.damaged += 1;
    }
    fn warn(&mut self, _: String) {
        self.warnings += 1;
    }
}

/// What one input did to one reader.
#[derive(Debug)]
pub enum Outcome {
    /// Returned (records, or a refusal with a reason).
    Returned(Counting, Option<String>),
    /// Panicked: the panic message.
    Panicked(String),
}

/// Runs `bytes` (named `name`, which readers may look at) through sniffing and reading.
pub fn run_one(format: &dyn Format, name: &str, bytes: &[u8]) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut input = match open_reader(
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            PathBuf::from(name),
            name.to_string(),
            name.to_string(),
        ) {
            Ok(i) => i,
            Err(e) => return (Counting::default(), Some(format!("cannot open: {e}"))),
        };
        let _ = format.sniff(&input);
        let mut sink = Counting::default();
        let err = format
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .err()
            .map(|e| e.to_string());
        (sink, err)
    }));
    match result {
        Ok((sink, err)) => Outcome::Returned(sink, err),
        Err(p) => Outcome::Panicked(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "non-string panic".into()),
        ),
    }
}

/// A small deterministic PRNG (xorshift64*): runs are reproducible from their seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 counts as 1: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Tokens that matter to the readers, spliced in to reach deeper code than random bytes do.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<![CDATA[",
    b"]]>",
    b"&",
    b"&amp;",
    b"&#x10FFFF;",
    b"&#0;",
    b"&lol;",
    b"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]>",
    b"xmlns:",
    b"<item>",
    b"</item>",
    b"<entry>",
    b"<wp:comment>",
    b"<wp:comment_parent>",
    b"<outline xmlUrl=\"http://",
    b"href=\"http://",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\u0000",
    b"\\ud800",
    b":",
    b",",
    b"null",
    b"true",
    b"\"false\"",
    b"1e999",
    b"-1",
    b"18446744073709551616",
    b"\"t1_",
    b"\"t3_",
    b"\"parent_id\":",
    b"\"created_utc\":",
    b"\"[deleted]\"",
    b"\n",
    b"\r\n",
    b"\t",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"#",
    b"->",
    b"ROOT",
    b"'",
    b"window.YTD.x.part0 = ",
];

/// One to four mutations: truncate, bit flip, byte set, splice another seed, duplicate a range,
/// delete a range, insert a token or garbage; then sometimes gzip- or zstd-wrap the result (or a
/// truncated wrapping, a damaged stream).
pub fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        match rng.below(9) {
            0 if len > 0 => b.truncate(rng.below(len)),
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                b[i] = rng.next_u64() as u8;
            }
            3 if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                b.truncate(cut);
                b.extend_from_slice(&other[from..(from + 1 + rng.below(4096)).min(other.len())]);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(1024)).min(len);
                let chunk = b[i..j].to_vec();
                for _ in 0..1 + rng.below(8) {
                    b.splice(j..j, chunk.iter().copied());
                }
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(256)).min(len);
                b.drain(i..j);
            }
            6 | 7 => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(i..i, t.iter().copied());
            }
            _ => {
                let i = rng.below(len + 1);
                let junk: Vec<u8> = (0..1 + rng.below(64))
                    .map(|_| rng.next_u64() as u8)
                    .collect();
                b.splice(i..i, junk);
            }
        }
    }
    match rng.below(10) {
        0 => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = gz.write_all(&b);
            let mut out = gz.finish().unwrap_or_default();
            if rng.below(2) == 0 && out.len() > 20 {
                out.truncate(10 + rng.below(out.len() - 10));
            }
            out
        }
        1 => {
            let mut out = zstd::encode_all(&b[..], 1).unwrap_or_default();
            if rng.below(2) == 0 && out.len() > 8 {
                out.truncate(4 + rng.below(out.len() - 4));
            }
            out
        }
        _ => b,
    }
}

/// Every regression input kept under `dir`, as (file name, bytes).
pub fn regressions(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file()
                && p.file_name()
                    .is_some_and(|n| n != ".gitkeep" && n != "README.md")
            {
                if let Ok(bytes) = std::fs::read(&p) {
                    out.push((p.file_name().unwrap().to_string_lossy().into_owned(), bytes));
                }
            }
        }
    }
    out.sort();
    out
}

/// Where a seed file belongs inside a platform export, if it is one of its members.
fn archive_member(name: &str) -> Option<(&'static str, String)> {
    let twitter = [
        "tweets.js",
        "follower.js",
        "following.js",
        "like.js",
        "account.js",
    ];
    let mastodon = [
        "outbox.json",
        "likes.json",
        "actor.json",
        "following_accounts.csv",
    ];
    let base = name
        .strip_prefix("twitter_archive_")
        .or_else(|| name.strip_prefix("mastodon_"))
        .unwrap_or(name);
    if twitter.contains(&base) {
        Some(("twitter-archive.zip", format!("data/{base}")))
    } else if mastodon.contains(&base) {
        Some(("mastodon-backup.zip", base.to_string()))
    } else {
        None
    }
}

/// Seeds for the zip paths of the export readers, built from the member files among `seeds`
/// (the Twitter archive and Mastodon backup samples) in memory, so no real data is copied into
/// the repository: one zip per export, deflated, and one stored (whose member bytes mutations
/// reach directly).
pub fn archive_seeds(seeds: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod::{Deflated, Stored};
    let mut out = Vec::new();
    for export in ["twitter-archive.zip", "mastodon-backup.zip"] {
        let mut members: Vec<(String, &[u8])> = Vec::new();
        for (name, bytes) in seeds {
            if let Some((e, member)) = archive_member(name) {
                if e == export && !members.iter().any(|(m, _)| *m == member) {
                    members.push((member, bytes));
                }
            }
        }
        if members.is_empty() {
            continue;
        }
        for method in [Deflated, Stored] {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = SimpleFileOptions::default().compression_method(method);
            for (member, bytes) in &members {
                if zip.start_file(member.as_str(), opts).is_err() || zip.write_all(bytes).is_err() {
                    break;
                }
            }
            if let Ok(c) = zip.finish() {
                let tag = if method == Stored { "stored-" } else { "" };
                out.push((format!("{tag}{export}"), c.into_inner()));
            }
        }
    }
    out
}
