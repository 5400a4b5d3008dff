// renown dashboard: hash-routed pages over the JSON API. No build step, no framework.
'use strict';

const main = document.getElementById('main');
let api = { paths: {} };   // the OpenAPI document: pages appear only for routes that exist
let measures = [];         // from /api/measures
let stats = {};            // from /api/stats: the store's size and time range

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// What makes an answer (or part of one) say less than it seems, as the API says it.
const warningNote = ws => ws && ws.length
  ? el('p', { class: 'muted warnings' }, 'Note: ' + ws.map(w => w.message || w.kind || JSON.stringify(w)).join('; '))
  : null;

// Fills a box with children, skipping null and undefined (the "nothing here" of a conditional):
// DOM replaceChildren would print them as the text "null".
function fill(box, ...children) {
  box.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined));
}

// A chart's width: its box's content width (the .chart padding is 8 px a side), at most `max`,
// so that no chart is wider than its box at any viewport width.
function chartWidth(box, max) {
  return Math.max(200, Math.min((box.clientWidth || max) - 16, max));
}

// Requests under way: body[data-busy] is set while any is, so that a test (or a reader of the
// page) can tell a view that is still loading from one that is drawn. Cleared a task later, after
// the code awaiting the answer has drawn it.
let inflight = 0;
function busy(delta) {
  inflight += delta;
  if (inflight > 0) document.body.dataset.busy = '1'; else delete document.body.dataset.busy;
}

// Draws a uPlot chart in `box`, as wide as the box allows up to `maxWidth`, and keeps it so when
// the window is resized (a phone turned, a window narrowed).
function plot(box, maxWidth, opts, data) {
  box.dataset.maxWidth = maxWidth;
  box.uplot = new uPlot({ ...opts, width: chartWidth(box, maxWidth) }, data, box);
  return box.uplot;
}

let refitTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(refitTimer);
  refitTimer = setTimeout(() => {
    for (const box of document.querySelectorAll('.chart')) {
      if (!box.uplot || !box.isConnected) continue;
      // Shrink first so that the box's width is its own, not the old chart's.
      box.uplot.setSize({ width: 200, height: box.uplot.height });
      box.uplot.setSize({ width: chartWidth(box, Number(box.dataset.maxWidth)), height: box.uplot.height });
    }
  }, 100);
});

// What a pending answer is, in words, by the start of its path.
const COMPUTING_LABELS = [
  ['api/accounts/', 'this account'], ['api/audit', 'the audit'], ['api/backtest', 'the backtest'],
  ['api/seeds', 'who to engage'], ['api/persons', 'persons'], ['api/compare', 'the comparison'],
  ['api/scatter', 'the scatter'], ['api/dynamics', 'the dynamics fit'], ['api/cascades', 'the cascades'],
  ['api/leaderboard', 'the leaderboard'], ['api/gap', 'the gap'], ['api/stats', 'the store\'s figures'],
];

// Answers the server is still computing (it said 202): path → [what, seconds so far]. Shown in
// #computing above the view until they come.
const computing = new Map();
function showComputing() {
  const box = document.getElementById('computing');
  if (!box) return;
  if (computing.size === 0) { box.hidden = true; box.textContent = ''; return; }
  const parts = [...computing.values()].map(([what, secs]) => `${what} (${fmt(Math.round(secs))} s so far)`);
  box.textContent = `Computing on the server: ${[...new Set(parts)].join(', ')}. The view fills in when it is ready.`;
  box.hidden = false;
}

// The JSON answer to `path`. A 202 means the server is computing it: its progress is shown and
// the path asked again after Retry-After, until the answer comes or the page moves on.
async function getJSON(path) {
  busy(1);
  const shownAt = location.hash;
  try {
    for (;;) {
      const r = await fetch(path, { headers: { accept: 'application/json' } });
      let body = null;
      try { body = await r.json(); } catch (_) { /* not JSON */ }
      if (r.status === 202 && body && body.status === 'computing') {
        if (location.hash !== shownAt) throw new Error('The page moved on before this answer was ready.');
        const what = (COMPUTING_LABELS.find(([prefix]) => path.startsWith(prefix)) || [, 'this view'])[1];
        computing.set(path, [what, Number(body.elapsed_seconds) || 0]);
        showComputing();
        const wait = Math.min(Math.max(Number(r.headers.get('retry-after')) || 2, 1), 10);
        await new Promise(done => setTimeout(done, wait * 1000));
        continue;
      }
      if (!r.ok) throw new Error((body && body.error) || `${r.status} ${r.statusText}`);
      return body;
    }
  } finally {
    if (computing.delete(path)) showComputing();
    setTimeout(() => busy(-1), 0);
  }
}

// Asks `path` until `pending(answer)` is false, every second, showing each pending answer with
// `progress`. The page stays busy meanwhile: what it waits for is its content. Gives up after
// ten minutes or when the page has moved on.
async function untilReady(path, pending, progress) {
  const shownAt = location.hash;
  busy(1);
  try {
    for (let tries = 0; ; tries++) {
      const answer = await getJSON(path);
      if (!pending(answer) || location.hash !== shownAt || tries >= 600) return answer;
      progress(answer);
      await new Promise(r => setTimeout(r, 1000));
    }
  } finally {
    busy(-1);
  }
}

function fmt(x) {
  if (x === null || x === undefined) return '';
  if (typeof x !== 'number') return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, qs] = h.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: Object.fromEntries(new URLSearchParams(qs || '')) };
}

function go(parts, params) {
  location.hash = '#/' + parts.map(encodeURIComponent).join('/') + query(params || {});
}

function showError(where, err) {
  fill(where, el('p', { class: 'error', role: 'alert' }, err.message || String(err)));
}

function accountLink(row) {
  return el('a', { href: '#/account/' + encodeURIComponent(String(row.id)), 'data-account': row.id }, row.account);
}

// ---------------------------------------------------------------- leaderboard

async function leaderboardPage(params) {
  const measure = params.measure || (measures[0] && measures[0].name) || '';
  const limit = Math.min(Number(params.limit) || 50, 1000);
  const offset = Math.max(Number(params.offset) || 0, 0);
  const state = { measure, topic: params.topic || '', as_of: params.as_of || '', platform: params.platform || '' };

  const select = el('select', { id: 'measure', name: 'measure' },
    measures.map(m => el('option', { value: m.name, title: m.describe }, m.name)));
  select.value = measure;
  const topic = el('input', { id: 'topic', name: 'topic', placeholder: 'any', value: state.topic, size: 12 });
  const asOf = el('input', { id: 'as_of', name: 'as_of', type: 'date', value: state.as_of });
  const platform = el('input', { id: 'platform', name: 'platform', placeholder: 'any', value: state.platform, size: 10 });
  const apply = () => go([], { measure: select.value, topic: topic.value.trim(), as_of: asOf.value, platform: platform.value.trim(), limit: params.limit });
  select.addEventListener('change', apply);
  const form = el('form', { class: 'controls', onsubmit: e => { e.preventDefault(); apply(); } },
    el('label', {}, 'Measure', select), el('label', {}, 'Topic', topic),
    el('label', {}, 'As of', asOf), el('label', {}, 'Platform', platform),
    el('button', { type: 'submit' }, 'Apply'));
  const spec = measures.find(m => m.name === measure);
  const body = el('div', { id: 'leaderboard-body' }, el('p', { class: 'muted' }, 'Computing…'));
  fill(main,
    el('h1', {}, 'Leaderboard'),
    el('p', { class: 'describe' }, spec ? `${spec.name}: ${spec.describe} (follows ${spec.follows})` : ''),
    form, body);

  let data;
  try {
    data = await getJSON('api/leaderboard' + query({ ...state, limit, offset }));
  } catch (e) { return showError(body, e); }
  const maxScore = Math.max(...data.rows.map(r => Math.abs(r.score)), 1e-12);
  const maxFollowers = Math.max(...data.rows.map(r => r.followers), 1e-12);
  const showFollowers = data.measure !== 'followers';
  const table = el('table', { id: 'leaderboard', 'data-measure': data.measure },
    el('thead', {}, el('tr', {},
      el('th', { class: 'num' }, '#'), el('th', {}, 'Account'), el('th', {}, 'Platform'),
      el('th', { class: 'num' }, data.measure),
      showFollowers ? el('th', { class: 'num' }, 'followers') : null)),
    el('tbody', {}, data.rows.map(r => el('tr', { 'data-id': r.id },
      el('td', { class: 'num' }, r.rank),
      el('td', { class: 'account' }, accountLink(r)),
      el('td', {}, r.platform),
      el('td', { class: 'num score', 'data-score': r.score }, fmt(r.score),
        el('span', { class: 'bar score', style: `width:${(40 * Math.abs(r.score) / maxScore).toFixed(1)}px` })),
      showFollowers ? el('td', { class: 'num followers' }, fmt(r.followers),
        el('span', { class: 'bar followers', style: `width:${(40 * r.followers / maxFollowers).toFixed(1)}px` })) : null))));
  const page = (off) => go([], { ...state, limit: params.limit, offset: off });
  const pager = el('div', { class: 'pager' },
    el('button', { id: 'prev', disabled: offset === 0 ? '' : null, onclick: () => page(Math.max(0, offset - limit)) }, '← previous'),
    el('span', { class: 'muted' }, `${fmt(data.total ? offset + 1 : 0)}–${fmt(Math.min(offset + limit, data.total))} of ${fmt(data.total)} accounts`),
    el('button', { id: 'next', disabled: offset + limit >= data.total ? '' : null, onclick: () => page(offset + limit) }, 'next →'));
  fill(body, el('div', { class: 'scroll' }, table), pager);
}

// ---------------------------------------------------------------- account

// Followers and engagement received over time, with the days the audit found follower spikes
// marked on the followers line (each in the bucket that holds it).
function timelineChart(target, tl, spikes) {
  const xs = [], followers = [], engagement = [];
  for (const [t, f, e] of tl.points) { xs.push(t); followers.push(f); engagement.push(e); }
  const marks = xs.map(() => null);
  let marked = 0;
  for (const day of spikes || []) {
    const t = Date.parse(day + 'T00:00:00Z') / 1000;
    let i = xs.length - 1;
    while (i > 0 && xs[i] > t) i--;
    if (i >= 0 && marks[i] === null) { marks[i] = followers[i]; marked++; }
  }
  target.dataset.spikes = marked;
  const opts = {
    height: 300,
    title: `Followers and engagement received per ${tl.bucket}`,
    scales: { x: { time: true }, f: {}, e: {} },
    series: [
      {},
      { label: 'followers', scale: 'f', stroke: '#a15c00', width: 2 },
      { label: `engagement / ${tl.bucket}`, scale: 'e', stroke: '#1f7a4d', fill: 'rgba(31,122,77,.12)', width: 1.5 },
      { label: 'follower spike', scale: 'f', stroke: '#b42318', width: 0, paths: () => null, points: { show: true, size: 11, fill: '#b42318', stroke: '#b42318' } },
    ],
    axes: [{}, { scale: 'f', label: 'followers' }, { scale: 'e', side: 1, label: 'engagement', grid: { show: false } }],
  };
  fill(target);
  return plot(target, 1150, opts, [xs, followers, engagement, marks]);
}

const accountPath = (id, tail) => 'api/accounts/' + encodeURIComponent(id) + (tail || '');

// A list of accounts with the influence passed to or from each, as links.
function flowTable(flows, empty, whom) {
  if (!flows.listed.length) return el('p', { class: 'muted' }, empty);
  return [
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'account'), el('th', { class: 'num' }, 'influence'), el('th', { class: 'num' }, 'share'))),
      el('tbody', {}, flows.listed.map(f => el('tr', {}, el('td', { class: 'account' }, accountLink({ id: f.dense_id, account: f.account })),
        el('td', { class: 'num' }, fmt(f.contribution)), el('td', { class: 'num' }, pct(f.share)))))),
    flows.accounts > flows.listed.length ? el('p', { class: 'muted' }, `and ${fmt(flows.accounts - flows.listed.length)} more ${whom}: ${pct(flows.other_share)}`) : null,
  ];
}

