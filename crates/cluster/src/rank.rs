//! One worker's part of `renown cluster rank`, in rounds over one timely dataflow.
//!
//! The dataflow is a single exchange of [`Batch`]es: a round sends one batch per destination
//! worker (every value for it) at epoch `r`, closes the epoch, and steps the worker until the
//! probe says every worker's epoch-`r` batches have been taken by their receivers. The
//! computation between rounds is plain Rust over the accounts this worker owns
//! ([`Layout::owner`]):
//!
//! 1. load: the first worker of each process reads its stores and sends each owner one vector
//!    of its accounts and one of the events whose target it owns;
//! 2. counts: followers (the follows standing at the date, pair by pair) and engagement
//!    received are sums over the owner's own events;
//! 3. PageRank: the follow edges sit with their target, as in the single-machine pull kernel;
//!    each worker subscribes to the sources of its in-edges at their owners (which learn the
//!    out-degrees from the subscriptions), then every iteration each owner sends each
//!    subscribing worker one vector of `x[u] / outdeg(u)` in its slot order, and the dangling
//!    mass and the L1 change are summed over all workers (in worker order, so every worker
//!    takes the same stop decision); from the uniform start, accounts without an in-edge all
//!    hold one value, which every worker knows, so they send nothing after one setup round
//!    and are not swept: their part of a target's sum is that value times `Σ w_uv / W_u`
//!    over them, a constant the target's owner computes once, and their part of the L1 step
//!    and of the dangling mass is their number times one value;
//! 4. gather: each worker sends its top rows to worker 0, which ranks them.

use crate::input::{Account, Edge, What, FOR_COUNT, FOR_GRAPH};
use crate::key::Layout;
use crate::{ClusterError, Measure, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Concat, Input, Probe};
use timely::dataflow::{InputHandleVec, ProbeHandle};
use timely::worker::Worker;

/// PageRank's parameters: those of `renown rank --by pagerank` (renown-measures' `scaled` over
/// renown-graph's kernel, networkx's conventions): damping d (0.85 unless `[pagerank]` sets
/// it), uniform teleport, dangling mass spread uniformly, stop when an iteration changes the
/// scores (summing to 1) by less than 1e-14 in L1 — the kernel's `tolerance × n` with
/// tolerance `1e-14 / n`, computed the same way (renown-measures' `pagerank::STEP`: that small
/// so scores equal at the fixed point settle as one tie) — or after [`max_iterations`]; scores
/// are reported × n.
pub const STEP: f64 = 1e-14;

/// `scaled`'s cap on iterations: what a step of [`STEP`] needs at damping `d`, a third more,
/// at least 200.
pub fn max_iterations(damping: f64) -> usize {
    let needed = if damping > 0.0 {
        ((STEP / 2.0).ln() / damping.ln()).ceil() as usize
    } else {
        1
    };
    needed.saturating_add(needed / 3).max(200)
}

/// One account's result, as gathered on worker 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The account, named as its shard store names it.
    pub account: Account,
    /// Its score under the job's measure.
    pub score: f64,
    /// Its standing followers, shown beside the score as `renown rank` does.
    pub followers: f64,
    /// Competition rank (1, 2, 2, 4), set on worker 0.
    pub rank: u32,
}

/// What worker 0 returns.
#[derive(Clone, Debug)]
pub struct Gathered {
    /// Accounts in the union of the shards.
    pub total: u64,
    /// The top rows (all with `top` 0), by score then key.
    pub rows: Vec<Row>,
    /// PageRank iterations (0 for counts).
    pub iterations: usize,
    /// L1 change of the last PageRank iteration.
    pub delta: f64,
    /// What makes the scope or the scores degenerate, as the single machine says it for the
    /// same scope (every process's stores counted); empty from an incremental run.
    pub warnings: Vec<renown_measures::Warning>,
}

/// What a worker tells the others about the run.
#[derive(Clone, Debug, Default)]
pub struct Traffic {
    /// Messages and their payload bytes (bincode) sent to workers of other processes, per round.
    pub rounds: Vec<(u64, u64)>,
}

/// One value for worker `to`: what the round's callers hand over and get back.
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    pub(crate) to: u32,
    pub(crate) body: Body,
}

/// `items` grouped by the worker owning each one's `key`, one message per worker that gets
/// any (in worker order, each group in the items' order), made by `body`.
pub(crate) fn to_owners<T>(
    layout: Layout,
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> u64,
    body: impl Fn(Vec<T>) -> Body,
) -> impl Iterator<Item = Msg> {
    let mut groups: Vec<Vec<T>> = (0..layout.peers()).map(|_| Vec::new()).collect();
    for item in items {
        groups[layout.owner(key(&item)) as usize].push(item);
    }
    groups
        .into_iter()
        .enumerate()
        .filter(|(_, group)| !group.is_empty())
        .map(move |(to, group)| Msg {
            to: to as u32,
            body: body(group),
        })
}

