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
/// How much of the decompressed stream detection sees.
pub const HEAD: usize = 64 * 1024;

/// What follows the head of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadEnd {
    /// The stream goes on: the head's last line may be cut.
    More,
    /// The head is the whole stream.
    End,
    /// The stream broke inside the head (a truncated or corrupt compressed file): the head is
    /// what could be read, its last line cut, and too little to tell a format by.
    Damaged(String),
}

/// Replays a read error once the head is consumed, so the reader reports the damage where it
/// happened: a decoder asked again after its error may just say "end of stream".
struct Failed(io::ErrorKind, String);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(self.0, self.1.clone()))
    }
}

impl BufRead for Failed {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Err(io::Error::new(self.0, self.1.clone()))
    }
    fn consume(&mut self, _: usize) {}
}

/// Reads up to [`HEAD`] bytes, however many reads the decoder needs for them.
fn read_head(stream: &mut dyn Read) -> (Vec<u8>, HeadEnd) {
    let mut head = vec![0u8; HEAD];
    let mut filled = 0;
    let end = loop {
        if filled == HEAD {
            break HeadEnd::More;
        }
        match stream.read(&mut head[filled..]) {
            Ok(0) => break HeadEnd::End,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break HeadEnd::Damaged(e.to_string()),
        }
    };
    head.truncate(filled);
    (head, end)
}

/// How an input is compressed, detected by its magic bytes (never its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard, read with a 2 GiB window.
    Zstd,
}

/// An opened source: its decompressed byte stream plus what detection needs.
pub struct Input {
    /// The path as given (`-` for standard input).
    pub path: PathBuf,
    /// The name shown in messages (`file:line: reason`).
    pub display: String,
    /// The file name with compression suffixes removed (`x.jsonl.gz` → `x.jsonl`).
    pub inner_name: String,
    /// How the raw bytes are compressed.
    pub compression: Compression,
    /// The first bytes of the decompressed stream (up to [`HEAD`]), for format detection.
    pub head: Vec<u8>,
    /// How the stream went on after `head`.
    pub head_end: HeadEnd,
    /// The path is a folder (read whole by a reader that reads folders, else file by file).
    pub is_dir: bool,
    /// The decompressed bytes, from the start (`head` included).
    pub stream: Box<dyn BufRead + Send>,
    /// Raw bytes read so far, and the raw size when known.
    pub bytes_read: Arc<AtomicU64>,
    /// The raw size, when known (a file, not a pipe).
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

/// The path that names standard input (`renown ingest -`); `./-` names a file called `-`.
pub const STDIN: &str = "-";

/// Opens a file, a folder or standard input ([`STDIN`]), detects its compression and reads the
/// head of its decompressed stream for format detection.
pub fn open_input(path: &Path) -> io::Result<Input> {
    if path.as_os_str() == STDIN {
        // No name to go by: detection reads the content alone.
        return open_reader(
            Box::new(io::stdin()),
            path.to_path_buf(),
            "standard input".into(),
            String::new(),
        );
    }
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
            head_end: HeadEnd::End,
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
    let mut decoded: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(BUF, MultiGzDecoder::new(raw))),
        Compression::Zstd => {
            let mut dec = zstd::stream::read::Decoder::with_buffer(raw)?;
            dec.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
            Box::new(BufReader::with_capacity(BUF, dec))
        }
    };
    // The head is read whole (a decoder hands out a few KiB per read) and then replayed in
    // front of the rest, so detection sees whole lines and knows whether more follows.
    let (head, head_end) = read_head(&mut decoded);
    let rest: Box<dyn BufRead + Send> = match &head_end {
        HeadEnd::Damaged(reason) => Box::new(Failed(io::ErrorKind::InvalidData, reason.clone())),
        _ => decoded,
    };
    let stream = Box::new(io::Cursor::new(head.clone()).chain(rest));
    let inner_name = strip_compression_suffix(&file_name).to_string();
    Ok(Input {
        path,
        display,
        inner_name,
        compression,
        head,
        head_end,
        is_dir: false,
        stream,
        bytes_read,
        size: None,
    })
}

/// The files a folder stands for when no reader takes it whole: every regular file under it,
/// depth first in name order, hidden names (`.git`, `.DS_Store`) and symlinked folders skipped.
pub fn folder_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries = std::fs::read_dir(&dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for e in entries {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = e.path();
            let kind = e.file_type()?;
            if kind.is_dir() {
                subdirs.push(path);
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                out.push(path);
            }
        }
        // Popped in name order after this folder's own files.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(out)
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

    #[test]
    fn folder_files_lists_files_in_name_order_without_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("b/c")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        for f in [
            "z.jsonl",
            "a.jsonl",
            "b/c/x.jsonl",
            "b/y.jsonl",
            ".hidden",
            ".git/config",
        ] {
            std::fs::write(d.join(f), "").unwrap();
        }
        let got: Vec<_> = folder_files(d)
            .unwrap()
            .into_iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(got, ["a.jsonl", "z.jsonl", "b/y.jsonl", "b/c/x.jsonl"]);
    }

    /// The head holds whole decoder output up to 64 KiB and says what follows it, and the
    /// stream still reads from the first byte.
    #[test]
    fn the_head_is_read_whole_and_says_how_the_stream_goes_on() {
        let text: Vec<u8> = (0..40_000u32)
            .flat_map(|i| format!("{i} {}\n", i + 1).into_bytes())
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let open = |bytes: Vec<u8>| {
            open_reader(
                Box::new(io::Cursor::new(bytes)),
                "x".into(),
                "x".into(),
                "x".into(),
            )
            .unwrap()
        };
        let mut whole = open(gz.clone());
        assert_eq!((whole.head.len(), &whole.head_end), (HEAD, &HeadEnd::More));
        assert_eq!(whole.read_all(1 << 30).unwrap(), text);
        let small = open(b"1 2\n".to_vec());
        assert_eq!(
            (&small.head[..], &small.head_end),
            (&b"1 2\n"[..], &HeadEnd::End)
        );
        let mut cut = open(gz[..100].to_vec());
        assert!(matches!(cut.head_end, HeadEnd::Damaged(_)));
        // The damage is met again when the stream is read, after the head's bytes.
        let mut got = Vec::new();
        assert!(cut.stream.read_to_end(&mut got).is_err());
        assert_eq!(got, cut.head);
    }
}
