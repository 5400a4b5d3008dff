//! The measures' parameters, settable without recompiling: from a TOML file (`renown.toml`
//! beside the store, or the CLI's `--config FILE`) or from a binding (the same shape as JSON).
//!
//! ```toml
//! [earned]
//! half_life_days = 90          # H: engagement loses half its weight every H days
//! damping = 0.85               # d: share of credibility an endorser passes on
//! reciprocity_discount = 0.8   # γ: share of mutual endorsement discounted
//! follow_weight = 0.25         # κ_follow
//! selectivity_prior = 1.0      # σ
//! consistency_months = 3       # M0 (0 turns the consistency factor off)
//! [earned.kind_weights]        # κ per kind; kinds not listed keep their default
//! mention = 0.25
//! [pagerank]
//! damping = 0.85               # the PageRank measures' (follow, engagement, reshare)
//! ```
//!
//! Every key is optional; an unknown key or a value out of range is refused with its key named.
//! The answers a parameter affects echo it ([`Params::echo`]): a leaderboard's `parameters`
//! field, an explanation's `params`, an audit's `parameters` (its earned figures), compare's
//! `parameters` (one per measure that takes any), and the CLI's table header.

use crate::{AppError, Result};
use renown_measures::pagerank::damped;
use renown_measures::params::Parameters;
use renown_measures::{Log, MeasureSpec, Measured, Scores};
use renown_model::Kind;
use renown_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The file name looked for beside the store.
pub const FILE_NAME: &str = "renown.toml";

/// A parameters file as written: every key optional, unknown keys refused.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsFile {
    /// `[earned]`.
    pub earned: Option<EarnedSection>,
    /// `[pagerank]`.
    pub pagerank: Option<PageRankSection>,
}

/// `[pagerank]`: the PageRank measures' parameters (`pagerank`, `engagement-pagerank`,
/// `reshare-pagerank`; TweepCred keeps the 0.9 of Twitter's own code).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRankSection {
    /// The probability that the random surfer follows a link rather than jumps, in [0, 1).
    pub damping: Option<f64>,
}

/// `[earned]`: earned influence's parameters (docs/MEASURES.md).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnedSection {
    /// H: engagement loses half its weight every H days (> 0).
    pub half_life_days: Option<f64>,
    /// d: the share of credibility an endorser passes on, in [0, 1).
    pub damping: Option<f64>,
    /// γ: the share of mutual endorsement discounted, in [0, 1].
    pub reciprocity_discount: Option<f64>,
    /// κ_follow: what a standing follow adds to a pair (>= 0).
    pub follow_weight: Option<f64>,
    /// σ: the prior added to an endorser's budget, so one engagement is not all it gives (>= 0).
    pub selectivity_prior: Option<f64>,
    /// M0: months of engagement at which consistency is half way (0 turns it off).
    pub consistency_months: Option<f64>,
    /// The consistency factor's period in days instead of calendar months (> 0).
    pub consistency_period_days: Option<f64>,
    /// The half-life of an active period's weight in the consistency factor, days (> 0;
    /// unset: H).
    pub consistency_half_life_days: Option<f64>,
    /// Scale γ per endorsed account by the share of its received strength it returns.
    pub reciprocity_by_share: Option<bool>,
    /// λ: what each distinct recent engager adds to its endorsement (>= 0; 0: off).
    pub recent_engager_weight: Option<f64>,
    /// H_r: the recent-engager term's half-life, days (> 0; unset: H).
    pub recent_engager_half_life_days: Option<f64>,
    /// Kind name → weight; kinds not listed keep their default weight.
    pub kind_weights: Option<BTreeMap<String, f64>>,
}

/// The parameters every measure is computed with, and where they came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// The values (earned influence's, the PageRank measures' damping).
    pub measures: Parameters,
    /// Where they were set (a file's path, or the binding's name); `None`: the defaults.
    pub source: Option<String>,
}

/// The defaults, for surfaces that do not read a file.
pub fn defaults() -> &'static Params {
    static DEFAULTS: OnceLock<Params> = OnceLock::new();
    DEFAULTS.get_or_init(Params::default)
}

/// What a leaderboard echoes: the parameters its measure was computed with and their source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Echo {
    /// The file (or binding) they came from; `null`: the built-in defaults.
    pub source: Option<String>,
    /// The values, their fields at the top level.
    #[serde(flatten)]
    pub values: MeasureParams,
}

