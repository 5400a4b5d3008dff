//! `GET /api/openapi.json`: the OpenAPI 3 description of the routes in [`crate::router`].
//! A test requests every path listed here, so the document cannot drift from the router.

use axum::Json;
use serde_json::{json, Value};

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn scope_params() -> Vec<Value> {
    vec![
        query(
            "as_of",
            "the score as it was at the end of this date (YYYY-MM-DD) or at this instant (RFC 3339)",
            json!({"type": "string"}),
        ),
        query(
            "topic",
            "only engagement on items with this hashtag/tag/category",
            json!({"type": "string"}),
        ),
        query("platform", "only events on this platform", json!({"type": "string"})),
    ]
}

fn page_params() -> Vec<Value> {
    vec![
        query(
            "limit",
            "rows per page (default 50)",
            json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}),
        ),
        query(
            "offset",
            "rows to skip",
            json!({"type": "integer", "minimum": 0}),
        ),
    ]
}

fn account_id() -> Value {
    json!({"name": "id", "in": "path", "required": true,
           "description": "`platform:native_id`, the dense id, or `@handle`",
           "schema": {"type": "string"}})
}

/// Every route may also answer 403 (a `Host` that does not name this server), 500 (an internal
/// failure, details in the server log) and 503 (timed out); see docs/SERVER.md.
fn backtest_params() -> Vec<Value> {
    use renown_measures::backtest::{Target, DEFAULT_BOOTSTRAP, DEFAULT_K, MAX_K};
    let targets: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
    vec![
        query(
            "split",
            "split dates (YYYY-MM-DD: the end of that day, or RFC 3339), comma-separated (default: rolling origins at the 40, 60 and 80 % quantiles of the timed events)",
            json!({"type": "string"}),
        ),
        query(
            "horizon",
            "how long after each split the target counts: 90m, 36h, 7d, 2w or seconds (default: from the last split to the newest event)",
            json!({"type": "string"}),
        ),
        query(
            "k",
            &format!("cut-off of NDCG@k and precision@k (default {DEFAULT_K})"),
            json!({"type": "integer", "minimum": 1, "maximum": MAX_K}),
        ),
        query(
            "measures",
            "measures to score, comma-separated (default: all)",
            json!({"type": "string"}),
        ),
        query(
            "target",
            "what the measures should predict (default distinct-engagers)",
            json!({"type": "string", "enum": targets}),
        ),
        query(
            "bootstrap",
            &format!("bootstrap resamples for the intervals (default {DEFAULT_BOOTSTRAP}, as the CLI)"),
            json!({"type": "integer", "minimum": 0, "maximum": crate::backtest::MAX_BOOTSTRAP}),
        ),
        query("seed", "seed of the resamples (default 1)", json!({"type": "integer", "minimum": 0})),
        query("platform", "only events on this platform", json!({"type": "string"})),
    ]
}

fn seeds_params() -> Vec<Value> {
    use crate::seeds::{DEFAULT_K, MAX_K, MIN_EPSILON};
    use renown_spread::im::report::{DEFAULT_EPSILON, DEFAULT_SIMS};
    let mut p = vec![
        query(
            "k",
            &format!("how many seeds (default {DEFAULT_K})"),
            json!({"type": "integer", "minimum": 1, "maximum": MAX_K}),
        ),
        query(
            "model",
            "diffusion model: ic (independent cascade, default) or lt (linear threshold)",
            json!({"type": "string", "enum": ["ic", "lt"]}),
        ),
        query(
            "epsilon",
            &format!("the set is (1 − 1/e − ε)-optimal (default {DEFAULT_EPSILON}, at least {MIN_EPSILON})"),
            json!({"type": "number", "minimum": MIN_EPSILON}),
        ),
        query(
            "delta",
            "…with probability at least 1 − δ (default 1/n)",
            json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
        ),
        query(
            "probabilities",
            "learned (default), learned:jaccard, weighted-cascade or constant:P",
            json!({"type": "string"}),
        ),
        query(
            "compare",
            "also simulate top-k by followers, PageRank and earned influence under the same model",
            json!({"type": "boolean"}),
        ),
        query(
            "holdout",
            "with compare and as_of: also count what each set's accounts actually reached after the date",
            json!({"type": "boolean"}),
        ),
        query(
            "sims",
            &format!("Monte Carlo runs per strategy for compare (default and most {DEFAULT_SIMS})"),
            json!({"type": "integer", "minimum": 1, "maximum": DEFAULT_SIMS}),
        ),
        query("seed", "random seed (default 1)", json!({"type": "integer", "minimum": 0})),
    ];
    p.extend(scope_params());
    p
}