/// What crosses the exchange: every value of one round for one worker, in one record (one
/// timely record and one serialisation per destination per round, not one per value).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Batch {
    to: u32,
    /// The round it belongs to: a worker still finishing round `r` can already receive round
    /// `r + 1` from a faster one.
    round: u64,
    bodies: Vec<Body>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Body {
    /// The accounts of a shard this worker owns (or, to worker 0, the names it asked for).
    Accounts(Vec<Account>),
    /// The accounts of a shard this worker owns, by key and check
    /// ([`crate::key::account_key_and_check`]): what a rank needs of them until its rows are
    /// named.
    Keys(#[serde(with = "packed")] Vec<(u64, u64)>),
    /// A worker's top rows `(key, score, followers)`, to worker 0.
    Ranked(Vec<(u64, f64, f64)>),
    /// Keys whose names a reading worker is asked for.
    Name(Vec<u64>),
    /// The events of a shard whose target this worker owns.
    Edges(#[serde(with = "packed")] Vec<Edge>),
    /// Worker `from` has in-edges of total `weight` from `node` and keeps its contribution in
    /// `slot`.
    Subscribe {
        node: u64,
        from: u32,
        slot: u32,
        weight: f64,
    },
    /// Worker `from` keeps a slot for each of `keys` (the receiver's accounts, in the order of
    /// its slots for them: ascending keys, [`Slots`]), and has in-edges of total weight
    /// `weights[i]` from `keys[i]`.
    Sources {
        from: u32,
        #[serde(with = "packed")]
        keys: Vec<u64>,
        #[serde(with = "packed")]
        weights: Vec<f64>,
    },
    /// Owner `from`'s values for every slot the receiver keeps for its accounts, in slot order
    /// ([`Slots`], [`Feeds`]).
    Values {
        from: u32,
        #[serde(with = "packed")]
        values: Vec<f64>,
    },
    /// One worker's part of a sum every worker needs, and the first error it met.
    Reduce {
        from: u32,
        values: Vec<f64>,
        error: Option<String>,
    },
    Row(Box<Row>),
    /// Worker `from` holds pairs endorsed by each `node` and keeps what it learns of them in
    /// its slots for the receiver's accounts, in this order; `a` and `b` are its part of two
    /// sums over `node`'s pairs (earned influence).
    Parts {
        from: u32,
        items: Vec<(u64, f64, f64)>,
    },
    /// Pairs `actor → target` with their strength (for the reverse pairs' reciprocity):
    /// `(target, actor, strength)`.
    Reversed(Vec<(u64, u64, f64)>),
    /// Changes for the receiver's accounts (incremental runs): `(account, Δ followers,
    /// Δ engagement)` and standing follows `(target, follower, since, +1 / −1)`.
    Changes {
        counts: Vec<(u64, f64, f64)>,
        edges: Vec<(u64, u64, i64, i64)>,
    },
}

/// A value of fixed size that crosses the exchange as little-endian bytes.
pub(crate) trait Pack: Sized {
    /// Its size in bytes.
    const BYTES: usize;
    /// Appends its bytes to `out`.
    fn pack(&self, out: &mut Vec<u8>);
    /// Reads it from `BYTES` bytes.
    fn unpack(b: &[u8]) -> Self;
}

/// `b[at..at + 8]` as a little-endian `u64`.
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

impl Pack for u64 {
    const BYTES: usize = 8;
    fn pack(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn unpack(b: &[u8]) -> Self {
        u64_at(b, 0)
    }
}

impl Pack for f64 {
    const BYTES: usize = 8;
    fn pack(&self, out: &mut Vec<u8>) {
        // The bits, NaN payloads included: the value arrives as it left.
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }
    fn unpack(b: &[u8]) -> Self {
        f64::from_bits(u64_at(b, 0))
    }
}

impl Pack for (u64, u64) {
    const BYTES: usize = 16;
    fn pack(&self, out: &mut Vec<u8>) {
        self.0.pack(out);
        self.1.pack(out);
    }
    fn unpack(b: &[u8]) -> Self {
        (u64_at(b, 0), u64_at(b, 8))
    }
}

impl Pack for Edge {
    const BYTES: usize = 1 + 4 + 1 + 8 + 8 + 8 + 8 + 1;
    fn pack(&self, out: &mut Vec<u8>) {
        out.push(match self.what {
            What::Follow => 0,
            What::Unfollow => 1,
            What::Engage => 2,
        });
        out.extend_from_slice(&self.weight.to_bits().to_le_bytes());
        out.push(self.kind);
        self.actor.pack(out);
        self.target.pack(out);
        out.extend_from_slice(&self.time.to_le_bytes());
        self.order.pack(out);
        out.push(self.uses);
    }
    fn unpack(b: &[u8]) -> Self {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[1..5]);
        Edge {
            what: match b[0] {
                0 => What::Follow,
                1 => What::Unfollow,
                _ => What::Engage,
            },
            weight: f32::from_bits(u32::from_le_bytes(w)),
            kind: b[5],
            actor: u64_at(b, 6),
            target: u64_at(b, 14),
            time: u64_at(b, 22) as i64,
            order: u64_at(b, 30),
            uses: b[38],
        }
    }
}

/// A vector of [`Pack`] values serialised as one run of bytes (`#[serde(with = "packed")]`):
/// one copy of the vector, where serde would call the serialiser once per field of every item.
/// The bytes are the same count as bincode's for the items' fields.
pub(crate) mod packed {
    use super::Pack;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use std::marker::PhantomData;

    pub(crate) fn serialize<T: Pack, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(v.len() * T::BYTES);
        for x in v {
            x.pack(&mut bytes);
        }
        s.serialize_bytes(&bytes)
    }

    pub(crate) fn deserialize<'de, T: Pack, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        struct Bytes<T>(PhantomData<T>);
        impl<'de, T: Pack> Visitor<'de> for Bytes<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "bytes, {} per item", T::BYTES)
            }
            fn visit_bytes<E: Error>(self, b: &[u8]) -> Result<Vec<T>, E> {
                if !b.len().is_multiple_of(T::BYTES) {
                    return Err(E::invalid_length(b.len(), &self));
                }
                Ok(b.chunks_exact(T::BYTES).map(T::unpack).collect())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut b = Vec::new();
                while let Some(x) = seq.next_element::<u8>()? {
                    b.push(x);
                }
                self.visit_bytes(&b)
            }
        }
        d.deserialize_bytes(Bytes(PhantomData))
    }
}

/// The bincode payload of a value (what crosses a process boundary, headers aside).
fn payload_bytes(body: &Body) -> u64 {
    // A u32 variant tag, then the fields; strings and vectors are a u64 length and the items.
    let s = |x: &str| 8 + x.len() as u64;
    let account =
        |a: &Account| 8 + s(&a.platform) + s(&a.native_id) + 1 + a.handle.as_deref().map_or(0, s);
    4 + match body {
        Body::Accounts(v) => 8 + v.iter().map(account).sum::<u64>(),
        Body::Keys(v) => 8 + 16 * v.len() as u64,
        Body::Ranked(v) => 8 + 24 * v.len() as u64,
        Body::Name(v) => 8 + 8 * v.len() as u64,
        Body::Edges(v) => 8 + v.len() as u64 * Edge::BYTES as u64,
        Body::Subscribe { .. } => 8 + 4 + 4 + 8,
        Body::Sources { keys, weights, .. } => 4 + 16 + 8 * (keys.len() + weights.len()) as u64,
        Body::Values { values, .. } => 4 + 8 + 8 * values.len() as u64,
        Body::Reduce { values, error, .. } => {
            4 + 8 + 8 * values.len() as u64 + 1 + error.as_deref().map_or(0, s)
        }
        Body::Parts { items, .. } => 4 + 8 + 24 * items.len() as u64,
        Body::Reversed(v) => 8 + 24 * v.len() as u64,
        Body::Changes { counts, edges } => 16 + 24 * counts.len() as u64 + 32 * edges.len() as u64,
        Body::Row(r) => account(&r.account) + 8 + 8 + 4,
    }
}

/// The accounts of other workers this worker reads, one slot each, numbered by owner then key:
/// the slots of one owner are a range, which that owner fills with one vector of values.
pub(crate) struct Slots {
    /// The account of each slot.
    pub(crate) keys: Vec<u64>,
    /// Where each worker's range starts (`peers + 1` entries).
    starts: Vec<usize>,
}

impl Slots {
    /// Slots for the accounts `keys` names (a key named twice has one slot), with the slot of
    /// each position of `keys` (a sort, not a hash table: cheaper for a few hundred thousand).
    pub(crate) fn assign(keys: &[u64], layout: Layout) -> (Slots, Vec<u32>) {
        let mut order: Vec<(u32, u64, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (layout.owner(k), k, i as u32))
            .collect();
        order.sort_unstable();
        let mut slot_keys: Vec<u64> = Vec::new();
        let mut slot_at = vec![0u32; keys.len()];
        let mut starts = vec![0usize; layout.peers() as usize + 1];
        for &(owner, k, i) in &order {
            if slot_keys.last() != Some(&k) {
                slot_keys.push(k);
                starts[owner as usize + 1] += 1;
            }
            slot_at[i as usize] = (slot_keys.len() - 1) as u32;
        }
        for w in 0..layout.peers() as usize {
            starts[w + 1] += starts[w];
        }
        (
            Slots {
                keys: slot_keys,
                starts,
            },
            slot_at,
        )
    }

