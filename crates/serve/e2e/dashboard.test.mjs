// The dashboard in headless Chromium against a running `renown serve` on a demo store.
//
//   BASE_URL=http://127.0.0.1:PORT/ SCREENSHOTS=target/e2e-screenshots node --test dashboard.test.mjs
//
// Loads the leaderboard, checks its rows against the API, opens an account, checks its chart is
// drawn from data, draws a cascade tree, the dynamics charts and the audit, and fails on any
// console error or page error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:7878/').replace(/\/?$/, '/');
const SHOTS = resolve(process.env.SCREENSHOTS || 'target/e2e-screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

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
  page.on('requestfailed', r => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', r => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function api(path) {
  const r = await fetch(new URL(path, BASE));
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
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

test('an unknown account shows an error, not a crash', async () => {
  const before = problems.length;
  await page.goto(BASE + '#/account/no:such-account');
  await page.waitForSelector('.error');
  assert.match(await page.textContent('.error'), /no account/);
  // The 404 itself is expected here; nothing else may go wrong.
  const extra = problems.splice(before).filter(p => !/404/.test(p));
  assert.deepEqual(extra, []);
});
