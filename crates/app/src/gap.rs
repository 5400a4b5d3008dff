//! Does being big offline translate online? `renown gap` and `GET /api/gap`: each person's
//! offline figure (`renown offline`) against their earned influence (computed over persons),
//! with the translation gap — the residual of `log10 earned` on `log10 offline` under a
//! Theil–Sen line ([`renown_measures::gap`], where the scale and the estimator are justified).

use crate::persons::{PersonName, PersonRanked};
use crate::source::Source;
use crate::{AppError, Scope};
use renown_measures::gap::{log_floored, mad_scale, median, theil_sen, Line};
use renown_measures::{measure, Warning};
use renown_store::offline::Subject;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Which offline figure to use and how many persons to list each way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GapQuery {
    /// The offline measure (a column of the offline file); default: the one most persons have.
    pub offline_measure: Option<String>,
    /// Persons listed in each of the two lists; `None`: all that qualify.
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer: Gap.
pub struct Gap {
    /// The slice of the log the answer reads.
    pub scope: Scope,
    /// The offline measure set against earned influence (`None` when the store has none).
    pub offline_measure: Option<String>,
    /// Whether that measure is a rank (1 = biggest), entered as −log10 rank.
    pub offline_is_rank: bool,
    /// Every offline measure stored, with how many persons have it.
    pub offline_measures: Vec<OfflineMeasure>,
    /// Persons with the offline figure (the regression's points).
    pub persons: usize,
    /// Persons ranked by earned influence in all.
    pub persons_ranked: usize,
    /// `log10 earned = intercept + slope · log10 offline`; `None` when undefined.
    pub fit: Option<Line>,
    /// 1.4826 × the residuals' median absolute deviation.
    pub residual_scale: Option<f64>,
    /// A person is listed when their gap is beyond ± this: max(2 × residual scale, log10 2).
    pub cut: Option<f64>,
    /// Why there is no gap in this scope (no offline figures, fewer than three persons with
    /// one, one offline value for all, nobody earned anything). Then every gap is `null`.
    pub undefined: Option<String>,
    /// Big offline (at or above the median offline figure), earned far below the line.
    pub big_offline_not_earned: Vec<GapRow>,
    /// Earned far above the line with at most the median offline figure.
    pub earned_without_offline_weight: Vec<GapRow>,
    /// Every person with the offline figure, by offline size (biggest first).
    pub rows: Vec<GapRow>,
    /// What makes the scope or the measure degenerate.
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer: OfflineMeasure.
pub struct OfflineMeasure {
    /// The offline measure's name (a column of the offline file).
    pub name: String,
    /// Persons with this figure.
    pub persons: usize,
}

#[derive(Clone, Debug, Serialize)]
/// The answer: GapRow.
pub struct GapRow {
    #[serde(flatten)]
    /// The person.
    pub person: PersonName,
    /// Offline.
    pub offline: f64,
    /// Rank by offline size among the persons with the figure (1 = biggest).
    pub offline_rank: u32,
    /// Earned.
    pub earned: f64,
    /// Rank by earned influence among the same persons.
    pub earned_rank: u32,
    /// Rank by earned influence among every person.
    pub earned_rank_all: u32,
    /// What the line expects of a person of this offline size (base votes).
    pub expected_earned: Option<f64>,
    /// `log10(earned / expected)`: −1 = a tenth of what the line expects.
    pub gap: Option<f64>,
}

/// Whether an offline measure is a rank (smaller = bigger), from its name.
pub fn is_rank(name: &str) -> bool {
    name.to_ascii_lowercase().contains("rank")
}

/// Competition ranks of `v` by `bigger_first` order (1 = first).
fn ranks(v: &[f64], bigger: impl Fn(f64, f64) -> std::cmp::Ordering) -> Vec<u32> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&i, &j| bigger(v[i], v[j]).then(i.cmp(&j)));
    let mut out = vec![0u32; v.len()];
    for (pos, &i) in order.iter().enumerate() {
        out[i] = if pos > 0 && v[order[pos - 1]] == v[i] {
            out[order[pos - 1]]
        } else {
            pos as u32 + 1
        };
    }
    out
}