    /// The slots `keep` says yes to, numbered in the same order, with each old slot's new
    /// number (`u32::MAX` for a slot dropped).
    pub(crate) fn retain(&self, keep: impl Fn(usize) -> bool) -> (Slots, Vec<u32>) {
        let mut keys = Vec::new();
        // How many slots are kept before each old slot (and in all).
        let mut kept_before = Vec::with_capacity(self.keys.len() + 1);
        let renumbered = (0..self.keys.len())
            .map(|slot| {
                kept_before.push(keys.len());
                if keep(slot) {
                    keys.push(self.keys[slot]);
                    keys.len() as u32 - 1
                } else {
                    u32::MAX
                }
            })
            .collect();
        kept_before.push(keys.len());
        let starts = self.starts.iter().map(|&s| kept_before[s]).collect();
        (Slots { keys, starts }, renumbered)
    }

    /// The slots of the accounts `owner` owns.
    pub(crate) fn range(&self, owner: u32) -> std::ops::Range<usize> {
        self.starts[owner as usize]..self.starts[owner as usize + 1]
    }

    /// Writes the values received in `bodies` into their slots.
    pub(crate) fn fill(&self, bodies: &[Body], into: &mut [f64]) {
        for b in bodies {
            if let Body::Values { from, values } = b {
                let (lo, hi) = (self.starts[*from as usize], self.starts[*from as usize + 1]);
                // The owner sends one value per slot of its range (every slot subscribed;
                // fewer only when it met a key it does not own, an error the run reports).
                debug_assert_eq!(hi - lo, values.len());
                let n = (hi - lo).min(values.len());
                into[lo..lo + n].copy_from_slice(&values[..n]);
            }
        }
    }

    /// The values received in `bodies`, one per slot.
    pub(crate) fn values(&self, bodies: &[Body]) -> Vec<f64> {
        let mut v = vec![0.0; self.keys.len()];
        self.fill(bodies, &mut v);
        v
    }
}

/// At an owner: per worker that keeps slots for its accounts, the owned accounts in that
/// worker's slot order.
pub(crate) struct Feeds(Vec<(u32, Vec<u32>)>);

impl Feeds {
    /// Per subscribing worker (in worker order), the owned accounts in its slot order.
    pub(crate) fn from_lists(lists: Vec<(u32, Vec<u32>)>) -> Feeds {
        Feeds(lists)
    }

    /// The feeds of the owned accounts `keep` says yes to (each worker's in the same order;
    /// a worker left with none gets no message).
    pub(crate) fn retain(&self, keep: impl Fn(u32) -> bool) -> Feeds {
        Feeds(
            self.0
                .iter()
                .map(|(w, locals)| (*w, locals.iter().copied().filter(|&i| keep(i)).collect()))
                .filter(|(_, locals): &(u32, Vec<u32>)| !locals.is_empty())
                .collect(),
        )
    }

    /// Adds the values each subscribing worker sent in `bodies` (one per slot, in its slot
    /// order) into `into` by owned account, in worker order (the same bits on every run).
    pub(crate) fn add(&self, bodies: &[Body], into: &mut [f64]) {
        let mut received: Vec<(u32, &[f64])> = bodies
            .iter()
            .filter_map(|b| match b {
                Body::Values { from, values } => Some((*from, values.as_slice())),
                _ => None,
            })
            .collect();
        received.sort_unstable_by_key(|r| r.0);
        for (from, values) in received {
            if let Ok(k) = self.0.binary_search_by_key(&from, |f| f.0) {
                for (&i, &v) in self.0[k].1.iter().zip(values) {
                    if let Some(x) = into.get_mut(i as usize) {
                        *x += v;
                    }
                }
            }
        }
    }

    /// One message per subscribing worker carrying `value(i)` for each of its slots.
    pub(crate) fn messages(&self, me: u32, value: impl Fn(usize) -> f64) -> Vec<Msg> {
        self.0
            .iter()
            .map(|(to, locals)| Msg {
                to: *to,
                body: Body::Values {
                    from: me,
                    values: locals.iter().map(|&i| value(i as usize)).collect(),
                },
            })
            .collect()
    }
}

/// A worker's rounds over the one exchange.
pub(crate) struct Rounds<'w> {
    worker: &'w mut Worker,
    input: InputHandleVec<u64, Batch>,
    /// An input that never sends: it stays at the time of the last probed round while rounds
    /// end on their data, so that every later time is behind it and timely's progress
    /// tracking (demand mode) sends no progress message for those rounds; it catches up at
    /// the next probed round.
    hold: InputHandleVec<u64, Batch>,
    probe: ProbeHandle<u64>,
    inbox: Rc<RefCell<Vec<Batch>>>,
    pub(crate) layout: Layout,
    pub(crate) me: u32,
    progress: Arc<AtomicU64>,
    traffic: Traffic,
}