// Horizontal bars of the account's earned influence by topic, then what carries no topic.
function topicBars(t) {
  if (!t.listed.length) {
    return el('p', { class: 'muted' }, t.untagged_share + t.follow_share > 0
      ? 'None of the engagement that earned it carries a topic (tag, subreddit or category).'
      : 'No earned influence to split.');
  }
  const max = Math.max(...t.listed.map(x => x.share), 1e-12);
  const row = (label, share, title) => el('div', { class: 'topic-row', title },
    el('span', { class: 'topic-name' }, label),
    el('span', { class: 'topic-bar' }, el('span', { class: 'bar score', style: `width:${(100 * share / max).toFixed(1)}%` })),
    el('span', { class: 'num' }, pct(share)));
  return el('div', { id: 'topic-bars' },
    t.listed.map(x => row('#' + x.topic, x.share, `${fmt(x.actions)} engagement events`)),
    t.topics > t.listed.length ? el('p', { class: 'muted' }, `${fmt(t.topics - t.listed.length)} other topics: ${pct(t.other_share)}`) : null,
    el('p', { class: 'muted' }, `Without a topic: ${pct(t.untagged_share)} from untagged engagement, ${pct(t.follow_share)} from follows.`));
}

// "top 3 %" for a rank among `of` accounts.
function percentile(rank, of) {
  const top = 100 * rank / of;
  if (top < 0.1) return 'top 0.1 %';
  if (top <= 50) return `top ${top < 1 ? top.toFixed(1) : Math.ceil(top)} %`;
  return `bottom ${Math.max(1, Math.ceil(100 - top + 100 / of))} %`;
}

// The answer up front: the earned score, its rank and percentile, and what it is made of.
async function accountHeadline(box, acct, loads) {
  const earned = acct.measures.find(m => m.measure === 'earned') || acct.measures[0];
  if (!earned) { fill(box, el('p', { class: 'muted' }, 'No measure is registered.')); return; }
  const [profile, explain, audit] = await Promise.allSettled([loads.profile, loads.explain, loads.audit]);
  const facts = [];
  if (profile.status === 'fulfilled') {
    const p = profile.value;
    facts.push(['distinct endorsers', fmt(p.endorsers), 'accounts whose engagement or follow passes it influence']);
    if (p.endorsers) facts.push([`share from its top ${fmt(p.top_endorsers)}`, pct(p.top_endorsers_share), 'how concentrated the earning is']);
  }
  if (explain.status === 'fulfilled') {
    facts.push(['months answered', fmt(explain.value.consistency.months_with_engagement), `consistency factor ${fmt(explain.value.consistency.factor)}`]);
  }
  if (audit.status === 'fulfilled') {
    const a = audit.value;
    if (a.earned !== null && a.earned > 0) facts.push(['earned from suspicious accounts', pct(Math.max(0, 1 - a.earned_without_suspicious / a.earned)), 'the share that goes when suspicious endorsers are left out']);
    if (a.followers) facts.push(['suspicious followers', pct(a.suspicious_share), `${fmt(a.suspicious)} of ${fmt(a.followers)}`]);
  }
  fill(box,
    el('p', { class: 'headline-score' },
      el('strong', { id: 'headline-score' }, fmt(earned.score)), ` ${earned.measure} · rank `,
      el('strong', { id: 'headline-rank' }, fmt(earned.rank)), ` of ${fmt(earned.of)}`,
      earned.of ? el('span', { id: 'headline-percentile' }, ` · ${percentile(earned.rank, earned.of)}`) : null),
    el('dl', { class: 'facts' }, facts.map(([k, v, title]) => el('div', { title }, el('dt', {}, k), el('dd', {}, v)))));
}

async function accountPage(id, params) {
  const scope = { as_of: params.as_of || '', topic: params.topic || '', platform: params.platform || '' };
  fill(main, el('p', { class: 'muted' }, 'Loading…'));
  let acct;
  try {
    acct = await getJSON(accountPath(id) + query(scope));
  } catch (e) { return showError(main, e); }
  // Every load starts now; each card draws when its own answer is in.
  const audited = has('/api/accounts/{id}/audit');
  const explained = has('/api/accounts/{id}/explain');
  const profiled = has('/api/accounts/{id}/profile');
  const missing = what => Promise.reject(new Error(`this server has no ${what}`));
  const loads = {
    timeline: getJSON(accountPath(id, '/timeline') + query({ ...scope, limit: 10 })),
    explain: explained ? getJSON(accountPath(id, '/explain') + query({ ...scope, endorsers: 10 })) : missing('explanations'),
    profile: profiled ? getJSON(accountPath(id, '/profile') + query({ ...scope, limit: 10 })) : missing('profiles'),
    audit: audited ? getJSON(accountPath(id, '/audit') + query({ as_of: scope.as_of, platform: scope.platform })) : missing('audits'),
    fake: has('/api/accounts/{id}/fake') ? getJSON(accountPath(id, '/fake') + query({ as_of: scope.as_of, platform: scope.platform })) : missing('fake-account rules'),
  };
  for (const p of Object.values(loads)) p.catch(() => {});
  const headline = el('div', { class: 'headline', id: 'account-headline' }, el('p', { class: 'muted' }, 'Weighing its endorsements…'));
  const chartBox = el('div', { class: 'chart', id: 'timeline-chart' }, el('p', { class: 'muted' }, 'Reading its history…'));
  const earnedBox = has('/api/accounts/{id}/trajectory') ? el('div', { class: 'chart', id: 'trajectory-chart' }, el('p', { class: 'muted' }, 'Recomputing earned influence at each month end…')) : null;
  const endorsers = el('div', { id: 'endorsers' }, el('p', { class: 'muted' }, 'Decomposing…'));
  const influencedBy = el('div', { id: 'influenced-by' }, el('p', { class: 'muted' }, 'Following its endorsements…'));
  const topics = el('div', { id: 'topic-profile' }, el('p', { class: 'muted' }, 'Splitting by topic…'));
  const engagers = el('div', { id: 'top-engagers' });
  const kinds = el('div', { id: 'engagement-kinds' });
  const audience = el('div', { id: 'audience' }, el('p', { class: 'muted' }, 'Auditing the audience…'));
  const fakeCard = el('div', { class: 'card', id: 'fake-card', hidden: '' });
  fill(main,
    el('p', {}, el('a', { href: '#/' }, '← leaderboard')),
    el('h1', { id: 'account-name' }, acct.account),
    el('p', { class: 'muted' }, `${acct.platform} · id ${acct.native_id}` + (acct.handle ? ` · ${acct.handle}` : '')),
    headline,
    earnedBox ? el('h2', {}, 'Earned influence, month by month') : null,
    earnedBox,
    el('div', { class: 'grid' },
      explained ? el('div', { class: 'card' }, el('h2', {}, 'Influencer of: its top endorsers'), endorsers) : null,
      profiled ? el('div', { class: 'card' }, el('h2', {}, 'Influenced by: whom it endorses'), influencedBy) : null,
      profiled ? el('div', { class: 'card' }, el('h2', {}, 'Where its influence comes from, by topic'), topics) : null,
      audited ? el('div', { class: 'card' }, el('h2', {}, 'Audience quality'), audience) : null,
      fakeCard),
    el('h2', {}, 'Follower growth (spikes marked) and engagement'),
    chartBox,
    el('div', { class: 'grid' },
      el('div', { class: 'card' }, el('h2', {}, 'Every measure'),
        el('table', { id: 'account-measures' },
          el('thead', {}, el('tr', {}, el('th', {}, 'measure'), el('th', { class: 'num' }, 'score'), el('th', { class: 'num' }, `rank of ${fmt(acct.measures[0] ? acct.measures[0].of : 0)}`))),
          el('tbody', {}, acct.measures.map(m => el('tr', {},
            el('td', {}, el('a', { href: '#/' + query({ measure: m.measure }) }, m.measure)),
            el('td', { class: 'num' }, fmt(m.score)),
            el('td', { class: 'num' }, fmt(m.rank))))))),
      el('div', { class: 'card' }, el('h2', {}, 'Who engages most'), engagers),
      el('div', { class: 'card' }, el('h2', {}, 'Engagement by kind'), kinds)));
  accountHeadline(headline, acct, loads);
  if (audited) loadAudience(audience, loads.audit);
  if (explained) loadEndorsers(endorsers, loads.explain);
  if (profiled) loadProfile(influencedBy, topics, loads.profile);
  loadFake(fakeCard, loads.fake);
  if (earnedBox) loadTrajectory(earnedBox, id, scope);

  let tl;
  try { tl = await loads.timeline; } catch (e) { return showError(chartBox, e); }
  let spikes = [];
  if (audited) {
    try { spikes = (await loads.audit).anomalies.map(a => a.day); } catch (_) { /* drawn without marks */ }
  }
  if (tl.points.length === 0) {
    fill(chartBox, el('p', { class: 'muted' }, 'No dated events involve this account.'));
  } else {
    timelineChart(chartBox, tl, spikes);
  }
  fill(engagers, tl.top_engagers.length === 0 ? el('p', { class: 'muted' }, 'Nobody has engaged with this account.') :
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'account'), el('th', { class: 'num' }, 'events'))),
      el('tbody', {}, tl.top_engagers.map(r => el('tr', {}, el('td', { class: 'account' }, accountLink(r)), el('td', { class: 'num' }, fmt(r.events)))))));
  const kindRows = Object.entries(tl.engagement_by_kind);
  fill(kinds, kindRows.length === 0 ? el('p', { class: 'muted' }, 'None.') :
    el('table', {}, el('tbody', {}, kindRows.map(([k, n]) => el('tr', {}, el('td', {}, k), el('td', { class: 'num' }, fmt(n)))))));
}

// The fake-account rule sets' verdicts with the criteria against the account, shown only when an
// export gave the account a profile (on the event log alone the rules judge too little).
async function loadFake(card, load) {
  let f;
  try { f = await load; } catch (_) { return; }
  if (!f.profile || !card.isConnected) return;
  const known = f.features.filter(([, v]) => v !== null);
  fill(card, el('h2', {}, 'Bot / fake-account score'),
    el('p', {}, el('strong', { id: 'fake-votes' }, `${f.fake_votes} of ${f.voting_sets}`), ' rule sets from the literature call it fake (Cresci et al. 2015 baselines; weak on their own).'),
    el('table', { id: 'fake-rules' }, el('thead', {}, el('tr', {}, el('th', {}, 'rule set'), el('th', {}, 'verdict'), el('th', {}, 'against it'))),
      el('tbody', {}, f.rule_sets.map(r => el('tr', { 'data-set': r.name },
        el('td', {}, r.name), el('td', {}, r.evaluated ? (r.fake ? 'fake' : 'real') + ` (${fmt(r.score)})` : 'n/a'),
        el('td', {}, r.against.length ? r.against.map(c => c.text).join('; ') : r.evaluated ? 'nothing' : `none of its ${r.criteria} criteria can be checked`))))),
    el('h2', {}, 'Features read'),
    el('table', { id: 'fake-features' }, el('tbody', {}, known.map(([k, v]) => el('tr', {}, el('td', {}, k.replace(/_/g, ' ')), el('td', { class: 'num' }, fmt(v)))))));
  card.hidden = false;
}

async function loadProfile(byBox, topicBox, load) {
  let p;
  try { p = await load; } catch (err) { showError(byBox, err); return showError(topicBox, err); }
  fill(byBox, el('p', { class: 'muted' }, p.influenced_by.accounts
    ? `It passes ${fmt(p.influenced_by.total)} of influence to ${fmt(p.influenced_by.accounts)} accounts by engaging with them.`
    : 'It passes no influence on: it engages with no one in this scope.'),
  flowTable(p.influenced_by, 'Nobody listed.', 'accounts'));
  fill(topicBox, topicBars(p.topics));
}

