//! The line driver shared by every line-oriented format: bounded line length, CRLF, damaged
//! streams. A format only says how to parse one line.

use crate::{ReadError, Sink, Stop};
use std::io::BufRead;

/// Lines longer than this are rejected without being held in memory.
pub const MAX_LINE: usize = 16 << 20;

/// Calls `on_line(line_number, bytes, sink)` for every non-empty line (without `\r\n`).
///
/// An I/O error mid-stream (a truncated gzip) is reported once through [`Sink::damaged`]; every
/// complete line before it has been delivered, the incomplete one is dropped, and reading ends
/// without an error so the caller keeps what it has.
pub fn for_each_line(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    on_line: impl FnMut(u64, &[u8], &mut dyn Sink) -> Result<(), Stop>,
) -> Result<(), ReadError> {
    for_each_line_within(input, sink, MAX_LINE, on_line)
}

/// [`for_each_line`] with the longest line a parameter, so tests can reach it with small inputs.
fn for_each_line_within(
    input: &mut dyn BufRead,
    sink: &mut dyn Sink,
    max_line: usize,
    mut on_line: impl FnMut(u64, &[u8], &mut dyn Sink) -> Result<(), Stop>,
) -> Result<(), ReadError> {
    let mut line_no: u64 = 0;
    let mut pending: Vec<u8> = Vec::new();
    let mut oversized = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                sink.damaged(line_no + 1, damage_reason(&e, line_no));
                return Ok(());
            }
        };
        if buf.is_empty() {
            // Clean end of stream: a last line without a newline is still a whole line.
            if oversized {
                line_no += 1;
                sink.reject(line_no, too_long(max_line))?;
            } else if !pending.is_empty() {
                line_no += 1;
                deliver(line_no, &pending, sink, &mut on_line)?;
            }
            return Ok(());
        }
        let (consumed, complete) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let chunk = &buf[..if complete { consumed - 1 } else { consumed }];
        if complete && pending.is_empty() && !oversized {
            // Fast path: the whole line is inside the buffer.
            line_no += 1;
            deliver(line_no, chunk, sink, &mut on_line)?;
        } else {
            if !oversized {
                if pending.len() + chunk.len() > max_line {
                    oversized = true;
                    pending = Vec::new();
                } else {
                    pending.extend_from_slice(chunk);
                }
            }
            if complete {
                line_no += 1;
                if oversized {
                    sink.reject(line_no, too_long(max_line))?;
                } else {
                    deliver(line_no, &pending, sink, &mut on_line)?;
                }
                pending.clear();
                oversized = false;
            }
        }
        input.consume(consumed);
    }
}

fn deliver(
    line_no: u64,
    line: &[u8],
    sink: &mut dyn Sink,
    on_line: &mut impl FnMut(u64, &[u8], &mut dyn Sink) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(());
    }
    on_line(line_no, line, sink)
}

fn damage_reason(e: &std::io::Error, kept: u64) -> String {
    format!(
        "input is damaged ({e}); the {kept} complete lines before it were read, the rest is lost"
    )
}

fn too_long(max_line: usize) -> String {
    format!("line longer than {max_line} bytes")
}

/// A line format whose lines parse independently of one another (no state carried from one
/// line to the next), so the ingest pipeline can parse chunks of a file on several threads
/// ([`read_chunks`], [`parse_chunk`]) and keep the records in file order.
pub trait LineParser: Sync {
    /// Parses one non-blank line (without its `\r\n`), numbered from 1, into `sink`: what
    /// [`for_each_line`]'s callback does for the format's sequential `read`.
    fn parse_line(&self, line_no: u64, line: &[u8], sink: &mut dyn Sink) -> Result<(), Stop>;
}

/// Whole lines of a stream, cut after a newline, for one parsing thread.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Its place in the stream: chunks are numbered 0, 1, 2 … in file order.
    pub seq: u64,
    /// The line number of its first byte's line.
    pub first_line: u64,
    /// Complete lines, each ending in `\n` except the stream's last line.
    pub bytes: Vec<u8>,
    /// What follows its lines, reported after them.
    pub end: ChunkEnd,
}

