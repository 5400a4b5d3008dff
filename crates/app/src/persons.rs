//! Influence per person: `renown rank --per person` and `GET /api/leaderboard?per=person`.
//!
//! The accounts `renown link` declared to be one person are one node *before* the measure
//! runs (`renown_measures::Log::by_person`): a person's earned influence counts an engager
//! linked across platforms once, gives nothing for endorsements between a person's own
//! accounts, and passes credibility between people. Unlinked accounts are persons of their own.

use crate::config::Echo;
use crate::source::{AccountRef, Ranked, Score, Source};
use crate::{AppError, Scope};
use renown_measures::{measure, Log, Persons, Warning};
use renown_store::{AccountInfo, Store};
use serde::Serialize;
use std::sync::Arc;

/// Whom a question ranks: accounts, or the persons accounts are linked into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    #[default]
    /// Accounts, one per row.
    Account,
    /// Persons: accounts linked by `renown link`, each other account alone.
    Person,
}

impl std::str::FromStr for Per {
    type Err = AppError;
    fn from_str(s: &str) -> crate::Result<Per> {
        match s {
            "account" => Ok(Per::Account),
            "person" => Ok(Per::Person),
            other => Err(AppError::Invalid(format!(
                "per must be account or person, not {other:?}"
            ))),
        }
    }
}

/// A person as every per-person answer names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// The person id (valid for one store state: persons are numbered by their first account).
    pub person: u32,
    /// The name the link file gave, or the account's own label for an unlinked account.
    pub label: String,
    /// Whether the person was linked (`renown link`) rather than a lone account.
    pub linked: bool,
    /// Accounts.
    pub accounts: Vec<AccountRef>,
}

impl PersonName {
    /// New.
    pub fn new(persons: &Persons, person: u32, accounts: &[AccountInfo]) -> PersonName {
        let members = persons.members(person);
        let refs: Vec<AccountRef> = members
            .iter()
            .map(|&a| AccountRef::from(&accounts[a as usize]))
            .collect();
        let label = match persons.name(person) {
            Some(name) => name.to_string(),
            None => refs.first().map(|a| a.account.clone()).unwrap_or_default(),
        };
        PersonName {
            person,
            label,
            linked: persons.name(person).is_some(),
            accounts: refs,
        }
    }
}

/// A measure computed over persons, ranked, with the persons it ranks.
pub struct PersonRanked {
    /// Persons with this figure.
    pub persons: Arc<Persons>,
    /// The measure over persons, ranked.
    pub ranked: Ranked,
}

impl PersonRanked {
    /// Computes `measure` (with the source's parameters) over the persons of the store's links.
    pub fn compute<S: Source>(
        src: &S,
        measure: &'static renown_measures::MeasureSpec,
        scope: &Scope,
    ) -> Result<PersonRanked, S::Error> {
        let (persons, mut ranked) = person_ranked_all(src, &[measure], scope)?;
        let ranked = ranked.pop().expect("one measure asked, one ranked");
        Ok(PersonRanked { persons, ranked })
    }
}

/// The store's persons and the log of `scope` (its measure scope: `scope.measures()`) with
/// persons for accounts: what every per-person answer computes on.
pub fn person_log(
    store: &Store,
    scope: &renown_measures::Scope,
) -> crate::Result<(Arc<Persons>, Log)> {
    let persons = Arc::new(Persons::read(store)?);
    let log = Log::read(store, scope)?.by_person(persons.clone())?;
    Ok((persons, log))
}

