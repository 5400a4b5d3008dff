//! Twitter15/16 propagation trees (Ma et al. 2017): one file per source tweet, named by its id,
//! lines `['uid', 'tweetid', 'delay_min']->['uid', 'tweetid', 'delay_min']`; the first line has
//! the parent `['ROOT', 'ROOT', '0.0']`. A folder of trees is read file by file.
//!
//! Events: a `ROOT` line is the source post by its child; every other line is a reshare by the
//! child user of the parent user's share. Retweets carry the source tweet's id, so tweet ids do
//! not name nodes; users do (one node per user and tree). Items are therefore `ROOTID` for the
//! source post and `ROOTID/uid` for every share, and a share's parent is its parent's item.
//!
//! Time convention: the trees give only delays in minutes. The source tweet id is a Twitter
//! snowflake, which encodes its creation time to the millisecond, so a node's time is that time
//! plus its delay (negative delays, which the data has, stay negative). When the file name is not
//! a snowflake from 2010-11-04 on, times are unknown (`None`) and the reader warns once.
//!
//! Oddities in the published trees, handled without loss: a user listed under several parents
//! (kept as separate events; cascade reconstruction keeps the first), self-loops (skipped, counted
//! in one warning), and `ROOT` lines after the first (further source posts).

use super::Format;
use crate::lines::for_each_line;
use crate::{Input, ReadError, ReadOptions, Sink, Stop};
use renown_model::{check_range, AccountRef, Event, Kind};
use std::path::Path;

pub struct Twitter15;

/// Milliseconds from the Unix epoch to Twitter's snowflake epoch (2010-11-04T01:42:54.657Z).
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

#[derive(Debug, PartialEq)]
struct Node<'a> {
    uid: &'a str,
    tweet: &'a str,
    delay_min: f64,
}

fn node(side: &str) -> Result<Node<'_>, String> {
    let inner = side
        .trim()
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or("a node must be ['uid', 'tweetid', 'delay_min']")?;
    let mut fields = inner
        .split(',')
        .map(|f| f.trim().trim_matches(|c| c == '\'' || c == '"'));
    let (Some(uid), Some(tweet), Some(delay), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("a node must have 3 fields: uid, tweetid, delay_min".into());
    };
    if uid.is_empty() || tweet.is_empty() {
        return Err("empty uid or tweet id".into());
    }
    let delay_min: f64 = delay
        .parse()
        .ok()
        .filter(|d: &f64| d.is_finite())
        .ok_or("delay is not a number")?;
    Ok(Node {
        uid,
        tweet,
        delay_min,
    })
}

fn parse(line: &str) -> Result<(Node<'_>, Node<'_>), String> {
    let (p, c) = line.split_once("->").ok_or("expected `parent->child`")?;
    let parent = node(p).map_err(|e| format!("parent: {e}"))?;
    let child = node(c).map_err(|e| format!("child: {e}"))?;
    if child.uid == "ROOT" {
        return Err("child is ROOT".into());
    }
    Ok((parent, child))
}

/// The creation time (unix seconds) a snowflake tweet id encodes, if `id` is one.
pub fn snowflake_time(id: &str) -> Option<i64> {
    let n: u64 = id.parse().ok()?;
    // Snowflakes carry 22 low bits of worker/sequence; anything smaller predates them.
    let ms = (n >> 22) as i64;
    if ms == 0 {
        return None;
    }
    check_range((ms + SNOWFLAKE_EPOCH_MS) / 1000).ok()
}

fn looks_like_tree(head: &[u8]) -> bool {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    std::str::from_utf8(first)
        .ok()
        .is_some_and(|l| parse(l.trim_end_matches('\r')).is_ok())
}

