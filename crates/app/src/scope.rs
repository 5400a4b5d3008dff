//! The slice of the event log a question looks at: [`Scope`], defined once in the store and
//! held as it is by store scans, graph snapshots (`renown_graph::FollowParams::of`,
//! `EngagementParams::of`), measures, audits and the spread kernels (`CascadeOptions::scope`,
//! the diffusion graph's `StoreGraphOptions::scope`, `DynamicsOptions::scope`). This module is
//! the one place that parses a scope's text ([`parse_as_of`]) and builds the spread kernels'
//! options from a question's scope.

use crate::{AppError, Result};

pub use renown_store::Scope;

/// A bare date (`YYYY-MM-DD`) means the end of that day (UTC); anything else
/// [`renown_model::parse_time`] reads is the instant itself. Every surface parses `as_of` here.
pub fn parse_as_of(text: &str) -> Result<i64> {
    let s = text.trim();
    let t = renown_model::parse_time(s).map_err(|e| AppError::Invalid(format!("{s:?}: {e}")))?;
    let is_bare_date = s.len() == 10 && s.as_bytes()[4] == b'-';
    Ok(if is_bare_date { t + 86_399 } else { t })
}

/// Refuses a window or a kind list for a question that reads neither (a leaderboard is as of a
/// date, not over a window): a parameter silently ignored would be a wrong answer.
pub fn refuse_window_and_kinds(scope: &Scope, question: &str) -> Result<()> {
    if scope.since.is_some() {
        return Err(AppError::Invalid(format!(
            "{question} is as of a date and takes no window start"
        )));
    }
    if scope.kinds.is_some() {
        return Err(AppError::Invalid(format!(
            "{question} reads a fixed set of kinds and takes no kind list"
        )));
    }
    Ok(())
}

/// The cascades' options: `scope`, cascades of at least `min_size` nodes.
pub fn cascade_options(scope: &Scope, min_size: usize) -> renown_spread::CascadeOptions {
    renown_spread::CascadeOptions {
        scope: scope.measures(),
        min_size,
    }
}

/// The diffusion graph's options for influence maximization: `scope`, a model and
/// probabilities.
pub fn diffusion_options(
    scope: &Scope,
    model: renown_spread::im::Model,
    probabilities: renown_spread::im::report::Probabilities,
) -> renown_spread::im::report::StoreGraphOptions {
    renown_spread::im::report::StoreGraphOptions {
        model,
        probabilities,
        scope: scope.measures(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{format_time, Kind};

    #[test]
    fn a_bare_date_is_the_end_of_that_day_and_an_instant_is_itself() {
        let day = parse_as_of("2025-06-30").unwrap();
        assert_eq!(format_time(day), "2025-06-30T23:59:59Z");
        let instant = parse_as_of("2025-06-30T12:00:00Z").unwrap();
        assert_eq!(format_time(instant), "2025-06-30T12:00:00Z");
        assert_eq!(parse_as_of(" 2025-06-30 ").unwrap(), day);
        assert!(matches!(
            parse_as_of("yesterday"),
            Err(AppError::Invalid(_))
        ));
    }

    #[test]
    fn a_window_or_kinds_are_refused_where_a_question_reads_neither() {
        let plain = Scope::new(Some(0), Some("rust".into()), None);
        assert!(refuse_window_and_kinds(&plain, "the leaderboard").is_ok());
        let windowed = Scope {
            since: Some(0),
            ..plain.clone()
        };
        assert!(refuse_window_and_kinds(&windowed, "the leaderboard").is_err());
        let kinds = Scope {
            kinds: Some(vec![Kind::Reshare]),
            ..plain
        };
        assert!(refuse_window_and_kinds(&kinds, "the leaderboard").is_err());
    }
}