async function loadEndorsers(box, load) {
  let e;
  try { e = await load; } catch (err) { return showError(box, err); }
  fill(box,
    el('p', { class: 'muted' }, `Earned ${fmt(e.score)} (rank ${fmt(e.rank)}); consistency factor ${fmt(e.consistency.factor)} over ${fmt(e.consistency.months_with_engagement)} months.`),
    e.endorsers.length === 0 ? el('p', { class: 'muted' }, 'No endorsements.') :
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'endorser'), el('th', { class: 'num' }, 'share'), el('th', { class: 'num' }, 'their score'))),
        el('tbody', {}, e.endorsers.map(x => el('tr', {}, el('td', { class: 'account' }, accountLink({ id: x.dense_id, account: x.account })),
          el('td', { class: 'num' }, pct(x.share)), el('td', { class: 'num' }, fmt(x.score)))))),
    e.other_endorsers ? el('p', { class: 'muted' }, `and ${fmt(e.other_endorsers)} others: ${pct(e.other_share)}`) : null);
}

// Calendar months from the first to the last instant, both counted (RFC 3339 strings).
function monthsSpanned(first, last) {
  const a = new Date(first), b = new Date(last);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
}

// Axis ticks at whole numbers only (ranks): uPlot picks its step from these increments.
const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6];

async function loadTrajectory(box, id, scope) {
  // Only the month ends inside the store's time range: a one-week store has no history to plot.
  const last = scope.as_of || stats.last_time;
  if (!stats.first_time || !last) { fill(box, el('p', { class: 'muted' }, 'No dated events: no trajectory.')); return; }
  // At most the last 12 month ends: each is a full recomputation of the measure.
  const months = Math.max(1, Math.min(12, monthsSpanned(stats.first_time, last)));
  let t;
  try { t = await untilReady(accountPath(id, '/trajectory') + query({ ...scope, months }), t => t.pending, t => {
    fill(box, el('p', { class: 'muted' }, `Recomputing earned influence at each of ${months} month ends (now: ${fmt(t.score)}, rank ${fmt(t.rank)})…`));
  }); } catch (err) { return showError(box, err); }
  if (!box.isConnected) return;
  if (t.pending) { fill(box, el('p', { class: 'muted' }, 'The trajectory is still being computed; reload the page later.')); return; }
  const from = Date.parse(stats.first_time);
  const pts = t.points.filter(p => p.as_of && Date.parse(p.as_of) >= from);
  if (pts.length < 2) {
    fill(box, el('p', { class: 'muted' }, `The store spans ${months === 1 ? 'less than a month' : months + ' months'}, too little for a month-by-month trajectory` +
      (t.rank ? `: earned ${fmt(t.score)}, rank ${fmt(t.rank)} now.` : '.')));
    return;
  }
  fill(box);
  box.dataset.points = pts.length;
  plot(box, 1150, {
    height: 240,
    // Ranks start at 1: the axis never shows rank 0 or below, and has room below the worst rank.
    scales: { x: { time: true }, s: {}, r: { dir: -1, range: (u, lo, hi) => [1, Math.max(hi, 1) + Math.max(1, Math.ceil((hi - lo) * 0.1))] } },
    series: [{}, { label: 'earned influence', scale: 's', stroke: '#1f7a4d', width: 2, points: { show: true } },
      { label: 'rank', scale: 'r', stroke: '#2b59c3', width: 1, dash: [4, 3] }],
    axes: [{}, { scale: 's', label: 'earned' },
      { scale: 'r', side: 1, label: 'rank', grid: { show: false }, incrs: INTEGER_STEPS, values: (u, ticks) => ticks.map(v => fmt(v)) }],
  }, [pts.map(p => Date.parse(p.as_of) / 1000), pts.map(p => p.score), pts.map(p => p.rank)]);
}

// ---------------------------------------------------------------- SVG plots

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// A log axis over the positive values, with a band below its minimum where zeros are drawn
// (a log axis has no 0): value → position between `from` and `to`.
function logAxis(values, from, to) {
  const pos = values.filter(v => v > 0);
  const lo = pos.length ? Math.log10(Math.min(...pos)) : 0;
  let hi = pos.length ? Math.log10(Math.max(...pos)) : 1;
  if (hi - lo < 1e-9) hi = lo + 1;
  const dir = to > from ? 1 : -1, band = 18 * dir;
  const start = from + band, span = to - start;
  const at = v => v > 0 ? start + span * (Math.log10(v) - lo) / (hi - lo) : from + band / 3;
  const ticks = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) ticks.push(10 ** e);
  if (ticks.length < 2) ticks.splice(0, ticks.length, 10 ** lo, 10 ** hi);
  return { at, ticks, zero: from + band / 3 };
}

// The drawing width of an SVG plot: about the width it will be shown at, so that its text stays
// legible on a phone (a viewBox scales text with everything else).
const plotWidth = () => Math.round(Math.min(760, Math.max(320, (main.clientWidth || 760) - 40)));

const tickText = v => v >= 1e6 ? `${+(v / 1e6).toPrecision(2)}M` : v >= 1e3 ? `${+(v / 1e3).toPrecision(2)}k` : v >= 1 ? String(+v.toPrecision(2)) : v.toPrecision(1);

const OUTLIER_TEXT = { 'x-without-y': 'followers without earning', 'y-without-x': 'earning without followers' };
const OUTLIER_COLOUR = { 'x-without-y': '#a15c00', 'y-without-x': '#1f7a4d' };

