// The dashboard in headless Chromium against a running `renown serve` on a demo store.
//
//   BASE_URL=http://127.0.0.1:PORT/ SCREENSHOTS=target/e2e-screenshots node --test dashboard.test.mjs
//
// Loads the leaderboard, checks its rows against the API, opens an account, checks its chart is
// drawn from data, draws a cascade tree, the dynamics charts and the audit, and fails on any
// console error or page error. Then visits every view at 1400×1000 and 390×844 and checks each:
// the page does not overflow horizontally, no "null", "undefined" or "NaN" is shown, every chart
// is drawn with data and fits its box, no card or nav link is cut, and its links navigate.
// Screenshots of every view at both widths go to $SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:7878/').replace(/\/?$/, '/');
const SHOTS = resolve(process.env.SCREENSHOTS || 'target/e2e-screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// A server started with --answer-within 0 on its own copy of the store (scripts/e2e.sh): every
// question it has not kept is answered 202 ("computing") first.
const PENDING = process.env.PENDING_URL && process.env.PENDING_URL.replace(/\/?$/, '/');

let context, page, profile;
const problems = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'renown-e2e-profile-'));
  // A fresh profile per run; Playwright takes it as the persistent context's directory.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] || await context.newPage();
  page.on('console', m => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  // A request cancelled because the test moved on to the next view (or the page dropped a stale
  // fetch) is not a failure; anything else is.
  page.on('requestfailed', r => {
    const why = r.failure()?.errorText;
    if (why !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', r => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// The API's answer to `path`, asked again while the server says 202 (computing).
async function api(path, base = BASE) {
  for (let tries = 0; ; tries++) {
    const r = await fetch(new URL(path, base));
    if (r.status === 202 && tries < 600) { await new Promise(done => setTimeout(done, 500)); continue; }
    assert.equal(r.status, 200, `${path}: ${r.status}`);
    return r.json();
  }
}

// The complete answer of a progressive route (the backtest): asked again while it says `pending`.
async function complete(path, base = BASE) {
  for (let tries = 0; ; tries++) {
    const d = await api(path, base);
    if (!d.pending || tries >= 600) return d;
    await new Promise(done => setTimeout(done, 500));
  }
}

// Every page below has its API route in this build: a missing nav link is a failure, not a skip.
async function openPage(name) {
  const nav = await page.$(`#nav a[data-page="${name}"]`);
  assert.ok(nav, `the nav offers ${name}`);
  await nav.click();
}

// Counts the painted (non-blank) pixels of a canvas.
async function paintedPixels(selector) {
  return page.$eval(selector, c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
    return { n, w: c.width, h: c.height };
  });
}

test('leaderboard rows match the API', async () => {
  await page.goto(BASE);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('#leaderboard tbody tr');
  const measure = await page.$eval('#leaderboard', t => t.dataset.measure);
  const expected = await api(`api/leaderboard?measure=${measure}&limit=50`);
  const rows = await page.$$eval('#leaderboard tbody tr', trs => trs.map(tr => ({
    id: Number(tr.dataset.id),
    rank: Number(tr.cells[0].textContent),
    account: tr.cells[1].textContent,
    score: Number(tr.querySelector('td.score').dataset.score),
  })));
  assert.equal(rows.length, expected.rows.length);
  assert.ok(rows.length > 0);
  rows.forEach((r, i) => {
    const e = expected.rows[i];
    assert.deepEqual(r, { id: e.id, rank: e.rank, account: e.account, score: e.score }, `row ${i + 1}`);
  });
  await page.screenshot({ path: join(SHOTS, '1-leaderboard.png'), fullPage: false });
  assert.deepEqual(problems, []);
});

test('the measure selector reranks', async () => {
  const { measures } = await api('api/measures');
  const other = measures.find(m => m.name !== measures[0].name && m.name !== 'followers');
  assert.ok(other, 'at least two measures');
  await page.selectOption('#measure', other.name);
  await page.waitForSelector(`#leaderboard[data-measure="${other.name}"]`);
  const expected = await api(`api/leaderboard?measure=${other.name}&limit=50`);
  const first = await page.$eval('#leaderboard tbody tr', tr => Number(tr.dataset.id));
  assert.equal(first, expected.rows[0].id);
  // Followers sit beside every non-follower measure.
  const followers = await page.$$eval('#leaderboard td.followers', tds => tds.length);
  assert.equal(followers, expected.rows.length);
  await page.screenshot({ path: join(SHOTS, `2-leaderboard-${other.name}.png`) });
  assert.deepEqual(problems, []);
});

test('an account page draws its chart from data', async () => {
  const link = page.locator('#leaderboard tbody tr a').first();
  const name = await link.textContent();
  const id = Number(await link.getAttribute('data-account'));
  await link.click();
  await page.waitForSelector('#account-name');
  assert.equal(await page.textContent('#account-name'), name);
  await page.waitForSelector('#timeline-chart canvas');
  const timeline = await api(`api/accounts/${id}/timeline`);
  assert.ok(timeline.points.length > 1, 'the account has a history');
  // The canvas has been painted: some pixels are not transparent/white.
  const painted = await paintedPixels('#timeline-chart canvas');
  assert.ok(painted.w > 300 && painted.h > 100, `canvas ${painted.w}x${painted.h}`);
  assert.ok(painted.n > 500, `only ${painted.n} painted pixels`);
  // The legend carries the series the API returned.
  const legend = await page.$$eval('#timeline-chart .u-legend .u-label', ls => ls.map(l => l.textContent));
  assert.ok(legend.includes('followers'), legend.join(', '));
  const measures = await page.$$eval('#account-measures tbody tr', trs => trs.length);
  const detail = await api(`api/accounts/${id}`);
  assert.equal(measures, detail.measures.length);
  await page.screenshot({ path: join(SHOTS, '3-account.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('a cascade is drawn as a tree', async () => {
  await openPage('cascades');
  await page.waitForSelector('#cascades tbody tr');
  const expected = await api('api/cascades?limit=50');
  const ids = await page.$$eval('#cascades tbody tr td:first-child a', as => as.map(a => a.textContent));
  assert.deepEqual(ids, expected.rows.map(r => r.id));
  await page.screenshot({ path: join(SHOTS, '4-cascades.png') });
  await page.click('#cascades tbody tr td:first-child a');
  await page.waitForSelector('#cascade-tree circle');
  const circles = await page.$$eval('#cascade-tree circle', cs => cs.length);
  assert.equal(circles, Math.min(expected.rows[0].size, 1000));
  await page.screenshot({ path: join(SHOTS, '5-cascade-tree.png') });
  assert.deepEqual(problems, []);
});

test('the measures are compared', async () => {
  await openPage('compare');
  await page.waitForSelector('#compare-spearman tbody tr');
  const { measures } = await api('api/measures');
  const rows = await page.$$eval('#compare-spearman tbody tr', trs => trs.length);
  assert.equal(rows, measures.length);
  await page.screenshot({ path: join(SHOTS, '6-compare.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('the dynamics page draws the kernel and lists the fittest accounts', async () => {
  await openPage('dynamics');
  await page.waitForSelector('#fitness tbody tr', { timeout: 60000 });
  const expected = await api('api/dynamics?period=month&limit=20');
  const shown = await page.$$eval('#fitness tbody tr td:first-child a', as => as.map(a => Number(a.dataset.account)));
  assert.deepEqual(shown, expected.fitness.map(f => f.account));
  // α as the API states it, with its interval.
  const text = await page.textContent('.describe');
  assert.ok(text.includes(`α = ${expected.alpha.value.toFixed(2)}`), text);
  // The log-log kernel and the concentration series are both drawn.
  for (const box of ['#kernel-chart', '#concentration-chart']) {
    await page.waitForSelector(`${box} canvas`);
    const p = await paintedPixels(`${box} canvas`);
    assert.ok(p.w > 300 && p.h > 100, `${box}: canvas ${p.w}x${p.h}`);
    assert.ok(p.n > 300, `${box}: only ${p.n} painted pixels`);
  }
  await page.screenshot({ path: join(SHOTS, '7-dynamics.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('the audit lists audiences as the API does', async () => {
  await openPage('audit');
  await page.waitForSelector('#audit tbody tr', { timeout: 60000 });
  const expected = await api('api/audit?limit=50');
  const ids = await page.$$eval('#audit tbody tr', trs => trs.map(tr => Number(tr.dataset.id)));
  assert.deepEqual(ids, expected.rows.map(r => r.id));
  await page.screenshot({ path: join(SHOTS, '8-audit.png') });
  assert.deepEqual(problems, []);
});

test('who to engage: the API\'s seeds in order with their gains, the reach chart, every strategy beside them', async () => {
  await openPage('seeds');
  await page.waitForSelector('#seeds tbody tr', { timeout: 120000 });
  const expected = await api('api/seeds?k=10&model=ic');
  const rows = await page.$$eval('#seeds tbody tr', trs => trs.map(tr => ({
    id: Number(tr.dataset.id), account: tr.querySelector('td.account a').textContent,
    adds: tr.children[2].textContent })));
  assert.deepEqual(rows.map(r => r.id), expected.seeds.map(s => s.id));
  assert.deepEqual(rows.map(r => r.account), expected.seeds.map(s => s.account));
  // Each seed adds what the API says, and the headline states the set's reach and sample.
  expected.seeds.forEach((s, i) => assert.ok(Math.abs(Number(rows[i].adds.replace(/,/g, '')) - s.marginal_gain) <= Math.max(0.01 * s.marginal_gain, 0.01),
    `${s.account}: shows ${rows[i].adds}, API ${s.marginal_gain}`));
  const headline = await page.textContent('#seeds-headline');
  assert.ok(headline.includes(expected.selection.rr_sets.toLocaleString('en-US') + ' reverse-reachable sets'), headline);
  await page.waitForSelector('#seeds-chart canvas');
  const p = await paintedPixels('#seeds-chart canvas');
  assert.ok(p.w > 200 && p.h > 100 && p.n > 300, `reach chart: ${p.w}x${p.h}, ${p.n} painted pixels`);
  // Asked for the comparison, the page lists the API's strategies, influence maximization first.
  await page.check('#seeds-with-compare');
  await page.click('form.controls button[type=submit]');
  await page.waitForSelector('#seeds-compare tbody tr', { timeout: 120000 });
  const compared = await api('api/seeds?k=10&model=ic&compare=true');
  const strategies = await page.$$eval('#seeds-compare tbody tr', trs => trs.map(tr => tr.dataset.strategy));
  assert.deepEqual(strategies, compared.comparison.map(c => c.strategy));
  assert.equal(strategies[0], 'influence maximization');
  await page.screenshot({ path: join(SHOTS, '9-seeds.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('an unknown account shows an error, not a crash', async () => {
  const before = problems.length;
  await page.goto(BASE + '#/account/no:such-account');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /no account/);
  // The 404 itself is expected here; nothing else may go wrong.
  const extra = problems.splice(before).filter(p => !/404/.test(p));
  assert.deepEqual(extra, []);
});

// ---------------------------------------------------------------- every view, both widths

const VIEWPORTS = [{ width: 1400, height: 1000 }, { width: 390, height: 844 }];

// Opens a hash route in a fresh document and waits until it and all its loads are drawn.
async function open(hash) {
  await page.goto('about:blank');
  await page.goto(BASE + hash);
  await settle(hash);
}

async function settle(hash) {
  await page.waitForFunction(h => document.body.dataset.ready === '1' && document.getElementById('main').dataset.rendered === h &&
    !document.body.dataset.busy, hash, { timeout: 120000, polling: 50 });
}

// The views of the dashboard, with the ids of an account and a cascade taken from the API.
async function allViews() {
  const { measures } = await api('api/measures');
  const top = (await api(`api/leaderboard?measure=${measures[0].name}&limit=1`)).rows[0];
  const cascade = (await api('api/cascades?limit=1')).rows[0];
  return [
    ['leaderboard', '#/'],
    ['account', `#/account/${top.id}`],
    ['compare', '#/compare'],
    ['audit', '#/audit'],
    ['cascades', '#/cascades'],
    ['cascade', '#/cascade/' + cascade.id.split('/').map(encodeURIComponent).join('/')],
    ['dynamics', '#/dynamics'],
    ['backtest', '#/backtest'],
    ['seeds', '#/seeds?compare=1'],
    ['persons', '#/persons'],
    ['person', `#/person/${top.id}`],
    ['gap', '#/gap'],
  ];
}

// Everything wrong with the layout and text of the view on screen, as sentences.
function layoutProblems() {
  const out = [];
  const vw = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) out.push(`the page is ${doc.scrollWidth} px wide in a ${vw} px viewport`);
  const text = document.body.innerText;
  for (const m of text.matchAll(/\b(null|undefined|NaN)\b/g)) {
    out.push(`text "${m[1]}" shown: …${text.slice(Math.max(0, m.index - 40), m.index + 20).replace(/\s+/g, ' ')}…`);
  }
  for (const a of document.querySelectorAll('#nav a')) {
    const r = a.getBoundingClientRect();
    if (r.left < 0 || r.right > vw || a.scrollWidth > a.clientWidth + 1) out.push(`nav link "${a.textContent}" is cut (${r.left.toFixed(0)}–${r.right.toFixed(0)})`);
  }
  for (const c of document.querySelectorAll('main .card, main .chart')) {
    if (c.scrollWidth > c.clientWidth + 1) out.push(`${c.id || c.className} "${(c.querySelector('h2') || c).textContent.slice(0, 30)}" cuts its content: ${c.scrollWidth} px in ${c.clientWidth}`);
    const r = c.getBoundingClientRect();
    if (r.right > vw + 0.5) out.push(`${c.id || c.className} ends at ${r.right.toFixed(0)} px, past the viewport`);
  }
  for (const g of document.querySelectorAll('main canvas, main svg#cascade-tree, main svg.plot')) {
    const box = g.closest('.chart').getBoundingClientRect(), r = g.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`chart ${g.closest('.chart').id} is ${r.width.toFixed(0)} px wide in a ${box.width.toFixed(0)} px box`);
  }
  for (const s of document.querySelectorAll('main .scroll')) {
    if (s.getBoundingClientRect().right > vw + 0.5) out.push('a scrolling box extends past the viewport');
  }
  return out;
}

// Every chart on the view is drawn with data: each canvas has painted pixels, a tree has nodes.
async function undrawnCharts() {
  const out = [];
  const canvases = await page.$$('main .chart canvas');
  for (const c of canvases) {
    const p = await c.evaluate(c => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++;
      return { n, id: c.closest('.chart').id };
    });
    if (p.n < 300) out.push(`${p.id}: only ${p.n} painted pixels`);
  }
  for (const t of await page.$$eval('main svg#cascade-tree', ts => ts.map(t => t.querySelectorAll('circle').length))) {
    if (t === 0) out.push('the cascade tree has no nodes');
  }
  for (const [id, n] of await page.$$eval('main svg.plot', ps => ps.map(p => [p.id, p.querySelectorAll('circle').length]))) {
    if (n === 0) out.push(`${id}: no points drawn`);
  }
  // A chart box left with neither a drawing nor a sentence saying why is a failure too.
  for (const id of await page.$$eval('main .chart', cs => cs.filter(c => !c.querySelector('canvas, svg, p')).map(c => c.id))) {
    out.push(`${id}: empty`);
  }
  return out;
}

for (const vp of VIEWPORTS) {
  test(`every view at ${vp.width}×${vp.height}: no overflow, no null, charts drawn and fitting`, async () => {
    await page.setViewportSize(vp);
    const before = problems.length;
    for (const [name, hash] of await allViews()) {
      await open(hash);
      await page.screenshot({ path: join(SHOTS, `view-${name}-${vp.width}.png`), fullPage: true });
      assert.deepEqual(await page.evaluate(layoutProblems), [], `${name} at ${vp.width} px`);
      assert.deepEqual(await undrawnCharts(), [], `${name} at ${vp.width} px`);
      const charts = await page.$$eval('main .chart canvas, main svg#cascade-tree, main svg.plot', cs => cs.length);
      if (['account', 'cascade', 'dynamics', 'compare', 'gap'].includes(name)) assert.ok(charts > 0, `${name}: a chart is drawn`);
    }
    assert.deepEqual(problems.slice(before), []);
  });
}

// Waits until the main view shows `hash` (not for its side loads).
async function shown(hash) {
  await page.waitForFunction(h => document.getElementById('main').dataset.rendered === h, hash, { timeout: 60000, polling: 50 });
}

// The API resource behind a dashboard link, for the links not clicked through.
function resourceOf(href) {
  const m = /^#\/(account|cascade)\/([^?]+)/.exec(href);
  if (!m) return null;
  return m[1] === 'account' ? `api/accounts/${m[2]}` : `api/cascades/${m[2]}?limit=1`;
}

test('charts refit when the window narrows and widens again', async () => {
  const views = (await allViews()).filter(([name]) => ['account', 'dynamics'].includes(name));
  for (const [name, hash] of views) {
    await page.setViewportSize(VIEWPORTS[0]);
    await open(hash);
    const wide = await page.$$eval('main .chart canvas', cs => cs.map(c => c.getBoundingClientRect().width));
    await page.setViewportSize(VIEWPORTS[1]);
    await page.waitForTimeout(400);
    assert.deepEqual(await page.evaluate(layoutProblems), [], `${name} narrowed to ${VIEWPORTS[1].width} px`);
    await page.setViewportSize(VIEWPORTS[0]);
    await page.waitForTimeout(400);
    const again = await page.$$eval('main .chart canvas', cs => cs.map(c => c.getBoundingClientRect().width));
    assert.deepEqual(again, wide, `${name}: widened again, the charts take their width back`);
  }
});

test('every view\'s links navigate to a page that renders', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  const before = problems.length;
  const clicked = new Set();
  for (const [name, hash] of await allViews()) {
    await open(hash);
    const links = await page.$$eval('#nav a, main a[href^="#"]', as => as.map(a => ({
      href: a.getAttribute('href'), text: a.textContent, nav: !!a.closest('#nav'),
    })));
    assert.ok(links.length > 1, `${name}: links found`);
    for (const l of links) {
      // One link of each destination (account, cascade, leaderboard by measure, each nav entry)
      // is clicked through; every other link's account or cascade must exist under its name.
      const kind = l.nav ? l.href : l.href.replace(/^#\/?/, '').split(/[/?]/)[0] + (l.href.includes('?') ? '?' : '');
      if (clicked.has(kind)) {
        const resource = resourceOf(l.href);
        if (resource) {
          const r = await api(resource);
          if (resource.startsWith('api/accounts/')) assert.equal(r.account, l.text, `${name}: ${l.href}`);
        }
        continue;
      }
      clicked.add(kind);
      await page.click(`${l.nav ? '#nav' : 'main'} a[href="${l.href}"] >> nth=0`);
      await shown(l.href);
      assert.equal(await page.$('main .error'), null, `${name}: ${l.href} shows an error`);
      assert.ok(await page.$('main h1'), `${name}: ${l.href} has a heading`);
      if (l.href.startsWith('#/account/')) assert.equal(await page.textContent('#account-name'), l.text, `${name}: ${l.href}`);
      if (l.href !== hash) {
        await page.goBack();
        await shown(hash);
      }
    }
    await settle(hash);
  }
  assert.deepEqual(problems.slice(before), []);
});

// ---------------------------------------------------------------- the defects of issue 19, one by one

test('account page: endorsers are links to their accounts, as the engagers are', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  const [, hash] = (await allViews())[1];
  await open(hash);
  const id = hash.split('/').pop();
  const e = await api(`api/accounts/${id}/explain?endorsers=10`);
  assert.ok(e.endorsers.length > 0, 'the top account has endorsers');
  const links = await page.$$eval('#endorsers tbody td.account a', as => as.map(a => ({ id: a.dataset.account, text: a.textContent })));
  assert.deepEqual(links, e.endorsers.map(x => ({ id: String(x.dense_id), text: x.account })));
  await page.click('#endorsers tbody td.account a >> nth=0');
  await settle(`#/account/${e.endorsers[0].dense_id}`);
  assert.equal(await page.textContent('#account-name'), e.endorsers[0].account);
});

test('account page: an account without follower spikes shows no "null"', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  const { measures } = await api('api/measures');
  const rows = (await api(`api/leaderboard?measure=${measures[0].name}&limit=30`)).rows;
  let calm;
  for (const r of rows) {
    if ((await api(`api/accounts/${r.id}/audit`)).anomalies.length === 0) { calm = r; break; }
  }
  assert.ok(calm, 'one of the top 30 accounts has no follower spike');
  await open(`#/account/${calm.id}`);
  const text = await page.textContent('#audience');
  assert.match(text, /real audience|no followers/);
  assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /\b(null|undefined|NaN)\b/);
});

test('account page: the trajectory spans only the store\'s time range, ranks on whole-number ticks', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  const stats = await api('api/stats');
  const first = Date.parse(stats.first_time) / 1000;
  const [, hash] = (await allViews())[1];
  await open(hash);
  const t = await page.evaluate(() => {
    const u = document.getElementById('trajectory-chart').uplot;
    return { xs: u.data[0], rankTicks: u.axes[2]._splits };
  });
  assert.ok(t.xs.length >= 2, 'a trajectory is drawn on the full store');
  assert.ok(t.xs.every(x => x >= first), `points before the store's first event (${stats.first_time}): ${t.xs}`);
  assert.ok(t.rankTicks.length > 0 && t.rankTicks.every(x => Number.isInteger(x) && x >= 1), `rank ticks ${t.rankTicks}`);
  // Seen from one week after the first event, the store holds no month end: no chart of zeros.
  const weekLater = new Date((first + 7 * 86400) * 1000).toISOString().slice(0, 10);
  await open(`${hash}?as_of=${weekLater}`);
  const drawn = await page.evaluate(() => {
    const u = document.getElementById('trajectory-chart').uplot;
    return u ? Array.from(u.data[0]) : [];
  });
  assert.ok(drawn.every(x => x >= first), `a week-long view plots points before its data: ${drawn}`);
  assert.match(await page.textContent('#trajectory-chart'), /too little|spans/);
});

test('cascade tree: fits its box at every width and has a legend for its colours and links', async () => {
  const views = await allViews();
  const [, hash] = views.find(v => v[0] === 'cascade');
  const c = await api('api/cascades/' + hash.slice('#/cascade/'.length) + '?limit=1000');
  const kinds = [...new Set(c.nodes.filter(n => n.depth > 0).map(n => n.kind))].sort();
  for (const width of [1400, 900, 390, 320]) {
    await page.setViewportSize({ width, height: 900 });
    await open(hash);
    const fit = await page.$eval('#cascade-tree', s => {
      const r = s.getBoundingClientRect(), b = s.closest('.chart').getBoundingClientRect();
      return { w: r.width, h: r.height, left: r.left - b.left, right: b.right - r.right };
    });
    assert.ok(fit.left >= 0 && fit.right >= 0 && fit.w > 150, `${width} px: tree ${JSON.stringify(fit)}`);
    const legend = await page.$$eval('#cascade-legend li', ls => ls.map(l => l.dataset.key));
    assert.deepEqual(legend.filter(k => !['root', 'named', 'inferred', 'suspicious'].includes(k)).sort(), kinds);
    assert.equal(legend.includes('suspicious'), c.nodes.some(n => n.suspicious));
    assert.equal(legend.includes('inferred'), c.nodes.some(n => n.depth > 0 && n.inferred));
    assert.ok(legend.includes('root'));
  }
});

test('compare: the headline states what the data shows, over all accounts and the top slice', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  await open('#/compare');
  const c = await api('api/compare');
  const [lead] = c.measures;
  const pair = set => c.rows.find(r => r.set === set && r.a === lead && r.b === 'followers');
  const all = pair('all'), top = pair(`top 10% by ${lead}`);
  assert.ok(all && top, 'the API compares the lead measure with followers, also in its top 10 %');
  const text = await page.textContent('#compare-headline');
  assert.ok(text.includes(`ρ = ${all.spearman.toFixed(2)}`), text);
  assert.ok(text.includes(`top 10 % by ${lead}`) && text.includes(`ρ = ${top.spearman.toFixed(2)}`), text);
  assert.doesNotMatch(await page.textContent('main'), /is the point/);
  // The top-slice matrix shows the API's figures, blank cells with their reason.
  const cell = await page.$eval('#compare-top tbody tr:first-child td:nth-of-type(2)', td => td.textContent);
  const first = c.rows.find(r => r.set === `top 10% by ${lead}` && r.a === lead && r.b === c.measures[1]);
  assert.equal(cell, first.spearman === null ? '–' : first.spearman.toFixed(2));
});

test('audit: listed by the evidence of bought followers, as its caption says', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  await open('#/audit');
  const caption = await page.textContent('main .describe');
  assert.match(caption, /most evidence of bought followers first/);
  assert.match(caption, /95 % lower bound on the number of suspicious followers/);
  const expected = await api('api/audit?limit=50');
  const lows = expected.rows.map(r => r.suspicious_low);
  assert.ok(lows.every((x, i) => i === 0 || lows[i - 1] >= x), 'the API orders by suspicious_low');
  const shown = await page.$$eval('#audit tbody tr', trs => trs.map(tr => Number(tr.cells[2].textContent.replace(/,/g, ''))));
  assert.deepEqual(shown, lows.map(Math.floor));
});

// ---------------------------------------------------------------- Dashboard 2: what is built

test('account page: the headline states the earned score, rank, percentile and what it is made of', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  const [, hash] = (await allViews())[1];
  await open(hash);
  const id = hash.split('/').pop();
  const [acct, profile, explain] = await Promise.all([api(`api/accounts/${id}`), api(`api/accounts/${id}/profile?limit=10`), api(`api/accounts/${id}/explain?endorsers=10`)]);
  const earned = acct.measures.find(m => m.measure === 'earned');
  assert.equal(await page.textContent('#headline-rank'), earned.rank.toLocaleString('en-US'));
  assert.match(await page.textContent('#headline-percentile'), /top [0-9.]+ %/);
  const facts = Object.fromEntries(await page.$$eval('#account-headline .facts > div', ds => ds.map(d => [d.querySelector('dt').textContent, d.querySelector('dd').textContent])));
  assert.equal(facts['distinct endorsers'], profile.endorsers.toLocaleString('en-US'));
  assert.equal(facts['months answered'], String(explain.consistency.months_with_engagement));
  assert.equal(facts[`share from its top ${profile.top_endorsers}`], (100 * profile.top_endorsers_share).toFixed(1) + ' %');
  assert.ok('earned from suspicious accounts' in facts && 'suspicious followers' in facts, JSON.stringify(facts));
  // Influenced by: the accounts it endorses, as links, in the API's order.
  const by = await page.$$eval('#influenced-by td.account a', as => as.map(a => Number(a.dataset.account)));
  assert.deepEqual(by, profile.influenced_by.listed.map(f => f.dense_id));
  assert.ok(by.length > 0, 'the top account endorses someone');
  // The topic profile: one bar per listed topic, largest first.
  const topics = await page.$$eval('#topic-bars .topic-name', ts => ts.map(t => t.textContent));
  assert.deepEqual(topics, profile.topics.listed.map(t => '#' + t.topic));
  assert.ok(topics.length > 0, 'the demo tags its posts');
  // The bot/fake card appears only with profile data, which the demo does not have.
  const fake = await api(`api/accounts/${id}/fake`);
  assert.equal(fake.profile, false);
  assert.equal(await page.$eval('#fake-card', c => c.hidden), true);
});

test('account page: the follower-growth chart marks the audit\'s spike days', async () => {
  await page.setViewportSize(VIEWPORTS[1]);
  // The top account's page is already computed; the first audited account (the buyer) if the top
  // one had no spike.
  const top = Number((await allViews())[1][1].split('/').pop());
  const candidates = [await api(`api/accounts/${top}/audit`), (await api('api/audit?limit=1')).rows[0]];
  const buyer = candidates.find(a => a.anomalies.length > 0);
  assert.ok(buyer, 'an account with a follower spike');
  await open(`#/account/${buyer.id}`);
  const marks = await page.evaluate(() => {
    const u = document.getElementById('timeline-chart').uplot;
    return u.data[3].filter(v => v !== null).length;
  });
  assert.ok(marks >= 1 && marks <= buyer.anomalies.length, `${marks} spike marks for ${buyer.anomalies.length} anomalies`);
  assert.equal(await page.$eval('#timeline-chart', b => Number(b.dataset.spikes)), marks);
  assert.deepEqual(await page.evaluate(layoutProblems), []);
});

test('compare: earned against followers on log axes, outliers named and linked, top-k agreement as the API says', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  await open('#/compare');
  const s = await api('api/scatter');
  assert.equal(await page.$$eval('#scatter circle', cs => cs.length), s.points.length);
  const labels = await page.$$eval('#scatter a', as => as.map(a => [Number(a.dataset.account), a.textContent]).sort((x, y) => x[0] - y[0]));
  const outliers = s.points.filter(p => p.outlier).map(p => [p.dense_id, p.account]).sort((x, y) => x[0] - y[0]);
  assert.ok(outliers.length >= 2, 'outliers on both sides');
  assert.deepEqual(labels, outliers);
  const rows = await page.$$eval('#topk-agreement tbody tr', trs => trs.map(tr => tr.cells[1].textContent));
  assert.deepEqual(rows, s.agreement.map(a => `${a.overlap.toLocaleString('en-US')} of ${Math.min(a.x_set, a.y_set).toLocaleString('en-US')}`));
  const headline = await page.textContent('#scatter-headline');
  assert.ok(headline.includes(`Of the top ${s.agreement[0].k} by ${s.y}, ${s.agreement[0].overlap} are in the top`), headline);
  // A named outlier is a link to its account.
  const [href, text] = await page.$eval('#scatter a', a => [a.getAttribute('href'), a.textContent]);
  await page.click('#scatter a >> nth=0');
  await shown(href);
  assert.equal(await page.textContent('#account-name'), text);
});

test('cascade: the tree zooms and pans, the spread over time shows every dated adopter in its status colour', async () => {
  await page.setViewportSize(VIEWPORTS[1]);
  const [, hash] = (await allViews()).find(v => v[0] === 'cascade');
  await open(hash);
  const c = await api('api/cascades/' + hash.slice('#/cascade/'.length) + '?limit=1000');
  const box = () => page.$eval('#cascade-tree', t => t.getAttribute('viewBox').split(' ').map(Number));
  const full = await box();
  await page.click('#tree-zoom-in');
  const zoomed = await box();
  assert.ok(zoomed[2] < full[2], `zoomed in: ${zoomed}`);
  const r = await page.$eval('#cascade-tree', t => { const b = t.getBoundingClientRect(); return { x: b.left + b.width / 2, y: b.top + b.height / 2 }; });
  await page.mouse.move(r.x, r.y);
  await page.mouse.down();
  await page.mouse.move(r.x + 60, r.y + 30, { steps: 3 });
  await page.mouse.up();
  const panned = await box();
  assert.ok(panned[0] < zoomed[0] && panned[1] < zoomed[1], `panned: ${zoomed} -> ${panned}`);
  await page.click('#tree-zoom-reset');
  assert.deepEqual(await box(), full);
  const dots = await page.$$eval('#cascade-time circle', cs => cs.map(c => c.dataset.status));
  const dated = c.nodes.filter(n => n.time);
  assert.equal(dots.length, dated.length);
  assert.equal(dots.filter(s => s === 'suspicious').length, dated.filter(n => n.suspicious).length);
  assert.deepEqual(await page.evaluate(layoutProblems), []);
});

test('dynamics: the point estimate first, then the CLI\'s interval in place', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  // The interval's replicates run in the background from the first visit on.
  let d;
  for (const until = Date.now() + 240000; ;) {
    d = await api('api/dynamics?period=month&limit=1');
    if (!d.interval_pending || Date.now() > until) break;
    await new Promise(r => setTimeout(r, 1000));
  }
  assert.equal(d.interval_pending, false, 'the interval came within 4 minutes');
  assert.equal(d.alpha.replicates, d.bootstrap);
  assert.equal(d.bootstrap, 100, 'the CLI\'s replicates');
  await open('#/dynamics');
  const line = await page.textContent('#alpha-line');
  assert.ok(line.includes(`interval ${d.alpha.low.toFixed(2)} – ${d.alpha.high.toFixed(2)}, 100 replicates`), line);
});

test('backtest: which measure predicts best, every score and the candidate\'s paired difference as the API says', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  await page.goto('about:blank');
  await page.goto(BASE + '#/');
  await settle('#/');
  await openPage('backtest');
  await settle('#/backtest');
  const d = await complete('api/backtest?target=distinct-engagers&bootstrap=1000');
  assert.equal(d.pending, undefined, 'the complete answer');
  assert.equal(await page.$('#backtest-pending'), null, 'no "computing" note once complete');
  const splits = await page.$$('section.backtest-split');
  assert.equal(splits.length, d.splits.length);
  for (const [i, s] of d.splits.entries()) {
    // Rows in order of NDCG@k, best first; each row's scores as the API computed them.
    const rows = await page.$$eval(`section[data-split="${i}"] tbody tr`, trs => trs.map(tr =>
      [tr.dataset.measure, ...[...tr.querySelectorAll('td')].slice(1, 6).map(td => td.textContent)]));
    assert.equal(rows.length, s.measures.length);
    const ndcg = rows.map(r => s.measures.find(m => m.measure === r[0]).metrics[2].value ?? -1);
    assert.deepEqual(ndcg, [...ndcg].sort((a, b) => b - a), 'sorted by NDCG@k');
    for (const r of rows) {
      const m = s.measures.find(x => x.measure === r[0]);
      const v = i => m.metrics[i].value === null ? '–' : m.metrics[i].value.toFixed(3);
      assert.deepEqual(r.slice(1, 5), [v(0), v(1), v(2), v(3)], r[0]);
      const vs = m.metrics[2].vs_best;
      if (vs) assert.ok(r[5].startsWith(`${vs.diff >= 0 ? '+' : ''}${vs.diff.toFixed(3)} [`), `${r[0]}: ${r[5]}`);
    }
    // The best point estimate of NDCG@k is the one in bold.
    const best = s.measures.filter(m => m.metrics[2].value !== null).reduce((a, b) => b.metrics[2].value > a.metrics[2].value ? b : a);
    const bold = await page.$$eval(`section[data-split="${i}"] tbody td:nth-of-type(4) strong`, b => b.map(x => x.closest('tr').dataset.measure));
    assert.deepEqual(bold, [best.measure]);
  }
  const headline = await page.textContent('#backtest-headline');
  assert.match(headline, new RegExp(`NDCG@${d.k}: \\S+ leads on \\d of ${d.splits.length} split`));
  assert.match(headline, new RegExp(`${d.candidate} is above the best baseline .* on \\d of ${d.splits.length} splits`));
  // Another target reruns the backtest for it.
  await page.selectOption('#backtest-target', 'reshares');
  await page.click('form.controls button[type=submit]');
  await settle('#/backtest?target=reshares&bootstrap=1000');
  assert.match(await page.textContent('main'), /Target: reshares/);
  await page.screenshot({ path: join(SHOTS, '9-backtest.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('backtest: while it runs, the first splits\' point estimates show with their intervals marked as computing, then the complete answer, at both widths', async () => {
  const path = 'api/backtest?target=distinct-engagers&bootstrap=200';
  const full = await complete(path);
  assert.ok(full.splits.length > 1 && full.bootstrap === 200);
  // What the server answers while the backtest runs (on the demo store it is over too soon to
  // catch): the oldest split's final point estimates, its intervals still being drawn.
  const partial = {
    ...full,
    pending: { splits: full.splits.length - 1, intervals: true },
    splits: full.splits.slice(0, 1).map(s => ({
      ...s,
      measures: s.measures.map(m => ({ ...m, metrics: m.metrics.map(x => ({ ...x, lo: null, hi: null, vs_best: null })) })),
    })),
  };
  let asked = 0;
  const isBacktest = url => new URL(url).pathname.endsWith('/api/backtest');
  const answer = route => (++asked <= 2
    ? route.fulfill({ status: 200, contentType: 'application/json', headers: { 'cache-control': 'no-store' }, body: JSON.stringify(partial) })
    : route.continue());
  await page.route(isBacktest, answer);
  try {
    for (const vp of VIEWPORTS) {
      asked = 0;
      await page.setViewportSize(vp);
      await page.goto('about:blank');
      await page.goto(BASE + '#/backtest');
      const note = await page.waitForSelector('#backtest-pending', { timeout: 30000 });
      const said = await note.textContent();
      assert.match(said, new RegExp(`^${full.splits.length - 1} more splits? computing\\. Intervals computing \\(200 resamples\\)`), said);
      assert.equal((await page.$$('section.backtest-split')).length, 1, 'the split that is scored');
      const rows = await page.$$eval('section[data-split="0"] tbody tr', trs => trs.map(tr =>
        [tr.dataset.measure, ...[...tr.querySelectorAll('td')].slice(1, 6).map(td => td.textContent)]));
      for (const r of rows) {
        const m = partial.splits[0].measures.find(x => x.measure === r[0]);
        const v = i => m.metrics[i].value === null ? '–' : m.metrics[i].value.toFixed(3);
        assert.deepEqual(r.slice(1, 5), [v(0), v(1), v(2), v(3)], r[0]);
        const best = partial.splits[0].best_baseline[2] === r[0];
        assert.equal(r[5], best ? 'best baseline' : 'interval computing…', r[0]);
      }
      assert.match(await page.textContent('#backtest-headline'), /intervals computing\.$/);
      assert.doesNotMatch(await page.textContent('main'), /\bnull\b|undefined|NaN/);
      assert.deepEqual(await page.evaluate(layoutProblems), [], `partial backtest at ${vp.width} px`);
      await page.screenshot({ path: join(SHOTS, `9-backtest-partial-${vp.width}.png`), fullPage: true });
      // The page asks again and draws the complete answer.
      await settle('#/backtest');
      assert.equal(await page.$('#backtest-pending'), null, 'the note is gone');
      assert.equal((await page.$$('section.backtest-split')).length, full.splits.length);
      assert.doesNotMatch(await page.textContent('main'), /\bnull\b|undefined|NaN|computing/);
      assert.ok(asked >= 3, `asked ${asked} times`);
    }
  } finally {
    await page.unroute(isBacktest, answer);
  }
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------- persons and the offline gap (issue 22)

test('persons: the leaderboard of persons as the API ranks them, each explained by platform', async () => {
  await page.setViewportSize(VIEWPORTS[0]);
  await open('#/');
  await openPage('persons');
  await settle('#/persons');
  const { measures } = await api('api/measures');
  const d = await api(`api/persons?measure=${measures[0].name}&limit=50&offset=0`);
  const rows = await page.$$eval('#persons tbody tr', trs => trs.map(tr => ({
    person: Number(tr.dataset.person), cells: [...tr.querySelectorAll('td')].map(td => td.textContent),
  })));
  assert.equal(rows.length, d.rows.length);
  // The dashboard's own number format, applied to the API's numbers.
  const shown = await page.evaluate(rs => rs.map(r => [fmt(r.rank), fmt(r.score), fmt(r.followers)]), d.rows);
  for (const [i, r] of d.rows.entries()) {
    assert.equal(rows[i].person, r.person);
    assert.equal(rows[i].cells[0], shown[i][0]);
    assert.ok(rows[i].cells[1].includes(r.linked ? r.label : r.accounts[0].account), rows[i].cells[1]);
    assert.equal(rows[i].cells[3], shown[i][1], r.label);
    assert.equal(rows[i].cells[4], shown[i][2], r.label);
  }
  assert.match(await page.textContent('#persons-headline'), new RegExp(`${d.total.toLocaleString('en-US')} persons, ${d.linked} of them linked`));
  // "why" explains the first person: platforms and endorsers as the API says.
  await page.click('#persons tbody tr:first-child a.explain-person');
  const id = d.rows[0].accounts[0].id;
  await settle(`#/person/${id}`);
  const e = await api(`api/persons/${id}/explain?endorsers=10`);
  assert.equal(await page.textContent('main h1'), e.label);
  const platforms = await page.$$eval('#person-platforms tbody tr', trs => trs.map(tr => tr.dataset.platform));
  assert.deepEqual(platforms, e.by_platform.map(p => p.platform));
  assert.match(await page.textContent('#person-headline'), new RegExp(`rank ${e.rank.toLocaleString('en-US')} of ${e.persons.toLocaleString('en-US')} persons`));
  assert.equal(await page.$$eval('#person-endorsers tbody tr', t => t.length), e.endorsers.length);
  await page.screenshot({ path: join(SHOTS, '10-persons.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('gap: offline figures against earned on log axes, @famous_fay named as big offline without earned influence', async () => {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    await open('#/');
    await openPage('gap');
    await settle('#/gap');
    const d = await api('api/gap?limit=20');
    assert.equal(d.undefined, null, 'the demo ships offline figures');
    // Every person with an offline figure is a point; the outliers each way are coloured and named.
    assert.equal(await page.$$eval('#gap-scatter circle', c => c.length), d.rows.length);
    assert.ok(await page.$('#gap-scatter-fit'), 'the fitted line is drawn');
    const labels = await page.$$eval('#gap-scatter a text', ts => ts.map(t => t.textContent));
    assert.deepEqual(labels.sort(), [...d.big_offline_not_earned, ...d.earned_without_offline_weight].map(r => r.label).sort());
    const big = d.big_offline_not_earned.map(r => r.label);
    assert.ok(big.includes('@famous_fay'), `big offline without earned: ${big}`);
    const fay = d.big_offline_not_earned.find(r => r.label === '@famous_fay');
    const colour = await page.$eval(`#gap-scatter circle[data-account="${fay.accounts[0].id}"]`, c => c.getAttribute('fill'));
    assert.equal(colour, '#a15c00');
    const headline = await page.textContent('#gap-headline');
    assert.match(headline, /Big offline, not earned online: [^.]*@famous_fay/);
    assert.match(headline, new RegExp(`log earned = ${d.fit.slope.toFixed(2)} × log ${d.offline_measure}`));
    for (const [id, list] of [['#gap-big-offline', d.big_offline_not_earned], ['#gap-earned-online', d.earned_without_offline_weight]]) {
      const shown = await page.$$eval(`${id} tbody tr`, trs => trs.map(tr => [Number(tr.dataset.person), tr.querySelector('td:last-child').textContent]));
      assert.deepEqual(shown, list.map(r => [r.person, r.gap.toFixed(2)]), id);
    }
    await page.screenshot({ path: join(SHOTS, `11-gap-${vp.width}.png`), fullPage: true });
    // A label is a link to the account's page.
    if (vp.width === VIEWPORTS[0].width) {
      await page.click(`#gap-scatter a[data-account="${fay.accounts[0].id}"]`);
      await settle(`#/account/${fay.accounts[0].id}`);
      assert.equal(await page.textContent('#account-name'), '@famous_fay');
    }
  }
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------- answers still being computed (202)

test('a view the server is still computing shows its progress, then its answer, at both widths', async () => {
  assert.ok(PENDING, 'PENDING_URL: a server started with --answer-within 0 (scripts/e2e.sh starts one)');
  // A view per width that the server's warm-up does not compute, so its first answer is a 202.
  for (const [vp, hash, rows, path] of [
    [VIEWPORTS[0], '#/persons', '#persons tbody tr', 'api/persons?measure=earned&limit=50&offset=0'],
    [VIEWPORTS[1], '#/gap', '#gap-big-offline tbody tr', 'api/gap?limit=20'],
  ]) {
    await page.setViewportSize(vp);
    await page.goto('about:blank');
    await page.goto(PENDING + hash);
    const note = await page.waitForSelector('#computing:not([hidden])', { timeout: 30000 });
    assert.match(await note.textContent(), /^Computing on the server: .*\(\d+ s so far\)/);
    assert.deepEqual(await page.evaluate(layoutProblems), [], `${hash} at ${vp.width} px, pending`);
    await page.screenshot({ path: join(SHOTS, `12-computing-${hash.slice(2)}-${vp.width}.png`), fullPage: true });
    await settle(hash);
    assert.equal(await page.$eval('#computing', n => n.hidden), true, 'the progress note is gone');
    const d = await api(path, PENDING);
    const expected = hash === '#/gap' ? d.big_offline_not_earned.length : d.rows.length;
    assert.ok(expected > 0, `${path} has rows`);
    assert.equal(await page.$$eval(rows, r => r.length), expected, `${hash}: drawn as the API answers`);
    assert.deepEqual(await page.evaluate(layoutProblems), [], `${hash} at ${vp.width} px, answered`);
    assert.deepEqual(await undrawnCharts(), [], `${hash} at ${vp.width} px, answered`);
    await page.screenshot({ path: join(SHOTS, `12-answered-${hash.slice(2)}-${vp.width}.png`), fullPage: true });
  }
  assert.deepEqual(problems, []);
});