impl<'w> Rounds<'w> {
    pub(crate) fn new(worker: &'w mut Worker, layout: Layout, progress: Arc<AtomicU64>) -> Self {
        let inbox = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&inbox);
        let mut input = InputHandleVec::new();
        let mut hold = InputHandleVec::new();
        let probe = worker.dataflow::<u64, _, _>(|scope| {
            let held = scope.input_from(&mut hold);
            scope
                .input_from(&mut input)
                .concat(held)
                .container::<Vec<Batch>>()
                // Takes the batches (no copy); its output frontier passes a round only once
                // it has taken every batch of that round.
                .unary::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
                    Exchange::new(|b: &Batch| u64::from(b.to)),
                    "inbox",
                    move |_, _| {
                        move |input, _output| {
                            input.for_each(|_, data| sink.borrow_mut().append(data));
                        }
                    },
                )
                .probe()
                .0
        });
        let me = worker.index() as u32;
        Rounds {
            worker,
            input,
            hold,
            probe,
            inbox,
            layout,
            me,
            progress,
            traffic: Traffic::default(),
        }
    }

    /// Sends `out` (one batch per destination worker), waits for every worker's batches of
    /// this round, returns the values sent to this one. The round ends when timely's progress
    /// tracking (the probe) says every batch of it was taken: a second exchange, of progress
    /// messages, after the data. For rounds whose senders are not known in advance.
    pub(crate) fn round(&mut self, out: impl IntoIterator<Item = Msg>) -> Vec<Body> {
        self.exchange(out, false)
    }

    /// As [`Rounds::round`], for a round in which every worker sends every worker (itself
    /// included) one batch, empty if it has nothing for it: every worker calls this one in
    /// the same round. The round ends as soon as this worker holds the round's batch of every
    /// worker, without waiting for the progress messages that confirm it (the data itself
    /// says the round is complete). The input still advances, so timely retires the epoch.
    pub(crate) fn round_all(&mut self, out: impl IntoIterator<Item = Msg>) -> Vec<Body> {
        self.exchange(out, true)
    }

    fn exchange(&mut self, out: impl IntoIterator<Item = Msg>, from_all: bool) -> Vec<Body> {
        let (mut records, mut bytes) = (0u64, 0u64);
        let my_process = self.me / self.layout.workers;
        let round = self.input.time() + 1;
        let peers = self.layout.peers() as usize;
        let mut batches: Vec<Vec<Body>> = (0..peers).map(|_| Vec::new()).collect();
        for m in out {
            batches[m.to as usize].push(m.body);
        }
        for (to, bodies) in batches.into_iter().enumerate() {
            if bodies.is_empty() && !from_all {
                continue;
            }
            let to = to as u32;
            if to / self.layout.workers != my_process {
                records += 1;
                bytes += 12 + bodies.iter().map(payload_bytes).sum::<u64>();
            }
            self.input.send(Batch { to, round, bodies });
        }
        self.traffic.rounds.push((records, bytes));
        let next = self.input.time() + 1;
        self.input.advance_to(next);
        // Parked, not spinning: a spinning worker takes the CPU its own network threads need
        // to deliver what it waits for.
        let park = Some(std::time::Duration::from_millis(10));
        if from_all {
            let arrived = |inbox: &Rc<RefCell<Vec<Batch>>>| {
                inbox.borrow().iter().filter(|b| b.round == round).count()
            };
            while arrived(&self.inbox) < peers {
                self.worker.step_or_park(park);
            }
        } else {
            self.hold.advance_to(next);
            while self.probe.less_than(&next) {
                self.worker.step_or_park(park);
            }
        }
        self.progress.fetch_add(1, Ordering::Relaxed);
        let mut inbox = self.inbox.borrow_mut();
        let (now, later): (Vec<Batch>, Vec<Batch>) = std::mem::take(&mut *inbox)
            .into_iter()
            .partition(|b| b.round == round);
        *inbox = later;
        now.into_iter().flat_map(|b| b.bodies).collect()
    }

    /// Steps the worker (every dataflow it runs) while `busy` says so.
    pub(crate) fn step_while(&mut self, mut busy: impl FnMut() -> bool) {
        while busy() {
            self.worker
                .step_or_park(Some(std::time::Duration::from_millis(10)));
        }
        self.progress.fetch_add(1, Ordering::Relaxed);
    }

    /// What this worker sent to other processes, round by round.
    pub(crate) fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// Every worker's `values`, in worker order, and the first error any worker had.
    pub(crate) fn all_gather(
        &mut self,
        values: Vec<f64>,
        error: Option<String>,
    ) -> (Vec<Vec<f64>>, Option<String>) {
        let peers = self.layout.peers();
        let me = self.me;
        let out: Vec<Msg> = (0..peers)
            .map(|to| Msg {
                to,
                body: Body::Reduce {
                    from: me,
                    values: values.clone(),
                    error: error.clone(),
                },
            })
            .collect();
        let mut parts: Vec<(u32, Vec<f64>, Option<String>)> = self
            .round_all(out)
            .into_iter()
            .filter_map(|m| match m {
                Body::Reduce {
                    from,
                    values,
                    error,
                } => Some((from, values, error)),
                _ => None,
            })
            .collect();
        parts.sort_by_key(|p| p.0);
        let first_error = parts.iter_mut().find_map(|p| p.2.take());
        (parts.into_iter().map(|p| p.1).collect(), first_error)
    }
}

/// An iteration's dangling mass and L1 change: `start` plus every worker's part (`values[0]`,
/// `values[1]`), added in the order of `parts` (sorted by worker: the bits do not depend on
/// arrival); the first error a worker reported, in that order, ends the run.
pub(crate) fn sum_parts(
    parts: Vec<(u32, Vec<f64>, Option<String>)>,
    start: (f64, f64),
) -> Result<(f64, f64)> {
    let (mut dangling, mut delta) = start;
    for (_, v, e) in parts {
        dangling += v[0];
        delta += v[1];
        if let Some(e) = e {
            return Err(ClusterError::Failed(e));
        }
    }
    Ok((dangling, delta))
}

/// What every worker of a run is asked.
#[derive(Clone, Debug)]
pub struct Task {
    /// What to compute.
    pub measure: Measure,
    /// Rows to gather (0 = all).
    pub top: usize,
    /// The date (`--as-of`): earned influence's reference time T when given.
    pub as_of: Option<i64>,
    /// The scope's topic (`--topic`), for the warnings.
    pub topic: Option<String>,
    /// The scope's platform (`--platform`), for the warnings.
    pub platform: Option<String>,
    /// Earned influence's parameters.
    pub earned: renown_measures::earned::EarnedParams,
    /// PageRank's damping.
    pub pagerank_damping: f64,
    /// PageRank's cap on iterations ([`max_iterations`] of the damping unless set).
    pub pagerank_cap: Option<usize>,
    /// Events each process sends per loading round.
    pub load_chunk: usize,
}

/// Events a reader sends per round while loading: one process never holds more of its shard
/// as events than this (besides what its own workers own).
pub const LOAD_CHUNK: usize = 1 << 20;

/// What the first worker of each process reads: its shard stores' accounts (by key), then
/// their events in bounded chunks, and at the end the names of the accounts gathered.
pub trait Shards {
    /// Opens the stores; the key and check ([`crate::key::account_key_and_check`]) of every
    /// account they hold.
    fn accounts(&mut self) -> Result<Vec<(u64, u64)>>;
    /// The accounts among those read whose key `wanted` holds, named.
    fn name(&self, wanted: &FxHashSet<u64>) -> Result<Vec<Account>>;
    /// Streams the events in scope to `sink` in chunks of at most `chunk`.
    fn events(&mut self, chunk: usize, sink: &mut dyn FnMut(Vec<Edge>)) -> Result<()>;
    /// What the scope holds in the stores read (`ScopeFacts::to_numbers`), once the events
    /// are read; empty if they were not.
    fn facts(&self) -> Vec<f64>;
}

/// What an owner keeps of the events it receives, as they arrive (chunk by chunk: the events
/// themselves are never held whole).
struct Intake<'a> {
    task: &'a Task,
    index: &'a FxHashMap<u64, u32>,
    earned_weight: [f64; 256],
    engagement: Vec<f64>,
    follow_rows: Vec<(u64, u64, i64, u64, bool, u8)>,
    /// The engagement graph's edges (target index, source, kind weight), duplicates not merged.
    engaged: Vec<(u32, u64, f32)>,
    /// Earned influence's input: the engagement events with their time and store order.
    endorsements: Vec<crate::earned::Endorsement>,
    /// The newest engagement earned influence reads (its reference time without a date).
    newest: f64,
    error: Option<String>,
}

impl Intake<'_> {
    fn take(&mut self, edges: Vec<Edge>) {
        let weighted = self.task.measure == Measure::EngagementPageRank;
        let earned = self.task.measure == Measure::Earned;
        for e in edges {
            let Some(&t) = self.index.get(&e.target) else {
                self.error.get_or_insert_with(|| {
                    format!(
                        "an event names account key {:#018x} that no store lists",
                        e.target
                    )
                });
                continue;
            };
            match e.what {
                What::Engage => {
                    self.engagement[t as usize] += 1.0;
                    if weighted && e.weight > 0.0 {
                        self.engaged.push((t, e.actor, e.weight));
                    }
                    if earned {
                        if e.time != i64::MIN && self.earned_weight[e.kind as usize] > 0.0 {
                            self.newest = self.newest.max(e.time as f64);
                        }
                        self.endorsements.push(crate::earned::Endorsement {
                            target: t,
                            actor: e.actor,
                            kind: e.kind,
                            time: e.time,
                            order: e.order,
                        });
                    }
                }
                What::Follow | What::Unfollow => self.follow_rows.push((
                    e.target,
                    e.actor,
                    e.time,
                    e.order,
                    e.what == What::Follow,
                    e.uses,
                )),
            }
        }
    }
}