/// Tree files in a folder, sorted by name (hidden files and subfolders skipped).
fn tree_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads one tree. `file_no` keeps positions unique across the files of a folder.
fn read_tree(
    input: &mut Input,
    file_no: u64,
    platform: &str,
    in_folder: bool,
    sink: &mut dyn Sink,
    untimed: &mut u64,
    self_loops: &mut u64,
) -> Result<(), ReadError> {
    let root_id = input
        .inner_name
        .strip_suffix(".txt")
        .unwrap_or(&input.inner_name)
        .to_string();
    let root_time = snowflake_time(&root_id);
    if root_time.is_none() {
        *untimed += 1;
    }
    let name = input.inner_name.clone();
    let mut root_uid: Option<String> = None;
    let item = |root_uid: &Option<String>, uid: &str| -> String {
        if root_uid.as_deref() == Some(uid) {
            root_id.clone()
        } else {
            format!("{root_id}/{uid}")
        }
    };
    // Root time + delay, or an error when the delay puts it outside the supported range.
    let time = |n: &Node| -> Result<Option<i64>, String> {
        let Some(t) = root_time else { return Ok(None) };
        t.checked_add((n.delay_min * 60.0).round() as i64)
            .and_then(|at| check_range(at).ok())
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "delay {} min is outside the supported time range",
                    n.delay_min
                )
            })
    };
    let reject = |sink: &mut dyn Sink, no: u64, reason: String| -> Result<(), Stop> {
        if in_folder {
            sink.reject(no, format!("{name}: {reason}"))
        } else {
            sink.reject(no, reason)
        }
    };
    for_each_line(&mut input.stream, sink, |no, line, sink| {
        let text = match crate::lines::utf8(line) {
            Ok(t) => t,
            Err(reason) => return reject(sink, no, reason),
        };
        let (parent, child) = match parse(text) {
            Ok(pc) => pc,
            Err(reason) => return reject(sink, no, reason),
        };
        let position = (file_no << 32) | no;
        let mut e;
        if parent.uid == "ROOT" {
            if root_uid.is_none() {
                root_uid = Some(child.uid.to_string());
            }
            e = Event::new(platform, Kind::Post, AccountRef::new(child.uid));
        } else {
            if parent.uid == child.uid {
                *self_loops += 1;
                return Ok(());
            }
            e = Event::new(platform, Kind::Reshare, AccountRef::new(child.uid));
            e.target = Some(AccountRef::new(parent.uid));
            e.parent = Some(item(&root_uid, parent.uid));
        }
        e.item = Some(item(&root_uid, child.uid));
        e.time = match time(&child) {
            Ok(t) => t,
            Err(reason) => return reject(sink, no, reason),
        };
        sink.record(position, e.into())
    })
}