// Earned influence against followers, account by account, on log axes; the accounts furthest
// from agreeing each way are named (links to their pages).
// `s.id` names the plot (default "scatter"); `s.line` ({slope, intercept} of log10 y on log10 x)
// is drawn across the points when given.
function scatterPlot(s) {
  const W = plotWidth(), H = W < 500 ? 380 : 440, L = 58, R = 16, T = 14, B = 42;
  const xa = logAxis(s.points.map(p => p.x), L, W - R), ya = logAxis(s.points.map(p => p.y), H - B, T);
  const plotEl = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', id: s.id || 'scatter', role: 'img', 'aria-label': `${s.y} against ${s.x}` });
  for (const t of xa.ticks) {
    plotEl.append(svg('line', { x1: xa.at(t), x2: xa.at(t), y1: T, y2: H - B, stroke: '#eef0f3' }),
      svg('text', { x: xa.at(t), y: H - B + 14, 'text-anchor': 'middle' }, tickText(t)));
  }
  for (const t of ya.ticks) {
    plotEl.append(svg('line', { x1: L, x2: W - R, y1: ya.at(t), y2: ya.at(t), stroke: '#eef0f3' }),
      svg('text', { x: L - 6, y: ya.at(t) + 4, 'text-anchor': 'end' }, tickText(t)));
  }
  plotEl.append(svg('text', { x: xa.zero, y: H - B + 14, 'text-anchor': 'middle' }, '0'),
    svg('text', { x: L - 6, y: ya.zero + 4, 'text-anchor': 'end' }, '0'),
    svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, `${s.x} (log)`),
    svg('text', { x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(T + H - B) / 2})` }, `${s.y} (log)`),
    svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: '#c0c6d0' }),
    svg('line', { x1: L, x2: L, y1: T, y2: H - B, stroke: '#c0c6d0' }));
  if (s.line) {
    const xs = s.points.map(p => p.x).filter(x => x > 0);
    const ys = s.points.map(p => p.y).filter(y => y > 0);
    if (xs.length && ys.length) {
      const [ylo, yhi] = [Math.min(...ys), Math.max(...ys)];
      // Clipped to the drawn y range so the line stays inside the plot.
      const pts = [];
      const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
      for (let i = 0; i <= 40; i++) {
        const lx = x0 + (x1 - x0) * i / 40, y = 10 ** (s.line.intercept + s.line.slope * lx);
        if (y >= ylo && y <= yhi) pts.push(`${xa.at(10 ** lx).toFixed(1)},${ya.at(y).toFixed(1)}`);
      }
      if (pts.length > 1) plotEl.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: '#6b7280', 'stroke-dasharray': '5 4', id: (s.id || 'scatter') + '-fit' }));
    }
  }
  const named = [];
  for (const p of s.points) {
    const cx = xa.at(p.x), cy = ya.at(p.y);
    const c = svg('circle', { cx, cy, r: p.outlier ? 4.5 : 2.6, fill: p.outlier ? OUTLIER_COLOUR[p.outlier] : '#2b59c3', 'fill-opacity': p.outlier ? 1 : 0.35, 'data-account': p.dense_id },
      svg('title', {}, `${p.account}: ${s.x} ${fmt(p.x)}, ${s.y} ${fmt(p.y)}`));
    plotEl.append(c);
    if (p.outlier) named.push([p, cx, cy]);
  }
  // Labels on the inner side of their point, nudged apart vertically when two would overlap.
  const taken = [];
  for (const [p, cx, cy] of named.sort((a, b) => a[2] - b[2])) {
    const right = cx < (L + W - R) / 2;
    const free = y => y >= T + 10 && y <= H - B - 3 && !taken.some(([tx, ty]) => Math.abs(ty - y) < 13 && Math.abs(tx - cx) < 160);
    let y = cy + 4;
    for (let k = 1; !free(y) && k < 40; k++) y = cy + 4 + 13 * Math.ceil(k / 2) * (k % 2 ? -1 : 1);
    taken.push([cx, y]);
    plotEl.append(svg('a', { href: p.href || '#/account/' + encodeURIComponent(String(p.dense_id)), 'data-account': p.dense_id },
      svg('text', { x: cx + (right ? 7 : -7), y, 'text-anchor': right ? 'start' : 'end', class: 'label' }, p.account)));
  }
  return plotEl;
}

// How many of one measure's top k are in the other's, for each k the API computed.
function agreementTable(s) {
  const tie = t => t ? ` (a tie of ${fmt(t.accounts)} at ${fmt(t.score)} left out)` : '';
  return el('table', { id: 'topk-agreement' },
    el('thead', {}, el('tr', {}, el('th', {}, 'top k'), el('th', { class: 'num' }, 'in both'), el('th', { class: 'num' }, 'share'))),
    el('tbody', {}, s.agreement.map(a => el('tr', { title: `top ${fmt(a.k)} by ${s.x}: ${fmt(a.x_set)}${tie(a.x_excluded_tie)}; by ${s.y}: ${fmt(a.y_set)}${tie(a.y_excluded_tie)}` },
      el('td', {}, fmt(a.k)), el('td', { class: 'num' }, `${fmt(a.overlap)} of ${fmt(Math.min(a.x_set, a.y_set))}`),
      el('td', { class: 'num' }, a.share === null ? '–' : pct(a.share))))));
}

function scatterSection(s) {
  const outliers = kind => s.points.filter(p => p.outlier === kind);
  const names = kind => outliers(kind).map(p => p.account).join(', ');
  const k = s.agreement.length ? s.agreement[0] : null;
  return [
    el('h2', {}, `${s.y} against ${s.x}, account by account`),
    el('p', { class: 'headline', id: 'scatter-headline' },
      k ? `Of the top ${fmt(k.k)} by ${s.y}, ${fmt(k.overlap)} are in the top ${fmt(k.k)} by ${s.x}` + (k.share === null ? '.' : ` (${pct(k.share)}).`) : `Too few accounts for a top-k comparison.`,
      outliers('x-without-y').length ? ` Most ${OUTLIER_TEXT['x-without-y']}: ${names('x-without-y')}.` : '',
      outliers('y-without-x').length ? ` Most ${OUTLIER_TEXT['y-without-x']}: ${names('y-without-x')}.` : ''),
    el('div', { class: 'grid wide-first' },
      el('div', { class: 'chart', id: 'scatter-chart' }, scatterPlot(s),
        el('ul', { class: 'legend' }, ['x-without-y', 'y-without-x'].map(kind => el('li', { 'data-key': kind },
          svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, svg('circle', { cx: 6, cy: 6, r: 4.5, fill: OUTLIER_COLOUR[kind] })), OUTLIER_TEXT[kind]))),
        el('p', { class: 'muted' }, `${fmt(s.points.length)} of ${fmt(s.accounts)} accounts drawn${s.sampled ? ' (each measure\'s top accounts, the outliers and an even sample of the rest)' : ''}; zeros sit in the band below each axis: ${fmt(s.zero_x)} with no ${s.x}, ${fmt(s.zero_y)} with no ${s.y}.`)),
      s.agreement.length ? el('div', { class: 'card' }, el('h2', {}, 'Top-k agreement'), agreementTable(s),
        el('p', { class: 'muted' }, 'Where a ranking decides who is seen: accounts in both top sets.')) : null),
  ];
}

// ---------------------------------------------------------------- compare

// A top-x % slice's set name as the compare API writes it: "top 10% by earned".
const TOP_SET = /^top ([0-9.]+)% by (.+)$/;

// Why a correlation is blank, in words (the API's `undefined`).
function undefinedReason(u) {
  if (!u) return 'undefined';
  if (u.reason === 'too-few-accounts') return `only ${fmt(u.accounts)} account${u.accounts === 1 ? '' : 's'} in the set`;
  if (u.reason === 'constant') return `${u.measure} is ${fmt(u.score)} for every account in the set`;
  return u.reason;
}

// How far a rank correlation goes, in words.
function agreement(rho) {
  const a = Math.abs(rho);
  const words = a >= 0.7 ? 'largely agree' : a >= 0.4 ? 'partly agree' : a >= 0.2 ? 'barely agree' : 'do not agree';
  return rho < -0.2 ? 'rank in opposite orders' : words;
}

// A set's size, with the tie the API left out at its boundary.
function setSize(r) {
  let s = `${fmt(r.n)} accounts`;
  if (r.excluded_tie) s += `; a tie of ${fmt(r.excluded_tie.accounts)} at ${fmt(r.excluded_tie.score)} left out of the ${fmt(r.requested)} asked for`;
  return s;
}

const rhoText = r => r.spearman === null ? `no ρ (${undefinedReason(r.undefined)})` : `ρ = ${r.spearman.toFixed(2)}`;

async function comparePage() {
  fill(main, el('h1', {}, 'How the measures agree'), el('p', { class: 'muted' }, 'Computing every measure…'));
  // The scatter loads beside the correlations; the page waits for both.
  const scatterLoad = has('/api/scatter') ? getJSON('api/scatter') : null;
  if (scatterLoad) scatterLoad.catch(() => {});
  let c, sc = null;
  try { c = await getJSON('api/compare'); } catch (e) { return showError(main, e); }
  let scatterBox = null;
  if (scatterLoad) {
    try { sc = await scatterLoad; } catch (e) { scatterBox = el('div', {}); showError(scatterBox, e); }
  }
  const names = c.measures;
  const find = (set, a, b) => c.rows.find(r => r.set === set && ((r.a === a && r.b === b) || (r.a === b && r.b === a)));
  // The widest top slice the API computed (10 % by default), if any.
  const percents = [...new Set(c.rows.map(r => TOP_SET.exec(r.set)).filter(Boolean).map(m => Number(m[1])))].sort((x, y) => y - x);
  const top = percents[0];
  const topSet = m => `top ${top}% by ${m}`;

  const cell = r => {
    const v = r ? r.spearman : null;
    if (v === null) return el('td', { class: 'num muted', title: r ? undefinedReason(r.undefined) : 'not computed' }, '–');
    return el('td', { class: 'num', title: r.set === 'all' ? null : setSize(r), style: `background: rgba(31,122,77,${(Math.max(0, v) * 0.35).toFixed(3)})` }, v.toFixed(2));
  };
  // Rows: the set (all accounts, or the row measure's top slice); columns: the other measure.
  const matrix = (id, setOf, key) => el('table', { class: 'matrix', id },
    el('thead', {}, el('tr', {}, el('th', {}, ''), names.map(n => el('th', { class: 'num' }, n)))),
    el('tbody', {}, names.map(a => el('tr', {}, el('th', {}, a), names.map(b => {
      if (a === b) return el('td', { class: 'num muted' }, '1');
      const r = find(setOf(a), a, b);
      if (key === 'spearman') return cell(r);
      const v = r ? r[key] : null;
      return v === null ? el('td', { class: 'num muted', title: r ? undefinedReason(r.undefined) : 'not computed' }, '–') : el('td', { class: 'num' }, v.toFixed(2));
    })))));

  // The headline: the first measure (earned influence) against followers, over all accounts and
  // over its top slice, as the API computed them.
  const lead = names[0], other = names.includes('followers') && lead !== 'followers' ? 'followers' : names[1];
  const allRow = find('all', lead, other);
  const topRow = top !== undefined ? find(topSet(lead), lead, other) : null;
  const headline = [];
  if (allRow) {
    headline.push(allRow.spearman === null
      ? `Over all ${fmt(c.accounts)} accounts, ${lead} and ${other} cannot be correlated: ${undefinedReason(allRow.undefined)}.`
      : `Over all ${fmt(c.accounts)} accounts, ${lead} and ${other} ${agreement(allRow.spearman)}: ${rhoText(allRow)}` +
        (allRow.kendall === null ? '.' : `, τ-b = ${allRow.kendall.toFixed(2)}.`));
  }
  if (topRow) {
    headline.push(topRow.spearman === null
      ? ` Among the top ${top} % by ${lead} (${setSize(topRow)}) there is no correlation: ${undefinedReason(topRow.undefined)}.`
      : ` Among the top ${top} % by ${lead} (${setSize(topRow)}) they ${agreement(topRow.spearman)}: ${rhoText(topRow)}.`);
  }
  const tops = c.rows.filter(r => r.set !== 'all');
  const detail = tops.length ? el('details', {}, el('summary', {}, `Every top slice (${fmt(tops.length)} rows)`),
    el('div', { class: 'scroll' }, el('table', { id: 'compare-tops' }, el('thead', {}, el('tr', {}, ['a', 'b', 'set', 'n', 'ρ', 'τ-b', 'note'].map(h => el('th', {}, h)))),
      el('tbody', {}, tops.map(r => el('tr', {}, el('td', {}, r.a), el('td', {}, r.b), el('td', {}, r.set), el('td', { class: 'num' }, fmt(r.n)),
        el('td', { class: 'num' }, r.spearman === null ? '–' : r.spearman.toFixed(2)), el('td', { class: 'num' }, r.kendall === null ? '–' : r.kendall.toFixed(2)),
        el('td', { class: 'muted' }, r.undefined ? undefinedReason(r.undefined) : r.excluded_tie ? setSize(r) : ''))))))) : null;
  fill(main,
    el('h1', {}, 'How the measures agree'),
    el('p', { class: 'describe' }, `Rank correlations between the measures, as in Cha et al. 2010: over all accounts, and among each measure's top accounts, where influence is decided.`),
    headline.length ? el('p', { class: 'headline', id: 'compare-headline' }, headline.join('')) : null,
    warningNote(c.warnings),
    sc ? scatterSection(sc) : scatterBox,
    el('h2', {}, "Spearman's ρ, all accounts"), el('div', { class: 'scroll' }, matrix('compare-spearman', () => 'all', 'spearman')),
    top !== undefined ? el('h2', {}, `Spearman's ρ among the top ${top} % by the row's measure`) : null,
    top !== undefined ? el('div', { class: 'scroll' }, matrix('compare-top', topSet, 'spearman')) : null,
    el('h2', {}, "Kendall's τ-b, all accounts"), el('div', { class: 'scroll' }, matrix('compare-kendall', () => 'all', 'kendall')),
    detail);
}

// ---------------------------------------------------------------- audit

const pct = x => (100 * x).toFixed(1) + ' %';

async function loadAudience(box, load) {
  let a;
  try { a = await load; } catch (e) { return showError(box, e); }
  const reasons = Object.entries(a.reasons).filter(([, n]) => n > 0);
  fill(box,
    el('p', {}, el('strong', { id: 'audience-quality' }, a.followers ? pct(a.quality) : 'no followers'),
      a.followers ? ` real audience (95 % interval ${pct(a.quality_low)} – ${pct(a.quality_high)})` : ''),
    el('table', {}, el('tbody', {},
      el('tr', {}, el('td', {}, 'followers'), el('td', { class: 'num' }, fmt(a.followers))),
      el('tr', {}, el('td', {}, 'engaged with anyone'), el('td', { class: 'num' }, fmt(a.engaged_any))),
      el('tr', {}, el('td', {}, 'engaged with this account'), el('td', { class: 'num' }, fmt(a.engaged_this))),
      el('tr', {}, el('td', {}, 'suspicious'), el('td', { class: 'num' }, `${fmt(a.suspicious)} (${pct(a.suspicious_share)})`)),
      reasons.map(([r, n]) => el('tr', {}, el('td', { class: 'muted' }, '  ' + r.replace(/_/g, ' ')), el('td', { class: 'num' }, fmt(n)))),
      a.earned !== null ? el('tr', {}, el('td', {}, 'earned, without suspicious endorsers'),
        el('td', { class: 'num' }, `${fmt(a.earned)} → ${fmt(a.earned_without_suspicious)}`)) : null)),
    a.anomalies.length ? el('p', { class: 'muted' }, 'Follower spikes: ' +
      a.anomalies.map(x => `${x.day} (+${fmt(x.gained)}, usual ${fmt(x.baseline)})`).join(', ')) : null);
}

async function auditPage(params) {
  const limit = 50, offset = Math.max(Number(params.offset) || 0, 0);
  fill(main, el('h1', {}, 'Audience audit'),
    el('p', { class: 'describe' }, 'Accounts with the most evidence of bought followers first (the 95 % lower bound on the number of suspicious followers, so a buyer of thousands outranks a small account whose few followers look bought): followers who never engage, follow thousands, follow in bursts, were created together or sit in follow-back rings.'),
    el('p', { class: 'muted', id: 'audit-body' }, 'Auditing every audience…'));
  let d;
  try { d = await getJSON('api/audit' + query({ limit, offset })); } catch (e) { return showError(main, e); }
  const table = el('table', { id: 'audit' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Account'), el('th', { class: 'num' }, 'followers'),
      el('th', { class: 'num', title: 'the 95 % lower bound on the number of suspicious followers: the order of this list' }, 'suspicious, 95 % low'), el('th', { class: 'num' }, 'suspicious'), el('th', { class: 'num' }, 'quality (95 %)'),
      el('th', { class: 'num' }, 'spikes'), el('th', { class: 'num' }, 'earned → without suspicious'))),
    el('tbody', {}, d.rows.map(r => el('tr', { 'data-id': r.id },
      el('td', { class: 'account' }, accountLink(r)), el('td', { class: 'num' }, fmt(r.followers)),
      el('td', { class: 'num' }, fmt(Math.floor(r.suspicious_low))),
      el('td', { class: 'num' }, pct(r.suspicious_share)),
      el('td', { class: 'num' }, `${pct(r.quality)} (${pct(r.quality_low)}–${pct(r.quality_high)})`),
      el('td', { class: 'num' }, r.anomalies.length),
      el('td', { class: 'num' }, r.earned === null ? '' : `${fmt(r.earned)} → ${fmt(r.earned_without_suspicious)}`)))));
  const pager = el('div', { class: 'pager' },
    el('button', { disabled: offset === 0 ? '' : null, onclick: () => go(['audit'], { offset: Math.max(0, offset - limit) }) }, '← previous'),
    el('span', { class: 'muted' }, `${fmt(d.total ? offset + 1 : 0)}–${fmt(Math.min(offset + limit, d.total))} of ${fmt(d.total)} audiences`),
    el('button', { disabled: offset + limit >= d.total ? '' : null, onclick: () => go(['audit'], { offset: offset + limit }) }, 'next →'));
  document.getElementById('audit-body').replaceWith(el('div', { class: 'scroll' }, table), pager);
}

// ---------------------------------------------------------------- spread

const hours = s => s === null || s === undefined ? '' : s < 3600 ? `${Math.round(s / 60)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(1)} d`;

