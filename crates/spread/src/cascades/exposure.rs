//! Who saw whom, and since when: the exposure an inferred cascade hangs its adopters by.

use super::*;

/// Who saw whom, and since when: the first follow of or engagement with each account.
#[derive(Default)]
pub struct Exposure {
    /// Per account: (account it follows or engaged with, since; `None` = timeless).
    pub(super) since: HashMap<u32, HashMap<u32, Option<i64>>>,
}

impl Exposure {
    pub(super) fn from_store(store: &Store, opts: &CascadeOptions) -> Result<Exposure> {
        let mut kinds = renown_model::ENGAGEMENT_KINDS.to_vec();
        kinds.push(Kind::Follow);
        let filter = EventFilter {
            kinds: Some(kinds),
            since: None,
            until: opts.scope.as_of,
            topic: None,
            platform: opts.scope.platform.clone(),
        };
        let mut x = Exposure::default();
        store.scan_events(&filter, |e| {
            if let Some(t) = e.target {
                x.add(e.actor, t, e.time);
            }
        })?;
        Ok(x)
    }

    /// Records that `a` followed or engaged with `b` at `time`.
    pub fn add(&mut self, a: u32, b: u32, time: Option<i64>) {
        if a == b {
            return;
        }
        let slot = self.since.entry(a).or_default().entry(b).or_insert(time);
        *slot = match (*slot, time) {
            (None, _) | (_, None) => None,
            (Some(x), Some(y)) => Some(x.min(y)),
        };
    }

    /// When `a` could first see `b`'s shares, if before `t`.
    pub(super) fn seen_before(&self, a: u32, b: u32, t: Option<i64>) -> Option<Option<i64>> {
        let s = *self.since.get(&a)?.get(&b)?;
        match (s, t) {
            (None, _) => Some(None),
            (Some(s), Some(t)) if s < t => Some(Some(s)),
            _ => None,
        }
    }
}