impl Format for Twitter15 {
    fn name(&self) -> &'static str {
        "twitter15"
    }
    fn describe(&self) -> &'static str {
        "Twitter15/16 propagation trees: `['uid','tweetid','delay_min']->[...]`, one file (or a folder of files) per source tweet"
    }
    fn reads_folders(&self) -> bool {
        true
    }
    fn sniff(&self, input: &Input) -> u8 {
        if input.is_dir {
            let first = tree_files(&input.path)
                .ok()
                .and_then(|f| f.into_iter().next());
            return match first.and_then(|p| crate::open_input(&p).ok()) {
                Some(i) if looks_like_tree(&i.head) => 95,
                _ => 0,
            };
        }
        if looks_like_tree(&input.head) {
            95
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        let platform = opts.platform.clone().unwrap_or_else(|| "twitter".into());
        let (mut untimed, mut self_loops) = (0u64, 0u64);
        if input.is_dir {
            let files = tree_files(&input.path)?;
            for (i, path) in files.iter().enumerate() {
                let mut tree = match crate::open_input(path) {
                    Ok(t) => t,
                    Err(e) => {
                        sink.warn(format!("{}: cannot open: {e}", path.display()));
                        continue;
                    }
                };
                read_tree(
                    &mut tree,
                    i as u64 + 1,
                    &platform,
                    true,
                    sink,
                    &mut untimed,
                    &mut self_loops,
                )?;
            }
        } else {
            read_tree(
                input,
                0,
                &platform,
                false,
                sink,
                &mut untimed,
                &mut self_loops,
            )?;
        }
        if untimed > 0 {
            sink.warn(format!(
                "{untimed} tree file name(s) are not snowflake tweet ids: their times are unknown"
            ));
        }
        if self_loops > 0 {
            sink.warn(format!(
                "skipped {self_loops} self-loop line(s) (a user resharing itself)"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::open_reader;
    use crate::lines::tests::Collect;
    use renown_model::Record;

    const TREE: &str = "['ROOT', 'ROOT', '0.0']->['10', '265953285247209472', '0.0']\n\
        ['10', '265953285247209472', '0.0']->['20', '265953285247209472', '1.5']\n\
        ['20', '265953285247209472', '1.5']->['30', '265953402234748928', '2.0']\n\
        ['30', '265953402234748928', '2.0']->['30', '265953402234748928', '2.0']\n\
        garbage\n";

    fn read(text: &str, name: &str) -> Collect {
        let mut input = open_reader(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            name.into(),
            name.into(),
            name.into(),
        )
        .unwrap();
        assert_eq!(Twitter15.sniff(&input), 95);
        let mut sink = Collect::default();
        Twitter15
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        sink
    }

    fn events(c: &Collect) -> Vec<&Event> {
        c.records
            .iter()
            .map(|(_, r)| match r {
                Record::Event(e) => e,
                _ => panic!("profile"),
            })
            .collect()
    }

    #[test]
    fn tree_becomes_post_and_reshares_with_snowflake_time() {
        let c = read(TREE, "265953285247209472.txt");
        let ev = events(&c);
        assert_eq!(ev.len(), 3);
        let t0 = 1_352_243_179; // 2012-11-06T23:06:19Z, from the snowflake
        assert_eq!(
            (ev[0].kind, ev[0].item.as_deref(), ev[0].time),
            (Kind::Post, Some("265953285247209472"), Some(t0))
        );
        assert_eq!(ev[1].kind, Kind::Reshare);
        assert_eq!(ev[1].actor.id, "20");
        assert_eq!(ev[1].target.as_ref().unwrap().id, "10");
        assert_eq!(ev[1].parent.as_deref(), Some("265953285247209472"));
        assert_eq!(ev[1].item.as_deref(), Some("265953285247209472/20"));
        assert_eq!(ev[1].time, Some(t0 + 90));
        assert_eq!(ev[2].parent.as_deref(), Some("265953285247209472/20"));
        assert_eq!(c.rejects.len(), 1);
        assert_eq!(c.rejects[0].0, 5);
        assert!(c.warnings.iter().any(|w| w.contains("1 self-loop")));
    }

    #[test]
    fn non_snowflake_names_leave_time_unknown() {
        let c = read(TREE, "tree.txt");
        assert!(events(&c).iter().all(|e| e.time.is_none()));
        assert!(c.warnings.iter().any(|w| w.contains("times are unknown")));
    }

    #[test]
    fn folder_of_trees_is_read_with_unique_positions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("265953285247209472.txt"), TREE).unwrap();
        std::fs::write(dir.path().join("273182568298450945.txt"), TREE).unwrap();
        let mut input = crate::open_input(dir.path()).unwrap();
        assert_eq!(Twitter15.sniff(&input), 95);
        let mut sink = Collect::default();
        Twitter15
            .read(&mut input, &ReadOptions::default(), &mut sink)
            .unwrap();
        assert_eq!(sink.records.len(), 6);
        let mut pos: Vec<u64> = sink.records.iter().map(|(p, _)| *p).collect();
        pos.dedup();
        assert_eq!(pos.len(), 6);
        assert!(sink.rejects[0].1.starts_with("265953285247209472.txt: "));
    }

    #[test]
    fn malformed_nodes_are_rejected_with_reasons() {
        assert!(parse("['a', 'b']->['c', 'd', '1']").is_err());
        assert!(parse("['a', 'b', 'x']->['c', 'd', '1']").is_err());
        assert!(parse("['a', 'b', '1']->['c', 'd', 'NaN']").is_err());
        assert!(parse("['a', 'b', '1']['c', 'd', '1']").is_err());
        assert!(snowflake_time("12").is_none());
        assert!(snowflake_time("abc").is_none());
    }
}
