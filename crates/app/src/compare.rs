//! How far the measures agree: `renown compare` and `GET /api/compare`.
//!
//! One shape for both. Where they disagreed, the API's won: the answer carries its `scope`.

use crate::config::Echo;
use crate::persons::{person_ranked_all, Per};
use crate::source::{Ranked, Source};
use crate::{AppError, Scope};
use renown_measures::compare::compare_ordered;
use renown_measures::{measure, MeasureSpec, MEASURES};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which measures to compare and over which top sets.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareQuery {
    /// Registered measure names; empty = every registered measure.
    pub measures: Vec<String>,
    /// Top sets, in percent of accounts, each in (0, 100].
    pub top_percent: Vec<f64>,
    /// Accounts, or persons (every measure computed over persons: [`crate::persons`]).
    pub per: Per,
}

impl Default for CompareQuery {
    fn default() -> CompareQuery {
        CompareQuery {
            measures: Vec::new(),
            top_percent: vec![10.0, 1.0],
            per: Per::Account,
        }
    }
}

/// Spearman's ρ and Kendall's τ-b between every pair of measures, over all accounts and over
/// each measure's top sets (Cha et al. 2010, Table 3).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The correlations (renown_measures::compare), its fields at the top level.
    #[serde(flatten)]
    pub table: renown_measures::compare::Comparison,
    /// The slice of the log the answer is for.
    pub scope: Scope,
    /// What the correlations run over: accounts, or persons (then `n` counts persons).
    pub per: Per,
    /// Per person: persons with more than one linked account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked: Option<usize>,
    /// The parameters of each compared measure that takes any, by measure name.
    pub parameters: BTreeMap<&'static str, Echo>,
}

/// The measures a query names, checked: at least two, each registered.
pub fn measures_of(q: &CompareQuery) -> crate::Result<Vec<&'static MeasureSpec>> {
    let specs: Vec<&'static MeasureSpec> = if q.measures.is_empty() {
        MEASURES.iter().collect()
    } else {
        q.measures
            .iter()
            .map(|n| measure(n.trim()))
            .collect::<Result<_, _>>()?
    };
    if specs.len() < 2 {
        return Err(AppError::Invalid(
            "compare needs at least two measures".into(),
        ));
    }
    if let Some(p) = q.top_percent.iter().find(|p| !(**p > 0.0 && **p <= 100.0)) {
        return Err(AppError::Invalid(format!(
            "a top set of {p} percent: top percents must be in (0, 100]"
        )));
    }
    Ok(specs)
}

/// Compares the measures `q` names in `scope`, from the source's ranked scores. Warnings are
/// the scope's and each measure's, each once.
pub fn compare<S: Source>(
    source: &S,
    scope: &Scope,
    q: &CompareQuery,
) -> Result<Comparison, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "compare")?;
    let specs = measures_of(q)?;
    // Per person every measure runs on the log of persons (never a sum of account scores).
    let (ranked, linked): (Vec<Arc<Ranked>>, _) = match q.per {
        Per::Account => (source.ranked_all(&specs, scope)?, None),
        Per::Person => {
            let (persons, ranked) = person_ranked_all(source, &specs, scope)?;
            (
                ranked.into_iter().map(Arc::new).collect(),
                Some(persons.linked()),
            )
        }
    };
    let names: Vec<&str> = specs.iter().map(|m| m.name).collect();
    // Each measure's order is ranked already: the comparison sorts no measure again.
    let scores: Vec<&[f64]> = ranked.iter().map(|r| r.scores.as_slice()).collect();
    let orders: Vec<&[(u32, f64)]> = ranked.iter().map(|r| r.order.as_slice()).collect();
    let mut table = compare_ordered(&names, &scores, &orders, &q.top_percent);
    for w in ranked.iter().flat_map(|r| &r.warnings) {
        if !table.warnings.contains(w) {
            table.warnings.push(w.clone());
        }
    }
    Ok(Comparison {
        table,
        scope: scope.clone(),
        per: q.per,
        linked,
        parameters: source.params().echoed((), &names).parameters,
    })
}
