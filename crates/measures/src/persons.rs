//! Persons: the accounts an analyst linked (`renown link`) counted as one node.
//!
//! A person's influence is not the sum of their accounts' scores: an engager with two linked
//! accounts is one engager, a boost from one's own other account is no endorsement, and
//! credibility flows between people. So persons are applied *before* a measure, to its input:
//! [`Log::by_person`] rewrites every event's actor and target to person ids, and any measure —
//! earned influence first — runs unchanged on that log (one code path, whatever the node is).
//! Unlinked accounts are persons of their own.

use crate::{Log, MeasureError, Result};
use renown_store::Store;
use serde::Serialize;

/// The mapping of accounts onto persons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persons {
    /// The person id of each dense account id.
    of_account: Vec<u32>,
    /// Each person's accounts (dense ids, ascending).
    members: Vec<Vec<u32>>,
    /// The name a link file gave each person; `None` for an unlinked account.
    names: Vec<Option<String>>,
}

/// A person as an answer names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    /// The person id (the order of their first account; valid for one store state).
    pub person: u32,
    /// The linked name, or `None` for an account linked to nobody.
    pub name: Option<String>,
    /// Their accounts' dense ids.
    pub accounts: Vec<u32>,
}

impl Persons {
    /// The persons of `store`'s links (every unlinked account a person of its own).
    pub fn read(store: &Store) -> Result<Persons> {
        let n = store.account_count()? as usize;
        Ok(Persons::from_links(n, store.persons()?))
    }

    /// Persons over `n` accounts from named groups of dense ids (ids beyond `n` are ignored).
    /// Person ids follow each person's smallest account id, so they are reproducible.
    pub fn from_links(n: usize, links: Vec<(String, Vec<u32>)>) -> Persons {
        let mut leader: Vec<u32> = (0..n as u32).collect();
        let mut name_of_leader: Vec<Option<String>> = vec![None; n];
        for (name, ids) in links {
            let ids: Vec<u32> = ids.into_iter().filter(|&a| (a as usize) < n).collect();
            let Some(&first) = ids.iter().min() else {
                continue;
            };
            for &a in &ids {
                leader[a as usize] = first;
            }
            name_of_leader[first as usize] = Some(name);
        }
        let mut of_account = vec![0u32; n];
        let mut person_of_leader = vec![u32::MAX; n];
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut names = Vec::new();
        for a in 0..n {
            let l = leader[a] as usize;
            if person_of_leader[l] == u32::MAX {
                person_of_leader[l] = members.len() as u32;
                members.push(Vec::new());
                names.push(name_of_leader[l].take());
            }
            let p = person_of_leader[l];
            of_account[a] = p;
            members[p as usize].push(a as u32);
        }
        Persons {
            of_account,
            members,
            names,
        }
    }

    /// Persons (a person per unlinked account, one per linked group).
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// No persons.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Accounts the mapping covers.
    pub fn accounts(&self) -> usize {
        self.of_account.len()
    }

    /// The person of a dense account id.
    pub fn of(&self, account: u32) -> u32 {
        self.of_account[account as usize]
    }

    /// A person's accounts (dense ids, ascending).
    pub fn members(&self, person: u32) -> &[u32] {
        &self.members[person as usize]
    }

    /// The linked name of a person (`None`: an account linked to nobody).
    pub fn name(&self, person: u32) -> Option<&str> {
        self.names[person as usize].as_deref()
    }

    /// Persons with more than one account.
    pub fn linked(&self) -> usize {
        self.members.iter().filter(|m| m.len() > 1).count()
    }

    /// Person `person` as answers name it.
    pub fn person_ref(&self, person: u32) -> PersonRef {
        PersonRef {
            person,
            name: self.names[person as usize].clone(),
            accounts: self.members[person as usize].clone(),
        }
    }

    /// The account-level follows `follows` (`follower << 32 | followee`, time) as follows
    /// between persons: a person follows another when any of their accounts follows any of the
    /// other's, once, from the newest of those follows; follows within a person are dropped.
    pub(crate) fn map_follows(&self, follows: Vec<(u64, Option<i64>)>) -> Vec<(u64, Option<i64>)> {
        let mut out: Vec<(u64, Option<i64>)> = follows
            .into_iter()
            .filter_map(|(key, t)| {
                let (a, b) = (self.of((key >> 32) as u32), self.of(key as u32));
                (a != b).then_some(((a as u64) << 32 | b as u64, t))
            })
            .collect();
        // Newest last within a key (timeless first), so the dedup keeps the newest.
        out.sort_unstable_by_key(|&(key, t)| (key, t.map_or(i64::MIN, |t| t)));
        out.reverse();
        out.dedup_by_key(|r| r.0);
        out.reverse();
        out
    }

    /// A value per account (dense id; `None`: unknown) as a value per person: the largest of
    /// their accounts' known values (two accounts of one person carry one figure, not two).
    pub fn largest(&self, per_account: &[Option<f64>]) -> Vec<Option<f64>> {
        self.members
            .iter()
            .map(|m| {
                m.iter()
                    .filter_map(|&a| per_account.get(a as usize).copied().flatten())
                    .reduce(f64::max)
            })
            .collect()
    }

    /// Refuses a mapping made for another number of accounts than `accounts`.
    pub fn check(&self, accounts: usize) -> Result<()> {
        if self.of_account.len() == accounts {
            return Ok(());
        }
        Err(MeasureError::Invalid(format!(
            "persons over {} accounts applied to a log of {accounts}",
            self.of_account.len()
        )))
    }
}

