//! A cascade report as bytes, for the cache of answers beside a store: every field, little
//! endian, in declaration order. Reading refuses anything that does not decode whole.

use super::{AccountSpread, Anomalies, Cascade, CascadeReport, CascadeStats, Node, Origin};
use renown_model::Kind;

const NONE_U32: u32 = u32::MAX;

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn opt_i64(&mut self, v: Option<i64>) {
        self.u8(v.is_some() as u8);
        self.i64(v.unwrap_or(0));
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        self.u8(s.is_some() as u8);
        self.str(s.unwrap_or(""));
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }
    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take()?))
    }
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        // A length beyond the bytes left is damage, not a reason to allocate.
        (n <= self.0.len()).then_some(n)
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take()?))
    }
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        let some = self.bool()?;
        let v = self.i64()?;
        Some(some.then_some(v))
    }
    fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).ok()
    }
    fn opt_str(&mut self) -> Option<Option<String>> {
        let some = self.bool()?;
        let s = self.str()?;
        Some(some.then_some(s))
    }
}

fn origin_code(o: Origin) -> u8 {
    match o {
        Origin::Items => 0,
        Origin::Tag => 1,
        Origin::Inferred => 2,
    }
}

fn origin_of(code: u8) -> Option<Origin> {
    [Origin::Items, Origin::Tag, Origin::Inferred]
        .get(code as usize)
        .copied()
}

impl CascadeReport {
    /// The report as bytes ([`CascadeReport::from_bytes`] reads them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.u64(self.cascades.len() as u64);
        for c in &self.cascades {
            w.str(&c.id);
            w.u8(origin_code(c.origin));
            w.opt_str(c.topic.as_deref());
            w.u32(c.root);
            let s = &c.stats;
            w.u64(s.size as u64);
            w.u32(s.depth);
            w.u64(s.max_breadth as u64);
            w.f64(s.structural_virality);
            w.opt_i64(s.start);
            w.opt_i64(s.end);
            w.opt_i64(s.time_to_half);
            w.u64(c.nodes.len() as u64);
            for n in &c.nodes {
                w.u32(n.account);
                w.u32(n.parent.unwrap_or(NONE_U32));
                w.u32(n.depth);
                w.opt_i64(n.time);
                w.u8(n.kind.code());
                w.opt_i64(n.event);
                w.u8(n.inferred as u8);
            }
        }
        w.u64(self.accounts.len() as u64);
        for a in &self.accounts {
            w.u32(a.account);
            w.u64(a.cascades_started);
            w.u64(a.downstream_reach);
            w.u64(a.reach_carried);
            w.f64(a.initiator_credit);
            w.f64(a.amplifier_credit);
        }
        let an = &self.anomalies;
        for v in [
            an.duplicate_items,
            an.unseen_parents,
            an.cycles_cut,
            an.repeat_adoptions,
            an.self_responses,
        ] {
            w.u64(v);
        }
        w.0
    }

    /// The report [`CascadeReport::to_bytes`] wrote; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<CascadeReport> {
        let mut r = Reader(bytes);
        let count = r.len()?;
        let mut cascades = Vec::with_capacity(count);
        for _ in 0..count {
            let id = r.str()?;
            let origin = origin_of(r.u8()?)?;
            let topic = r.opt_str()?;
            let root = r.u32()?;
            let stats = CascadeStats {
                size: r.u64()? as usize,
                depth: r.u32()?,
                max_breadth: r.u64()? as usize,
                structural_virality: r.f64()?,
                start: r.opt_i64()?,
                end: r.opt_i64()?,
                time_to_half: r.opt_i64()?,
            };
            let nodes_count = r.len()?;
            let mut nodes = Vec::with_capacity(nodes_count);
            for _ in 0..nodes_count {
                let account = r.u32()?;
                let parent = Some(r.u32()?).filter(|&p| p != NONE_U32);
                nodes.push(Node {
                    account,
                    parent,
                    depth: r.u32()?,
                    time: r.opt_i64()?,
                    kind: Kind::from_code(r.u8()?)?,
                    event: r.opt_i64()?,
                    inferred: r.bool()?,
                });
            }
            cascades.push(Cascade {
                id,
                origin,
                topic,
                root,
                stats,
                nodes,
            });
        }
        let count = r.len()?;
        let mut accounts = Vec::with_capacity(count);
        for _ in 0..count {
            accounts.push(AccountSpread {
                account: r.u32()?,
                cascades_started: r.u64()?,
                downstream_reach: r.u64()?,
                reach_carried: r.u64()?,
                initiator_credit: r.f64()?,
                amplifier_credit: r.f64()?,
            });
        }
        let anomalies = Anomalies {
            duplicate_items: r.u64()?,
            unseen_parents: r.u64()?,
            cycles_cut: r.u64()?,
            repeat_adoptions: r.u64()?,
            self_responses: r.u64()?,
        };
        r.0.is_empty().then_some(CascadeReport {
            cascades,
            accounts,
            anomalies,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CascadeReport {
        let node = |account, parent, time, event, inferred| Node {
            account,
            parent,
            depth: parent.map_or(0, |_| 1),
            time,
            kind: if parent.is_some() {
                Kind::Reshare
            } else {
                Kind::Post
            },
            event,
            inferred,
        };
        CascadeReport {
            cascades: vec![
                Cascade {
                    id: "from/higgs:88".into(),
                    origin: Origin::Inferred,
                    topic: None,
                    root: 7,
                    stats: CascadeStats {
                        size: 3,
                        depth: 1,
                        max_breadth: 2,
                        structural_virality: 4.0 / 3.0,
                        start: Some(-5),
                        end: None,
                        time_to_half: Some(i64::MAX),
                    },
                    nodes: vec![
                        node(7, None, None, None, false),
                        node(u32::MAX - 1, Some(0), Some(1), Some(-1), true),
                        node(3, Some(0), Some(i64::MIN), Some(9), false),
                    ],
                },
                Cascade {
                    id: "tag/é/x".into(),
                    origin: Origin::Tag,
                    topic: Some(String::new()),
                    root: 0,
                    stats: CascadeStats::default(),
                    nodes: Vec::new(),
                },
            ],
            accounts: vec![AccountSpread {
                account: 7,
                cascades_started: 1,
                downstream_reach: 2,
                reach_carried: 0,
                initiator_credit: 2.0,
                amplifier_credit: f64::MIN_POSITIVE,
            }],
            anomalies: Anomalies {
                duplicate_items: 1,
                unseen_parents: 2,
                cycles_cut: 3,
                repeat_adoptions: u64::MAX,
                self_responses: 4,
            },
        }
    }

    #[test]
    fn a_report_reads_back_whole_and_damage_is_refused() {
        let r = report();
        let bytes = r.to_bytes();
        assert_eq!(CascadeReport::from_bytes(&bytes), Some(r));
        for cut in 0..bytes.len() {
            assert_eq!(
                CascadeReport::from_bytes(&bytes[..cut]),
                None,
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(CascadeReport::from_bytes(&longer), None);
        let mut bad_origin = bytes;
        // The first cascade's origin follows its count (8 bytes) and id (8 + 13 bytes).
        bad_origin[8 + 8 + 13] = 9;
        assert_eq!(CascadeReport::from_bytes(&bad_origin), None);
    }
}
