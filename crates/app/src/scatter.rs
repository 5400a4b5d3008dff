//! One measure against another, account by account ([`renown_measures::scatter`]): the points
//! of a scatter plot named by account, the accounts furthest from agreeing each way, and the
//! overlap of the two measures' top-k sets.

use crate::{AppError, Scope, Source};
use renown_measures::scatter::{scatter as scatter_of, Point, ScatterOptions, TopAgreement};
use renown_measures::{measure, Warning};
use serde::Serialize;

/// Most points a scatter returns.
pub const MAX_POINTS: usize = 20_000;

/// Which two measures, and how many points at most.
#[derive(Clone, Debug)]
pub struct ScatterQuery {
    /// The measure on the horizontal axis.
    pub x: String,
    /// The measure on the vertical axis (a different one).
    pub y: String,
    /// Most points returned (at most [`MAX_POINTS`]; 0 counts as 1); a larger store is sampled,
    /// keeping each measure's top accounts and the outliers.
    pub points: usize,
}

impl Default for ScatterQuery {
    fn default() -> Self {
        ScatterQuery {
            x: "followers".into(),
            y: renown_measures::MEASURES[0].name.into(),
            points: ScatterOptions::default().max_points,
        }
    }
}

/// One account's point: its scores under both measures and where they put it.
#[derive(Clone, Debug, Serialize)]
pub struct NamedPoint {
    /// Scores, percentiles and which way it disagrees, if it is an outlier.
    #[serde(flatten)]
    pub point: Point,
    /// The account's label (`@handle` or `platform:native_id`).
    pub account: String,
}

/// Two measures side by side (`renown scatter`, `GET /api/scatter`).
#[derive(Clone, Debug, Serialize)]
pub struct Scatter {
    /// The measure on the horizontal axis.
    pub x: &'static str,
    /// The measure on the vertical axis.
    pub y: &'static str,
    /// The slice of the log both measures read.
    pub scope: Scope,
    /// Accounts scored.
    pub accounts: usize,
    /// Accounts with `x = 0` (off a log axis).
    pub zero_x: usize,
    /// Accounts with `y = 0`.
    pub zero_y: usize,
    /// Accounts with both zero.
    pub zero_both: usize,
    /// The points, each measure's top accounts and the outliers among them.
    pub points: Vec<NamedPoint>,
    /// Fewer points than accounts are returned.
    pub sampled: bool,
    /// The overlap of the two top-k sets, for each k below the account count.
    pub agreement: Vec<TopAgreement>,
    /// What makes the scope or either measure degenerate (each warning once).
    pub warnings: Vec<Warning>,
}

/// Checks `query` (two different registered measures, a point count in range) before anything
/// is read: the two measures' registered names.
pub fn measures_of(query: &ScatterQuery) -> crate::Result<(&'static str, &'static str)> {
    let (x, y) = (measure(&query.x)?.name, measure(&query.y)?.name);
    if x == y {
        return Err(AppError::Invalid(
            "x and y: name two different measures".into(),
        ));
    }
    if query.points > MAX_POINTS {
        return Err(AppError::Invalid(format!(
            "points must be at most {MAX_POINTS}, not {}",
            query.points
        )));
    }
    Ok((x, y))
}

/// Every account's score under the two measures of `query` in `scope`.
pub fn scatter<S: Source>(
    src: &S,
    scope: &Scope,
    query: &ScatterQuery,
) -> Result<Scatter, S::Error> {
    let (x, y) = measures_of(query)?;
    let specs = [
        measure(x).map_err(AppError::from)?,
        measure(y).map_err(AppError::from)?,
    ];
    let ranked = src.ranked_all(&specs, scope)?;
    let (rx, ry) = (&ranked[0], &ranked[1]);
    let s = scatter_of(
        &rx.scores,
        &ry.scores,
        &ScatterOptions {
            max_points: query.points.max(1),
            ..ScatterOptions::default()
        },
    );
    let accounts = src.accounts()?;
    let points = s
        .points
        .into_iter()
        .map(|point| NamedPoint {
            account: accounts
                .get(point.dense_id as usize)
                .map(|a| a.label())
                .unwrap_or_default(),
            point,
        })
        .collect();
    let mut warnings = rx.warnings.clone();
    warnings.extend(
        ry.warnings
            .iter()
            .filter(|w| !rx.warnings.contains(w))
            .cloned(),
    );
    Ok(Scatter {
        x,
        y,
        scope: scope.clone(),
        accounts: s.accounts,
        zero_x: s.zero_x,
        zero_y: s.zero_y,
        zero_both: s.zero_both,
        points,
        sampled: s.sampled,
        agreement: s.agreement,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scatter_needs_two_different_measures_and_a_bounded_point_count() {
        let q = |x: &str, y: &str, points: usize| ScatterQuery {
            x: x.into(),
            y: y.into(),
            points,
        };
        assert_eq!(
            measures_of(&ScatterQuery::default()).unwrap(),
            ("followers", "earned")
        );
        assert!(matches!(
            measures_of(&q("earned", "earned", 10)),
            Err(AppError::Invalid(m)) if m.contains("different")
        ));
        assert!(matches!(
            measures_of(&q("followers", "nope", 10)),
            Err(AppError::Measure(_))
        ));
        assert!(measures_of(&q("followers", "earned", MAX_POINTS)).is_ok());
        assert!(matches!(
            measures_of(&q("followers", "earned", MAX_POINTS + 1)),
            Err(AppError::Invalid(m)) if m.contains("at most")
        ));
    }
}