async function cascadesPage(params) {
  const limit = 50, offset = Math.max(Number(params.offset) || 0, 0);
  const topic = params.topic || '';
  const topicInput = el('input', { id: 'cascade-topic', placeholder: 'any', value: topic, size: 12 });
  fill(main, el('h1', {}, 'Cascades'),
    el('p', { class: 'describe' }, 'Spread trees rebuilt from reshare, quote, reply and mention chains and from tag memes; parents the data does not name are inferred from earlier exposure.'),
    el('form', { class: 'controls', onsubmit: e => { e.preventDefault(); go(['cascades'], { topic: topicInput.value.trim() }); } },
      el('label', {}, 'Topic', topicInput), el('button', { type: 'submit' }, 'Apply')),
    el('p', { class: 'muted', id: 'cascades-body' }, 'Rebuilding the trees…'));
  let d;
  try { d = await getJSON('api/cascades' + query({ topic, limit, offset })); } catch (e) { return showError(main, e); }
  const table = el('table', { id: 'cascades' },
    el('thead', {}, el('tr', {}, ['cascade', 'started by', 'origin', 'size', 'depth', 'breadth', 'virality', 'start', 'to half size']
      .map((h, i) => el('th', { class: i >= 3 && i <= 6 ? 'num' : null }, h)))),
    el('tbody', {}, d.rows.map(c => el('tr', {},
      el('td', { class: 'account' }, el('a', { href: '#/cascade/' + encodeURIComponent(c.id) }, c.id)),
      el('td', { class: 'account' }, accountLink(c.root)), el('td', {}, c.origin),
      el('td', { class: 'num' }, fmt(c.size)), el('td', { class: 'num' }, c.depth), el('td', { class: 'num' }, fmt(c.max_breadth)),
      el('td', { class: 'num' }, fmt(c.structural_virality)), el('td', {}, (c.start || '').slice(0, 16)),
      el('td', {}, hours(c.time_to_half_seconds))))));
  const pager = el('div', { class: 'pager' },
    el('button', { disabled: offset === 0 ? '' : null, onclick: () => go(['cascades'], { topic, offset: Math.max(0, offset - limit) }) }, '← previous'),
    el('span', { class: 'muted' }, `${fmt(d.total ? offset + 1 : 0)}–${fmt(Math.min(offset + limit, d.total))} of ${fmt(d.total)} cascades`),
    el('button', { disabled: offset + limit >= d.total ? '' : null, onclick: () => go(['cascades'], { topic, offset: offset + limit }) }, 'next →'));
  document.getElementById('cascades-body').replaceWith(el('div', { class: 'scroll' }, table), pager);
}

const KIND_COLOUR = { reshare: '#2b59c3', quote: '#7a3fb0', reply: '#1f7a4d', comment: '#1f7a4d', mention: '#a15c00', post: '#1d2330' };
const ROOT_COLOUR = '#b42318', OTHER_COLOUR = '#667085';
const nodeColour = n => n.depth === 0 ? ROOT_COLOUR : (KIND_COLOUR[n.kind] || OTHER_COLOUR);

// The key to the tree: one entry per colour drawn, and the two kinds of link when both occur.
function treeLegend(nodes) {
  const NS = 'http://www.w3.org/2000/svg';
  const swatch = (draw) => {
    const s = document.createElementNS(NS, 'svg');
    s.setAttribute('width', 22); s.setAttribute('height', 10); s.setAttribute('aria-hidden', 'true');
    draw(s);
    return s;
  };
  const dot = colour => swatch(s => {
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', 11); c.setAttribute('cy', 5); c.setAttribute('r', 4); c.setAttribute('fill', colour);
    s.append(c);
  });
  const link = dashed => swatch(s => {
    const l = document.createElementNS(NS, 'line');
    Object.entries({ x1: 1, y1: 5, x2: 21, y2: 5, stroke: dashed ? '#c0c6d0' : '#8892a6', 'stroke-width': 1.5 })
      .forEach(([k, v]) => l.setAttribute(k, v));
    if (dashed) l.setAttribute('stroke-dasharray', '3 2');
    s.append(l);
  });
  const entries = [];
  if (nodes.some(n => n.depth === 0)) entries.push(['root', dot(ROOT_COLOUR), 'started it']);
  const kinds = [...new Set(nodes.filter(n => n.depth > 0).map(n => n.kind))];
  for (const k of kinds) entries.push([k, dot(KIND_COLOUR[k] || OTHER_COLOUR), k]);
  const inferred = nodes.some(n => n.depth > 0 && n.inferred), named = nodes.some(n => n.depth > 0 && !n.inferred);
  if (named) entries.push(['named', link(false), 'parent named by the data']);
  if (inferred) entries.push(['inferred', link(true), 'parent inferred from earlier exposure']);
  const ringed = colour => swatch(s => {
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', 11); c.setAttribute('cy', 5); c.setAttribute('r', 3.5); c.setAttribute('fill', '#fff');
    c.setAttribute('stroke', colour); c.setAttribute('stroke-width', 2);
    s.append(c);
  });
  for (const [key, colour, text] of STATUS.slice(0, 1)) {
    if (nodes.some(n => statusOf(n)[0] === key)) entries.push([key, ringed(colour), 'ring: ' + text]);
  }
  return el('ul', { class: 'legend', id: 'cascade-legend' },
    entries.map(([key, mark, text]) => el('li', { 'data-key': key }, mark, text)));
}

// Status colours of adopters: what the audit says about the account that reshared.
const STATUS = [
  ['suspicious', '#b42318', 'a suspicious account: as a follower it never engages, follows thousands, follows in bursts, was created in a batch or sits in a follow-back ring', n => n.suspicious],
  ['clear', '#2b59c3', 'nothing suspicious found', () => true],
];
const statusOf = n => STATUS.find(s => s[3](n));

// Zoom (wheel, buttons) and pan (drag) a viewBox-scaled SVG; the buttons and a reset go in `bar`.
function zoomable(plotEl, size, bar) {
  let view = { x: 0, y: 0, w: size, h: size };
  const apply = () => {
    plotEl.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
    plotEl.dataset.zoom = (size / view.w).toFixed(2);
  };
  const zoom = (factor, cx, cy) => {
    const w = Math.min(size, Math.max(size / 40, view.w / factor));
    const fx = cx === undefined ? 0.5 : (cx - view.x) / view.w, fy = cy === undefined ? 0.5 : (cy - view.y) / view.h;
    const px = view.x + fx * view.w, py = view.y + fy * view.h;
    view = { x: px - fx * w, y: py - fy * w, w, h: w };
    apply();
  };
  // A point of the drawing under the pointer, in viewBox units.
  const toView = (ev) => {
    const r = plotEl.getBoundingClientRect();
    return [view.x + (ev.clientX - r.left) / r.width * view.w, view.y + (ev.clientY - r.top) / r.height * view.h];
  };
  plotEl.addEventListener('wheel', ev => {
    ev.preventDefault();
    const [cx, cy] = toView(ev);
    zoom(ev.deltaY < 0 ? 1.25 : 0.8, cx, cy);
  }, { passive: false });
  let drag = null;
  plotEl.addEventListener('pointerdown', ev => {
    drag = { x: ev.clientX, y: ev.clientY, view: { ...view } };
    plotEl.setPointerCapture(ev.pointerId);
    plotEl.classList.add('panning');
  });
  plotEl.addEventListener('pointermove', ev => {
    if (!drag) return;
    const r = plotEl.getBoundingClientRect();
    view = { ...drag.view, x: drag.view.x - (ev.clientX - drag.x) / r.width * drag.view.w, y: drag.view.y - (ev.clientY - drag.y) / r.height * drag.view.h };
    apply();
  });
  const stop = () => { drag = null; plotEl.classList.remove('panning'); };
  plotEl.addEventListener('pointerup', stop);
  plotEl.addEventListener('pointercancel', stop);
  bar.append(
    el('button', { type: 'button', id: 'tree-zoom-in', title: 'zoom in', onclick: () => zoom(1.5) }, '+'),
    el('button', { type: 'button', id: 'tree-zoom-out', title: 'zoom out', onclick: () => zoom(1 / 1.5) }, '−'),
    el('button', { type: 'button', id: 'tree-zoom-reset', onclick: () => { view = { x: 0, y: 0, w: size, h: size }; apply(); } }, 'fit'),
    el('span', { class: 'muted' }, 'drag to pan, wheel to zoom'));
  apply();
}

// Who reshared when: adopters in time order, the running count on the y axis, each a dot in
// its status colour.
function spreadOverTime(nodes) {
  const timed = nodes.filter(n => n.time).map(n => ({ n, t: Date.parse(n.time) / 1000 })).sort((a, b) => a.t - b.t);
  if (timed.length < 2) return el('p', { class: 'muted' }, 'Too few dated adopters to draw the spread over time.');
  const W = plotWidth(), H = W < 500 ? 260 : 300, L = 52, R = 16, T = 12, B = 38;
  const t0 = timed[0].t, t1 = Math.max(timed[timed.length - 1].t, t0 + 1);
  const x = t => L + (W - L - R) * (t - t0) / (t1 - t0), y = k => H - B - (H - B - T) * k / timed.length;
  const plotEl = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', id: 'cascade-time', role: 'img', 'aria-label': 'adopters over time' });
  plotEl.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: '#c0c6d0' }), svg('line', { x1: L, x2: L, y1: T, y2: H - B, stroke: '#c0c6d0' }));
  for (const k of [0, Math.round(timed.length / 2), timed.length]) {
    plotEl.append(svg('text', { x: L - 6, y: y(k) + 4, 'text-anchor': 'end' }, fmt(k)));
  }
  for (const f of [0, 0.5, 1]) {
    const t = t0 + f * (t1 - t0);
    plotEl.append(svg('text', { x: x(t), y: H - B + 15, 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle' }, f === 0 ? new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') : '+' + hours(t - t0)));
  }
  plotEl.append(svg('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, 'time since the first adopter'),
    svg('text', { x: 12, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(T + H - B) / 2})` }, 'adopters so far'));
  const path = timed.map(({ t }, i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(i + 1).toFixed(1)}`).join(' ');
  plotEl.append(svg('path', { d: path, fill: 'none', stroke: '#8892a6', 'stroke-width': 1 }));
  timed.forEach(({ n, t }, i) => {
    const [key, colour] = statusOf(n);
    plotEl.append(svg('circle', { cx: x(t), cy: y(i + 1), r: key === 'clear' ? 2.2 : 3.5, fill: colour, 'data-status': key },
      svg('title', {}, `${n.account} · ${n.kind} · ${n.time} · ${STATUS.find(s => s[0] === key)[2]}`)));
  });
  return plotEl;
}

function statusLegend(nodes) {
  const present = STATUS.filter(([key]) => nodes.some(n => statusOf(n)[0] === key));
  return el('ul', { class: 'legend', id: 'status-legend' }, present.map(([key, colour, text]) => el('li', { 'data-key': key },
    svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, svg('circle', { cx: 6, cy: 6, r: 4.5, fill: colour })), text)));
}

// A radial tree: leaves spread evenly round the circle, each parent at the mean angle of its
// children, depth as the radius.
function radialTree(nodes) {
  const NS = 'http://www.w3.org/2000/svg';
  const size = 620, r0 = 20, R = size / 2 - 20;
  const kids = nodes.map(() => []);
  const at = new Map(nodes.map((n, i) => [n.index, i]));
  const roots = [];
  nodes.forEach((n, i) => { const p = at.get(n.parent); if (p === undefined) roots.push(i); else kids[p].push(i); });
  const maxDepth = Math.max(1, ...nodes.map(n => n.depth));
  const angle = new Array(nodes.length);
  let leaf = 0, leaves = 0;
  const count = i => kids[i].length === 0 ? 1 : kids[i].reduce((s, k) => s + count(k), 0);
  roots.forEach(r => { leaves += count(r); });
  const place = i => {
    if (kids[i].length === 0) { angle[i] = 2 * Math.PI * (leaf++ + 0.5) / leaves; return angle[i]; }
    const a = kids[i].map(place);
    angle[i] = a.reduce((s, x) => s + x, 0) / a.length;
    return angle[i];
  };
  roots.forEach(place);
  const xy = i => {
    const rad = nodes[i].depth === 0 ? 0 : r0 + (R - r0) * nodes[i].depth / maxDepth;
    return [size / 2 + rad * Math.cos(angle[i]), size / 2 + rad * Math.sin(angle[i])];
  };
  const svg = document.createElementNS(NS, 'svg');
  // Scaled by its viewBox to the width of its box (CSS: width 100 %, at most its natural size).
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.setAttribute('id', 'cascade-tree');
  svg.setAttribute('role', 'img');
  nodes.forEach((n, i) => {
    const p = at.get(n.parent);
    if (p === undefined) return;
    const [x1, y1] = xy(p), [x2, y2] = xy(i);
    const line = document.createElementNS(NS, 'line');
    Object.entries({ x1, y1, x2, y2, stroke: n.inferred ? '#c0c6d0' : '#8892a6', 'stroke-width': 1, 'stroke-dasharray': n.inferred ? '3 2' : null })
      .forEach(([k, v]) => v !== null && line.setAttribute(k, v));
    svg.append(line);
  });
  nodes.forEach((n, i) => {
    const [cx, cy] = xy(i);
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', cx); c.setAttribute('cy', cy); c.setAttribute('r', n.depth === 0 ? 6 : 2.5);
    c.setAttribute('fill', nodeColour(n));
    // An adopter the audit doubts is ringed in its status colour.
    const [status, ring] = statusOf(n);
    if (status !== 'clear') { c.setAttribute('stroke', ring); c.setAttribute('stroke-width', 2); c.dataset.status = status; }
    const t = document.createElementNS(NS, 'title');
    t.textContent = `${n.account} · ${n.kind} · depth ${n.depth}${n.time ? ' · ' + n.time : ''}${n.inferred ? ' · inferred parent' : ''}`;
    c.append(t);
    svg.append(c);
  });
  return svg;
}