/// One loading round: `chunk` to its owners, what arrived into `intake`; whether every worker
/// said it was `done` reading (then loading is over, on every worker at the same round).
fn load_round(
    rounds: &mut Rounds<'_>,
    intake: &mut Intake<'_>,
    chunk: Vec<Edge>,
    done: bool,
) -> bool {
    let layout = rounds.layout;
    let me = rounds.me;
    let mut out: Vec<Msg> = to_owners(layout, chunk, |e| e.target, Body::Edges).collect();
    out.extend((0..layout.peers()).map(|w| Msg {
        to: w,
        body: Body::Reduce {
            from: me,
            values: vec![if done { 1.0 } else { 0.0 }],
            error: None,
        },
    }));
    let mut all_done = true;
    for body in rounds.round_all(out) {
        match body {
            Body::Edges(list) => intake.take(list),
            Body::Reduce { values, .. } => all_done &= values.first() == Some(&1.0),
            _ => {}
        }
    }
    all_done
}

/// Runs one worker. `shards` is given on the first worker of each process only: what that
/// process reads. Worker 0 returns the gathered ranking.
pub fn run_worker(
    worker: &mut Worker,
    layout: Layout,
    task: &Task,
    mut shards: Option<&mut dyn Shards>,
    progress: Arc<AtomicU64>,
) -> Result<(Option<Gathered>, Traffic)> {
    let mut rounds = Rounds::new(worker, layout, progress);
    let me = rounds.me;

    // 1. Load: every account to its owner (one round), then the events in chunks of at most
    //    `load_chunk` per process and round, each owner keeping what it needs of them.
    //    Owners learn their accounts by key (and a second hash, to tell two accounts with one
    //    key apart); the names stay with the process that read them until the gather.
    let mut load_error = None;
    let mut out = Vec::new();
    if let Some(shards) = shards.as_deref_mut() {
        match shards.accounts() {
            Ok(keyed) => out.extend(to_owners(layout, keyed, |k| k.0, Body::Keys)),
            Err(e) => load_error = Some(format!("process {}: {e}", me / layout.workers)),
        }
    }
    let mut keyed: Vec<(u64, u64)> = Vec::new();
    for body in rounds.round(out) {
        if let Body::Keys(list) = body {
            keyed.extend(list);
        }
    }
    // Owned accounts in key order: the local index.
    keyed.sort_unstable();
    keyed.dedup();
    let mut error = None;
    if let Some(w) = keyed.windows(2).find(|w| w[0].0 == w[1].0) {
        error = Some(format!(
            "two accounts have the same 64-bit key {:#018x}: run them on one machine",
            w[0].0
        ));
    }
    let mut owned: Vec<u64> = keyed.into_iter().map(|k| k.0).collect();
    owned.dedup();
    let index: FxHashMap<u64, u32> = owned
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let local = owned.len();
    let mut intake = Intake {
        task,
        index: &index,
        earned_weight: crate::earned::kind_weight(&task.earned),
        engagement: vec![0.0; local],
        follow_rows: Vec::new(),
        engaged: Vec::new(),
        endorsements: Vec::new(),
        newest: f64::NEG_INFINITY,
        error,
    };
    let mut facts = Vec::new();
    if let Some(shards) = shards.as_deref_mut().filter(|_| load_error.is_none()) {
        let read = shards.events(task.load_chunk, &mut |chunk| {
            load_round(&mut rounds, &mut intake, chunk, false);
        });
        if let Err(e) = read {
            load_error = Some(format!("process {}: {e}", me / layout.workers));
        }
        facts = shards.facts();
    }
    while !load_round(&mut rounds, &mut intake, Vec::new(), true) {}
    let Intake {
        engagement,
        mut follow_rows,
        engaged,
        endorsements,
        newest,
        error,
        ..
    } = intake;
    // With the count of accounts, earned influence's reference time when no date is given:
    // the newest engagement anywhere, and what each reader's stores hold of the scope (one
    // round for all three).
    let mut values = vec![local as f64, newest];
    values.extend(facts);
    let (parts, error) = rounds.all_gather(values, load_error.or(error));
    if let Some(e) = error {
        return Err(ClusterError::Failed(e));
    }
    let n = parts.iter().fold(0.0, |s, p| s + p[0]);
    let newest = parts.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
    let mut facts = renown_measures::ScopeFacts::empty(&renown_measures::Scope::new(
        task.as_of,
        task.topic.clone(),
        task.platform.clone(),
    ));
    for p in &parts {
        facts.add_numbers(&p[2..]);
    }
    // Times are whole seconds far below 2^53: exact in f64.
    let reference = task.as_of.or(newest.is_finite().then_some(newest as i64));

    // 2. Counts.
    let mut followers = vec![0.0f64; local];
    follow_rows.sort_unstable_by_key(|r| (r.0, r.1, r.2, r.3));
    // The follows standing at the date: per pair the last follow or unfollow (time, then
    // store order) is a follow; the count and the graph each among the rows they read.
    let standing_among = |uses: u8| -> Vec<(u32, u64, i64)> {
        let rows: Vec<&(u64, u64, i64, u64, bool, u8)> =
            follow_rows.iter().filter(|r| r.5 & uses != 0).collect();
        let mut out = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let last = rows
                .get(i + 1)
                .is_none_or(|next| (next.0, next.1) != (r.0, r.1));
            if last && r.4 {
                out.push((index[&r.0], r.1, r.2));
            }
        }
        out
    };
    for &(t, _, _) in &standing_among(FOR_COUNT) {
        followers[t as usize] += 1.0;
    }
    // With the time of the follow that stands (`i64::MIN`: timeless), for earned influence.
    let standing_since = match task.measure {
        Measure::PageRank | Measure::Earned => standing_among(FOR_GRAPH),
        _ => Vec::new(),
    };
    drop(follow_rows);
    let standing: Vec<(u32, u64, f32)> = match task.measure {
        Measure::PageRank => standing_since
            .iter()
            .map(|&(t, a, _)| (t, a, 1.0))
            .collect(),
        _ => Vec::new(),
    };

    let solve = Solve {
        damping: task.pagerank_damping,
        step: STEP,
        cap: task
            .pagerank_cap
            .unwrap_or_else(|| max_iterations(task.pagerank_damping)),
    };
    // With the iteration's stop when it ran to its cap above its step (PageRank only, as on
    // one machine).
    let (scores, iterations, delta, unconverged) = match task.measure {
        Measure::Followers => (followers.clone(), 0, 0.0, None),
        Measure::Engagement => (engagement, 0, 0.0, None),
        Measure::PageRank => pagerank(&mut rounds, &owned, standing, n, solve)?,
        Measure::EngagementPageRank => pagerank(&mut rounds, &owned, engaged, n, solve)?,
        Measure::Earned => {
            let (scores, iterations, delta) = crate::earned::solve(
                &mut rounds,
                &index,
                &owned,
                endorsements,
                standing_since,
                &task.earned,
                reference,
                crate::earned::Warm::default(),
            )?;
            (scores, iterations, delta, None)
        }
    };

    // 4. Gather each worker's top rows on worker 0, named by the processes that read them,
    //    with the single machine's warnings for the scope and the scores.
    let gathered = gather_named(
        &mut rounds,
        &owned,
        &scores,
        &followers,
        task.top,
        shards.as_deref(),
    )?;
    let traffic = rounds.traffic.clone();
    let gathered = match gathered {
        Some((rows, constant)) => {
            let spec = renown_measures::measure(task.measure.name())
                .map_err(|e| ClusterError::Failed(e.to_string()))?;
            let mut warnings = facts.warnings();
            warnings.extend(facts.constant_warnings(spec, constant, n as usize));
            warnings.extend(renown_measures::Warning::unconverged(
                spec.name,
                unconverged,
            ));
            Some(Gathered {
                total: n as u64,
                rows,
                iterations,
                delta,
                warnings,
            })
        }
        None => None,
    };
    Ok((gathered, traffic))
}

