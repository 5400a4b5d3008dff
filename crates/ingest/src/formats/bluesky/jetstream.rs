//! Jetstream NDJSON captures: one event envelope per line.

use super::*;

// Envelope strings are borrowed from the line where they have no escapes (they never do).
#[derive(Deserialize)]
pub(super) struct JetEvent<'a> {
    #[serde(borrow)]
    pub(super) did: Option<Text<'a>>,
    pub(super) time_us: Option<i64>,
    #[serde(borrow)]
    pub(super) kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) commit: Option<Commit<'a>>,
    pub(super) identity: Option<Identity>,
}

#[derive(Deserialize)]
pub(super) struct Commit<'a> {
    #[serde(borrow)]
    pub(super) operation: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) collection: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) rkey: Cow<'a, str>,
    // Boxed: the record is most of the event's size, and serde moves values up by copying.
    pub(super) record: Option<Box<BskyRecord>>,
}

#[derive(Deserialize)]
pub(super) struct Identity {
    pub(super) handle: Option<String>,
}

pub(super) fn jetstream_line(
    line: &[u8],
    out: &mut Vec<Record>,
    skipped: &mut Skipped,
) -> Result<(), String> {
    let ev: JetEvent = json::from_bytes(line).map_err(|e| format!("bad JSON: {e}"))?;
    let did = ev.did.as_deref().ok_or("no did")?;
    let time = ev.time_us.map(|us| us.div_euclid(1_000_000));
    match ev.kind.as_deref() {
        Some("commit") => {
            let c = ev.commit.ok_or("commit event without a commit")?;
            match &*c.operation {
                "create" | "update" => {
                    let rec = c.record.ok_or("create without a record")?;
                    if !record_events(did, &c.collection, &c.rkey, &rec, time, out)? {
                        *skipped.0.entry(c.collection.into_owned()).or_default() += 1;
                    }
                }
                "delete" => out.push(deletion(did, &c.collection, &c.rkey, time)),
                other => return Err(format!("unknown commit operation {other:?}")),
            }
        }
        Some("identity") => {
            if let Some(h) = ev.identity.and_then(|i| i.handle) {
                out.push(Record::Profile(Profile {
                    platform: PLATFORM.into(),
                    account: AccountRef::with_handle(did, Some(format!("@{h}"))),
                    ..Profile::default()
                }));
            }
        }
        Some("account") => {}
        Some(other) => return Err(format!("unknown event kind {other:?}")),
        None => return Err("no kind".into()),
    }
    Ok(())
}
