//! PageRank's follow graph kept between the batches of an incremental run
//! ([`crate::incremental`]): a batch's standing-follow changes patch it in time proportional
//! to the batch, where a rebuild from every standing follow ([`crate::rank::pagerank`]'s
//! input) costs a sort of all of them and a subscription per source.
//!
//! Each worker keeps, per owned account, the slots of the sources of its in-edges (one per
//! standing follow), and per source a slot; the slots of one owner are numbered in the order
//! they were made, which is the order that owner sends their values in. The owner keeps each
//! owned account's out-degree (the standing follows from it, over the cluster) and, per
//! subscribing worker, its accounts in that worker's slot order: a new slot is appended at
//! both ends in the same round, an edge removed lowers the degree (its slot stays, its value
//! still sent, read by no edge). The iteration is [`crate::rank::pagerank`]'s from a given
//! start: the same equations, damping, stop and scaling.

use crate::key::Layout;
use crate::rank::{max_iterations, Body, Msg, Rounds};
use crate::Result;
use rustc_hash::FxHashMap;

/// The follow graph of the accounts one worker owns, as it stands after the last batch.
pub(crate) struct Live {
    /// Per owned account (local index), the slot of each in-edge's source.
    adj: Vec<Vec<u32>>,
    /// The slot of each source this worker reads.
    slot_of: FxHashMap<u64, u32>,
    /// Per owner, its slots in the order it sends their values.
    by_owner: Vec<Vec<u32>>,
    /// Slots made so far.
    slots: usize,
    /// Per owned account, its out-degree over the cluster.
    out_degree: Vec<f64>,
    /// Per subscribing worker (in worker order), the owned accounts in its slot order.
    feeds: Vec<(u32, Vec<u32>)>,
    /// Changes of this worker's in-edges per source since the last subscription round:
    /// (change of the edge count, position of a new slot in its owner's list).
    pending: FxHashMap<u64, (f64, Option<u32>)>,
    /// The first inconsistency met (an edge names an account no store lists, or an edge
    /// removed that was not there).
    error: Option<String>,
}

impl Live {
    /// An empty graph for a cluster of `layout`.
    pub(crate) fn new(layout: Layout) -> Live {
        Live {
            adj: Vec::new(),
            slot_of: FxHashMap::default(),
            by_owner: vec![Vec::new(); layout.peers() as usize],
            slots: 0,
            out_degree: Vec::new(),
            feeds: Vec::new(),
            pending: FxHashMap::default(),
            error: None,
        }
    }

    /// Makes room for `local` owned accounts (new accounts have no edge yet).
    pub(crate) fn grow(&mut self, local: usize) {
        if self.adj.len() < local {
            self.adj.resize_with(local, Vec::new);
            self.out_degree.resize(local, 0.0);
        }
    }

    /// The follow `source → target` (an owned account) now stands (`add`) or no longer does.
    pub(crate) fn change(&mut self, layout: Layout, target: u32, source: u64, add: bool) {
        let t = target as usize;
        if add {
            let slot = match self.slot_of.get(&source) {
                Some(&s) => s,
                None => {
                    let s = self.slots as u32;
                    self.slots += 1;
                    let list = &mut self.by_owner[layout.owner(source) as usize];
                    let position = list.len() as u32;
                    list.push(s);
                    self.slot_of.insert(source, s);
                    self.pending.entry(source).or_insert((0.0, None)).1 = Some(position);
                    s
                }
            };
            self.adj[t].push(slot);
            self.pending.entry(source).or_insert((0.0, None)).0 += 1.0;
        } else {
            let removed = self.slot_of.get(&source).and_then(|&slot| {
                let list = &mut self.adj[t];
                let at = list.iter().position(|&s| s == slot)?;
                list.swap_remove(at);
                Some(())
            });
            match removed {
                Some(()) => self.pending.entry(source).or_insert((0.0, None)).0 -= 1.0,
                None => {
                    self.error.get_or_insert_with(|| {
                        format!("a follow from account key {source:#018x} ended that did not stand")
                    });
                }
            }
        }
    }