fn json_ok(description: &str) -> Value {
    json!({
        "200": {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}},
        "202": {"$ref": "#/components/responses/Computing"},
        "400": {"$ref": "#/components/responses/Error"},
        "403": {"$ref": "#/components/responses/Error"},
        "503": {"$ref": "#/components/responses/Busy"},
    })
}

fn with_404(mut responses: Value) -> Value {
    responses["404"] = json!({"$ref": "#/components/responses/Error"});
    responses
}

/// An audience is not topical: audits take a date and a platform, no topic.
fn audit_params(list: bool) -> Vec<Value> {
    let mut p: Vec<Value> = scope_params()
        .into_iter()
        .filter(|q| q["name"] != "topic")
        .collect();
    if list {
        p.extend(page_params());
    } else {
        p.insert(0, account_id());
    }
    p
}

fn account_params_plain() -> Vec<Value> {
    let mut p = vec![account_id()];
    p.extend(scope_params());
    p
}

/// `first`, then the scope parameters, then `last`.
fn with_scope(first: Value, last: Value) -> Vec<Value> {
    let mut p = vec![first];
    p.extend(scope_params());
    p.push(last);
    p
}

/// The document as a value (also used by tests).
pub fn spec() -> Value {
    let mut scatter_params = vec![
        query("x", "measure on the x axis (default followers)", json!({"type": "string"})),
        query("y", "measure on the y axis (default the first measure)", json!({"type": "string"})),
        query("points", "most points returned (default 2000): a larger store is sampled, keeping each measure's top accounts and the outliers", json!({"type": "integer", "minimum": 1, "maximum": 20000})),
    ];
    scatter_params.extend(scope_params());
    let mut leaderboard_params = vec![query(
        "measure",
        "a name from /api/measures (default: the first)",
        json!({"type": "string"}),
    )];
    leaderboard_params.extend(scope_params());
    leaderboard_params.extend(page_params());
    leaderboard_params.push(query(
        "trust",
        "with measure=earned: discount accounts SybilRank does not trust, from the default seeds (renown rank --trust)",
        json!({"type": "boolean", "default": false}),
    ));
    let mut gap_params = vec![
        query(
            "offline",
            "the offline measure (default: the one most persons have)",
            json!({"type": "string"}),
        ),
        query(
            "limit",
            "persons listed each way (default 10)",
            json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}),
        ),
    ];
    gap_params.extend(scope_params());
    let mut account_params = vec![account_id()];
    account_params.extend(scope_params());
    let mut timeline_params = account_params.clone();
    timeline_params.push(query(
        "limit",
        "top engagers to list (default 10)",
        json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}),
    ));
    let compare_params: Vec<Value> = {
        let mut p = vec![
            query(
                "measures",
                "comma-separated measure names (default: all)",
                json!({"type": "string"}),
            ),
            query(
                "top",
                "comma-separated top percentages (default 10,1)",
                json!({"type": "string"}),
            ),
        ];
        p.extend(scope_params());
        p
    };
    let cascades_params: Vec<Value> = {
        let mut p = scope_params();
        p.push(query(
            "min_size",
            "smallest cascade listed, in nodes (default 2)",
            json!({"type": "integer", "minimum": 2}),
        ));
        p.push(query(
            "by",
            "size (default: largest, then earliest) or virality (structural virality, then size)",
            json!({"type": "string", "enum": ["size", "virality"]}),
        ));
        p.extend(page_params());
        p
    };
    let cascade_params: Vec<Value> = {
        let mut p = vec![json!({"name": "id", "in": "path", "required": true,
            "description": "the cascade id from /api/cascades (may contain slashes)",
            "schema": {"type": "string"}})];
        p.extend(scope_params());
        p.extend(page_params());
        p
    };
    let dynamics_params: Vec<Value> = {
        let mut p = vec![query(
            "period",
            "day, week or month (default month)",
            json!({"type": "string", "enum": ["day", "week", "month"]}),
        )];
        p.push(query(
            "bootstrap",
            "bootstrap replicates for the interval of α, waited for; without it, the CLI's 100, computed in the background (see interval_pending)",
            json!({"type": "integer", "minimum": 0, "maximum": crate::spread::MAX_BOOTSTRAP}),
        ));
        p.extend(scope_params());
        p.extend(page_params());
        p
    };
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "renown",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Earned influence in social media, measured from the event log. Read-only unless the server has a token.",
        },
        "paths": {
            "/api/stats": {"get": {"summary": "What the store holds", "responses": json_ok("counts by kind and platform, time range, ingest runs")}},
            "/api/measures": {"get": {"summary": "The measures this build offers", "responses": json_ok("name, description and source of each measure")}},
            "/api/leaderboard": {"get": {
                "summary": "Accounts ranked by a measure, followers beside each score",
                "parameters": leaderboard_params.clone(),
                "responses": json_ok("a page of rows: rank (equal scores share one), account, score (counts as integers), followers; warnings [{code, message}] when the scope or measure is degenerate"),
            }},
            "/api/accounts/{id}": {"get": {
                "summary": "One account: its score and rank under every measure",
                "parameters": account_params,
                "responses": with_404(json_ok("the account; per measure its score, competition rank and warnings")),
            }},
            "/api/accounts/{id}/timeline": {"get": {
                "summary": "Followers and engagement received over time, and the top engagers",
                "parameters": timeline_params,
                "responses": with_404(json_ok("time buckets as [start, followers, engagement] rows")),
            }},
            "/api/audit": {"get": {
                "summary": "Audience audit of every account with followers, the most evidence of bought followers first",
                "parameters": audit_params(true),
                "responses": json_ok("a page of audits: followers, engaged, suspicious share and reasons, quality with its 95 % interval, follower spikes, earned with and without suspicious endorsers"),
            }},
            "/api/accounts/{id}/audit": {"get": {
                "summary": "One account's audience audit",
                "parameters": audit_params(false),
                "responses": with_404(json_ok("the audit")),
            }},
            "/api/accounts/{id}/fake": {"get": {
                "summary": "The account against the literature's fake-account rule sets (Camisani-Calzolari, State of Search, Socialbakers, as Cresci et al. 2015 evaluated them): each set's verdict and score, the criteria against it in their words, the features read, and whether profile data exists for it",
                "parameters": audit_params(false),
                "responses": with_404(json_ok("profile, features, rule_sets (name, fake, score, evaluated, criteria, against), fake_votes of voting_sets")),
            }},
            "/api/accounts/{id}/explain": {"get": {
                "summary": "Earned influence decomposed: each top endorser's share (with its own score and dense_id), by kind, by month, consistency, followers",
                "parameters": with_scope(account_id(), query("endorsers", "endorsers listed by name (default 10)", json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}))),
                "responses": with_404(json_ok("the explanation")),
            }},
            "/api/accounts/{id}/trajectory": {"get": {
                "summary": "Earned influence and rank at each of the last month ends",
                "parameters": with_scope(account_id(), query("months", "month ends (default 12, at most 36)", json!({"type": "integer", "minimum": 0, "maximum": 36}))),
                "responses": with_404(json_ok("points: as_of, score, rank (null before the account's first event); computed in the background: until ready, pending is true, points is empty and score and rank are today's")),
            }},
            "/api/accounts/{id}/profile": {"get": {
                "summary": "Where an account's earned influence comes from and goes: the accounts it is influenced by (it endorses them) and an influencer of (they endorse it), the influence passed each way, its endorser count and top-endorser share, and its earned influence by topic",
                "parameters": with_scope(account_id(), query("limit", "accounts listed on each side (default 10)", json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}))),
                "responses": with_404(json_ok("the profile: influenced_by, influencer_of (listed, accounts, total, other_share), topics (listed, untagged_share, follow_share); top_endorsers_share and the topic shares are null when the account earned nothing in the scope")),
            }},
            "/api/scatter": {"get": {
                "summary": "Two measures account by account (default: followers against earned influence): points with percentiles, the accounts furthest from agreeing each way, and the overlap of the two top-k sets",
                "parameters": scatter_params,
                "responses": json_ok("points (dense_id, account, x, y, percentiles, outlier), zero counts, sampled, agreement per k"),
            }},
            "/api/compare": {"get": {
                "summary": "Spearman and Kendall rank correlations between every pair of measures, over all accounts and each measure's top percent",
                "parameters": compare_params,
                "responses": json_ok("one row per pair and account set (a top set leaves a boundary tie out: requested, excluded_tie; undefined says why a correlation is null); warnings"),
            }},
            "/api/cascades": {"get": {
                "summary": "Spread trees (reshare/quote/reply/mention chains, tag memes, inferred exposure), largest first",
                "parameters": cascades_params,
                "responses": json_ok("a page of cascades: rank, root, origin, size, depth, breadth, structural virality, time to half size"),
            }},
            "/api/cascades/{id}": {"get": {
                "summary": "One cascade and a page of its nodes (parents before children)",
                "parameters": cascade_params,
                "responses": with_404(json_ok("the cascade with nodes: parent index, depth, time, kind, account, inferred, suspicious (the audit finds the adopter suspicious as a follower)")),
            }},
            "/api/accounts/{id}/spread": {"get": {
                "summary": "Cascades an account started, its downstream reach, the reach it carried for others, initiator and amplifier credit",
                "parameters": account_params_plain(),
                "responses": with_404(json_ok("the account's spread")),
            }},
            "/api/dynamics": {"get": {
                "summary": "Do the big get bigger: attachment kernel A(k) with α and its bootstrap interval, Jeong's kernel, concentration per period, a page of accounts by fitness. Without bootstrap the interval has the CLI's 100 replicates and comes progressively: the point estimate at once with interval_pending true (alpha low and high null) while the replicates run in the background; with bootstrap=N the request waits for N",
                "parameters": dynamics_params,
                "responses": json_ok("the dynamics report"),
            }},
            "/api/backtest": {"get": {
                "summary": "Does a measure predict? Every measure as of rolling-origin splits, scored against what happened after each (the JSON of `renown backtest --format json`). Progressive: while it runs, an answer holds the oldest splits' final point estimates and `pending` ({splits, intervals}: splits not scored yet, intervals still drawn; not kept, `Cache-Control: no-store`); ask again for the rest",
                "parameters": backtest_params(),
                "responses": json_ok("target, k, horizon_seconds, bootstrap, splits: per split the accounts scored and per measure Spearman, Kendall τ-b, NDCG@k, precision@k with 95 % intervals and the paired difference to the best baseline"),
            }},
            "/api/seeds": {"get": {
                "summary": "Who to engage: the k accounts whose take-up would carry a message furthest (influence maximization, OPIM-C over reverse-reachable sets at IMM's sample size; the JSON of `renown seeds --format json`)",
                "parameters": seeds_params(),
                "responses": json_ok("seeds in order with id, account and marginal_gain; selection: spread with its interval, the certified ratio, RR sets; comparison (with compare): each strategy's simulated spread"),
            }},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}},
            "/api/ingest": {"post": {
                "summary": "Ingest a file sent as the body (any supported format, plain, gzip or zstd)",
                "security": [{"bearer": []}],
                "parameters": [
                    query("name", "file name, used to detect the format", json!({"type": "string"})),
                    query("format", "force a reader by name", json!({"type": "string"})),
                    query("strict", "stop at the first bad record", json!({"type": "boolean"})),
                ],
                "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {
                    "200": {"description": "the ingest report (status clean or partial)"},
                    "400": {"$ref": "#/components/responses/Error"},
                    "401": {"$ref": "#/components/responses/Error"},
                    "403": {"$ref": "#/components/responses/Error"},
                    "413": {"$ref": "#/components/responses/Error"},
                    "422": {"description": "the file could not be read; the report says why"},
                    "503": {"$ref": "#/components/responses/Busy"},
                },
            }},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "what went wrong",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}},
                    }}},
                },
                "Computing": {
                    "description": "not answered within the server's --answer-within (2.5 s): the answer is being computed in the background; ask again after Retry-After seconds to get it when ready",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["status", "elapsed_seconds", "retry_after_seconds", "message"],
                        "properties": {
                            "status": {"type": "string", "enum": ["computing"]},
                            "elapsed_seconds": {"type": "number", "description": "since the computation started"},
                            "retry_after_seconds": {"type": "integer"},
                            "message": {"type": "string"},
                        },
                    }}},
                },
                "Busy": {
                    "description": "timed out, every long-computation slot taken, or the store locked by an ingest; retry after Retry-After seconds when given",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string"}},
                    }}},
                },
            },
        },
    });
    // Beside the others: one json! literal holding every path exceeds the macro's recursion.
    let paths = &mut doc["paths"];
    paths["/api/persons"] = json!({"get": {
        "summary": "Persons (accounts linked by `renown link`, every other account alone) ranked by a measure computed over persons: an engager linked across platforms counts once, endorsements between a person's own accounts count zero",
        "parameters": leaderboard_params.iter().filter(|p| p["name"] != "trust").cloned().collect::<Vec<Value>>(),
        "responses": json_ok("a page of rows: rank, person id, label, linked, accounts, score, followers (distinct persons); total, linked"),
    }});
    paths["/api/persons/{id}/explain"] = json!({"get": {
        "summary": "The earned influence of the person holding account {id}: endorsing persons and what each platform carried (the parts add up to the score)",
        "parameters": with_scope(account_id(), query("endorsers", "endorsing persons listed (default 10)", json!({"type": "integer", "minimum": 0, "maximum": crate::params::MAX_LIMIT}))),
        "responses": with_404(json_ok("score, rank among persons, credibility, consistency, endorsers, by_platform, own_account_actions")),
    }});
    paths["/api/gap"] = json!({"get": {
        "summary": "Offline size (renown offline) against earned influence per person: the translation gap log10(earned / expected) off a Theil-Sen line of log10 earned on log10 offline",
        "parameters": gap_params,
        "responses": json_ok("offline_measure, fit (slope, intercept) or undefined (why), big_offline_not_earned, earned_without_offline_weight, rows (person, offline, offline_rank, earned, earned_rank, expected_earned, gap)"),
    }});
    doc
}

/// `GET /api/openapi.json`: the OpenAPI description of every route.
pub async fn document() -> Json<Value> {
    Json(spec())
}
