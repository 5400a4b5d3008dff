//! The audit's fast paths give what the plain definitions give: the flags computed from every
//! account's audit in parallel equal one account at a time in order, and audit rows whose earned
//! figures come from a model computed elsewhere (a server's, shared by its views) equal rows
//! that compute their own.

mod common;
use common::{buyer_network, store_of};

use renown_audit::report::{audit_rows_of, earned_split, with_earned};
use renown_audit::{AccountAudit, Activity, Auditor, SuspicionConfig};
use renown_measures::earned::{model, EarnedParams};
use renown_measures::Scope;

/// The flags by definition: one account at a time, in id order.
fn serial_flags(auditor: &Auditor, buyers_too: bool) -> Vec<bool> {
    let act = auditor.act;
    let mut flagged = vec![false; act.n];
    for a in 0..act.n as u32 {
        if act.followers[a as usize].is_empty() {
            continue;
        }
        let audit = auditor.audit(a);
        if buyers_too && 1.0 - audit.quality_high >= 0.5 {
            flagged[a as usize] = true;
        }
        for (f, m) in audit.follower_reasons {
            if AccountAudit::is_suspicious(m, &auditor.cfg) {
                flagged[f as usize] = true;
            }
        }
    }
    flagged
}

#[test]
fn parallel_flags_equal_the_serial_definition() {
    let (_dir, store, _) = store_of(&buyer_network(), |_| true);
    let act = Activity::load(&store, &Scope::default()).unwrap();
    let auditor = Auditor::new(&act, SuspicionConfig::default());
    let suspicious = auditor.suspicious_accounts();
    assert_eq!(suspicious, serial_flags(&auditor, false));
    assert!(suspicious.iter().filter(|&&s| s).count() >= 500);
    let flagged = auditor.flagged_accounts();
    assert_eq!(flagged, serial_flags(&auditor, true));
    // The buyer is flagged though it follows no one suspiciously.
    assert!(flagged.iter().filter(|&&f| f).count() > suspicious.iter().filter(|&&s| s).count());
}

#[test]
fn rows_on_a_shared_model_equal_rows_that_compute_their_own() {
    let (_dir, store, _) = store_of(&buyer_network(), |_| true);
    let scope = Scope::default();
    let cfg = SuspicionConfig::default();
    let params = EarnedParams::default();
    let act = Activity::load(&store, &scope).unwrap();
    let auditor = Auditor::new(&act, cfg);
    let infos = store.accounts().unwrap();
    let suspicious = auditor.suspicious_accounts();

    // Each row's earned figures from a model of its own (`earned_split` reads the store).
    let mut own = audit_rows_of(&auditor, &infos, None);
    let ids: Vec<u32> = own.iter().map(|r| r.audit.account).collect();
    for (row, (e, w)) in own
        .iter_mut()
        .zip(earned_split(&store, &scope, &ids, &suspicious, &params).unwrap())
    {
        row.earned = Some(e);
        row.earned_without = Some(w);
    }
    // From one model computed beforehand, as a server shares it between views.
    let mut shared = audit_rows_of(&auditor, &infos, None);
    let m = model(&store, &scope, &params).unwrap();
    with_earned(&mut shared, &m, &suspicious);

    assert_eq!(own.len(), shared.len());
    assert!(own.len() > 1000);
    for (a, b) in own.iter().zip(&shared) {
        assert_eq!(a.label, b.label);
        assert_eq!(a.audit, b.audit);
        assert_eq!(a.earned.map(f64::to_bits), b.earned.map(f64::to_bits));
        assert_eq!(
            a.earned_without.map(f64::to_bits),
            b.earned_without.map(f64::to_bits)
        );
    }
    // The comparison is not of zeros.
    assert!(own.iter().filter(|r| r.earned.unwrap() > 0.0).count() > 100);
}