async function cascadePage(id) {
  fill(main, el('p', { class: 'muted' }, 'Loading…'));
  let c;
  try { c = await getJSON('api/cascades/' + id.split('/').map(encodeURIComponent).join('/') + query({ limit: 1000 })); } catch (e) { return showError(main, e); }
  const tree = radialTree(c.nodes), zoomBar = el('div', { class: 'zoom' });
  zoomable(tree, 620, zoomBar);
  const depthCounts = {};
  for (const n of c.nodes) depthCounts[n.depth] = (depthCounts[n.depth] || 0) + 1;
  fill(main,
    el('p', {}, el('a', { href: '#/cascades' }, '← cascades')),
    el('h1', {}, c.id),
    el('p', { class: 'muted' }, 'Started by ', accountLink(c.root), ` · ${c.origin}` + (c.topic ? ` · #${c.topic}` : '') + (c.start ? ` · ${c.start}` : '')),
    el('div', { class: 'grid' },
      el('div', { class: 'chart', id: 'cascade-chart' }, zoomBar, tree, treeLegend(c.nodes),
        c.nodes_total > c.nodes.length ? el('p', { class: 'muted' }, `The first ${fmt(c.nodes.length)} of ${fmt(c.nodes_total)} adopters are drawn.`) : null),
      el('div', { class: 'card' }, el('h2', {}, 'Shape'),
        el('table', {}, el('tbody', {},
          [['size', fmt(c.size)], ['depth', c.depth], ['largest generation', fmt(c.max_breadth)],
           ['structural virality', fmt(c.structural_virality)], ['time to half its size', hours(c.time_to_half_seconds)]]
            .map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'num' }, v))))),
        el('h2', {}, 'Adopters by depth'),
        el('table', {}, el('tbody', {}, Object.entries(depthCounts).map(([d, n]) => el('tr', {}, el('td', {}, `depth ${d}`), el('td', { class: 'num' }, fmt(n)))))))),
    el('h2', {}, 'Spread over time: who reshared when'),
    el('div', { class: 'chart', id: 'cascade-time-chart' }, spreadOverTime(c.nodes), statusLegend(c.nodes)));
}

// α in words: with its interval when computed, or saying it is on its way.
function alphaText(d) {
  const a = d.alpha;
  if (!a) return 'Too few dated arrivals to estimate the kernel.';
  const sizes = ` ${fmt(d.arrivals)} arrivals to ${fmt(d.accounts)} accounts.`;
  if (a.low === null || a.high === null) {
    const why = d.interval_pending ? `its 95 % bootstrap interval (${fmt(d.bootstrap)} replicates) is being computed…`
      : d.interval_error ? `no interval: ${d.interval_error}` : 'no bootstrap interval was asked for.';
    return `Attachment exponent α = ${a.value.toFixed(2)}; ${why}` + sizes;
  }
  return `Attachment exponent α = ${a.value.toFixed(2)} (95 % bootstrap interval ${a.low.toFixed(2)} – ${a.high.toFixed(2)}, ${a.replicates} replicates): ` +
    (a.low > 1 ? 'growth is super-linear in size.' : a.high < 1 ? 'growth is sub-linear in size.' : 'consistent with linear preferential attachment.') + sizes;
}

// Asks again every two seconds until the interval is in, while the page is still shown. These
// polls do not mark the page busy: the point estimate is the page's answer until then.
async function awaitInterval(line, period) {
  const shownAt = location.hash;
  line.dataset.pending = '1';
  for (let tries = 0; tries < 600 && line.isConnected && location.hash === shownAt; tries++) {
    await new Promise(r => setTimeout(r, 2000));
    if (!line.isConnected || location.hash !== shownAt) return;
    let d;
    try {
      const r = await fetch('api/dynamics' + query({ period, limit: 1 }), { headers: { accept: 'application/json' } });
      // 202: the point estimate itself is being computed again (a restarted server).
      if (r.status !== 200) continue;
      d = await r.json();
    } catch (_) { continue; }
    if (!d.interval_pending) {
      line.textContent = alphaText(d);
      delete line.dataset.pending;
      return;
    }
  }
}

async function dynamicsPage(params) {
  const period = params.period || 'month';
  fill(main, el('h1', {}, 'Dynamics: do the big get bigger?'), el('p', { class: 'muted' }, 'Estimating the attachment kernel…'));
  let d;
  try { d = await getJSON('api/dynamics' + query({ period, limit: 20 })); } catch (e) { return showError(main, e); }
  const a = d.alpha;
  const alphaLine = el('p', { class: 'describe', id: 'alpha-line' }, alphaText(d));
  if (a && d.interval_pending) awaitInterval(alphaLine, period);
  const kernelBox = el('div', { class: 'chart', id: 'kernel-chart' });
  const concBox = el('div', { class: 'chart', id: 'concentration-chart' });
  const sel = el('select', { id: 'period', onchange: e => go(['dynamics'], { period: e.target.value }) },
    ['day', 'week', 'month'].map(p => el('option', { value: p }, p)));
  sel.value = period;
  fill(main,
    el('h1', {}, 'Dynamics: do the big get bigger?'),
    alphaLine,
    el('div', { class: 'grid' },
      el('div', {}, el('h2', {}, 'Attachment kernel A(k), log-log'), kernelBox),
      el('div', {}, el('h2', {}, 'Concentration of engagement ', el('label', { class: 'muted' }, 'per ', sel)), concBox)),
    el('h2', {}, 'Fittest accounts: growth their size does not explain'),
    el('div', { class: 'scroll' }, el('table', { id: 'fitness' },
      el('thead', {}, el('tr', {}, el('th', {}, 'account'), el('th', { class: 'num' }, 'fitness'), el('th', { class: 'num' }, 'arrivals'))),
      el('tbody', {}, d.fitness.map(f => el('tr', {},
        el('td', { class: 'account' }, accountLink({ id: f.account, account: f.label })),
        el('td', { class: 'num' }, fmt(f.fitness)), el('td', { class: 'num' }, fmt(f.arrivals))))))));
  const kp = d.kernel.filter(p => p.k > 0 && p.a > 0 && p.a_no_fitness > 0);
  if (kp.length > 1) {
    plot(kernelBox, 560, {
      height: 300,
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      series: [{ label: 'k' },
        { label: 'A(k), with fitness', stroke: '#1f7a4d', width: 2, points: { show: true } },
        { label: 'A(k), fitness fixed', stroke: '#a15c00', width: 1.5, dash: [4, 3] }],
      axes: [{ label: 'size k (engagement received so far)' }, { label: 'A(k)' }],
    }, [kp.map(p => p.k), kp.map(p => p.a), kp.map(p => p.a_no_fitness)]);
  } else kernelBox.append(el('p', { class: 'muted' }, 'Not enough points.'));
  const cp = d.concentration;
  if (cp.length > 1) {
    plot(concBox, 560, {
      height: 300,
      scales: { x: { time: true }, y: { range: [0, 1] } },
      series: [{}, { label: 'Gini', stroke: '#2b59c3', width: 2 }, { label: 'top 1 % share', stroke: '#b42318', width: 2 }],
      axes: [{}, { label: 'share' }],
    }, [cp.map(p => p.start), cp.map(p => p.gini), cp.map(p => p.top1_share)]);
  } else concBox.append(el('p', { class: 'muted' }, `Only ${cp.length} ${period} in the data: pick a shorter period.`));
}

// ---------------------------------------------------------------- backtest

const METRIC_NAMES = ['ρ', 'τ-b', 'NDCG', 'precision'];
const utc = t => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
const score = m => m.value === null ? '–' : m.value.toFixed(3);
const interval = m => m.lo === null || m.lo === undefined ? '' : ` [${m.lo.toFixed(3)}, ${m.hi.toFixed(3)}]`;
// A paired difference to the best baseline: "better"/"worse" only when its whole interval says so.
const verdict = d => !d ? null : d.lo > 0 ? 'better' : d.hi < 0 ? 'worse' : 'tie';
const diffText = d => `${d.diff >= 0 ? '+' : ''}${d.diff.toFixed(3)} [${d.lo >= 0 ? '+' : ''}${d.lo.toFixed(3)}, ${d.hi >= 0 ? '+' : ''}${d.hi.toFixed(3)}]`;

// The measure with the best point estimate of metric `m` on a split (candidate included).
function leader(split, m) {
  const defined = split.measures.filter(r => r.metrics[m].value !== null);
  return defined.length ? defined.reduce((a, b) => b.metrics[m].value > a.metrics[m].value ? b : a).measure : null;
}

// A partial answer (the backtest still running): its intervals are missing because they are
// still being drawn, not because they are undefined.
const intervalsPending = d => Boolean(d.pending && d.pending.intervals);

function backtestSplit(d, split, i) {
  const dt = d;
  const k = d.k, best = [0, 2].map(m => leader(split, m));
  const rows = [...split.measures].sort((a, b) => (b.metrics[2].value ?? -1) - (a.metrics[2].value ?? -1));
  const cell = (r, m) => el('td', { class: 'num', title: interval(r.metrics[m]).trim() || null },
    r.measure === best[m === 0 ? 0 : 1] && (m === 0 || m === 2) ? el('strong', {}, score(r.metrics[m])) : score(r.metrics[m]));
  const vs = r => {
    const d = r.metrics[2].vs_best;
    if (split.best_baseline[2] === r.measure) return el('td', { class: 'muted' }, 'best baseline');
    if (!d && intervalsPending(dt)) return el('td', { class: 'muted pending' }, 'interval computing…');
    if (!d) return el('td', { class: 'muted' }, '');
    return el('td', { class: 'num vs-' + verdict(d), title: `paired difference to ${d.baseline}, 95 % interval` }, diffText(d));
  };
  const truth = split.truth_accounts > 0;
  return el('section', { class: 'backtest-split', 'data-split': i },
    el('h2', {}, `Split ${i + 1}: measures as of ${utc(split.split)} UTC, target until ${utc(split.until)}`),
    el('p', { class: 'muted' }, `${fmt(split.accounts)} accounts active before the split, ${fmt(split.with_target)} with a target above zero.`),
    el('div', { class: 'scroll' }, el('table', { class: 'backtest' },
      el('thead', {}, el('tr', {}, el('th', {}, 'measure'), el('th', { class: 'num' }, 'Spearman ρ'), el('th', { class: 'num' }, 'Kendall τ-b'),
        el('th', { class: 'num' }, `NDCG@${k}`), el('th', { class: 'num' }, `precision@${k}`), el('th', { class: 'num' }, `NDCG@${k} vs best baseline`),
        truth ? el('th', { class: 'num' }, 'ρ with the truth') : null)),
      el('tbody', {}, rows.map(r => el('tr', { 'data-measure': r.measure, class: r.measure === d.candidate ? 'candidate' : null },
        el('td', {}, r.measure), cell(r, 0), cell(r, 1), cell(r, 2), cell(r, 3), vs(r),
        truth ? el('td', { class: 'num' }, r.truth_spearman === null ? '–' : r.truth_spearman.toFixed(3)) : null))))),
    warningNote(split.warnings));
}

