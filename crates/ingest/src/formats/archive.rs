//! Multi-file exports (a zip, or the folder it unpacks to): find members by name and read them
//! with size caps, so a zip bomb or a stray huge file cannot exhaust memory.

use crate::{Input, ReadError, Sink, Stop};
use renown_model::AccountRef;
use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

/// Largest single member renown reads whole (an outbox.json or tweets.js).
pub const MAX_MEMBER: u64 = 2 << 30;
/// Total uncompressed bytes read from one archive: the zip-bomb cap.
pub const MAX_TOTAL: u64 = 8 << 30;
/// Largest zip read into memory when it arrives as a stream rather than a file.
const MAX_STREAMED_ZIP: u64 = 1 << 30;
/// Folders are walked this deep and no further (an archive's data lives one or two levels down).
const MAX_DEPTH: usize = 4;
const MAX_FILES: usize = 200_000;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

enum Source {
    Dir(PathBuf),
    Zip(zip::ZipArchive<Box<dyn ReadSeek>>),
}

/// An opened export with its member names (paths inside it, `/`-separated).
pub struct Archive {
    source: Source,
    names: Vec<String>,
    /// Uncompressed bytes still allowed.
    budget: u64,
}

/// Calls `f` on each element of the JSON array `json` as soon as it is parsed, so a whole-file
/// export is never held twice (bytes and a `Vec` of every record). The outer result is `f`'s
/// stop; the inner one says whether the array parsed to its end (on an error, the elements before
/// the bad one have been given to `f`).
pub fn for_each_element<'de, T, F>(
    json: &'de [u8],
    mut f: F,
) -> Result<Result<(), serde_json::Error>, crate::Stop>
where
    T: serde::Deserialize<'de>,
    F: FnMut(T) -> Result<(), crate::Stop>,
{
    struct Each<'f, F, T> {
        f: &'f mut F,
        stopped: &'f mut bool,
        item: std::marker::PhantomData<T>,
    }
    impl<'de, F, T> serde::de::Visitor<'de> for Each<'_, F, T>
    where
        T: serde::Deserialize<'de>,
        F: FnMut(T) -> Result<(), crate::Stop>,
    {
        type Value = ();
        fn expecting(&self, fmt: &mut std::fmt::Formatter) -> std::fmt::Result {
            fmt.write_str("an array")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(item) = seq.next_element::<T>()? {
                if (self.f)(item).is_err() {
                    *self.stopped = true;
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    fn run<'de, R, T, F>(
        mut de: serde_json::Deserializer<R>,
        f: &mut F,
        stopped: &mut bool,
    ) -> Result<(), serde_json::Error>
    where
        R: serde_json::de::Read<'de>,
        T: serde::Deserialize<'de>,
        F: FnMut(T) -> Result<(), crate::Stop>,
    {
        serde::Deserializer::deserialize_seq(
            &mut de,
            Each {
                f,
                stopped,
                item: std::marker::PhantomData,
            },
        )
        .and_then(|()| de.end())
    }
    let mut stopped = false;
    // As a `str` when valid UTF-8 (one fast pass instead of a check per string); see
    // `json::from_bytes`.
    let parsed = match std::str::from_utf8(json) {
        Ok(s) => run(serde_json::Deserializer::from_str(s), &mut f, &mut stopped),
        Err(_) => run(
            serde_json::Deserializer::from_slice(json),
            &mut f,
            &mut stopped,
        ),
    };
    if stopped {
        return Err(crate::Stop);
    }
    Ok(parsed)
}

pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(ZIP_MAGIC)
}

/// Member names visible in the first bytes of a zip (its local headers), for sniffing.
pub fn zip_head_names(head: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for pos in memchr::memmem::find_iter(head, ZIP_MAGIC) {
        let Some(fixed) = head.get(pos..pos + 30) else {
            break;
        };
        let name_len = u16::from_le_bytes([fixed[26], fixed[27]]) as usize;
        if let Some(name) = head.get(pos + 30..pos + 30 + name_len) {
            names.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    names
}

/// Member file names (relative paths) of a folder, shallowly, for sniffing.
pub fn dir_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(dir, "", 0, 2, &mut out);
    out
}

fn walk(dir: &Path, prefix: &str, depth: usize, max_depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.len() >= MAX_FILES {
            return;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        match e.file_type() {
            Ok(t) if t.is_dir() && depth + 1 < max_depth => {
                walk(&e.path(), &format!("{rel}/"), depth + 1, max_depth, out)
            }
            Ok(t) if t.is_file() => out.push(rel),
            _ => {}
        }
    }
}

/// The last path component.
pub fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

impl Archive {
    /// Opens a folder input or a zip input (from its file when there is one, else from memory).
    pub fn open(input: &mut Input) -> Result<Archive, ReadError> {
        if input.is_dir {
            let mut names = Vec::new();
            walk(&input.path, "", 0, MAX_DEPTH, &mut names);
            return Ok(Archive {
                source: Source::Dir(input.path.clone()),
                names,
                budget: MAX_TOTAL,
            });
        }
        let reader: Box<dyn ReadSeek> = match File::open(&input.path) {
            Ok(f) if input.compression == crate::input::Compression::None => Box::new(f),
            _ => Box::new(Cursor::new(input.read_all(MAX_STREAMED_ZIP)?)),
        };
        let zip = zip::ZipArchive::new(reader)
            .map_err(|e| ReadError::Format(format!("not a readable zip: {e}")))?;
        let names = zip
            .file_names()
            .filter(|n| !n.ends_with('/'))
            .map(str::to_string)
            .collect();
        Ok(Archive {
            source: Source::Zip(zip),
            names,
            budget: MAX_TOTAL,
        })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Reads one member whole, within the per-member and whole-archive caps.
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, ReadError> {
        let limit = MAX_MEMBER.min(self.budget);
        let mut out = Vec::new();
        match &mut self.source {
            Source::Dir(dir) => {
                // The member's name goes with the error: the report names only the folder.
                let named = |e: std::io::Error| ReadError::Format(format!("{name}: {e}"));
                let file = File::open(dir.join(name)).map_err(named)?;
                // Sized up front: growing by doubling copied a large outbox about twice over.
                let size = file.metadata().map_or(0, |m| m.len()).min(limit + 1);
                out.reserve_exact(size as usize);
                file.take(limit + 1).read_to_end(&mut out).map_err(named)?;
            }
            Source::Zip(zip) => {
                let member = zip
                    .by_name(name)
                    .map_err(|e| ReadError::Format(format!("{name}: {e}")))?;
                // The declared size can lie; the take() below is what actually bounds memory.
                if member.size() > limit {
                    return Err(too_big(name, limit));
                }
                // The declared size only sizes the buffer up to 256 MiB: it may be a lie.
                out.reserve_exact(member.size().min(256 << 20) as usize);
                member
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| ReadError::Format(format!("{name}: damaged zip member ({e})")))?;
            }
        }
        if out.len() as u64 > limit {
            return Err(too_big(name, limit));
        }
        self.budget -= out.len() as u64;
        Ok(out)
    }
}

fn too_big(name: &str, limit: u64) -> ReadError {
    ReadError::Format(format!(
        "{name} is larger than the {limit}-byte cap on what one archive may unpack to (a zip bomb?)"
    ))
}

/// Stands for an export's owner when a file of it arrives without the member that names them.
pub const UNKNOWN_OWNER: &str = "archive-owner";

/// Whose export a reader is reading: one member names the owner (Mastodon's `actor.json`,
/// Twitter's `account.js`), who is the actor or target of every record that names no other.
pub struct Owner {
    /// The owner, once a member (or the file beside a single one) has named them.
    pub account: Option<AccountRef>,
    platform: &'static str,
    /// The member that names the owner.
    names_owner: &'static str,
    warned: bool,
}

impl Owner {
    /// An owner not yet known, of an export on `platform` whose member `names_owner` names them.
    pub fn new(platform: &'static str, names_owner: &'static str) -> Owner {
        Owner {
            account: None,
            platform,
            names_owner,
            warned: false,
        }
    }

    /// The owner, or [`UNKNOWN_OWNER`] when no member named them (said once per read).
    pub fn get(&mut self, file: &str, sink: &mut dyn Sink) -> AccountRef {
        if let Some(o) = &self.account {
            return o.clone();
        }
        if !self.warned {
            self.warned = true;
            sink.warn(format!(
                "{file}: no {} beside it says whose archive this is; the records it does not attribute are recorded for the placeholder account {}:{UNKNOWN_OWNER} (ingest the whole archive to attach them to the owner)",
                self.names_owner, self.platform
            ));
        }
        AccountRef::new(UNKNOWN_OWNER)
    }
}

/// Reads every member of an archive (zip or folder) that `classify` recognises, in the order of
/// `order` (the member naming the owner first), handing each to `read`. `None` when the input
/// is a single file, for the caller to read on its own; an error naming `what` when no member
/// has `required`'s kind.
pub fn read_members<K: Copy, O: Ord>(
    input: &mut Input,
    classify: impl Fn(&str) -> Option<K>,
    required: impl Fn(K) -> bool,
    what: &str,
    order: impl Fn(K, &str) -> O,
    mut read: impl FnMut(&str, &[u8], K) -> Result<(), Stop>,
) -> Option<Result<(), ReadError>> {
    if !(input.is_dir || is_zip(&input.head)) {
        return None;
    }
    let mut a = match Archive::open(input) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    let mut members: Vec<(String, K)> = a
        .names()
        .iter()
        .filter_map(|n| Some((n.clone(), classify(n)?)))
        .collect();
    if !members.iter().any(|(_, k)| required(*k)) {
        return Some(Err(ReadError::Format(what.to_string())));
    }
    members.sort_by_cached_key(|(n, k)| order(*k, n));
    for (name, kind) in members {
        let read_one = a
            .read(&name)
            .and_then(|bytes| Ok(read(&name, &bytes, kind)?));
        if let Err(e) = read_one {
            return Some(Err(e));
        }
    }
    Some(Ok(()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Writes a zip of `(name, bytes)` members.
    pub fn make_zip(path: &Path, members: &[(&str, &[u8])]) {
        let mut z = zip::ZipWriter::new(File::create(path).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }

    #[test]
    fn zip_names_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let zeros = vec![0u8; 100_000];
        make_zip(&path, &[("data/x.js", b"hello"), ("big.bin", &zeros)]);
        let head = std::fs::read(&path).unwrap();
        assert!(is_zip(&head));
        assert_eq!(zip_head_names(&head)[0], "data/x.js");
        let mut input = crate::open_input(&path).unwrap();
        let mut a = Archive::open(&mut input).unwrap();
        assert_eq!(a.names(), ["data/x.js", "big.bin"]);
        assert_eq!(a.read("data/x.js").unwrap(), b"hello");
        // A tiny budget stands in for the zip-bomb cap: 100 kB of zeros compress to ~100 bytes.
        a.budget = 50_000;
        let err = a.read("big.bin").unwrap_err().to_string();
        assert!(err.contains("zip bomb"), "{err}");
    }
}