    /// One round: each owner learns the change of its accounts' out-degrees and the new slots
    /// kept for them (`index`: the owned accounts by key).
    pub(crate) fn subscribe(&mut self, rounds: &mut Rounds<'_>, index: &FxHashMap<u64, u32>) {
        let (layout, me) = (rounds.layout, rounds.me);
        let out: Vec<Msg> = self
            .pending
            .drain()
            .map(|(node, (weight, position))| Msg {
                to: layout.owner(node),
                body: Body::Subscribe {
                    node,
                    from: me,
                    slot: position.unwrap_or(u32::MAX),
                    weight,
                },
            })
            .collect();
        let mut new = Vec::new();
        for body in rounds.round(out) {
            let Body::Subscribe {
                node,
                from,
                slot,
                weight,
            } = body
            else {
                continue;
            };
            match index.get(&node) {
                Some(&i) => {
                    self.out_degree[i as usize] += weight;
                    if slot != u32::MAX {
                        new.push((from, slot, i));
                    }
                }
                None => {
                    self.error.get_or_insert_with(|| {
                        format!("a follow names account key {node:#018x} that no store lists")
                    });
                }
            }
        }
        // Appended in each subscriber's slot order (its positions are 0, 1, … past the last).
        new.sort_unstable();
        for (from, _, i) in new {
            match self.feeds.binary_search_by_key(&from, |f| f.0) {
                Ok(k) => self.feeds[k].1.push(i),
                Err(k) => self.feeds.insert(k, (from, vec![i])),
            }
        }
    }

    /// PageRank × n from `x` (the owned accounts' scores summing to 1 over the cluster; `n`
    /// accounts in all), until an iteration changes the scores by less than `step` in L1 (or
    /// the single machine's cap on iterations): the scores, iterations and last step.
    pub(crate) fn pagerank(
        &mut self,
        rounds: &mut Rounds<'_>,
        mut x: Vec<f64>,
        n: f64,
        damping: f64,
        step: f64,
    ) -> Result<(Vec<f64>, usize, f64)> {
        let (layout, me) = (rounds.layout, rounds.me);
        if n == 0.0 {
            return Ok((Vec::new(), 0, 0.0));
        }
        let cap = max_iterations(damping);
        let local = x.len();
        let inv: Vec<f64> = self
            .out_degree
            .iter()
            .map(|&w| if w > 0.0 { 1.0 / w } else { 0.0 })
            .collect();
        let mut contrib = vec![0.0f64; self.slots];
        let mut dangling: f64 = x
            .iter()
            .zip(&inv)
            .filter(|(_, &i)| i == 0.0)
            .map(|(a, _)| a)
            .sum();
        let mut delta_part = 0.0;
        let mut iterations = 0usize;
        let limit = (step / n) * n;
        let uniform = 1.0 / n;
        let teleport = (1.0 - damping) * uniform;
        let mut error = self.error.take();
        let mut first = true;
        let delta = loop {
            let mut out: Vec<Msg> = self
                .feeds
                .iter()
                .map(|(to, locals)| Msg {
                    to: *to,
                    body: Body::Values {
                        from: me,
                        values: locals
                            .iter()
                            .map(|&i| x[i as usize] * inv[i as usize])
                            .collect(),
                    },
                })
                .collect();
            out.extend((0..layout.peers()).map(|to| Msg {
                to,
                body: Body::Reduce {
                    from: me,
                    values: vec![dangling, delta_part],
                    error: if first { error.take() } else { None },
                },
            }));
            let mut parts = Vec::new();
            for body in rounds.round(out) {
                match body {
                    Body::Values { from, values } => {
                        for (&slot, v) in self.by_owner[from as usize].iter().zip(values) {
                            contrib[slot as usize] = v;
                        }
                    }
                    Body::Reduce {
                        from,
                        values,
                        error,
                    } => parts.push((from, values, error)),
                    _ => {}
                }
            }
            parts.sort_by_key(|p| p.0);
            let (dangling_sum, delta_sum) = crate::rank::sum_parts(parts, (0.0, 0.0))?;
            if !first && (iterations == cap || delta_sum < limit) {
                break delta_sum;
            }
            first = false;
            iterations += 1;
            let c = damping * dangling_sum * uniform + teleport;
            let (mut next_dangling, mut change) = (0.0, 0.0);
            for v in 0..local {
                let sum: f64 = self.adj[v].iter().map(|&s| contrib[s as usize]).sum();
                let new = damping * sum + c;
                change += (new - x[v]).abs();
                x[v] = new;
                if inv[v] == 0.0 {
                    next_dangling += new;
                }
            }
            dangling = next_dangling;
            delta_part = change;
        };
        Ok((x.into_iter().map(|s| s * n).collect(), iterations, delta))
    }
}
