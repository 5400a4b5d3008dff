#![warn(missing_docs)]
//! A seeded, two-year simulation of a social network in which influence is earned, bought,
//! borrowed from offline fame, and won once by luck — the cases renown must tell apart.
//!
//! - Most accounts gain followers by preferential attachment (the big get bigger) and post and
//!   engage occasionally.
//! - A few **consistent contributors** post several times a week for two years and earn replies,
//!   reshares and likes from many different people.
//! - One **viral** account has a single post reshared in a large cascade, then fades.
//! - One **company** account buys thousands of followers on one day; they never engage.
//! - One **celebrity** arrives with a crowd of followers from offline fame and posts little.
//! - A **tag meme** (`#fivethings`) passes from person to person by mentions.
//!
//! Everything is deterministic for a seed; [`Truth`] names who is who, for tests.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use renown_model::{AccountRef, Event, Kind};

/// The platform every simulated account lives on.
pub const PLATFORM: &str = "demo";
const DAY: i64 = 86_400;

/// The simulation's size and seed.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The random seed: the same seed, the same events.
    pub seed: u64,
    /// Ordinary accounts (the named roles come on top).
    pub accounts: usize,
    /// Days simulated.
    pub days: i64,
    /// Start of the simulation (unix seconds); default 2024-01-01.
    pub start: i64,
    /// Followers the company buys.
    pub bought_followers: usize,
    /// Day on which it buys them.
    pub buy_day: i64,
    /// Day on which the viral post goes out.
    pub viral_day: i64,
    /// Size of the viral cascade (reshares).
    pub viral_size: usize,
    /// σ of the log-normal latent activity and quality of ordinary accounts: 0 makes them all
    /// alike (and the event stream what it was before this knob); with σ > 0 each posts at its
    /// own rate and draws its own expected number of responses, recorded in
    /// [`Truth::quality`] so a measure's recovery of it can be scored.
    pub quality_spread: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            accounts: 3000,
            days: 730,
            start: 1_704_067_200,
            bought_followers: 5000,
            buy_day: 400,
            viral_day: 180,
            viral_size: 1500,
            quality_spread: 0.0,
        }
    }
}

/// Who is who in a simulation, by native id.
#[derive(Clone, Debug, Default)]
pub struct Truth {
    /// The consistent contributors.
    pub consistent: Vec<String>,
    /// The account with the one viral post.
    pub viral: String,
    /// The company account that buys followers.
    pub buyer: String,
    /// The celebrity followed for offline fame.
    pub celebrity: String,
    /// The account that starts the tag meme.
    pub meme_starter: String,
    /// The bought followers.
    pub bought: Vec<String>,
    /// Start of the day the followers were bought.
    pub buy_time: i64,
    /// The viral post's item id.
    pub viral_item: String,
    /// The meme's tag.
    pub meme_topic: String,
    /// Every account's latent earned attention: the engagement per day its steady behaviour
    /// draws in expectation (posting rate × expected responses per post). Luck (the viral
    /// cascade, being tagged in the meme) and bought or borrowed followers earn nothing here.
    pub quality: Vec<(String, f64)>,
}

/// What a simulation produced.
pub struct Simulation {
    /// Every event, in time order.
    pub events: Vec<Event>,
    /// Who is who.
    pub truth: Truth,
}

/// Named roles: (native id, handle).
const CONSISTENT: [(&str, &str, &str); 5] = [
    ("c1", "@ada_writes", "rust"),
    ("c2", "@ben_builds", "data"),
    ("c3", "@cleo_codes", "graphs"),
    ("c4", "@dev_diaries", "rust"),
    ("c5", "@eve_explains", "ai"),
];
const TOPICS: [&str; 6] = ["rust", "data", "graphs", "ai", "music", "climate"];