/// One measure's parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MeasureParams {
    /// Earned influence's.
    Earned {
        /// H, days.
        half_life_days: f64,
        /// d, the share of credibility passed on.
        damping: f64,
        /// γ, the share of mutual endorsement discounted.
        reciprocity_discount: f64,
        /// κ_follow.
        follow_weight: f64,
        /// σ, added to each endorser's budget.
        selectivity_prior: f64,
        /// M0, months (0: no consistency factor).
        consistency_months: f64,
        /// The consistency period in days (absent: calendar months).
        #[serde(skip_serializing_if = "Option::is_none")]
        consistency_period_days: Option<f64>,
        /// The consistency half-life in days (absent: H).
        #[serde(skip_serializing_if = "Option::is_none")]
        consistency_half_life_days: Option<f64>,
        /// γ scaled by each account's returned share (absent: not).
        #[serde(skip_serializing_if = "is_false")]
        reciprocity_by_share: bool,
        /// λ of the recent-engager term (absent: 0, off).
        #[serde(skip_serializing_if = "is_zero")]
        recent_engager_weight: f64,
        /// H_r in days (absent: H).
        #[serde(skip_serializing_if = "Option::is_none")]
        recent_engager_half_life_days: Option<f64>,
        /// κ per engagement kind, by kind name.
        kind_weights: BTreeMap<&'static str, f64>,
    },
    /// A PageRank measure's.
    PageRank {
        /// The probability of following a link rather than jumping.
        damping: f64,
    },
}

