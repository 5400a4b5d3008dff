//! Opening inputs: plain, gzip or zstd, detected from magic bytes, not names.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts raw (compressed) bytes consumed, so progress can be shown against the file size.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
/// Pushshift-style dumps are compressed with a 2 GiB window; the zstd default refuses them.
const ZSTD_WINDOW_LOG_MAX: u32 = 31;
const BUF: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// An opened source: its decompressed byte stream plus what detection needs.
pub struct Input {
    pub path: PathBuf,
    /// The name shown in messages (`file:line: reason`).
    pub display: String,
    /// The file name with compression suffixes removed (`x.jsonl.gz` → `x.jsonl`).
    pub inner_name: String,
    pub compression: Compression,
    /// The first bytes of the decompressed stream, for format detection.
    pub head: Vec<u8>,
    pub is_dir: bool,
    pub stream: Box<dyn BufRead + Send>,
    /// Raw bytes read so far, and the raw size when known.
    pub bytes_read: Arc<AtomicU64>,
    pub size: Option<u64>,
}

impl Input {
    /// Reads the whole decompressed stream, refusing more than `limit` bytes.
    ///
    /// An uncompressed file's buffer is sized up front from its length: growing by doubling
    /// copied a large `tweets.js` about twice over and zeroed every chunk before reading into it
    /// (a third of the reader's time). `vec![0; n]` gets pages the kernel already zeroed.
    pub fn read_all(&mut self, limit: u64) -> io::Result<Vec<u8>> {
        let size = match (self.compression, self.size) {
            (Compression::None, Some(size)) => size.min(limit + 1) as usize,
            _ => 0,
        };
        let mut out = vec![0u8; size];
        let mut filled = 0;
        while filled < out.len() {
            match self.stream.read(&mut out[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        out.truncate(filled);
        // The file may have grown since its length was taken (or the length was unknown).
        (&mut self.stream)
            .take(limit + 1 - filled as u64)
            .read_to_end(&mut out)?;
        if out.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than the {limit}-byte limit for whole-document formats"),
            ));
        }
        Ok(out)
    }
}

pub fn open_input(path: &Path) -> io::Result<Input> {
    let display = path.display().to_string();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_dir() {
        return Ok(Input {
            path: path.to_path_buf(),
            display,
            inner_name: file_name,
            compression: Compression::None,
            head: Vec::new(),
            is_dir: true,
            stream: Box::new(io::empty()),
            bytes_read: Arc::default(),
            size: None,
        });
    }
    let file = File::open(path)?;
    let size = file.metadata().ok().map(|m| m.len());
    let mut input = open_reader(Box::new(file), path.to_path_buf(), display, file_name)?;
    input.size = size;
    Ok(input)
}

/// Opens any byte stream (a file, an HTTP body) the way [`open_input`] opens files.
pub fn open_reader(
    raw: Box<dyn Read + Send>,
    path: PathBuf,
    display: String,
    file_name: String,
) -> io::Result<Input> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let raw = Counting {
        inner: raw,
        count: bytes_read.clone(),
    };
    let mut raw = BufReader::with_capacity(BUF, raw);
    let magic = raw.fill_buf()?;
    let compression = if magic.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if magic.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    };
    let mut stream: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(raw))),
        Compression::Zstd => {
            let mut dec = zstd::stream::read::Decoder::with_buffer(raw)?;
            dec.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
            Box::new(BufReader::with_capacity(BUF, dec))
        }
    };
    // A damaged stream may fail already here; detection then sees an empty head and the reader
    // reports the damage when it reads.
    let head = match stream.fill_buf() {
        Ok(h) => h[..h.len().min(64 * 1024)].to_vec(),
        Err(_) => Vec::new(),
    };
    let inner_name = strip_compression_suffix(&file_name).to_string();
    Ok(Input {
        path,
        display,
        inner_name,
        compression,
        head,
        is_dir: false,
        stream,
        bytes_read,
        size: None,
    })
}

fn strip_compression_suffix(name: &str) -> &str {
    for suffix in [".gz", ".gzip", ".zst", ".zstd"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_gzip_and_zstd_transparently() {
        let text = b"a b\nc d\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::encode_all(&text[..], 3).unwrap();
        for (bytes, comp) in [(gz, Compression::Gzip), (zs, Compression::Zstd)] {
            let mut input = open_reader(
                Box::new(io::Cursor::new(bytes)),
                "x".into(),
                "x".into(),
                "edges.txt.gz".into(),
            )
            .unwrap();
            assert_eq!(input.compression, comp);
            assert_eq!(input.inner_name, "edges.txt");
            assert_eq!(input.read_all(100).unwrap(), text);
        }
    }

    #[test]
    fn read_all_enforces_its_limit() {
        let mut input = open_reader(
            Box::new(io::Cursor::new(vec![b'x'; 100])),
            "x".into(),
            "x".into(),
            "x".into(),
        )
        .unwrap();
        assert!(input.read_all(99).is_err());
    }

    #[test]
    fn read_all_of_a_file_sized_up_front_reads_it_whole_and_keeps_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut input = open_input(&path).unwrap();
        assert_eq!(input.size, Some(bytes.len() as u64));
        assert!(input.read_all(bytes.len() as u64).unwrap() == bytes);
        let mut input = open_input(&path).unwrap();
        assert!(input.read_all(bytes.len() as u64 - 1).is_err());
    }
}
