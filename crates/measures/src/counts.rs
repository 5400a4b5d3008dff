//! The naive baselines: followers, and engagement received counted raw (Cha et al. 2010,
//! "Measuring User Influence in Twitter: The Million Follower Fallacy", which compared in-degree,
//! retweets and mentions received).

use crate::{Log, MeasureSpec, Measured, Result, Scope, Scores};
use renown_model::{Kind, ENGAGEMENT_KINDS};

/// Distinct current followers as of the scope's date: follows minus later unfollows, each
/// (follower, followee) pair counted once however often it was followed — the in-degree of
/// the pairs whose last follow or unfollow is a follow. Under a topic, only the follows
/// carrying it (the follow graph itself is not cut by topic).
pub fn followers(log: &Log, scope: &Scope) -> Result<Scores> {
    let mut scores = vec![0.0; log.accounts()];
    for (pair, _) in log.standing_follows_in_scope(scope.as_of) {
        scores[pair as u32 as usize] += 1.0;
    }
    Ok(scores)
}

/// Events of `kinds` received by each account (self-engagement excluded).
pub fn received(log: &Log, scope: &Scope, kinds: &[Kind]) -> Result<Scores> {
    let mut scores = vec![0.0; log.accounts()];
    for r in log.events(scope.as_of, kinds) {
        if let Some(t) = r.target {
            if t != r.actor {
                scores[t as usize] += 1.0;
            }
        }
    }
    Ok(scores)
}

/// `followers`: distinct followers as of the date.
pub const FOLLOWERS: MeasureSpec = MeasureSpec {
    name: "followers",
    describe: "distinct followers as of the date (follows minus unfollows)",
    follows: "the follower count every platform shows; in-degree in Cha et al. 2010",
    counts: true,
    reads: &[Kind::Follow],
    of_log: |log, scope| followers(log, scope).map(Measured::from),
};

/// `engagement`: every engagement event received, counted.
pub const ENGAGEMENT: MeasureSpec = MeasureSpec {
    name: "engagement",
    describe: "raw count of engagement received: reshares, quotes, replies, comments, mentions, likes, links",
    follows: "Cha et al. 2010, summed over kinds",
    counts: true,
    reads: &ENGAGEMENT_KINDS,
    of_log: |log, scope| received(log, scope, &ENGAGEMENT_KINDS).map(Measured::from),
};

/// `reshares`: reshares and quotes received.
pub const RESHARES: MeasureSpec = MeasureSpec {
    name: "reshares",
    describe: "reshares (retweets, boosts, reposts) and quotes received",
    follows: "retweet influence in Cha et al. 2010",
    counts: true,
    reads: &[Kind::Reshare, Kind::Quote],
    of_log: |log, scope| received(log, scope, &[Kind::Reshare, Kind::Quote]).map(Measured::from),
};

/// `mentions`: mentions received.
pub const MENTIONS: MeasureSpec = MeasureSpec {
    name: "mentions",
    describe: "mentions (tags) received",
    follows: "mention influence in Cha et al. 2010",
    counts: true,
    reads: &[Kind::Mention],
    of_log: |log, scope| received(log, scope, &[Kind::Mention]).map(Measured::from),
};

/// `replies`: replies and comments received.
pub const REPLIES: MeasureSpec = MeasureSpec {
    name: "replies",
    describe: "replies and comments received",
    follows:
        "replies received, as a separate column beside Cha et al. 2010's retweets and mentions",
    counts: true,
    reads: &[Kind::Reply, Kind::Comment],
    of_log: |log, scope| received(log, scope, &[Kind::Reply, Kind::Comment]).map(Measured::from),
};

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{AccountRef, Event, Record};
    use renown_store::Store;

    fn ev(kind: Kind, a: &str, b: &str, t: i64) -> Event {
        let mut e = Event::new("t", kind, AccountRef::new(a));
        e.target = Some(AccountRef::new(b));
        e.time = Some(t);
        e
    }

    #[test]
    fn followers_replay_follows_and_unfollows_as_of_a_date() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let t0 = 1_600_000_000;
        let events = [
            ev(Kind::Follow, "a", "z", t0),
            ev(Kind::Follow, "a", "z", t0 + 1), // repeated follow counts once
            ev(Kind::Follow, "b", "z", t0 + 2),
            ev(Kind::Unfollow, "a", "z", t0 + 10),
            ev(Kind::Reshare, "a", "z", t0 + 3),
            ev(Kind::Reshare, "z", "z", t0 + 3), // self-engagement ignored
        ];
        let recs: Vec<(u64, Record)> = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i as u64, Record::Event(e)))
            .collect();
        store.write_batch(run, &recs, 0).unwrap();
        let z = store.find_account("t:z").unwrap() as usize;
        let log = |scope: &Scope| Log::read(&store, scope).unwrap();
        let now = followers(&log(&Scope::default()), &Scope::default()).unwrap();
        assert_eq!(now[z], 1.0);
        let at = Scope {
            as_of: Some(t0 + 5),
            ..Scope::default()
        };
        let then = followers(&log(&at), &at).unwrap();
        assert_eq!(then[z], 2.0);
        let eng = received(
            &log(&Scope::default()),
            &Scope::default(),
            &ENGAGEMENT_KINDS,
        )
        .unwrap();
        assert_eq!(eng[z], 1.0);
    }
}