// One sentence per question the page answers: who leads, and does the candidate beat the rest.
function backtestHeadline(d) {
  const n = d.splits.length;
  const wins = m => {
    const count = {};
    for (const s of d.splits) { const l = leader(s, m); if (l) count[l] = (count[l] || 0) + 1; }
    return Object.entries(count).sort((a, b) => b[1] - a[1]);
  };
  const say = (m, label) => {
    const w = wins(m);
    return w.length ? `${label}: ${w[0][0]} leads on ${w[0][1]} of ${n} split${n > 1 ? 's' : ''}` + (w.length > 1 ? ` (then ${w.slice(1).map(([k, v]) => `${k} ${v}`).join(', ')})` : '') + '.' : `${label}: undefined on every split.`;
  };
  const own = d.splits.map(s => s.measures.find(r => r.measure === d.candidate)).filter(Boolean);
  if (intervalsPending(d)) return [say(2, `NDCG@${d.k}`), ' ', say(0, 'Spearman ρ'), ' ', own.length ? `Whether ${d.candidate} beats the best baseline beyond the bootstrap interval: intervals computing.` : ''];
  const beats = own.filter(r => verdict(r.metrics[2].vs_best) === 'better' && (!r.metrics[0].vs_best || r.metrics[0].vs_best.diff >= 0)).length;
  return [say(2, `NDCG@${d.k}`), ' ', say(0, 'Spearman ρ'), ' ',
    own.length ? `${d.candidate} is above the best baseline on NDCG@${d.k} beyond the bootstrap interval, and not below it on ρ, on ${beats} of ${own.length} splits.` : ''];
}

async function backtestPage(params) {
  const shownAt = location.hash;
  const target = params.target || 'distinct-engagers';
  // The CLI's resamples (DEFAULT_BOOTSTRAP): the point estimates show first, so the intervals'
  // wait costs nothing to read.
  const bootstrap = params.bootstrap || '1000';
  const spec = (((api.paths['/api/backtest'] || {}).get || {}).parameters || []).find(p => p.name === 'target');
  const targets = (spec && spec.schema && spec.schema.enum) || [target];
  const targetSel = el('select', { id: 'backtest-target' }, targets.map(t => el('option', { value: t }, t)));
  targetSel.value = target;
  const bootSel = el('select', { id: 'backtest-bootstrap' }, ['0', '200', '1000'].map(b => el('option', { value: b }, b === '0' ? 'none' : b)));
  bootSel.value = bootstrap;
  const head = [el('h1', {}, 'Which measure predicts best here'),
    el('p', { class: 'describe' }, 'Every measure is computed as of a split, over the accounts active before it, and scored against what happened to them after it: rank correlation with the target, and NDCG and precision among the top k. Intervals are 95 % bootstraps over accounts; "vs best baseline" is a paired bootstrap of the difference to the best other measure.'),
    el('form', { class: 'controls', onsubmit: e => { e.preventDefault(); go(['backtest'], { target: targetSel.value, bootstrap: bootSel.value }); } },
      el('label', {}, 'Target', targetSel), el('label', {}, 'Bootstrap resamples', bootSel), el('button', { type: 'submit' }, 'Apply'))];
  fill(main, ...head, el('p', { class: 'muted', id: 'backtest-body' }, 'Computing every measure as of each split…'));
  // Progressive: the oldest splits' point estimates come first (`pending` says what is still
  // computed), shown as they come, then the complete answer with its intervals.
  const show = d => fill(main, ...head,
    el('p', { class: 'headline', id: 'backtest-headline' }, backtestHeadline(d)),
    d.pending ? el('p', { class: 'computing', id: 'backtest-pending' }, [
      d.pending.splits ? `${d.pending.splits} more split${d.pending.splits > 1 ? 's' : ''} computing. ` : '',
      d.pending.intervals ? `Intervals computing (${fmt(d.bootstrap)} resamples): the point estimates below are final, the verdicts that need an interval come next.` : ''].join('')) : null,
    el('p', { class: 'muted' }, `Target: ${d.target}, over ${hours(d.horizon_seconds)} after each split. ${d.bootstrap ? `${fmt(d.bootstrap)} resamples.` : 'No resamples: point estimates only.'} Ties: ${d.ties}.`),
    d.splits.map((s, i) => backtestSplit(d, s, i)));
  let d;
  try { d = await untilReady('api/backtest' + query({ target, bootstrap }), d => Boolean(d.pending), show); } catch (e) { return showError(document.getElementById('backtest-body'), e); }
  if (location.hash !== shownAt) return;
  show(d);
}

// ---------------------------------------------------------------- who to engage

async function seedsPage(params) {
  const k = Math.min(Math.max(Number(params.k) || 10, 1), 100);
  const model = params.model === 'lt' ? 'lt' : 'ic';
  const compare = params.compare === '1';
  const kInput = el('input', { id: 'seeds-k', type: 'number', min: 1, max: 100, value: k, size: 4 });
  const modelSel = el('select', { id: 'seeds-model' }, el('option', { value: 'ic' }, 'independent cascade'), el('option', { value: 'lt' }, 'linear threshold'));
  modelSel.value = model;
  const compareBox = el('input', { id: 'seeds-with-compare', type: 'checkbox' });
  compareBox.checked = compare;
  const apply = () => go(['seeds'], { k: kInput.value, model: modelSel.value, compare: compareBox.checked ? '1' : '' });
  fill(main, el('h1', {}, 'Who to engage'),
    el('p', { class: 'describe' }, 'The accounts which, if they took a message up, would carry it furthest: influence maximization under a diffusion model whose probabilities are learned from who actually took up whose items (reshares, quotes, replies, comments). The set is within 1 − 1/e − ε of the best possible with high probability; each seed shows the accounts it adds to those before it.'),
    el('form', { class: 'controls', onsubmit: e => { e.preventDefault(); apply(); } },
      el('label', {}, 'Seeds', kInput), el('label', {}, 'Model', modelSel),
      el('label', {}, compareBox, ' beside top-k by followers, PageRank, earned'),
      el('button', { type: 'submit' }, 'Apply')),
    el('p', { class: 'muted', id: 'seeds-body' }, compare ? 'Choosing seeds and simulating every strategy…' : 'Choosing seeds…'));
  let d;
  try { d = await getJSON('api/seeds' + query({ k, model, compare: compare ? 'true' : '' })); } catch (e) { return showError(main, e); }
  const s = d.selection;
  const asked = 1 - 1 / Math.E - s.epsilon;
  const guarantee = s.certified
    ? `certified to reach at least ${pct(s.ratio)} of the best possible set (asked ${pct(asked)})`
    : `guaranteed ${pct(asked)} of the best possible by the worst-case sample size`;
  let cumulative = 0;
  const rows = d.seeds.map(r => ({ ...r, cumulative: (cumulative += r.marginal_gain) }));
  const chartBox = el('div', { class: 'chart', id: 'seeds-chart' });
  const parts = [
    el('p', { class: 'headline-score', id: 'seeds-headline' },
      'Expected reach ', el('strong', {}, fmt(s.spread)), ` accounts (interval ${fmt(s.spread_low)} – ${fmt(s.spread_high)}), `,
      guarantee, `; ${d.probabilities} probabilities, ${d.model === 'lt' ? 'linear threshold' : 'independent cascade'} model over ${fmt(d.nodes)} accounts and ${fmt(d.edges)} edges, ${fmt(s.rr_sets)} reverse-reachable sets.`),
    el('div', { class: 'grid' },
      el('div', { class: 'scroll' }, el('table', { id: 'seeds' },
        el('thead', {}, el('tr', {}, el('th', { class: 'num' }, '#'), el('th', {}, 'account'),
          el('th', { class: 'num', title: 'expected accounts this seed adds to those before it' }, 'adds'),
          el('th', { class: 'num' }, 'reach so far'))),
        el('tbody', {}, rows.map(r => el('tr', { 'data-id': r.id },
          el('td', { class: 'num' }, r.order), el('td', { class: 'account' }, accountLink(r)),
          el('td', { class: 'num' }, fmt(r.marginal_gain)), el('td', { class: 'num' }, fmt(r.cumulative))))))),
      el('div', {}, el('h2', {}, 'Expected reach by number of seeds'), chartBox)),
  ];
  if (d.comparison.length) {
    parts.push(el('h2', {}, `Beside other ways to pick ${k} accounts (${fmt(d.comparison[0].spread.simulations)} simulations each, same model)`),
      el('div', { class: 'scroll' }, el('table', { id: 'seeds-compare' },
        el('thead', {}, el('tr', {}, el('th', {}, 'strategy'), el('th', { class: 'num' }, 'expected reach'), el('th', { class: 'num' }, '95 % interval'), el('th', {}, 'note'))),
        el('tbody', {}, d.comparison.map(c => el('tr', { 'data-strategy': c.strategy },
          el('td', {}, c.strategy), el('td', { class: 'num' }, fmt(c.spread.mean)),
          el('td', { class: 'num' }, `${fmt(c.spread.low)} – ${fmt(c.spread.high)}`), el('td', { class: 'muted' }, c.note || '')))))));
  }
  document.getElementById('seeds-body').replaceWith(...parts);
  if (rows.length > 1) {
    plot(chartBox, 560, {
      height: 260,
      scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, hi * 1.05] } },
      series: [{ label: 'seeds' }, { label: 'expected reach', stroke: '#2b59c3', width: 2, points: { show: true } }],
      axes: [{ label: 'seeds' }, { label: 'accounts reached' }],
    }, [rows.map(r => r.order), rows.map(r => r.cumulative)]);
  } else chartBox.append(el('p', { class: 'muted' }, 'One seed: nothing to chart.'));
}

// ---------------------------------------------------------------- persons

// A person: their label, and each of their accounts as a link to its page.
function personCell(r) {
  if (!r.linked) return accountLink(r.accounts[0]);
  return el('span', {}, el('strong', {}, r.label), ' ', r.accounts.map((a, i) => [i ? ', ' : '', accountLink(a)]));
}

async function personsPage(params) {
  const measure = params.measure || (measures[0] && measures[0].name) || '';
  const limit = 50, offset = Math.max(Number(params.offset) || 0, 0);
  const head = [el('h1', {}, 'Persons'),
    el('p', { class: 'describe' }, 'Influence belongs to a person, whatever platform carries it: accounts declared one person (renown link) are ranked together, an engager linked across platforms counts once, and a person\'s own accounts endorsing each other count zero. Unlinked accounts are persons of their own.')];
  fill(main, ...head, el('p', { class: 'muted', id: 'persons-body' }, 'Ranking persons…'));
  let d;
  try { d = await getJSON('api/persons' + query({ measure, limit, offset })); } catch (e) { return showError(main, e); }
  const top = d.rows[0];
  const table = el('table', { id: 'persons' },
    el('thead', {}, el('tr', {}, el('th', { class: 'num' }, '#'), el('th', {}, 'Person'), el('th', { class: 'num' }, 'accounts'),
      el('th', { class: 'num' }, d.measure), el('th', { class: 'num' }, 'followers (distinct persons)'), el('th', {}, ''))),
    el('tbody', {}, d.rows.map(r => el('tr', { 'data-person': r.person },
      el('td', { class: 'num' }, fmt(r.rank)), el('td', { class: 'account' }, personCell(r)),
      el('td', { class: 'num' }, fmt(r.accounts.length)), el('td', { class: 'num' }, fmt(r.score)),
      el('td', { class: 'num' }, fmt(r.followers)),
      el('td', {}, el('a', { href: '#/person/' + encodeURIComponent(String(r.accounts[0].id)), class: 'explain-person' }, 'why'))))));
  const pager = el('div', { class: 'pager' },
    el('button', { disabled: offset === 0 ? '' : null, onclick: () => go(['persons'], { offset: Math.max(0, offset - limit) }) }, '← previous'),
    el('span', { class: 'muted' }, `${fmt(d.total ? offset + 1 : 0)}–${fmt(Math.min(offset + limit, d.total))} of ${fmt(d.total)} persons`),
    el('button', { disabled: offset + limit >= d.total ? '' : null, onclick: () => go(['persons'], { offset: offset + limit }) }, 'next →'));
  fill(main, ...head,
    el('p', { class: 'headline', id: 'persons-headline' },
      `${fmt(d.total)} persons, ${fmt(d.linked)} of them linked across accounts.`,
      top ? [' First by ', d.measure, ': ', personCell(top), ` (${fmt(top.score)}).`] : ''),
    warningNote(d.warnings),
    el('div', { class: 'scroll' }, table), pager);
}