/// Adds the accounts a shard sent to those this worker owns; two accounts with one key are an
/// error (the first kept in `error`).
pub(crate) fn merge_accounts(
    list: Vec<Account>,
    accounts: &mut FxHashMap<u64, Account>,
    error: &mut Option<String>,
) {
    accounts.reserve(list.len());
    for a in list {
        match accounts.get_mut(&a.key) {
            None => {
                accounts.insert(a.key, a);
            }
            Some(have) if (&have.platform, &have.native_id) != (&a.platform, &a.native_id) => {
                error.get_or_insert_with(|| {
                    format!(
                        "accounts {}:{} and {}:{} have the same 64-bit key {:#018x}: \
                         run them on one machine",
                        have.platform, have.native_id, a.platform, a.native_id, a.key
                    )
                });
            }
            // A handle one shard learned and another did not: keep the known, and of two the
            // smaller, so the answer does not depend on arrival order.
            Some(have) => {
                if a.handle.is_some() && (have.handle.is_none() || a.handle < have.handle) {
                    have.handle = a.handle;
                }
            }
        }
    }
}

/// Each worker's `top` rows (all with 0) of the accounts `owned` (keys) by `scores` go to
/// worker 0, which ranks them; the reading worker of each process names, from the stores it
/// read (`shards`), every key of those rows it knows (each worker sends its rows' keys to every
/// reader in the same round as its rows), and worker 0 returns the rows named with the score
/// every account has when all (one at least) have one (`renown_measures::constant` over the
/// cluster: each worker sends its count, least and greatest score with its rows); `None` on
/// the other workers.
pub(crate) fn gather_named(
    rounds: &mut Rounds<'_>,
    owned: &[u64],
    scores: &[f64],
    followers: &[f64],
    top: usize,
    shards: Option<&dyn Shards>,
) -> Result<Option<(Vec<Row>, Option<f64>)>> {
    let mut order: Vec<u32> = (0..owned.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(owned[a as usize].cmp(&owned[b as usize]))
    });
    if top > 0 {
        order.truncate(top);
    }
    let layout = rounds.layout;
    let keys: Vec<u64> = order.iter().map(|&i| owned[i as usize]).collect();
    let mut out: Vec<Msg> = (0..layout.processes)
        .map(|p| Msg {
            to: p * layout.workers,
            body: Body::Name(keys.clone()),
        })
        .collect();
    out.push(Msg {
        to: 0,
        body: Body::Ranked(
            order
                .iter()
                .map(|&i| (owned[i as usize], scores[i as usize], followers[i as usize]))
                .collect(),
        ),
    });
    // A score every account here has (NaN when they differ), and how many there are.
    let one = match scores.first() {
        Some(&s) if scores.iter().all(|&x| x == s) => s,
        _ => f64::NAN,
    };
    out.push(Msg {
        to: 0,
        body: Body::Reduce {
            from: rounds.me,
            values: vec![scores.len() as f64, one],
            error: None,
        },
    });
    let mut ranked: Vec<(u64, f64, f64)> = Vec::new();
    let mut wanted: FxHashSet<u64> = FxHashSet::default();
    let (mut counted, mut common, mut constant) = (0.0f64, None, true);
    for body in rounds.round(out) {
        match body {
            Body::Ranked(rows) => ranked.extend(rows),
            Body::Name(keys) => wanted.extend(keys),
            Body::Reduce { values, .. } if values.len() == 2 && values[0] > 0.0 => {
                counted += values[0];
                constant &= common.is_none_or(|c| c == values[1]) && !values[1].is_nan();
                common = Some(values[1]);
            }
            _ => {}
        }
    }
    let constant = common.filter(|_| constant && counted >= 1.0);
    // A reader that cannot name its rows says so to worker 0 (the run fails there).
    let (known, error) = match shards.map(|s| s.name(&wanted)) {
        Some(Ok(known)) => (known, None),
        Some(Err(e)) => (Vec::new(), Some(e.to_string())),
        None => (Vec::new(), None),
    };
    let mut out = Vec::new();
    if !known.is_empty() {
        out.push(Msg {
            to: 0,
            body: Body::Accounts(known),
        });
    }
    if error.is_some() {
        out.push(Msg {
            to: 0,
            body: Body::Reduce {
                from: rounds.me,
                values: Vec::new(),
                error,
            },
        });
    }
    let received = rounds.round(out);
    if rounds.me != 0 {
        return Ok(None);
    }
    let mut named: FxHashMap<u64, Account> = FxHashMap::default();
    let mut error = None;
    for body in received {
        match body {
            Body::Accounts(list) => merge_accounts(list, &mut named, &mut error),
            Body::Reduce { error: Some(e), .. } => {
                error.get_or_insert(e);
            }
            _ => {}
        }
    }
    if let Some(e) = error {
        return Err(ClusterError::Failed(e));
    }
    let ranks = rank_gathered(&mut ranked, top, |r| r.1, |r, s| r.1 = s, |r| r.0);
    let mut rows = Vec::with_capacity(ranked.len());
    for ((key, score, followers), rank) in ranked.into_iter().zip(ranks) {
        let account = named.remove(&key).ok_or_else(|| {
            ClusterError::Failed(format!("account key {key:#018x} is named by no store"))
        })?;
        rows.push(Row {
            account,
            score,
            followers,
            rank,
        });
    }
    Ok(Some((rows, constant)))
}

/// Each worker's `top` rows (all with 0) of `owned` by `scores` go to worker 0, which ranks
/// them and returns them; `None` on the other workers.
pub(crate) fn gather(
    rounds: &mut Rounds<'_>,
    owned: &[Account],
    scores: &[f64],
    followers: &[f64],
    top: usize,
) -> Option<Vec<Row>> {
    let mut order: Vec<u32> = (0..owned.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(owned[a as usize].key.cmp(&owned[b as usize].key))
    });
    if top > 0 {
        order.truncate(top);
    }
    let rows: Vec<Msg> = order
        .iter()
        .map(|&i| Msg {
            to: 0,
            body: Body::Row(Box::new(Row {
                account: owned[i as usize].clone(),
                score: scores[i as usize],
                followers: followers[i as usize],
                rank: 0,
            })),
        })
        .collect();
    let received = rounds.round(rows);
    if rounds.me != 0 {
        return None;
    }
    let mut rows: Vec<Row> = received
        .into_iter()
        .filter_map(|m| match m {
            Body::Row(r) => Some(*r),
            _ => None,
        })
        .collect();
    let ranks = rank_gathered(
        &mut rows,
        top,
        |r| r.score,
        |r, s| r.score = s,
        |r| r.account.key,
    );
    rows.iter_mut()
        .zip(ranks)
        .for_each(|(r, rank)| r.rank = rank);
    Some(rows)
}

