//! Bluesky: Jetstream NDJSON captures and repository CAR files.
//!
//! Records map the same way from both, so the same post read from a capture and from a repo is
//! one event (its at:// URI is the source id):
//! - `app.bsky.feed.post` → post; reply (target = the parent's author, always known from its
//!   at:// URI) or quote (`app.bsky.embed.record`, `recordWithMedia`); a reply that also quotes
//!   yields both. Facet mentions → mention events; facet tags and `tags` → topics.
//! - `app.bsky.feed.repost` → reshare, `app.bsky.feed.like` → like, `app.bsky.graph.follow` →
//!   follow; `app.bsky.actor.profile` and Jetstream identity events → profiles.
//! - A Jetstream delete (did + collection + rkey) is sent as a [`Deletion`] of the at:// URI:
//!   the store removes every event whose item is that URI and remembers the deletion (see
//!   `crates/store/src/tombstones.rs`).
//!
//! CAR files are CARv1 with DAG-CBOR blocks: the framing (varints, CIDs) is read here, the CBOR
//! by ciborium; records are found by walking the repository's Merkle search tree from the
//! commit, so each record's key (`collection/rkey`) is known. Block hashes are not verified.

use super::json::{self, Text};
use super::times;
use super::{head_data_lines, Format};
use crate::lines::for_each_line;
use crate::{Input, ReadError, ReadOptions, Sink};
use ciborium::Value;
use renown_model::{AccountRef, Deletion, Event, Kind, Profile, Record};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

pub struct Bluesky;

const PLATFORM: &str = "bluesky";

mod car;
mod jetstream;
mod records;
#[cfg(test)]
mod tests;

use car::*;
use jetstream::*;
use records::*;

impl Format for Bluesky {
    fn name(&self) -> &'static str {
        "bluesky"
    }
    fn describe(&self) -> &'static str {
        "Bluesky Jetstream NDJSON captures and repository CAR files"
    }
    fn sniff(&self, input: &Input) -> u8 {
        if input.is_dir {
            return 0;
        }
        if looks_like_car(&input.head) {
            return 95;
        }
        let lines = head_data_lines(input, 2);
        let jetstream = !lines.is_empty()
            && lines.iter().all(|l| {
                serde_json::from_slice::<serde_json::Value>(l).is_ok_and(|v| {
                    v.get("did").is_some() && (v.get("commit").is_some() || v.get("kind").is_some())
                })
            });
        if jetstream {
            95
        } else {
            0
        }
    }
    fn read(
        &self,
        input: &mut Input,
        _opts: &ReadOptions,
        sink: &mut dyn Sink,
    ) -> Result<(), ReadError> {
        if looks_like_car(&input.head) {
            let bytes = input.read_all(super::archive::MAX_MEMBER)?;
            return read_car(&bytes, sink);
        }
        let mut skipped = Skipped::default();
        let mut out = Vec::new();
        for_each_line(
            &mut input.stream,
            sink,
            |no, line, sink| match jetstream_line(line, &mut out, &mut skipped) {
                Ok(()) => {
                    for r in out.drain(..) {
                        sink.record(no, r)?;
                    }
                    Ok(())
                }
                Err(reason) => {
                    out.clear();
                    sink.reject(no, reason)
                }
            },
        )?;
        skipped.report(sink);
        Ok(())
    }
}
