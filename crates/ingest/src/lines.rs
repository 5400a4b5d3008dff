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
                let kept = line_no;
                sink.damaged(
                    line_no + 1,
                    format!("input is damaged ({e}); the {kept} complete lines before it were read, the rest is lost"),
                );
                return Ok(());
            }
        };
        if buf.is_empty() {
            // Clean end of stream: a last line without a newline is still a whole line.
            if oversized {
                line_no += 1;
                sink.reject(line_no, format!("line longer than {MAX_LINE} bytes"))?;
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
                if pending.len() + chunk.len() > MAX_LINE {
                    oversized = true;
                    pending = Vec::new();
                } else {
                    pending.extend_from_slice(chunk);
                }
            }
            if complete {
                line_no += 1;
                if oversized {
                    sink.reject(line_no, format!("line longer than {MAX_LINE} bytes"))?;
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