struct World {
    rng: ChaCha8Rng,
    cfg: SimConfig,
    events: Vec<Event>,
    /// Followers per account (for preferential attachment), indexed by account index.
    followers: Vec<u32>,
    /// Cumulative "attachment tickets": account index repeated once per follower + once.
    tickets: Vec<u32>,
    ids: Vec<String>,
    handles: Vec<Option<String>>,
    next_item: u64,
}

impl World {
    fn account(&self, i: usize) -> AccountRef {
        AccountRef::with_handle(self.ids[i].clone(), self.handles[i].clone())
    }

    fn add_account(&mut self, id: String, handle: Option<String>) -> usize {
        self.ids.push(id);
        self.handles.push(handle);
        self.followers.push(0);
        self.tickets.push((self.ids.len() - 1) as u32);
        self.ids.len() - 1
    }

    fn item(&mut self) -> String {
        self.next_item += 1;
        format!("i{}", self.next_item)
    }

    fn time_in_day(&mut self, day: i64) -> i64 {
        self.cfg.start + day * DAY + self.rng.gen_range(0..DAY)
    }

    // One argument per event field: a struct here would only restate Event.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        kind: Kind,
        actor: usize,
        target: Option<usize>,
        time: i64,
        item: Option<String>,
        parent: Option<String>,
        topics: &[&str],
    ) {
        let mut e = Event::new(PLATFORM, kind, self.account(actor));
        e.target = target.map(|t| self.account(t));
        e.time = Some(time);
        e.item = item;
        e.parent = parent;
        e.topics = topics.iter().map(|t| t.to_string()).collect();
        self.events.push(e);
    }

    fn follow(&mut self, a: usize, b: usize, time: i64) {
        if a == b {
            return;
        }
        self.emit(Kind::Follow, a, Some(b), time, None, None, &[]);
        self.followers[b] += 1;
        self.tickets.push(b as u32);
    }

    /// A followee chosen with probability proportional to followers + 1.
    fn attach(&mut self) -> usize {
        self.tickets[self.rng.gen_range(0..self.tickets.len())] as usize
    }

    fn post(&mut self, author: usize, day: i64, topic: &str) -> (String, i64) {
        let item = self.item();
        let t = self.time_in_day(day);
        self.emit(
            Kind::Post,
            author,
            None,
            t,
            Some(item.clone()),
            None,
            &[topic],
        );
        (item, t)
    }

    /// `engagers` respond to a post, each with a reply, reshare or like.
    fn respond(&mut self, post: &str, author: usize, t: i64, topic: &str, engagers: &[usize]) {
        for &who in engagers {
            if who == author {
                continue;
            }
            let when = t + self.rng.gen_range(60..3 * DAY);
            let roll: f64 = self.rng.gen();
            let (kind, item) = if roll < 0.3 {
                (Kind::Reply, Some(self.item()))
            } else if roll < 0.6 {
                (Kind::Reshare, Some(self.item()))
            } else {
                (Kind::Like, None)
            };
            self.emit(
                kind,
                who,
                Some(author),
                when,
                item,
                Some(post.to_string()),
                &[topic],
            );
        }
    }
}

/// Posts by ordinary accounts per day.
fn ordinary_posts(cfg: &SimConfig) -> usize {
    (cfg.accounts / 30).max(1)
}

/// Latent activity and quality of the ordinary accounts (indices `0..accounts`), drawn from a
/// stream of their own so the main stream is unchanged when the spread is 0.
struct Latent {
    activity: Vec<f64>,
    total_activity: f64,
    /// Cumulative activity, for drawing posters in proportion to it.
    cumulative: Vec<f64>,
    quality: Vec<f64>,
}