/// Worker 0's ranking of the rows the workers sent: scores equal up to rounding settled as one
/// tie (as `renown rank`'s are: `renown_measures::settle_ties`), descending score then
/// ascending key, the first `top` (all with 0), and their competition ranks. Every row scoring
/// more than a gathered row was gathered too (it is in its own worker's top), so these are the
/// global ranks; settling keeps the order between groups, so rows left out are not needed.
fn rank_gathered<T>(
    rows: &mut Vec<T>,
    top: usize,
    score: fn(&T) -> f64,
    set_score: fn(&mut T, f64),
    key: fn(&T) -> u64,
) -> Vec<u32> {
    let mut settled: Vec<f64> = rows.iter().map(score).collect();
    renown_measures::settle_ties(&mut settled);
    rows.iter_mut()
        .zip(settled)
        .for_each(|(r, s)| set_score(r, s));
    rows.sort_unstable_by(|a, b| score(b).total_cmp(&score(a)).then(key(a).cmp(&key(b))));
    if top > 0 {
        rows.truncate(top);
    }
    let mut ranks: Vec<u32> = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        ranks.push(if i > 0 && score(&rows[i]) == score(&rows[i - 1]) {
            ranks[i - 1]
        } else {
            i as u32 + 1
        });
    }
    ranks
}

/// How PageRank iterates: its damping and the L1 step (of scores summing to 1) at which it
/// stops; it starts uniform (an incremental run's warm start is [`crate::live`]'s).
pub(crate) struct Solve {
    pub(crate) damping: f64,
    pub(crate) step: f64,
    /// Iterations at most.
    pub(crate) cap: usize,
}