/// Each person's offline figures: a linked person's own row, else the largest of their
/// accounts' (two accounts of one person carry one person's revenue, not two).
fn offline_by_person(
    values: Vec<renown_store::offline::OfflineValue>,
    persons: &renown_measures::Persons,
) -> BTreeMap<String, HashMap<u32, f64>> {
    let by_name: HashMap<&str, u32> = (0..persons.len() as u32)
        .filter_map(|p| persons.name(p).map(|n| (n, p)))
        .collect();
    let mut own: BTreeMap<String, HashMap<u32, f64>> = BTreeMap::new();
    let mut from_accounts: BTreeMap<String, HashMap<u32, f64>> = BTreeMap::new();
    for v in values {
        let rank = is_rank(&v.measure);
        let keep = |old: &mut f64, new: f64| {
            // For a rank the best is the smallest.
            if (rank && new < *old) || (!rank && new > *old) {
                *old = new;
            }
        };
        match v.subject {
            Subject::Person(name) => {
                if let Some(&p) = by_name.get(name.as_str()) {
                    own.entry(v.measure).or_default().insert(p, v.value);
                }
            }
            Subject::Account(a) if (a as usize) < persons.accounts() => {
                let m = from_accounts.entry(v.measure).or_default();
                let p = persons.of(a);
                match m.get_mut(&p) {
                    Some(old) => keep(old, v.value),
                    None => {
                        m.insert(p, v.value);
                    }
                }
            }
            Subject::Account(_) => {}
        }
    }
    for (measure, values) in from_accounts {
        let m = own.entry(measure).or_default();
        for (p, v) in values {
            m.entry(p).or_insert(v);
        }
    }
    own
}