fn is_false(b: &bool) -> bool {
    !b
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn invalid(origin: &str, key: &str, want: &str, got: f64) -> AppError {
    AppError::Invalid(format!("{origin}: {key} must be {want}, not {got}"))
}

/// `value` if it lies in the range `ok` accepts, else an error naming `key`.
fn checked(
    origin: &str,
    key: &str,
    value: f64,
    want: &str,
    ok: impl Fn(f64) -> bool,
) -> Result<f64> {
    if value.is_finite() && ok(value) {
        Ok(value)
    } else {
        Err(invalid(origin, key, want, value))
    }
}

impl Params {
    /// The parameters for the store at `db`: `explicit` if given (it must exist), else
    /// `renown.toml` beside the store if there is one, else the defaults.
    pub fn load(db: &Path, explicit: Option<&Path>) -> Result<Params> {
        let path: PathBuf = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let beside = db.parent().unwrap_or(Path::new("")).join(FILE_NAME);
                if !beside.is_file() {
                    return Ok(Params::default());
                }
                beside
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            AppError::Invalid(format!("cannot read the config {}: {e}", path.display()))
        })?;
        Params::from_toml(&text, &path.display().to_string())
    }

    /// Parses a TOML parameters file; `origin` names it in errors and in the echo.
    pub fn from_toml(text: &str, origin: &str) -> Result<Params> {
        let file: ParamsFile = toml::from_str(text)
            .map_err(|e| AppError::Invalid(format!("{origin}: {}", e.to_string().trim_end())))?;
        Params::default().with(&file, origin)
    }

    /// These parameters with what `file` sets replaced, each value checked.
    pub fn with(&self, file: &ParamsFile, origin: &str) -> Result<Params> {
        let mut p = self.clone();
        if let Some(e) = &file.earned {
            let q = &mut p.measures.earned;
            let set =
                |key: &str, v: Option<f64>, slot: &mut f64, want: &str, ok: fn(f64) -> bool| {
                    if let Some(v) = v {
                        *slot = checked(origin, &format!("earned.{key}"), v, want, ok)?;
                    }
                    Ok::<(), AppError>(())
                };
            set(
                "half_life_days",
                e.half_life_days,
                &mut q.half_life_days,
                "> 0",
                |v| v > 0.0,
            )?;
            set("damping", e.damping, &mut q.damping, "in [0, 1)", |v| {
                (0.0..1.0).contains(&v)
            })?;
            set(
                "reciprocity_discount",
                e.reciprocity_discount,
                &mut q.reciprocity_discount,
                "in [0, 1]",
                |v| (0.0..=1.0).contains(&v),
            )?;
            set(
                "follow_weight",
                e.follow_weight,
                &mut q.follow_weight,
                ">= 0",
                |v| v >= 0.0,
            )?;
            set(
                "selectivity_prior",
                e.selectivity_prior,
                &mut q.selectivity_prior,
                ">= 0",
                |v| v >= 0.0,
            )?;
            set(
                "consistency_months",
                e.consistency_months,
                &mut q.consistency_months,
                ">= 0",
                |v| v >= 0.0,
            )?;
            set(
                "recent_engager_weight",
                e.recent_engager_weight,
                &mut q.recent_engager_weight,
                ">= 0",
                |v| v >= 0.0,
            )?;
            let days = |key: &str, v: Option<f64>, slot: &mut Option<f64>| {
                if let Some(v) = v {
                    *slot = Some(checked(origin, &format!("earned.{key}"), v, "> 0", |v| {
                        v > 0.0
                    })?);
                }
                Ok::<(), AppError>(())
            };
            days(
                "consistency_period_days",
                e.consistency_period_days,
                &mut q.consistency_period_days,
            )?;
            days(
                "consistency_half_life_days",
                e.consistency_half_life_days,
                &mut q.consistency_half_life_days,
            )?;
            days(
                "recent_engager_half_life_days",
                e.recent_engager_half_life_days,
                &mut q.recent_engager_half_life_days,
            )?;
            if let Some(b) = e.reciprocity_by_share {
                q.reciprocity_by_share = b;
            }
            for (name, &w) in e.kind_weights.iter().flatten() {
                let key = format!("earned.kind_weights.{name}");
                let kind = Kind::ALL
                    .into_iter()
                    .find(|k| k.name() == name && k.is_engagement())
                    .ok_or_else(|| {
                        let kinds: Vec<&str> = renown_model::ENGAGEMENT_KINDS
                            .iter()
                            .map(|k| k.name())
                            .collect();
                        AppError::Invalid(format!(
                            "{origin}: {key}: not an engagement kind (one of: {})",
                            kinds.join(", ")
                        ))
                    })?;
                let w = checked(origin, &key, w, ">= 0", |v| v >= 0.0)?;
                match q.kind_weights.iter_mut().find(|(k, _)| *k == kind) {
                    Some(slot) => slot.1 = w,
                    None => q.kind_weights.push((kind, w)),
                }
            }
        }
        if let Some(d) = file.pagerank.as_ref().and_then(|s| s.damping) {
            p.measures.pagerank_damping =
                checked(origin, "pagerank.damping", d, "in [0, 1)", |v| {
                    (0.0..1.0).contains(&v)
                })?;
        }
        p.source = Some(origin.to_string());
        Ok(p)
    }

    /// The parameters `measure` is computed with, or `None` for a measure that takes none.
    pub fn echo(&self, measure: &str) -> Option<Echo> {
        let values = match measure {
            "earned" => {
                let e = &self.measures.earned;
                MeasureParams::Earned {
                    half_life_days: e.half_life_days,
                    damping: e.damping,
                    reciprocity_discount: e.reciprocity_discount,
                    follow_weight: e.follow_weight,
                    selectivity_prior: e.selectivity_prior,
                    consistency_months: e.consistency_months,
                    consistency_period_days: e.consistency_period_days,
                    consistency_half_life_days: e.consistency_half_life_days,
                    reciprocity_by_share: e.reciprocity_by_share,
                    recent_engager_weight: e.recent_engager_weight,
                    recent_engager_half_life_days: e.recent_engager_half_life_days,
                    kind_weights: e.kind_weights.iter().map(|&(k, w)| (k.name(), w)).collect(),
                }
            }
            m if damped(m).is_some() => MeasureParams::PageRank {
                damping: self.measures.pagerank_damping,
            },
            _ => return None,
        };
        Some(Echo {
            source: self.source.clone(),
            values,
        })
    }

    /// A measure's scores in a scope, computed with these parameters, with how an iterative
    /// measure stopped.
    pub fn measured(
        &self,
        store: &Store,
        measure: &MeasureSpec,
        scope: &renown_measures::Scope,
    ) -> Result<Measured> {
        Ok(self.measures.measured(measure, store, scope)?)
    }

    /// Several measures' scores on one log, in parallel, in the order of `specs`, with how
    /// each iterative one stopped.
    pub fn measured_all(
        &self,
        log: &Log,
        specs: &[&MeasureSpec],
        scope: &renown_measures::Scope,
    ) -> Result<Vec<Measured>> {
        Ok(self.measures.measured_all(log, scope, specs)?)
    }
}