/// Step 3, PageRank × n over in-edges `(target index, source key, weight)` held with their target:
/// the standing follows (weight 1), or the engagement graph (kind weights; the edges of one
/// pair merged by summing their weights, as `EdgeList::merge_duplicates` does). Weights are
/// sums of the default kind weights (quarters), exact in `f32` and `f64`, so they are the
/// single-machine graph's to the bit.
pub(crate) fn pagerank(
    rounds: &mut Rounds<'_>,
    owned: &[u64],
    mut in_edges: Vec<(u32, u64, f32)>,
    n: f64,
    solve: Solve,
) -> Result<(Vec<f64>, usize, f64, Option<renown_measures::Unconverged>)> {
    let Solve { damping, step, cap } = solve;
    let local = owned.len();
    let me = rounds.me;
    let layout = rounds.layout;
    if n == 0.0 {
        // No account anywhere (every worker knows): nothing to rank.
        return Ok((Vec::new(), 0, 0.0, None));
    }
    // In-edges by target (one per pair), and a slot per distinct source.
    in_edges.sort_unstable_by_key(|e| (e.0, e.1));
    in_edges.dedup_by(|next, kept| {
        let same = (next.0, next.1) == (kept.0, kept.1);
        if same {
            kept.2 += next.2;
        }
        same
    });
    let sources_by_edge: Vec<u64> = in_edges.iter().map(|e| e.1).collect();
    let (slots, slot_at) = Slots::assign(&sources_by_edge, layout);
    drop(sources_by_edge);
    let mut slot_weight = vec![0.0f64; slots.keys.len()];
    let mut offsets = vec![0u32; local + 1];
    let mut sources = Vec::with_capacity(in_edges.len());
    let mut weights: Vec<f32> = Vec::with_capacity(in_edges.len());
    for (&(t, _, w), &slot) in in_edges.iter().zip(&slot_at) {
        slot_weight[slot as usize] += f64::from(w);
        offsets[t as usize + 1] += 1;
        sources.push(slot);
        weights.push(w);
    }
    for i in 0..local {
        offsets[i + 1] += offsets[i];
    }
    drop(in_edges);
    drop(slot_at);
    let unweighted = weights.iter().all(|&w| w == 1.0);
    if unweighted {
        weights = Vec::new();
    }
    // To each owner, the keys of its slots here (ascending) with their weights: it finds them
    // among its own accounts (also ascending) by one merge, and feeds them in this order.
    let subscribe: Vec<Msg> = (0..layout.peers())
        .filter_map(|owner| {
            let range = slots.range(owner);
            (!range.is_empty()).then(|| Msg {
                to: owner,
                body: Body::Sources {
                    from: me,
                    keys: slots.keys[range.clone()].to_vec(),
                    weights: slot_weight[range].to_vec(),
                },
            })
        })
        .collect();
    drop(slot_weight);
    let mut out_weight = vec![0.0f64; local];
    let mut error = None;
    let mut sources_of: Vec<(u32, Vec<u64>, Vec<f64>)> = rounds
        .round(subscribe)
        .into_iter()
        .filter_map(|m| match m {
            Body::Sources {
                from,
                keys,
                weights,
            } => Some((from, keys, weights)),
            _ => None,
        })
        .collect();
    // In worker order: the out-weights are summed the same way on every run.
    sources_of.sort_unstable_by_key(|s| s.0);
    let mut lists = Vec::with_capacity(sources_of.len());
    for (from, keys, weights) in sources_of {
        let mut locals = Vec::with_capacity(keys.len());
        let mut at = 0usize;
        for (&node, &weight) in keys.iter().zip(&weights) {
            while at < owned.len() && owned[at] < node {
                at += 1;
            }
            if owned.get(at) == Some(&node) {
                out_weight[at] += weight;
                locals.push(at as u32);
            } else {
                error.get_or_insert_with(|| {
                    format!("a follow names account key {node:#018x} that no store lists")
                });
            }
        }
        lists.push((from, locals));
    }
    let feeds = Feeds::from_lists(lists);
    let inv: Vec<f64> = out_weight
        .iter()
        .map(|&w| if w > 0.0 { 1.0 / w } else { 0.0 })
        .collect();
    // From the uniform start, every account without an in-edge ("unreached") holds the same
    // value each iteration, to the bit: 1/n, then the teleport and dangling share `c` of the
    // iteration before (`d × 0 + c`). So each owner learns once, per slot, 1/W_u for an
    // unreached source (-1 for the others) and folds those sources into one constant per
    // target (below): unreached accounts send nothing and take no per-iteration work.
    let unreached: Vec<bool> = (0..local).map(|i| offsets[i] == offsets[i + 1]).collect();
    // The slots renumbered: those of sources with an in-edge first (filled from the owners'
    // messages), then those of unreached sources (filled here), with 1/W_u of each.
    let received = rounds.round(feeds.messages(me, |i| if unreached[i] { inv[i] } else { -1.0 }));
    let told = slots.values(&received);
    let (slots, mut renumbered) = slots.retain(|s| told[s] < 0.0);
    let mut unreached_inv = Vec::new();
    for (r, &t) in renumbered.iter_mut().zip(&told) {
        if *r == u32::MAX {
            *r = (slots.keys.len() + unreached_inv.len()) as u32;
            unreached_inv.push(t);
        }
    }
    drop(told);
    let feeds = feeds.retain(|i| !unreached[i as usize]);
    // The in-edges by their new slots; those from unreached sources are folded into one
    // constant per target, `f_v = Σ w_uv / W_u` over them (in the in-edges' order), so each
    // iteration a target takes `common × f_v` plus its in-edges from reached sources: the
    // single machine's folded algebra (renown-graph's `pagerank/folded.rs`). Only the targets
    // with an in-edge are swept; the unreached accounts' part of the L1 step and of the
    // dangling mass is their count times one value, added once.
    let mut reached_locals: Vec<u32> = Vec::new();
    let mut folded: Vec<f64> = Vec::new();
    let mut r_offsets: Vec<u32> = vec![0];
    let mut r_sources: Vec<u32> = Vec::with_capacity(sources.len());
    let mut r_weights: Vec<f32> = Vec::with_capacity(if unweighted { 0 } else { sources.len() });
    let reached_slots = slots.keys.len();
    for v in 0..local {
        if unreached[v] {
            continue;
        }
        reached_locals.push(v as u32);
        let mut f = 0.0f64;
        for e in offsets[v] as usize..offsets[v + 1] as usize {
            let s = renumbered[sources[e] as usize];
            let w = if unweighted { 1.0 } else { weights[e] };
            if (s as usize) < reached_slots {
                r_sources.push(s);
                if !unweighted {
                    r_weights.push(w);
                }
            } else {
                f += f64::from(w) * unreached_inv[s as usize - reached_slots];
            }
        }
        folded.push(f);
        r_offsets.push(r_sources.len() as u32);
    }
    drop(renumbered);
    drop((sources, weights, offsets, unreached_inv));
    // Unreached accounts here, and those of them without an out-edge (dangling).
    let l_local = unreached.iter().filter(|&&u| u).count() as f64;
    let l_dangling_local = unreached
        .iter()
        .zip(&inv)
        .filter(|(&u, &i)| u && i == 0.0)
        .count() as f64;
    let mut x = vec![1.0 / n; local];
    let mut contrib = vec![0.0f64; reached_slots];
    let uniform = 1.0 / n;
    // The reached accounts' dangling mass (the unreached ones' is their count × `common`).
    let mut dangling: f64 = reached_locals
        .iter()
        .filter(|&&v| inv[v as usize] == 0.0)
        .map(|&v| x[v as usize])
        .sum();
    let mut delta_part = 0.0;
    let mut iterations = 0usize;
    let limit = (step / n) * n;
    let teleport = (1.0 - damping) * uniform;
    // What every unreached account holds, their number and how many are dangling over the
    // cluster (summed in the first round), and their part of the last iteration's L1 step.
    let mut common = uniform;
    let (mut l_total, mut l_dangling) = (0.0f64, 0.0f64);
    let mut l_step = 0.0f64;
    let mut first = true;
    let (delta, converged) = loop {
        // Contributions of the current scores, and the sums of the last iteration.
        let mut out = feeds.messages(me, |i| x[i] * inv[i]);
        let peers = layout.peers();
        let values = if first {
            vec![dangling, delta_part, l_local, l_dangling_local]
        } else {
            vec![dangling, delta_part]
        };
        out.extend((0..peers).map(|to| Msg {
            to,
            body: Body::Reduce {
                from: me,
                values: values.clone(),
                error: if first { error.clone() } else { None },
            },
        }));
        let received = rounds.round_all(out);
        slots.fill(&received, &mut contrib);
        let mut parts = Vec::new();
        for m in received {
            if let Body::Reduce {
                from,
                values,
                error,
            } = m
            {
                parts.push((from, values, error));
            }
        }
        parts.sort_by_key(|p| p.0);
        // The unreached accounts' parts first, then each worker's, in worker order.
        if first {
            for (_, v, _) in &parts {
                l_total += v.get(2).copied().unwrap_or(0.0);
                l_dangling += v.get(3).copied().unwrap_or(0.0);
            }
        }
        let (dangling_sum, delta_sum) = sum_parts(parts, (l_dangling * common, l_step))?;
        if !first && (iterations == cap || delta_sum < limit) {
            break (delta_sum, delta_sum < limit);
        }
        first = false;
        iterations += 1;
        let c = damping * dangling_sum * uniform + teleport;
        let (mut next_dangling, mut change) = (0.0, 0.0);
        for (k, &v) in reached_locals.iter().enumerate() {
            let v = v as usize;
            let (lo, hi) = (r_offsets[k] as usize, r_offsets[k + 1] as usize);
            // The follow graph's weights are all 1: the sum alone.
            let mut sum = common * folded[k];
            if unweighted {
                for &s in &r_sources[lo..hi] {
                    sum += contrib[s as usize];
                }
            } else {
                for (&s, &w) in r_sources[lo..hi].iter().zip(&r_weights[lo..hi]) {
                    sum += contrib[s as usize] * f64::from(w);
                }
            }
            let new = damping * sum + c;
            change += (new - x[v]).abs();
            x[v] = new;
            if inv[v] == 0.0 {
                next_dangling += new;
            }
        }
        // An unreached account's new value is `d × 0 + c`, which is `c`.
        l_step = l_total * (c - common).abs();
        common = c;
        dangling = next_dangling;
        delta_part = change;
    };
    for (s, _) in x.iter_mut().zip(&unreached).filter(|(_, &u)| u) {
        *s = common;
    }
    // Run to the cap above the step: the single machine's `Unconverged` (renown-measures'
    // `pagerank::scaled`), which the single machine's warning reports.
    let unconverged = (!converged).then_some(renown_measures::Unconverged {
        iterations,
        change: delta,
        tolerance: step,
    });
    Ok((
        x.into_iter().map(|s| s * n).collect(),
        iterations,
        delta,
        unconverged,
    ))
}

#[cfg(test)]
mod tests {
    use super::rank_gathered;

    /// (key, score) rows ranked as worker 0 ranks the gathered rows.
    fn ranked(rows: &[(u64, f64)], top: usize) -> (Vec<(u64, f64)>, Vec<u32>) {
        let mut rows = rows.to_vec();
        let ranks = rank_gathered(&mut rows, top, |r| r.1, |r, s| r.1 = s, |r| r.0);
        (rows, ranks)
    }

    #[test]
    fn gathered_rows_tie_up_to_rounding_and_only_then() {
        // 0.1 + 0.2 and 0.3 differ by one ulp: one tie; 0.3 + 1e-9 is a different score.
        let rows = [
            (7, 0.3),
            (3, 0.1 + 0.2),
            (5, 2.0),
            (1, 0.3 + 1e-9),
            (9, 0.05),
        ];
        let (rows, ranks) = ranked(&rows, 0);
        let keys: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            keys,
            [5, 1, 3, 7, 9],
            "score down, then key up within the tie"
        );
        assert_eq!(ranks, [1, 2, 3, 3, 5]);
        assert_eq!(
            rows[2].1.to_bits(),
            rows[3].1.to_bits(),
            "the tie holds one value"
        );
        // Cut at 3: the tie at the boundary keeps its shared rank.
        let (cut, ranks) = ranked(&[(7, 0.3), (3, 0.1 + 0.2), (5, 2.0), (1, 0.3 + 1e-9)], 3);
        assert_eq!(cut.iter().map(|r| r.0).collect::<Vec<_>>(), [5, 1, 3]);
        assert_eq!(ranks, [1, 2, 3]);
    }
}