/// What comes after a chunk's lines.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum ChunkEnd {
    /// Nothing: more lines or the end of the stream.
    #[default]
    Lines,
    /// A line longer than the limit, rejected without being held in memory (its number).
    Oversized(u64),
    /// The stream broke here (line number, reason); the lines before are complete.
    Damaged(u64, String),
}

/// Cuts `input` into chunks of `chunk_lines` whole lines and hands each to `send`, in order,
/// with the same line numbering, limits and damage handling as [`for_each_line`] (equal by
/// test): [`parse_chunk`] on every chunk in order delivers exactly what `for_each_line`
/// delivers. `buffer` supplies byte buffers (recycled ones spare page faults). Stops when
/// `send` does.
pub fn read_chunks(
    input: &mut dyn BufRead,
    chunk_lines: u64,
    max_line: usize,
    mut buffer: impl FnMut() -> Vec<u8>,
    mut send: impl FnMut(Chunk) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let mut seq = 0u64;
    let mut emit = |first_line: u64, bytes: Vec<u8>, end: ChunkEnd| {
        seq += 1;
        send(Chunk {
            seq: seq - 1,
            first_line,
            bytes,
            end,
        })
    };
    // Lines wholly sent (or skipped) so far.
    let mut line_no = 0u64;
    // Bytes read past the last chunk's end, carried into the next.
    let mut carry: Vec<u8> = Vec::new();
    // The largest chunk so far: a buffer that size, plus a read, is filled without moving.
    let mut largest = 0;
    loop {
        let mut buf = buffer();
        buf.clear();
        buf.reserve(largest + (1 << 20));
        buf.extend_from_slice(&carry);
        carry.clear();
        let mut scanned = 0;
        let mut lines = 0u64;
        // The end of the last whole line in `buf`.
        let mut whole = 0;
        let stop = loop {
            for i in memchr::memchr_iter(b'\n', &buf[scanned..]) {
                lines += 1;
                whole = scanned + i + 1;
                if lines == chunk_lines {
                    break;
                }
            }
            if lines == chunk_lines {
                break Ok(true);
            }
            scanned = buf.len();
            if buf.len() - whole > max_line {
                break Ok(false);
            }
            match read_more(input, &mut buf) {
                Ok(true) => {}
                Ok(false) => {
                    // The last line needs no newline to be whole.
                    return emit(line_no + 1, buf, ChunkEnd::Lines);
                }
                Err(e) => break Err(e),
            }
        };
        largest = largest.max(buf.len());
        carry.extend_from_slice(&buf[whole..]);
        buf.truncate(whole);
        let first = line_no + 1;
        line_no += lines;
        match stop {
            Ok(true) => emit(first, buf, ChunkEnd::Lines)?,
            Err(e) => {
                // The incomplete line is lost, as in `for_each_line`.
                let end = ChunkEnd::Damaged(line_no + 1, damage_reason(&e, line_no));
                return emit(first, buf, end);
            }
            Ok(false) => {
                // A line longer than the limit: the lines before it, then it is skipped unread.
                if !buf.is_empty() {
                    emit(first, buf, ChunkEnd::Lines)?;
                }
                carry.clear();
                match skip_line(input) {
                    Ok(more) => {
                        line_no += 1;
                        emit(line_no, Vec::new(), ChunkEnd::Oversized(line_no))?;
                        if !more {
                            return Ok(());
                        }
                    }
                    Err(e) => {
                        let end = ChunkEnd::Damaged(line_no + 1, damage_reason(&e, line_no));
                        return emit(line_no + 1, Vec::new(), end);
                    }
                }
            }
        }
    }
}