impl Latent {
    fn draw(cfg: &SimConfig) -> Option<Latent> {
        if cfg.quality_spread <= 0.0 {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5157_A11E_0F00_D5ED);
        let mut lognormal = || {
            // Box–Muller.
            let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
            let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            (cfg.quality_spread * z).exp()
        };
        let activity: Vec<f64> = (0..cfg.accounts).map(|_| lognormal()).collect();
        let quality: Vec<f64> = (0..cfg.accounts).map(|_| lognormal()).collect();
        let cumulative: Vec<f64> = activity
            .iter()
            .scan(0.0, |s, a| {
                *s += a;
                Some(*s)
            })
            .collect();
        Some(Latent {
            total_activity: *cumulative.last().unwrap_or(&0.0),
            activity,
            cumulative,
            quality,
        })
    }

    fn poster(&self, rng: &mut ChaCha8Rng) -> usize {
        let x = rng.gen::<f64>() * self.total_activity;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

fn poisson(rng: &mut impl Rng, lambda: f64) -> usize {
    // Knuth's method; lambda is small here.
    let l = (-lambda).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// Runs the simulation `cfg` describes.
pub fn simulate(cfg: &SimConfig) -> Simulation {
    let mut w = World {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        cfg: cfg.clone(),
        events: Vec::new(),
        followers: Vec::new(),
        tickets: Vec::new(),
        ids: Vec::new(),
        handles: Vec::new(),
        next_item: 0,
    };
    let regular: Vec<usize> = (0..cfg.accounts)
        .map(|i| w.add_account(format!("u{i}"), Some(format!("@user{i}"))))
        .collect();
    let consistent: Vec<usize> = CONSISTENT
        .iter()
        .map(|(id, h, _)| w.add_account(id.to_string(), Some(h.to_string())))
        .collect();
    let viral = w.add_account("v1".into(), Some("@viral_vic".into()));
    let buyer = w.add_account("b1".into(), Some("@megacorp".into()));
    let celebrity = w.add_account("f1".into(), Some("@famous_fay".into()));
    let meme_starter = w.add_account("m1".into(), Some("@meme_mitch".into()));
    let latent = Latent::draw(cfg);

    // Each consistent contributor has an audience it earns over time: a fifth of the crowd.
    let audiences: Vec<Vec<usize>> = consistent
        .iter()
        .map(|_| {
            let mut a = regular.clone();
            a.shuffle(&mut w.rng);
            a.truncate(cfg.accounts / 5);
            a
        })
        .collect();

    // Offline fame: a rush of followers in the first month.
    for _ in 0..(cfg.accounts / 2) {
        let f = *regular.choose(&mut w.rng).expect("accounts");
        let day = w.rng.gen_range(0..30);
        let t = w.time_in_day(day);
        w.follow(f, celebrity, t);
    }

    let mut viral_item = String::new();
    for day in 0..cfg.days {
        // Organic follows by preferential attachment.
        for _ in 0..(cfg.accounts / 150).max(1) {
            let f = *regular.choose(&mut w.rng).expect("accounts");
            let g = w.attach();
            let t = w.time_in_day(day);
            w.follow(f, g, t);
        }
        // Consistent contributors: about three posts a week, answered by a few of their audience.
        for (ci, &c) in consistent.iter().enumerate() {
            if w.rng.gen::<f64>() < 3.0 / 7.0 {
                let topic = CONSISTENT[ci].2;
                let (item, t) = w.post(c, day, topic);
                let k = 2 + poisson(&mut w.rng, 5.0);
                let engagers: Vec<usize> = audiences[ci]
                    .choose_multiple(&mut w.rng, k)
                    .copied()
                    .collect();
                w.respond(&item, c, t, topic, &engagers);
                // Their audience follows them, a little at a time.
                if w.rng.gen::<f64>() < 0.5 {
                    let f = *audiences[ci].choose(&mut w.rng).expect("audience");
                    w.follow(f, c, t + 3600);
                }
            }
        }
        // Ordinary accounts post now and then and get a response or two.
        for _ in 0..ordinary_posts(cfg) {
            let a = match &latent {
                Some(l) => l.poster(&mut w.rng),
                None => *regular.choose(&mut w.rng).expect("accounts"),
            };
            let topic = TOPICS[w.rng.gen_range(0..TOPICS.len())];
            let (item, t) = w.post(a, day, topic);
            let k = poisson(&mut w.rng, latent.as_ref().map_or(1.0, |l| l.quality[a]));
            let engagers: Vec<usize> = regular.choose_multiple(&mut w.rng, k).copied().collect();
            w.respond(&item, a, t, topic, &engagers);
        }
        // The company posts weekly to polite silence.
        if day % 7 == 3 {
            let (item, t) = w.post(buyer, day, "data");
            if w.rng.gen::<f64>() < 0.3 {
                let who = *regular.choose(&mut w.rng).expect("accounts");
                w.respond(&item, buyer, t, "data", &[who]);
            }
        }
        // The celebrity posts monthly; a few fans like it.
        if day % 30 == 5 {
            let (item, t) = w.post(celebrity, day, "music");
            let k = poisson(&mut w.rng, 2.0);
            let engagers: Vec<usize> = regular.choose_multiple(&mut w.rng, k).copied().collect();
            w.respond(&item, celebrity, t, "music", &engagers);
        }
        // The viral account posts monthly; once, a post takes off.
        if day % 30 == 10 || day == cfg.viral_day {
            let (item, t) = w.post(viral, day, "meme");
            if day == cfg.viral_day {
                viral_item = item.clone();
                viral_cascade(&mut w, viral, &item, t, &regular);
            }
        }
        if day == cfg.buy_day {
            buy_followers(&mut w, buyer, day, &regular);
        }
        if day == cfg.days / 2 {
            tag_meme(&mut w, meme_starter, day, &regular);
        }
    }
    w.events.sort_by_key(|e| e.time);
    let truth = Truth {
        consistent: consistent.iter().map(|&c| w.ids[c].clone()).collect(),
        viral: w.ids[viral].clone(),
        buyer: w.ids[buyer].clone(),
        celebrity: w.ids[celebrity].clone(),
        meme_starter: w.ids[meme_starter].clone(),
        bought: (regular.len() + 9..w.ids.len())
            .map(|i| w.ids[i].clone())
            .collect(),
        buy_time: cfg.start + cfg.buy_day * DAY,
        viral_item,
        meme_topic: "fivethings".into(),
        quality: (0..w.ids.len())
            .map(|i| {
                let q = if let Some(r) = regular.get(i) {
                    let (rate, quality) = match &latent {
                        Some(l) => (l.activity[*r] / l.total_activity, l.quality[*r]),
                        None => (1.0 / cfg.accounts as f64, 1.0),
                    };
                    ordinary_posts(cfg) as f64 * rate * quality
                } else if consistent.contains(&i) {
                    3.0 / 7.0 * (2.0 + 5.0)
                } else if i == buyer {
                    0.3 / 7.0
                } else if i == celebrity {
                    2.0 / 30.0
                } else {
                    0.0 // the viral account, the meme starter, bought followers
                };
                (w.ids[i].clone(), q)
            })
            .collect(),
    };
    Simulation {
        events: w.events,
        truth,
    }
}

/// A reshare tree: each resharer saw it from the original or from an earlier resharer.
fn viral_cascade(w: &mut World, author: usize, item: &str, t: i64, regular: &[usize]) {
    let mut sharers: Vec<(String, i64)> = vec![(item.to_string(), t)];
    let mut people = regular.to_vec();
    people.shuffle(&mut w.rng);
    for &who in people.iter().take(w.cfg.viral_size) {
        // Recent shares are more visible: pick among the last 50 (or the root).
        let lo = sharers.len().saturating_sub(50);
        let (parent, pt) = sharers[w.rng.gen_range(lo..sharers.len())].clone();
        let when = pt + w.rng.gen_range(30..6 * 3600);
        let new_item = w.item();
        w.emit(
            Kind::Reshare,
            who,
            Some(author),
            when,
            Some(new_item.clone()),
            Some(parent),
            &["meme"],
        );
        sharers.push((new_item, when));
        if w.rng.gen::<f64>() < 0.05 {
            w.follow(who, author, when + 60);
        }
    }
}

/// Bought followers: fresh accounts created together, following the buyer within an hour and a
/// handful of others, never engaging with anyone.
fn buy_followers(w: &mut World, buyer: usize, day: i64, regular: &[usize]) {
    let t0 = w.cfg.start + day * DAY;
    for i in 0..w.cfg.bought_followers {
        let fake = w.add_account(format!("x{i}"), Some(format!("@fan{i:05}")));
        let t = t0 + w.rng.gen_range(0..3600);
        w.follow(fake, buyer, t);
        for _ in 0..w.rng.gen_range(5..15) {
            let g = *regular.choose(&mut w.rng).expect("accounts");
            let dt = w.rng.gen_range(0..600);
            w.follow(fake, g, t + dt);
        }
    }
}

/// "I got tagged on a meme … I tag five more": each tagged account, with some probability,
/// posts with the tag within two days and tags five others.
fn tag_meme(w: &mut World, starter: usize, day: i64, regular: &[usize]) {
    let mut frontier = vec![(starter, w.time_in_day(day))];
    let mut tagged = std::collections::HashSet::new();
    for _generation in 0..5 {
        let mut next = Vec::new();
        for (who, t) in frontier {
            let item = w.item();
            w.emit(
                Kind::Post,
                who,
                None,
                t,
                Some(item.clone()),
                None,
                &["fivethings"],
            );
            for _ in 0..5 {
                let friend = *regular.choose(&mut w.rng).expect("accounts");
                if !tagged.insert(friend) {
                    continue;
                }
                w.emit(
                    Kind::Mention,
                    who,
                    Some(friend),
                    t,
                    Some(item.clone()),
                    None,
                    &["fivethings"],
                );
                if w.rng.gen::<f64>() < 0.6 {
                    next.push((friend, t + w.rng.gen_range(3600..2 * DAY)));
                }
            }
        }
        frontier = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped_as_described() {
        let cfg = SimConfig {
            accounts: 600,
            days: 200,
            bought_followers: 300,
            buy_day: 100,
            viral_day: 50,
            viral_size: 200,
            ..SimConfig::default()
        };
        let a = simulate(&cfg);
        let b = simulate(&cfg);
        assert_eq!(a.events, b.events);
        assert_eq!(a.truth.bought.len(), 300);
        let bought_follows = a
            .events
            .iter()
            .filter(|e| {
                e.kind == Kind::Follow
                    && e.target.as_ref().map(|t| t.id.as_str()) == Some(&a.truth.buyer)
                    && e.actor.id.starts_with('x')
            })
            .count();
        assert_eq!(bought_follows, 300);
        let fake_engagements = a
            .events
            .iter()
            .filter(|e| e.actor.id.starts_with('x') && e.kind != Kind::Follow)
            .count();
        assert_eq!(fake_engagements, 0);
        let viral_reshares = a
            .events
            .iter()
            .filter(|e| e.kind == Kind::Reshare && e.topics == ["meme"])
            .count();
        assert_eq!(viral_reshares, 200);
        assert!(a.events.windows(2).all(|p| p[0].time <= p[1].time));
        assert_eq!(a.truth.quality.len(), 600 + 9 + 300);
    }

    #[test]
    fn latent_quality_draws_the_responses() {
        let cfg = SimConfig {
            accounts: 300,
            days: 300,
            bought_followers: 10,
            quality_spread: 1.0,
            ..SimConfig::default()
        };
        let sim = simulate(&cfg);
        let truth: std::collections::HashMap<&str, f64> = sim
            .truth
            .quality
            .iter()
            .map(|(id, q)| (id.as_str(), *q))
            .collect();
        // Responses to ordinary accounts' posts follow their latent rate × quality: the top
        // quartile by truth receives several times what the bottom quartile receives.
        let mut received: std::collections::HashMap<&str, f64> = Default::default();
        for e in &sim.events {
            if matches!(e.kind, Kind::Reply | Kind::Like) && e.topics != ["meme"] {
                if let Some(t) = &e.target {
                    *received.entry(t.id.as_str()).or_default() += 1.0;
                }
            }
        }
        let mut ordinary: Vec<(f64, f64)> = (0..300)
            .map(|i| {
                let id = format!("u{i}");
                (
                    truth[id.as_str()],
                    received.get(id.as_str()).copied().unwrap_or(0.0),
                )
            })
            .collect();
        ordinary.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mean = |s: &[(f64, f64)]| s.iter().map(|p| p.1).sum::<f64>() / s.len() as f64;
        let (bottom, top) = (mean(&ordinary[..75]), mean(&ordinary[225..]));
        assert!(top > 4.0 * bottom, "top {top} bottom {bottom}");
        // The spread-0 default keeps every ordinary account alike.
        let flat = simulate(&SimConfig {
            quality_spread: 0.0,
            ..cfg
        });
        let q: Vec<f64> = flat.truth.quality[..300].iter().map(|p| p.1).collect();
        assert!(q.iter().all(|&x| x == q[0] && x > 0.0));
    }
}

/// What the demo's analyst knows of some accounts offline (`renown offline`): Wikipedia-style
/// pageviews and press mentions over the two years.
#[derive(Clone, Debug, PartialEq)]
pub struct OfflineFigure {
    /// The native id.
    pub id: String,
    /// Wikipedia-style pageviews over the two years.
    pub pageviews: f64,
    /// Press mentions over the two years.
    pub press_mentions: f64,
}

/// Offline figures for the named roles and a sample of about a hundred ordinary accounts.
///
/// For ordinary accounts offline attention goes with what people care about in their work:
/// pageviews ∝ their latent quality × activity ([`Truth::quality`]) with log-normal noise
/// (σ = 0.5), so offline size does translate online across the crowd. Against that: the
/// celebrity's pageviews are five million (fame from elsewhere), the consistent contributors'
/// a few hundred (little offline weight, much earned online), the company's large, the viral
/// account's a news cycle's worth. Deterministic for a seed.
pub fn offline_figures(truth: &Truth, seed: u64) -> Vec<OfflineFigure> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0ff1_14e5);
    let mut noise = || {
        let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
        (0.5 * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()).exp()
    };
    let ordinary: Vec<&(String, f64)> = truth
        .quality
        .iter()
        .filter(|(id, _)| id.starts_with('u'))
        .collect();
    let mut qualities: Vec<f64> = ordinary.iter().map(|q| q.1).collect();
    qualities.sort_by(f64::total_cmp);
    let median = qualities.get(qualities.len() / 2).copied().unwrap_or(1.0);
    let mut out = Vec::new();
    let mut push = |id: &str, pageviews: f64, noise: f64| {
        let pageviews = (pageviews * noise).round().max(1.0);
        out.push(OfflineFigure {
            id: id.to_string(),
            pageviews,
            press_mentions: (pageviews / 2_000.0).floor(),
        });
    };
    for (id, q) in ordinary.iter().step_by((ordinary.len() / 100).max(1)) {
        let relative = if median > 0.0 { q / median } else { 1.0 };
        let n = noise();
        push(id, 2_000.0 * relative, n);
    }
    for c in &truth.consistent {
        let n = noise();
        push(c, 400.0, n);
    }
    push(&truth.celebrity, 5_000_000.0, 1.0);
    push(&truth.buyer, 400_000.0, 1.0);
    push(&truth.viral, 20_000.0, 1.0);
    push(&truth.meme_starter, 1_000.0, 1.0);
    out
}
