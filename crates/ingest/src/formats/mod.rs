//! The format registry: every reader renown has, and detection from name and content.

mod archive;
mod bluesky;
mod csv;
mod feeds;
mod higgs;
mod json;
mod jsonl;
mod mastodon;
mod opml;
mod reddit;
mod snap;
mod times;
mod twitter15;
mod twitter_archive;
mod twitter_v2;
mod wordpress;
mod xml;

use crate::input::HeadEnd;
use crate::lines::LineParser;
use crate::{Input, ReadError, ReadOptions, Sink};

/// One input format.
pub trait Format: Sync {
    /// The `--format` name.
    fn name(&self) -> &'static str;
    /// One line for `--help` and docs.
    fn describe(&self) -> &'static str;
    /// Confidence (0 = not this format, 100 = certain) from the inner file name and first bytes.
    fn sniff(&self, input: &Input) -> u8;
    /// Whether `read` takes a folder whole (an unpacked archive); a folder given to any other
    /// reader stands for the files in it.
    fn reads_folders(&self) -> bool {
        false
    }
    /// Streams every record of `input` into `sink`: good ones as records, bad ones as rejects
    /// with their line; an error only when the input as a whole cannot be read.
    fn read(
        &self,
        input: &mut Input,
        opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError>;
    /// For a line format whose lines parse independently (once what the head of `input` says
    /// is known): the per-line parser its `read` uses, so the pipeline can parse chunks of the
    /// file on several threads. `None` (the default) reads with `read` on one thread.
    fn line_parser(&self, _input: &Input, _opts: &ReadOptions) -> Option<Box<dyn LineParser>> {
        None
    }
}

/// Every reader, in the order detection prefers them on ties.
pub static FORMATS: &[&dyn Format] = &[
    &higgs::Higgs,
    &jsonl::Jsonl,
    &csv::Csv,
    &snap::Snap,
    &twitter_v2::TwitterV2,
    &mastodon::Mastodon,
    &twitter_archive::TwitterArchive,
    &bluesky::Bluesky,
    &twitter15::Twitter15,
    &reddit::Reddit,
    &wordpress::Wordpress,
    &feeds::Feed,
    &opml::Opml,
];

/// The reader registered as `name`, if any.
pub fn format_by_name(name: &str) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|f| f.name() == name)
}

/// The reader registered as `name`, or the one message every surface gives for a name that is
/// not registered (the CLI's ingest, `POST /api/ingest`, the Python package).
pub fn format_named(name: &str) -> Result<&'static dyn Format, String> {
    format_by_name(name).ok_or_else(|| {
        format!(
            "unknown format {name:?} (one of: {})",
            format_names().join(", ")
        )
    })
}

/// Every registered format's name, in registry order.
pub fn format_names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name()).collect()
}

/// The most confident reader for this input, if any is confident at all.
pub fn detect(input: &Input) -> Option<&'static dyn Format> {
    let mut best: Option<(&'static dyn Format, u8)> = None;
    for f in FORMATS {
        let score = f.sniff(input);
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((*f, score));
        }
    }
    best.map(|(f, _)| f)
}

/// The first `n` lines of the head that are not blank or `#` comments: the evidence every
/// line format's sniffer judges by. None for a binary head (NUL bytes or many control bytes:
/// compressed garbage, an image), which no line format may claim.
pub(crate) fn head_data_lines(input: &Input, n: usize) -> Vec<&[u8]> {
    let head = &input.head[..];
    if looks_binary(head) {
        return Vec::new();
    }
    // The last line of the head may be cut; drop it unless the head is the whole stream.
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    if input.head_end != HeadEnd::End {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with(b"#") && !l.starts_with(b"%"))
        .take(n)
        .collect()
}

/// A NUL byte, or more than 1 % control bytes other than tab, CR, LF and form feed: text
/// formats have neither.
pub(crate) fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    head.contains(&0) || controls * 100 > head.len()
}

/// The file stem before any extension, lowercased: the namespace for anonymous datasets.
pub(crate) fn dataset_namespace(inner_name: &str) -> String {
    let stem = inner_name.split('.').next().unwrap_or(inner_name);
    let stem = if stem.is_empty() { "edgelist" } else { stem };
    stem.to_ascii_lowercase()
}