/// Each person's offline rank against their earned influence, and the translation gap.
pub fn gap<S: Source>(src: &S, scope: &Scope, query: &GapQuery) -> Result<Gap, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "the gap")?;
    let store = src.store();
    let earned = measure("earned").map_err(AppError::from)?;
    let PersonRanked { persons, ranked } = PersonRanked::compute(src, earned, scope)?;
    let accounts = src.accounts()?;
    let values = store.offline_values().map_err(AppError::from)?;
    let by_measure = offline_by_person(values, &persons);
    let offline_measures: Vec<OfflineMeasure> = by_measure
        .iter()
        .map(|(name, v)| OfflineMeasure {
            name: name.clone(),
            persons: v.len(),
        })
        .collect();
    let chosen = match &query.offline_measure {
        Some(name) if by_measure.contains_key(name) => Some(name.clone()),
        Some(name) => {
            let known: Vec<&str> = by_measure.keys().map(String::as_str).collect();
            return Err(AppError::Invalid(format!(
                "no offline measure {name:?} in the store ({})",
                if known.is_empty() {
                    "none stored: renown offline FILE".to_string()
                } else {
                    format!("one of: {}", known.join(", "))
                }
            ))
            .into());
        }
        None => offline_measures
            .iter()
            .max_by(|a, b| a.persons.cmp(&b.persons).then(b.name.cmp(&a.name)))
            .map(|m| m.name.clone()),
    };
    let mut answer = Gap {
        scope: scope.clone(),
        offline_measure: chosen.clone(),
        offline_is_rank: chosen.as_deref().is_some_and(is_rank),
        offline_measures,
        persons: 0,
        persons_ranked: persons.len(),
        fit: None,
        residual_scale: None,
        cut: None,
        undefined: None,
        big_offline_not_earned: Vec::new(),
        earned_without_offline_weight: Vec::new(),
        rows: Vec::new(),
        warnings: ranked.warnings.clone(),
    };
    let Some(chosen) = chosen else {
        answer.undefined = Some("no offline figures in the store (renown offline FILE)".into());
        return Ok(answer);
    };
    let rank_measure = is_rank(&chosen);
    let mut points: Vec<(u32, f64)> = by_measure[&chosen]
        .iter()
        .map(|(&p, &v)| (p, v))
        .filter(|&(_, v)| v.is_finite() && (!rank_measure || v > 0.0) && v >= 0.0)
        .collect();
    points.sort_by_key(|p| p.0);
    let offline: Vec<f64> = points.iter().map(|p| p.1).collect();
    let earned_of: Vec<f64> = points.iter().map(|p| ranked.scores[p.0 as usize]).collect();
    let offline_rank = if rank_measure {
        ranks(&offline, |a, b| a.total_cmp(&b))
    } else {
        ranks(&offline, |a, b| b.total_cmp(&a))
    };
    let earned_rank = ranks(&earned_of, |a, b| b.total_cmp(&a));
    answer.persons = points.len();
    // x: log10 offline size (−log10 rank for a rank); y: log10 earned, zeros floored.
    let x = if rank_measure {
        Some(offline.iter().map(|v| -v.log10()).collect::<Vec<f64>>())
    } else {
        log_floored(&offline).map(|l| l.0)
    };
    let y = log_floored(&earned_of).map(|l| l.0);
    let line = match (&x, &y) {
        _ if points.len() < 3 => Err(format!(
            "{} person(s) with {chosen}: a line through fewer than three points has no residual",
            points.len()
        )),
        (None, _) => Err(format!("no person has a positive {chosen}")),
        (_, None) => Err(format!(
            "no person with {chosen} earned anything in this scope"
        )),
        (Some(x), Some(y)) => theil_sen(x, y).ok_or(format!("every person has the same {chosen}")),
    };
    let mut rows: Vec<GapRow> = points
        .iter()
        .enumerate()
        .map(|(i, &(p, v))| GapRow {
            person: PersonName::new(&persons, p, &accounts),
            offline: v,
            offline_rank: offline_rank[i],
            earned: earned_of[i],
            earned_rank: earned_rank[i],
            earned_rank_all: ranked.rank_of[p as usize],
            expected_earned: None,
            gap: None,
        })
        .collect();
    match line {
        Err(reason) => answer.undefined = Some(reason),
        Ok(line) => {
            let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default());
            let residuals: Vec<f64> = (0..rows.len())
                .map(|i| y[i] - (line.intercept + line.slope * x[i]))
                .collect();
            let scale = mad_scale(&residuals);
            let cut = (2.0 * scale).max(2f64.log10());
            let mut xs = x.clone();
            let x_median = median(&mut xs).unwrap_or(0.0);
            for (i, row) in rows.iter_mut().enumerate() {
                row.expected_earned = Some(10f64.powf(line.intercept + line.slope * x[i]));
                row.gap = Some(residuals[i]);
            }
            let mut big: Vec<(f64, usize)> = Vec::new();
            let mut earned_only: Vec<(f64, usize)> = Vec::new();
            for i in 0..rows.len() {
                if residuals[i] < -cut && x[i] >= x_median {
                    big.push((residuals[i], i));
                } else if residuals[i] > cut && x[i] <= x_median {
                    earned_only.push((residuals[i], i));
                }
            }
            big.sort_by(|a, b| a.0.total_cmp(&b.0));
            earned_only.sort_by(|a, b| b.0.total_cmp(&a.0));
            let limit = query.limit.unwrap_or(usize::MAX);
            answer.big_offline_not_earned = big
                .iter()
                .take(limit)
                .map(|&(_, i)| rows[i].clone())
                .collect();
            answer.earned_without_offline_weight = earned_only
                .iter()
                .take(limit)
                .map(|&(_, i)| rows[i].clone())
                .collect();
            answer.fit = Some(line);
            answer.residual_scale = Some(scale);
            answer.cut = Some(cut);
        }
    }
    rows.sort_by(|a, b| {
        a.offline_rank
            .cmp(&b.offline_rank)
            .then(a.person.person.cmp(&b.person.person))
    });
    answer.rows = rows;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties_and_follow_the_order() {
        assert_eq!(
            ranks(&[5.0, 9.0, 5.0, 1.0], |a, b| b.total_cmp(&a)),
            [2, 1, 2, 4]
        );
        assert_eq!(
            ranks(&[5.0, 9.0, 5.0, 1.0], |a, b| a.total_cmp(&b)),
            [2, 4, 2, 1]
        );
        assert!(is_rank("brand_rank") && !is_rank("pageviews"));
    }
}
