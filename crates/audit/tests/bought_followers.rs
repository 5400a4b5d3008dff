//! The audit on generated data with known truth: renown-sim's company buys followers on one day.

mod common;
use common::{buyer_network, store_of};

use renown_audit::growth::DAY;
use renown_audit::{AccountAudit, Activity, Auditor, SuspicionConfig};
use renown_measures::Scope;
use renown_sim::PLATFORM;
use std::collections::HashSet;

#[test]
fn bought_followers_are_flagged_and_organic_ones_are_not() {
    let cfg = buyer_network();
    let (_dir, store, truth) = store_of(&cfg, |_| true);
    let act = Activity::load(&store, &Scope::default()).unwrap();
    let auditor = Auditor::new(&act, SuspicionConfig::default());
    let buyer = store
        .find_account(&format!("{PLATFORM}:{}", truth.buyer))
        .unwrap();
    let audit = auditor.audit(buyer);
    let bought: HashSet<u32> = truth
        .bought
        .iter()
        .map(|b| store.find_account(&format!("{PLATFORM}:{b}")).unwrap())
        .collect();
    let (mut fake_flagged, mut fake_total, mut real_flagged, mut real_total) = (0, 0, 0, 0);
    for &(f, m) in &audit.follower_reasons {
        let flagged = AccountAudit::is_suspicious(m, &auditor.cfg);
        if bought.contains(&f) {
            fake_total += 1;
            fake_flagged += usize::from(flagged);
        } else {
            real_total += 1;
            real_flagged += usize::from(flagged);
        }
    }
    assert_eq!(fake_total, cfg.bought_followers);
    assert!(real_total > 0, "the buyer has organic followers too");
    let fake_rate = fake_flagged as f64 / fake_total as f64;
    let real_rate = real_flagged as f64 / real_total as f64;
    eprintln!("bought flagged {fake_rate:.3}, organic flagged {real_rate:.3} of {real_total}");
    assert!(fake_rate >= 0.90, "bought flagged {fake_rate}");
    assert!(real_rate < 0.05, "organic flagged {real_rate}");

    // Across every account's audience, organic followers stay under 5 % flagged.
    let (mut flagged, mut total) = (0usize, 0usize);
    for a in 0..act.n as u32 {
        if a == buyer {
            continue;
        }
        for (f, m) in auditor.audit(a).follower_reasons {
            if !bought.contains(&f) {
                total += 1;
                flagged += usize::from(AccountAudit::is_suspicious(m, &auditor.cfg));
            }
        }
    }
    assert!(total > 1000);
    assert!(
        (flagged as f64) < 0.05 * total as f64,
        "{flagged} of {total}"
    );

    // The buyer's audience quality sits far below an honest contributor's, and its interval is
    // narrower than a tiny account's.
    let honest = store
        .find_account(&format!("{PLATFORM}:{}", truth.consistent[0]))
        .unwrap();
    let h = auditor.audit(honest);
    assert!(audit.quality_high < h.quality_low, "{audit:?} vs {h:?}");
}

#[test]
fn the_follower_spike_is_found_on_the_buying_day() {
    let cfg = buyer_network();
    let (_dir, store, truth) = store_of(&cfg, |_| true);
    let act = Activity::load(&store, &Scope::default()).unwrap();
    let auditor = Auditor::new(&act, SuspicionConfig::default());
    let buyer = store
        .find_account(&format!("{PLATFORM}:{}", truth.buyer))
        .unwrap();
    let audit = auditor.audit(buyer);
    assert_eq!(audit.anomalies.len(), 1, "{:?}", audit.anomalies);
    assert_eq!(audit.anomalies[0].day, truth.buy_time.div_euclid(DAY) * DAY);
    assert!(audit.anomalies[0].gained as usize >= cfg.bought_followers);
}

#[test]
fn the_buyer_leads_the_listing_and_the_bystanders_it_camouflaged_with_do_not() {
    let cfg = buyer_network();
    let (_dir, store, truth) = store_of(&cfg, |_| true);
    let act = Activity::load(&store, &Scope::default()).unwrap();
    let auditor = Auditor::new(&act, SuspicionConfig::default());
    let buyer = store
        .find_account(&format!("{PLATFORM}:{}", truth.buyer))
        .unwrap();
    let mut audits: Vec<AccountAudit> = (0..act.n as u32)
        .filter(|&a| !act.followers[a as usize].is_empty())
        .map(|a| auditor.audit(a))
        .collect();
    let share = |a: &AccountAudit| a.suspicious_share();
    let buyer_share = share(audits.iter().find(|a| a.account == buyer).unwrap());
    // The trap: small accounts followed only by the bought accounts' camouflage follows have a
    // higher suspicious share than the buyer.
    let above = audits.iter().filter(|a| share(a) > buyer_share).count();
    assert!(above > 10, "only {above} accounts out-share the buyer");
    audits.sort_by(AccountAudit::by_evidence);
    assert_eq!(audits[0].account, buyer, "{:?}", &audits[..3]);
    // The runner-up's evidence is a small fraction of the buyer's.
    assert!(audits[1].bought_evidence() < 0.05 * audits[0].bought_evidence());
}