/// What one platform carried of a person's earned influence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlatformPart {
    /// The platform.
    pub platform: String,
    /// The part of the score that came through the person's accounts on this platform.
    pub contribution: f64,
    /// Of the person's score.
    pub share: f64,
    /// Engagement events (and standing follows) toward those accounts from other persons.
    pub actions: u64,
}

/// Which platform carried what of `person`'s earned influence in `model` (computed on
/// `account_log.by_person(persons)`): each endorser's contribution `c_a · W_ab` is split over
/// the platforms of the person's accounts it reached, in proportion to the decayed,
/// kind-weighted volume (follows at κ_follow) it sent to each — the volume `v_ab` that earned
/// influence itself sums before its concave `log2(1 + v)`. The parts add up to the score.
/// Also returns the engagement events between the person's own accounts, which count zero.
pub fn by_platform(
    account_log: &Log,
    scope: &crate::Scope,
    persons: &Persons,
    model: &crate::earned::EarnedModel,
    person: u32,
    platform_of: impl Fn(u32) -> String,
) -> Result<(Vec<PlatformPart>, u64)> {
    persons.check(account_log.accounts())?;
    let p = &model.params;
    let mut weight = [0.0f64; 256];
    for &(k, w) in &p.kind_weights {
        if !matches!(k, renown_model::Kind::Follow | renown_model::Kind::Unfollow) {
            weight[k.code() as usize] = w;
        }
    }
    let kinds: Vec<renown_model::Kind> = p.kind_weights.iter().map(|kw| kw.0).collect();
    // (endorser person, platform) → (volume, actions)
    let mut volume: std::collections::BTreeMap<(u32, String), (f64, u64)> = Default::default();
    let mut own = 0u64;
    for r in account_log.events(scope.as_of, &kinds) {
        let Some(t) = r.target.filter(|&t| t != r.actor) else {
            continue;
        };
        let w = weight[r.kind.code() as usize];
        if persons.of(t) != person || w <= 0.0 {
            continue;
        }
        let a = persons.of(r.actor);
        if a == person {
            own += 1;
            continue;
        }
        let v = volume.entry((a, platform_of(t))).or_default();
        v.0 += w * p.decay(r.time, model.reference);
        v.1 += 1;
    }
    if scope.topic.is_none() && p.follow_weight > 0.0 {
        for (key, t) in account_log.standing_follows(scope.as_of) {
            let (a, b) = ((key >> 32) as u32, key as u32);
            if persons.of(b) != person || persons.of(a) == person {
                continue;
            }
            let v = volume.entry((persons.of(a), platform_of(b))).or_default();
            v.0 += p.follow_weight * p.decay(t, model.reference);
            v.1 += 1;
        }
    }
    let contribution: std::collections::HashMap<u32, f64> =
        model.endorsements(person).into_iter().collect();
    let mut total_of: std::collections::HashMap<u32, f64> = Default::default();
    for ((a, _), (v, _)) in &volume {
        *total_of.entry(*a).or_default() += v;
    }
    let mut parts: std::collections::BTreeMap<String, (f64, u64)> = Default::default();
    for ((a, platform), (v, n)) in volume {
        let c = contribution.get(&a).copied().unwrap_or(0.0);
        let total = total_of[&a];
        let part = parts.entry(platform).or_default();
        if total > 0.0 {
            part.0 += c * v / total;
        }
        part.1 += n;
    }
    let score = model.score[person as usize];
    let mut out: Vec<PlatformPart> = parts
        .into_iter()
        .map(|(platform, (contribution, actions))| PlatformPart {
            platform,
            contribution,
            share: if score > 0.0 {
                contribution / score
            } else {
                0.0
            },
            actions,
        })
        .collect();
    out.sort_by(|x, y| {
        y.contribution
            .total_cmp(&x.contribution)
            .then(x.platform.cmp(&y.platform))
    });
    Ok((out, own))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_accounts_share_a_person_and_the_rest_stand_alone() {
        let p = Persons::from_links(
            5,
            vec![
                ("b".into(), vec![4, 1]),
                ("a".into(), vec![2, 9]), // 9 is beyond the store: ignored
            ],
        );
        assert_eq!(p.len(), 4);
        assert_eq!((0..5).map(|a| p.of(a)).collect::<Vec<_>>(), [0, 1, 2, 3, 1]);
        assert_eq!(p.members(1), [1, 4]);
        assert_eq!(p.name(1), Some("b"));
        assert_eq!(p.name(2), Some("a"));
        assert_eq!(p.name(0), None);
        assert_eq!(p.linked(), 1);
    }

    #[test]
    fn a_persons_value_is_the_largest_of_their_accounts_known_ones() {
        let p = Persons::from_links(4, vec![("x".into(), vec![0, 2])]);
        // Persons: {0, 2} → 0, 1 → 1, 3 → 2.
        assert_eq!(
            p.largest(&[Some(1.0), None, Some(3.0), None]),
            [Some(3.0), None, None]
        );
        assert_eq!(p.largest(&[None, Some(2.0)]), [None, Some(2.0), None]);
    }

    #[test]
    fn follows_merge_per_person_keeping_the_newest_and_dropping_self_follows() {
        let p = Persons::from_links(4, vec![("x".into(), vec![0, 1])]);
        let key = |a: u64, b: u64| a << 32 | b;
        let follows = vec![
            (key(0, 2), Some(10)),
            (key(1, 2), Some(30)),
            (key(1, 0), Some(5)), // within person 0
            (key(2, 3), None),
        ];
        // Persons: {0,1} → 0, 2 → 1, 3 → 2.
        assert_eq!(
            p.map_follows(follows),
            [(key(0, 1), Some(30)), (key(1, 2), None)]
        );
    }
}