/// `measures` (with the source's parameters) computed over persons on one log, in parallel,
/// each ranked: what `compare --per person` correlates.
pub fn person_ranked_all<S: Source>(
    src: &S,
    measures: &[&'static renown_measures::MeasureSpec],
    scope: &Scope,
) -> Result<(Arc<Persons>, Vec<Ranked>), S::Error> {
    let m = scope.measures();
    let (persons, log) = person_log(src.store(), &m)?;
    let facts = log.facts(&m).map_err(AppError::from)?;
    let scores = src.params().measured_all(&log, measures, &m)?;
    let ranked = measures
        .iter()
        .zip(scores)
        .map(|(spec, s)| Ranked::new(spec, s, &facts))
        .collect();
    Ok((persons, ranked))
}

/// The account a per-person question names: a linked person's name (their first account),
/// else an account as `renown_store::Store::find_account` finds it.
pub fn person_account(store: &Store, query: &str) -> crate::Result<u32> {
    let by_name = store
        .persons()?
        .into_iter()
        .find(|(name, _)| name == query)
        .and_then(|(_, ids)| ids.first().copied());
    match by_name {
        Some(id) => Ok(id),
        None => Ok(store.find_account(query)?),
    }
}

#[derive(Clone, Debug, Serialize)]
/// The answer: PersonLeaderboard.
pub struct PersonLeaderboard {
    /// The measure ranked.
    pub measure: &'static str,
    /// Always `person`: what the rows are.
    pub per: Per,
    /// The slice of the log the answer reads.
    pub scope: Scope,
    /// Persons ranked (linked persons plus every unlinked account).
    pub total: usize,
    /// Persons with more than one account.
    pub linked: usize,
    /// Rows asked for.
    pub limit: usize,
    /// Rows skipped.
    pub offset: usize,
    /// What makes the scope or the measure degenerate.
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Parameters.
    pub parameters: Option<Echo>,
    /// The page of persons.
    pub rows: Vec<PersonRow>,
}

#[derive(Clone, Debug, Serialize)]
/// The answer: PersonRow.
pub struct PersonRow {
    #[serde(flatten)]
    /// The person.
    pub person: PersonName,
    /// Competition rank among persons.
    pub rank: u32,
    /// Their earned influence, in base votes.
    pub score: Score,
    /// Distinct persons following the person (any of their accounts).
    pub followers: Score,
}

/// The persons ranked by a measure in a scope, one page of them.
pub fn person_leaderboard<S: Source>(
    src: &S,
    scope: &Scope,
    measure_name: &str,
    limit: Option<usize>,
    offset: usize,
) -> Result<PersonLeaderboard, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "a leaderboard")?;
    let spec = measure(measure_name).map_err(AppError::from)?;
    let PersonRanked { persons, ranked } = PersonRanked::compute(src, spec, scope)?;
    let followers_spec = measure("followers").map_err(AppError::from)?;
    let followers = if spec.name == "followers" {
        ranked.clone()
    } else {
        PersonRanked::compute(src, followers_spec, scope)?.ranked
    };
    let accounts = src.accounts()?;
    let total = ranked.order.len();
    let limit = limit.unwrap_or(total);
    let start = offset.min(total);
    let end = start.saturating_add(limit).min(total);
    let rows = ranked.order[start..end]
        .iter()
        .map(|&(p, _)| PersonRow {
            person: PersonName::new(&persons, p, &accounts),
            rank: ranked.rank_of[p as usize],
            score: ranked.score(p),
            followers: followers.score(p),
        })
        .collect();
    Ok(PersonLeaderboard {
        measure: spec.name,
        per: Per::Person,
        scope: scope.clone(),
        total,
        linked: persons.linked(),
        limit,
        offset,
        warnings: ranked.warnings.clone(),
        parameters: src.params().echo(spec.name),
        rows,
    })
}

/// Another person who passed earned influence to the explained one.
#[derive(Clone, Debug, Serialize)]
pub struct PersonEndorser {
    /// The person.
    pub person: u32,
    /// The linked name, or the account's label.
    pub label: String,
    /// Their own earned influence and credibility (as persons).
    pub score: f64,
    /// The weight their endorsements carry.
    pub credibility: f64,
    /// What they passed on.
    pub contribution: f64,
    /// That as a share of the score.
    pub share: f64,
}