/// An answer computed with some measures' parameters, echoing them beside its own fields: by
/// measure name, each measure it computed that takes any (`{"earned": {…}, "pagerank": {…}}`).
#[derive(Clone, Debug, Serialize)]
pub struct WithParameters<T> {
    /// The answer itself (its fields at the top level).
    #[serde(flatten)]
    pub answer: T,
    /// The parameters of the measures it computed.
    pub parameters: BTreeMap<&'static str, Echo>,
}

impl<T> std::ops::Deref for WithParameters<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.answer
    }
}

impl Params {
    /// `answer` with the parameters of `measures` (those that take any) echoed beside it.
    pub fn echoed<T>(&self, answer: T, measures: &[&'static str]) -> WithParameters<T> {
        WithParameters {
            answer,
            parameters: measures
                .iter()
                .filter_map(|&m| Some((m, self.echo(m)?)))
                .collect(),
        }
    }

    /// [`Params::scores`] from a log read for the scope's topic and platform (a log of
    /// persons, `Log::by_person`, ranks persons).
    pub fn scores_on(
        &self,
        log: &Log,
        measure: &MeasureSpec,
        scope: &renown_measures::Scope,
    ) -> Result<Scores> {
        Ok(self.measures.compute_on(measure, log, scope)?)
    }
}

impl Echo {
    /// One line for a table's header: `parameters (renown.toml): half-life 90 d, …`.
    pub fn header_line(&self) -> String {
        let values = match &self.values {
            MeasureParams::Earned {
                half_life_days,
                damping,
                reciprocity_discount,
                follow_weight,
                selectivity_prior,
                consistency_months,
                consistency_period_days,
                consistency_half_life_days,
                reciprocity_by_share,
                recent_engager_weight,
                recent_engager_half_life_days,
                kind_weights,
            } => {
                let weights: Vec<String> = kind_weights
                    .iter()
                    .map(|(k, w)| format!("{k} {w}"))
                    .collect();
                // The options off by default are named only when set.
                let mut options = Vec::new();
                if let Some(d) = consistency_period_days {
                    options.push(format!("consistency period {d} d"));
                }
                if let Some(d) = consistency_half_life_days {
                    options.push(format!("consistency half-life {d} d"));
                }
                if *reciprocity_by_share {
                    options.push("γ by returned share".to_string());
                }
                if *recent_engager_weight != 0.0 {
                    let h =
                        recent_engager_half_life_days.map_or("H".to_string(), |d| format!("{d} d"));
                    options.push(format!(
                        "recent engagers λ {recent_engager_weight}, half-life {h}"
                    ));
                }
                let options: String = options.iter().map(|o| format!(", {o}")).collect();
                format!(
                    "half-life {half_life_days} d, damping {damping}, γ {reciprocity_discount}, \
                     follow weight {follow_weight}, σ {selectivity_prior}, M0 {consistency_months}\
                     {options}, kind weights: {}",
                    weights.join(", ")
                )
            }
            MeasureParams::PageRank { damping } => format!("damping {damping}"),
        };
        let source = self.source.as_deref().unwrap_or("defaults");
        format!("parameters ({source}): {values}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_what_it_names_and_keeps_the_rest() {
        let p = Params::from_toml(
            "[earned]\nhalf_life_days = 30\nreciprocity_discount = 0.5\n\
             [earned.kind_weights]\nmention = 0.1\n",
            "renown.toml",
        )
        .unwrap();
        let d = Params::default();
        assert_eq!(p.measures.earned.half_life_days, 30.0);
        assert_eq!(p.measures.earned.reciprocity_discount, 0.5);
        assert_eq!(p.measures.earned.damping, d.measures.earned.damping);
        let weight = |p: &Params, k| {
            p.measures
                .earned
                .kind_weights
                .iter()
                .find(|w| w.0 == k)
                .unwrap()
                .1
        };
        assert_eq!(weight(&p, Kind::Mention), 0.1);
        assert_eq!(weight(&p, Kind::Reshare), weight(&d, Kind::Reshare));
        assert_eq!(p.source.as_deref(), Some("renown.toml"));
        let line = p.echo("earned").unwrap().header_line();
        assert!(
            line.starts_with("parameters (renown.toml): half-life 30 d"),
            "{line}"
        );
        assert!(line.contains("mention 0.1"), "{line}");
        assert_eq!(p.echo("followers"), None);
        assert_eq!(p.measures.pagerank_damping, 0.85);
        let q = Params::from_toml("[pagerank]\ndamping = 0.5\n", "renown.toml").unwrap();
        assert_eq!(q.measures.earned, d.measures.earned);
        assert!(!q.measures.are_defaults());
        for m in ["pagerank", "engagement-pagerank", "reshare-pagerank"] {
            let line = q.echo(m).unwrap().header_line();
            assert_eq!(line, "parameters (renown.toml): damping 0.5");
        }
        assert_eq!(q.echo("tweepcred"), None);
    }

    #[test]
    fn the_options_tune_chooses_can_be_set_in_the_file_and_are_echoed_only_when_set() {
        let p = Params::from_toml(
            "[earned]\nconsistency_period_days = 7.5\nconsistency_half_life_days = 2.5\n\
             reciprocity_by_share = true\nrecent_engager_weight = 4\n\
             recent_engager_half_life_days = 10.5\n",
            "renown.toml",
        )
        .unwrap();
        let e = &p.measures.earned;
        assert_eq!(e.consistency_period_days, Some(7.5));
        assert_eq!(e.consistency_half_life_days, Some(2.5));
        assert!(e.reciprocity_by_share);
        assert_eq!(e.recent_engager_weight, 4.0);
        assert_eq!(e.recent_engager_half_life_days, Some(10.5));
        let echo = p.echo("earned").unwrap();
        let line = echo.header_line();
        assert!(
            line.contains(
                "M0 3, consistency period 7.5 d, consistency half-life 2.5 d, \
                 γ by returned share, recent engagers λ 4, half-life 10.5 d, kind weights"
            ),
            "{line}"
        );
        let json = serde_json::to_value(&echo).unwrap();
        assert_eq!(json["recent_engager_weight"], 4.0);
        assert_eq!(json["reciprocity_by_share"], true);
        // The defaults' echo is what it was before these options existed.
        let d = serde_json::to_value(Params::default().echo("earned").unwrap()).unwrap();
        for key in [
            "consistency_period_days",
            "consistency_half_life_days",
            "reciprocity_by_share",
            "recent_engager_weight",
            "recent_engager_half_life_days",
        ] {
            assert!(d.get(key).is_none(), "{key} in {d}");
        }
        let err = |text: &str| Params::from_toml(text, "cfg.toml").unwrap_err().to_string();
        let e = err("[earned]\nconsistency_period_days = 0\n");
        assert!(
            e.contains("earned.consistency_period_days must be > 0, not 0"),
            "{e}"
        );
        let e = err("[earned]\nrecent_engager_weight = -1\n");
        assert!(
            e.contains("earned.recent_engager_weight must be >= 0, not -1"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_file_is_refused_with_its_key_named() {
        let err = |text: &str| Params::from_toml(text, "cfg.toml").unwrap_err().to_string();
        let e = err("[earned]\nhalf_life_days = -1\n");
        assert!(
            e.contains("cfg.toml: earned.half_life_days must be > 0, not -1"),
            "{e}"
        );
        let e = err("[earned]\nhalf_life = 30\n");
        assert!(
            e.contains("half_life") && e.contains("unknown field"),
            "{e}"
        );
        let e = err("[earned]\ndamping = 1.0\n");
        assert!(e.contains("earned.damping must be in [0, 1), not 1"), "{e}");
        let e = err("[pagerank]\ndamping = 1.5\n");
        assert!(
            e.contains("pagerank.damping must be in [0, 1), not 1.5"),
            "{e}"
        );
        let e = err("[pagerank]\nalpha = 0.5\n");
        assert!(e.contains("unknown field `alpha`"), "{e}");
        let e = err("[hits]\ndamping = 0.5\n");
        assert!(e.contains("unknown field `hits`"), "{e}");
        let e = err("[earned.kind_weights]\nfollow = 1\n");
        assert!(
            e.contains("earned.kind_weights.follow: not an engagement kind"),
            "{e}"
        );
        let e = err("[earned]\ndamping = \"high\"\n");
        assert!(e.contains("cfg.toml") && e.contains("damping"), "{e}");
    }

    #[test]
    fn the_store_folder_file_is_read_and_an_explicit_one_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        assert_eq!(Params::load(&db, None).unwrap(), Params::default());
        std::fs::write(dir.path().join(FILE_NAME), "[earned]\ndamping = 0.5\n").unwrap();
        assert_eq!(
            Params::load(&db, None).unwrap().measures.earned.damping,
            0.5
        );
        let missing = dir.path().join("none.toml");
        let e = Params::load(&db, Some(&missing)).unwrap_err().to_string();
        assert!(e.starts_with("cannot read the config"), "{e}");
    }
}