/// Appends what `input` has buffered to `buf`; false at the end of the stream.
fn read_more(input: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    loop {
        match input.fill_buf() {
            Ok([]) => return Ok(false),
            Ok(bytes) => {
                let n = bytes.len();
                buf.extend_from_slice(bytes);
                input.consume(n);
                return Ok(true);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Drops bytes up to and including the next newline; false if the stream ended first.
fn skip_line(input: &mut dyn BufRead) -> std::io::Result<bool> {
    loop {
        let (n, found) = match input.fill_buf() {
            Ok([]) => return Ok(false),
            Ok(bytes) => match memchr::memchr(b'\n', bytes) {
                Some(i) => (i + 1, true),
                None => (bytes.len(), false),
            },
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        input.consume(n);
        if found {
            return Ok(true);
        }
    }
}

/// Delivers a chunk's lines to `parser` and then its end to `sink`, as [`for_each_line`]
/// would have: blank lines skipped, `\r\n` trimmed, lines over `max_line` rejected.
pub fn parse_chunk(
    chunk: &Chunk,
    max_line: usize,
    parser: &dyn LineParser,
    sink: &mut dyn Sink,
) -> Result<(), Stop> {
    let bytes = &chunk.bytes[..];
    let mut on_line = |no: u64, line: &[u8], sink: &mut dyn Sink| parser.parse_line(no, line, sink);
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (line_no, end) in (chunk.first_line..).zip(ends) {
        if start == end && end == bytes.len() {
            break;
        }
        let line = &bytes[start..end];
        if line.len() > max_line {
            sink.reject(line_no, too_long(max_line))?;
        } else {
            deliver(line_no, line, sink, &mut on_line)?;
        }
        start = end + 1;
    }
    match &chunk.end {
        ChunkEnd::Lines => {}
        ChunkEnd::Oversized(no) => sink.reject(*no, too_long(max_line))?,
        ChunkEnd::Damaged(no, reason) => sink.damaged(*no, reason.clone()),
    }
    Ok(())
}

/// The line as UTF-8, or a reason naming the first bad byte.
pub fn utf8(line: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(line).map_err(|e| {
        format!(
            "not valid UTF-8 (bad byte at column {})",
            e.valid_up_to() + 1
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use renown_model::Record;

    /// A sink that remembers everything, for reader tests.
    #[derive(Default, Debug)]
    pub struct Collect {
        pub records: Vec<(u64, Record)>,
        pub rejects: Vec<(u64, String)>,
        pub damage: Vec<(u64, String)>,
        pub warnings: Vec<String>,
    }

    impl Sink for Collect {
        fn record(&mut self, position: u64, record: Record) -> Result<(), Stop> {
            self.records.push((position, record));
            Ok(())
        }
        fn reject(&mut self, line: u64, reason: String) -> Result<(), Stop> {
            self.rejects.push((line, reason));
            Ok(())
        }
        fn damaged(&mut self, line: u64, reason: String) {
            self.damage.push((line, reason));
        }
        fn warn(&mut self, message: String) {
            self.warnings.push(message);
        }
    }

    fn lines_of(bytes: &[u8], cap: usize) -> (Vec<(u64, Vec<u8>)>, Collect) {
        let mut r = std::io::BufReader::with_capacity(cap, bytes);
        let mut sink = Collect::default();
        let mut got = Vec::new();
        for_each_line(&mut r, &mut sink, |n, l, _| {
            got.push((n, l.to_vec()));
            Ok(())
        })
        .unwrap();
        (got, sink)
    }

    #[test]
    fn splits_lines_across_small_buffers() {
        let (got, _) = lines_of(b"ab\r\n\ncdef\nlast", 3);
        assert_eq!(
            got,
            vec![
                (1, b"ab".to_vec()),
                (3, b"cdef".to_vec()),
                (4, b"last".to_vec())
            ]
        );
    }

    /// Records every line it is given, as `(line number, bytes)`; rejects lines starting `!`.
    struct Echo;

    impl LineParser for Echo {
        fn parse_line(&self, no: u64, line: &[u8], sink: &mut dyn Sink) -> Result<(), Stop> {
            if line.starts_with(b"!") {
                return sink.reject(no, "bang".into());
            }
            let text = String::from_utf8_lossy(line).into_owned();
            sink.record(
                no,
                Record::Profile(renown_model::Profile {
                    platform: text,
                    ..Default::default()
                }),
            )
        }
    }

    /// Gives `bytes`, then fails with `failure` if there is one, else ends.
    struct Breaking<'a> {
        bytes: &'a [u8],
        failure: bool,
    }

    impl std::io::Read for Breaking<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.bytes.is_empty() && self.failure {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "corrupt deflate stream",
                ));
            }
            // Small reads, so lines straddle reads.
            let n = buf.len().min(self.bytes.len()).min(7);
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn summary(c: &Collect) -> String {
        format!(
            "{:?} {:?} {:?}",
            c.records
                .iter()
                .map(|(n, r)| match r {
                    Record::Profile(p) => (*n, p.platform.clone()),
                    _ => unreachable!(),
                })
                .collect::<Vec<_>>(),
            c.rejects,
            c.damage
        )
    }

    /// What `for_each_line` delivers, and what `read_chunks` then `parse_chunk` on every chunk
    /// in order deliver, for the same bytes.
    fn both_ways(
        bytes: &[u8],
        failure: bool,
        max_line: usize,
        chunk_lines: u64,
    ) -> (String, String) {
        // The sequential driver's buffer must not exceed the limit: a whole line inside its
        // buffer is never measured (in production the buffer, 1 MiB, is below MAX_LINE).
        let mut r = std::io::BufReader::with_capacity(max_line, Breaking { bytes, failure });
        let mut sequential = Collect::default();
        for_each_line_within(&mut r, &mut sequential, max_line, |no, l, sink| {
            Echo.parse_line(no, l, sink)
        })
        .unwrap();
        let mut r = std::io::BufReader::with_capacity(5, Breaking { bytes, failure });
        let mut chunked = Collect::default();
        let mut expected_seq = 0;
        read_chunks(&mut r, chunk_lines, max_line, Vec::new, |chunk| {
            assert_eq!(chunk.seq, expected_seq);
            expected_seq += 1;
            parse_chunk(&chunk, max_line, &Echo, &mut chunked)
        })
        .unwrap();
        (summary(&sequential), summary(&chunked))
    }

    #[test]
    fn chunks_deliver_what_the_line_driver_delivers() {
        let cases: &[&[u8]] = &[
            b"",
            b"a",
            b"a\n",
            b"\n\n\n",
            b"ab\r\n\r\n  \t\ncdef\nlast",
            b"one\n!bad\nthree\n",
            // Lines over the limit (12) in the middle, first, last, with and without a newline.
            b"short\nthis line is far too long\nok\n",
            b"this line is far too long\nok",
            b"ok\nthis line is far too long",
            b"ok\nthis line is far too long\n",
            b"exactly12byt\n13 bytes long\n",
            b"exactly12by\r\n13 bytes lon\r\nx\n",
        ];
        // Generated lines of every length around the limit, some blank, some rejected.
        let mut generated = Vec::new();
        for i in 0..300usize {
            let len = (i * 7919) % 17;
            if i % 11 == 0 {
                generated.push(b'!');
            }
            generated.extend((0..len).map(|j| b'a' + ((i + j) % 26) as u8));
            generated.extend_from_slice(if i % 5 == 0 { b"\r\n" } else { b"\n" });
        }
        for bytes in cases.iter().copied().chain([&generated[..]]) {
            for failure in [false, true] {
                // Every cut of the stream where it may break.
                let step = if bytes.len() > 200 { 13 } else { 1 };
                let cuts: Vec<usize> = if failure {
                    (0..=bytes.len()).step_by(step).collect()
                } else {
                    vec![bytes.len()]
                };
                for cut in cuts {
                    for chunk_lines in [1, 2, 3, 7, 1000] {
                        let (sequential, chunked) =
                            both_ways(&bytes[..cut], failure, 12, chunk_lines);
                        assert_eq!(
                            sequential,
                            chunked,
                            "{:?} cut at {cut}, failing {failure}, chunks of {chunk_lines} lines",
                            String::from_utf8_lossy(bytes)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn truncated_gzip_keeps_complete_lines() {
        use std::io::Write;
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("{i} {}\n", i + 1).into_bytes())
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let cut = &gz[..gz.len() / 2];
        let mut r = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(cut));
        let mut sink = Collect::default();
        let mut n = 0u64;
        for_each_line(&mut r, &mut sink, |no, l, _| {
            n += 1;
            assert_eq!(l, format!("{} {}", no - 1, no).as_bytes());
            Ok(())
        })
        .unwrap();
        assert!(n > 100 && n < 5000, "{n}");
        assert_eq!(sink.damage.len(), 1);
        assert_eq!(sink.damage[0].0, n + 1);
    }
}