/// Why a person's earned influence is what it is: their endorsers (persons) and what each
/// platform carried.
#[derive(Clone, Debug, Serialize)]
pub struct PersonExplained {
    /// Always `person`: what the rows are.
    pub per: Per,
    /// The slice of the log the answer reads.
    pub scope: Scope,
    #[serde(flatten)]
    /// The person.
    pub person: PersonName,
    /// Earned influence in base votes, computed over persons.
    pub score: f64,
    /// Competition rank among persons.
    pub rank: u32,
    /// Persons ranked.
    pub persons: usize,
    /// The weight their endorsements carry.
    pub credibility: f64,
    /// Their base vote.
    pub base_vote: f64,
    /// F = M / (M + M0), M counting distinct *persons* answering per month.
    pub consistency: f64,
    /// The endorsing persons listed.
    pub endorsers: Vec<PersonEndorser>,
    /// Endorsers beyond the listed ones, and their share.
    pub other_endorsers: usize,
    /// Other share.
    pub other_share: f64,
    /// What each platform carried; the contributions add up to the score.
    pub by_platform: Vec<renown_measures::persons::PlatformPart>,
    /// Engagement between the person's own accounts: it counts zero.
    pub own_account_actions: u64,
    /// What makes the scope or the measure degenerate.
    pub warnings: Vec<Warning>,
}

/// Explains the earned influence of the person holding `account` (a dense id).
pub fn person_explain<S: Source>(
    src: &S,
    scope: &Scope,
    account: u32,
    endorsers: usize,
) -> Result<PersonExplained, S::Error> {
    crate::scope::refuse_window_and_kinds(scope, "an explanation")?;
    let store = src.store();
    let accounts = src.accounts()?;
    if account as usize >= accounts.len() {
        return Err(AppError::NotFound(format!("no account {account}")).into());
    }
    let persons = Arc::new(Persons::read(store).map_err(AppError::from)?);
    let m = scope.measures();
    // The account log too: the platforms' parts are read from the accounts' own events.
    let account_log = Log::read(store, &m).map_err(AppError::from)?;
    let log = account_log
        .by_person(persons.clone())
        .map_err(AppError::from)?;
    let model = renown_measures::earned::model_of(&log, &m, &src.params().measures.earned)
        .map_err(AppError::from)?;
    let facts = log.facts(&m).map_err(AppError::from)?;
    let spec = measure("earned").map_err(AppError::from)?;
    let ranked = Ranked::new(spec, model.score.clone().into(), &facts);
    let b = persons.of(account);
    let (by_platform, own) =
        renown_measures::persons::by_platform(&account_log, &m, &persons, &model, b, |a| {
            accounts[a as usize].platform.clone()
        })
        .map_err(AppError::from)?;
    let score = model.score[b as usize];
    let share = |x: f64| if score > 0.0 { x / score } else { 0.0 };
    let mut contributions = model.endorsements(b);
    contributions.retain(|c| c.1 > 0.0);
    contributions.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let listed: Vec<PersonEndorser> = contributions
        .iter()
        .take(endorsers)
        .map(|&(a, c)| PersonEndorser {
            person: a,
            label: PersonName::new(&persons, a, &accounts).label,
            score: model.score[a as usize],
            credibility: model.credibility[a as usize],
            contribution: c,
            share: share(c),
        })
        .collect();
    let other: f64 = contributions.iter().skip(endorsers).map(|c| c.1).sum();
    Ok(PersonExplained {
        per: Per::Person,
        scope: scope.clone(),
        person: PersonName::new(&persons, b, &accounts),
        score,
        rank: ranked.rank_of[b as usize],
        persons: persons.len(),
        credibility: model.credibility[b as usize],
        base_vote: model.base[b as usize],
        consistency: model.consistency[b as usize],
        other_endorsers: contributions.len().saturating_sub(endorsers),
        other_share: share(other),
        endorsers: listed,
        by_platform,
        own_account_actions: own,
        warnings: ranked.warnings,
    })
}