async function personPage(id) {
  fill(main, el('p', { class: 'muted' }, 'Weighing the person\'s endorsements…'));
  let d;
  try { d = await getJSON('api/persons/' + encodeURIComponent(id) + '/explain' + query({ endorsers: 10 })); } catch (e) { return showError(main, e); }
  const platforms = el('table', { id: 'person-platforms' },
    el('thead', {}, el('tr', {}, el('th', {}, 'platform'), el('th', { class: 'num' }, 'contribution'), el('th', { class: 'num' }, 'share'), el('th', { class: 'num' }, 'actions'))),
    el('tbody', {}, d.by_platform.map(p => el('tr', { 'data-platform': p.platform },
      el('td', {}, p.platform), el('td', { class: 'num' }, fmt(p.contribution)),
      el('td', { class: 'num' }, el('span', { class: 'bar score', style: `width: ${Math.round(60 * Math.max(0, Math.min(1, p.share)))}px` }), ' ', pct(p.share)),
      el('td', { class: 'num' }, fmt(p.actions))))));
  const endorsers = el('table', { id: 'person-endorsers' },
    el('thead', {}, el('tr', {}, el('th', {}, 'endorsing person'), el('th', { class: 'num' }, 'their score'), el('th', { class: 'num' }, 'contribution'), el('th', { class: 'num' }, 'share'))),
    el('tbody', {}, d.endorsers.map(e => el('tr', {},
      el('td', {}, e.label), el('td', { class: 'num' }, fmt(e.score)),
      el('td', { class: 'num' }, fmt(e.contribution)), el('td', { class: 'num' }, pct(e.share))))));
  fill(main,
    el('h1', {}, d.label),
    el('p', { class: 'muted' }, d.linked ? ['One person across ', fmt(d.accounts.length), ' accounts: ', d.accounts.map((a, i) => [i ? ', ' : '', accountLink(a)])] : ['One account, no links declared: ', accountLink(d.accounts[0])]),
    el('p', { class: 'headline', id: 'person-headline' },
      `Earned influence ${fmt(d.score)}, rank ${fmt(d.rank)} of ${fmt(d.persons)} persons; credibility ${fmt(d.credibility)}, consistency ${pct(d.consistency)}.`,
      d.by_platform.length ? ` Most from ${d.by_platform[0].platform} (${pct(d.by_platform[0].share)}).` : ' No endorsement yet.',
      d.own_account_actions ? ` ${fmt(d.own_account_actions)} actions between the person's own accounts count zero.` : ''),
    el('div', { class: 'grid' },
      el('div', { class: 'card' }, el('h2', {}, 'By platform'), d.by_platform.length ? el('div', { class: 'scroll' }, platforms) : el('p', { class: 'muted' }, 'Nothing earned on any platform.')),
      el('div', { class: 'card' }, el('h2', {}, 'Who endorses this person'), d.endorsers.length ? el('div', { class: 'scroll' }, endorsers) : el('p', { class: 'muted' }, 'No endorsers.'),
        d.other_endorsers ? el('p', { class: 'muted' }, `and ${fmt(d.other_endorsers)} more persons (${pct(d.other_share)})`) : null)));
}

// ---------------------------------------------------------------- offline gap

const GAP_TEXT = { 'x-without-y': 'big offline, not earned online', 'y-without-x': 'earned online without offline weight' };

async function gapPage(params) {
  const offline = params.offline || '';
  const head = [el('h1', {}, 'Does being big offline translate online?'),
    el('p', { class: 'describe' }, 'Each person\'s offline figure (renown offline FILE) against the influence they earned online, on log axes, with the robust (Theil–Sen) line of log earned on log offline. Persons far below the line are big offline and have not earned online; far above, they earned online without offline weight.')];
  fill(main, ...head, el('p', { class: 'muted', id: 'gap-body' }, 'Setting offline figures against earned influence…'));
  let d;
  try { d = await getJSON('api/gap' + query({ offline, limit: 20 })); } catch (e) { return showError(main, e); }
  const choose = d.offline_measures.length > 1 ? el('form', { class: 'controls', onsubmit: e => e.preventDefault() },
    el('label', {}, 'Offline figure', (() => {
      const sel = el('select', { id: 'gap-offline' }, d.offline_measures.map(m => el('option', { value: m.name }, `${m.name} (${fmt(m.persons)} persons)`)));
      sel.value = d.offline_measure || '';
      sel.addEventListener('change', () => go(['gap'], { offline: sel.value }));
      return sel;
    })())) : null;
  if (d.undefined) {
    return fill(main, ...head, choose, el('p', { class: 'headline', id: 'gap-headline' }, `No gap to show: ${d.undefined}.`));
  }
  const kind = new Map();
  for (const r of d.big_offline_not_earned) kind.set(r.person, 'x-without-y');
  for (const r of d.earned_without_offline_weight) kind.set(r.person, 'y-without-x');
  const xName = d.offline_is_rank ? `${d.offline_measure} rank` : d.offline_measure;
  const plot = {
    id: 'gap-scatter', x: xName, y: 'earned', line: d.fit,
    points: d.rows.map(r => ({ x: d.offline_is_rank ? r.offline_rank : r.offline, y: r.earned, outlier: kind.get(r.person) || null, account: r.label, dense_id: r.accounts[0].id,
      // A linked person's label is theirs, not an account's: it leads to the person.
      href: r.linked ? '#/person/' + encodeURIComponent(String(r.accounts[0].id)) : null })),
  };
  const list = (id, rows) => el('table', { id },
    el('thead', {}, el('tr', {}, el('th', {}, 'person'), el('th', { class: 'num' }, xName), el('th', { class: 'num' }, 'offline rank'),
      el('th', { class: 'num' }, 'earned'), el('th', { class: 'num' }, 'earned rank'), el('th', { class: 'num' }, 'expected earned'), el('th', { class: 'num', title: 'log10 earned − log10 expected' }, 'gap'))),
    el('tbody', {}, rows.map(r => el('tr', { 'data-person': r.person },
      el('td', { class: 'account' }, personCell(r)), el('td', { class: 'num' }, fmt(r.offline)), el('td', { class: 'num' }, fmt(r.offline_rank)),
      el('td', { class: 'num' }, fmt(r.earned)), el('td', { class: 'num' }, fmt(r.earned_rank)),
      el('td', { class: 'num' }, r.expected_earned === null ? '–' : fmt(r.expected_earned)),
      el('td', { class: 'num' }, r.gap === null ? '–' : r.gap.toFixed(2))))));
  const names = rows => rows.map(r => r.label).join(', ');
  const zeros = d.rows.filter(r => !(r.earned > 0)).length;
  fill(main, ...head, choose,
    el('p', { class: 'headline', id: 'gap-headline' },
      `Over ${fmt(d.persons)} persons with ${xName} figures, log earned = ${d.fit.slope.toFixed(2)} × log ${xName} ${d.fit.intercept < 0 ? '−' : '+'} ${Math.abs(d.fit.intercept).toFixed(2)}.`,
      d.big_offline_not_earned.length ? ` Big offline, not earned online: ${names(d.big_offline_not_earned)}.` : '',
      d.earned_without_offline_weight.length ? ` Earned online without offline weight: ${names(d.earned_without_offline_weight)}.` : ''),
    el('div', { class: 'chart', id: 'gap-chart' }, scatterPlot(plot),
      el('ul', { class: 'legend' }, ['x-without-y', 'y-without-x'].map(k => el('li', { 'data-key': k },
        svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, svg('circle', { cx: 6, cy: 6, r: 4.5, fill: OUTLIER_COLOUR[k] })), GAP_TEXT[k]))),
      el('p', { class: 'muted' }, `${fmt(d.rows.length)} persons drawn; dashed: the fitted line${d.cut !== null && d.cut !== undefined ? `; named: beyond ${d.cut.toFixed(2)} in log10 from it` : ''}${zeros ? `; ${fmt(zeros)} with no earned influence sit in the band below the x axis` : ''}.`)),
    el('h2', {}, 'Big offline, not earned online'),
    d.big_offline_not_earned.length ? el('div', { class: 'scroll' }, list('gap-big-offline', d.big_offline_not_earned)) : el('p', { class: 'muted' }, 'None beyond the cut.'),
    el('h2', {}, 'Earned online without offline weight'),
    d.earned_without_offline_weight.length ? el('div', { class: 'scroll' }, list('gap-earned-online', d.earned_without_offline_weight)) : el('p', { class: 'muted' }, 'None beyond the cut.'));
}

// ---------------------------------------------------------------- shell

function has(path) { return !!(api.paths && api.paths[path]); }

const pages = {
  '': { nav: 'leaderboard', render: (parts, params) => leaderboardPage(params) },
  account: { nav: null, render: (parts, params) => accountPage(parts[1], params) },
  compare: { nav: 'compare', route: '/api/compare', title: 'Compare', render: () => comparePage() },
  audit: { nav: 'audit', route: '/api/audit', title: 'Audit', render: (parts, params) => auditPage(params) },
  cascades: { nav: 'cascades', route: '/api/cascades', title: 'Cascades', render: (parts, params) => cascadesPage(params) },
  cascade: { nav: 'cascades', route: '/api/cascades/{id}', render: parts => cascadePage(parts.slice(1).join('/')) },
  dynamics: { nav: 'dynamics', route: '/api/dynamics', title: 'Dynamics', render: (parts, params) => dynamicsPage(params) },
  backtest: { nav: 'backtest', route: '/api/backtest', title: 'Predicts', render: (parts, params) => backtestPage(params) },
  seeds: { nav: 'seeds', route: '/api/seeds', title: 'Who to engage', render: (parts, params) => seedsPage(params) },
  persons: { nav: 'persons', route: '/api/persons', title: 'Persons', render: (parts, params) => personsPage(params) },
  person: { nav: 'persons', route: '/api/persons/{id}/explain', render: parts => personPage(parts[1]) },
  gap: { nav: 'gap', route: '/api/gap', title: 'Gap', render: (parts, params) => gapPage(params) },
};

// Pages whose API route this server lacks are not offered at all.
function buildNav() {
  const nav = document.getElementById('nav');
  for (const [key, p] of Object.entries(pages)) {
    if (!p.route) continue;
    if (!has(p.route)) { delete pages[key]; continue; }
    if (p.title) nav.append(el('a', { href: '#/' + key, 'data-page': p.nav }, p.title));
  }
}

async function route() {
  const { parts, params } = parseHash();
  const page = pages[parts[0] || ''];
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', !!page && a.dataset.page === page.nav);
  delete main.dataset.rendered;
  if (!page) showError(main, new Error('No such page.'));
  else try { await page.render(parts, params); } catch (e) { showError(main, e); }
  // Which route the main view shows (its own loads may still run: see body[data-busy]).
  main.dataset.rendered = location.hash || '#/';
}

async function start() {
  try {
    [api, { measures }] = await Promise.all([getJSON('api/openapi.json'), getJSON('api/measures')]);
    const s = stats = await getJSON('api/stats');
    document.getElementById('store-summary').textContent =
      `${fmt(s.accounts)} accounts · ${fmt(s.events)} events` + (s.first_time ? ` · ${s.first_time.slice(0, 10)} to ${s.last_time.slice(0, 10)}` : '');
  } catch (e) { return showError(main, e); }
  buildNav();
  window.addEventListener('hashchange', route);
  await route();
  document.body.dataset.ready = '1';
}

start();
