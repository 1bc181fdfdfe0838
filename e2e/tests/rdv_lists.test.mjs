// The RDV list, its exports and the statistics (issue 17): filter the list (filters land in the
// URL), export it, watch "Mes exports" finish and download the file (parsed here); open the
// organisation dashboard, click a counter and land on the matching list; the public page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser, newPage, signIn, createRdvAs } from '../support/server.mjs';

let server;
let chrome;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

/** The rows of a `;`-separated CSV with a byte-order mark (no quoted `;` in the demo data). */
function csvRows(text) {
  assert.ok(text.startsWith('\ufeff'), 'UTF-8 byte-order mark');
  return text.slice(1).trim().split(/\r?\n/).map((line) => line.split(';'));
}

test('an agent filters the RDV list, exports it and downloads the file from "Mes exports"', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'RDV' }).click();
  await page.getByTestId('rdv-table').waitFor();
  // The last week, honoured RDVs only.
  await page.getByLabel('Du', { exact: true }).fill(day(-7));
  await page.getByLabel('Au', { exact: true }).fill(day(-1));
  await page.getByLabel('Honoré', { exact: true }).check();
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL((url) => url.search.includes('status[]=seen') || url.search.includes('status%5B%5D=seen'));
  assert.ok(page.url().includes(`from=${day(-7)}`), page.url());
  // The previous list stays on screen while the new one loads: wait for the filtered one.
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('[data-testid=rdv-table] tbody tr td:last-child')];
    return cells.length > 0 && cells.every((c) => c.textContent === 'Honoré');
  });
  const count = Number((await page.getByTestId('rdv-count').textContent()).split(' ')[0]);
  assert.ok(count > 0 && count <= 100, `${count} honoured RDVs in the demo's last week`);
  const statuses = await page.locator('[data-testid=rdv-table] tbody tr td:last-child').allTextContents();
  assert.equal(statuses.length, count);
  assert.ok(statuses.every((s) => s === 'Honoré'), statuses.join(','));
  // The shared URL gives the same list.
  const shared = page.url();
  await page.goto(shared);
  await page.getByText(`${count} RDV`, { exact: true }).waitFor();

  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  await page.waitForURL('**/exports');
  const item = page.getByTestId('export').first();
  await item.getByText(`Prêt — ${count} lignes`).waitFor();
  assert.equal(await item.locator('progress').getAttribute('value'), '1');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    item.getByRole('button', { name: 'Télécharger' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^export-rdv-\d{4}-\d{2}-\d{2}-org-\d{6}\.csv$/);
  const rows = csvRows(await readFile(await download.path(), 'utf8'));
  assert.equal(rows[0][0], 'Année');
  const status = rows[0].indexOf('Statut');
  assert.equal(rows.length - 1, count, 'one line per RDV of the list');
  assert.ok(rows.slice(1).every((r) => r[status] === 'Honoré'));
  page.assertClean();
  await page.context().close();
});

test('the list by usager (from their page or a search), by lieu and over the territory', async () => {
  const { user } = await createRdvAs(server.base, 'camille.martin', {
    days: 4, time: '10:30', firstName: 'Gaëlle', lastName: 'Filtrelieu',
  });
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Principal' }).waitFor();
  await page.goto(`${server.base}/usagers/${user.id}`);
  await page.getByRole('link', { name: 'Tous ses RDV (filtres, export)' }).click();
  await page.waitForURL((url) => decodeURIComponent(url.search).includes(`user_ids[]=${user.id}`));
  await page.getByText('1 RDV', { exact: true }).waitFor();
  await page.locator('.usager-filter .chosen').getByText('Gaëlle Filtrelieu').waitFor();
  const cells = await page.locator('[data-testid=rdv-table] tbody tr td:nth-child(4)').allTextContents();
  assert.deepEqual(cells, ['Gaëlle Filtrelieu']);

  // Remove the usager, pick them again through the search.
  await page.getByRole('button', { name: 'Retirer Gaëlle Filtrelieu du filtre' }).click();
  await page.getByLabel('Rechercher un usager (nom, prénom)').fill('Filtrelieu');
  await page.getByRole('button', { name: 'Filtrer sur Gaëlle Filtrelieu' }).click();
  await page.locator('.usager-filter .chosen').getByText('Gaëlle Filtrelieu').waitFor();

  // By lieu, then over the whole territory: the list shows what the API gives for its URL.
  // With the page's own session: signing in again per call would trip the sign-in rate limit.
  const countOf = (search) => page.evaluate(async (q) => {
    const { token } = JSON.parse(localStorage.getItem('rdv.session'));
    const res = await fetch(`/api/v1/rdvs${q}`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()).meta.total_count;
  }, search);
  const shown = async (expected) => {
    await page.waitForFunction((n) => document.querySelector('[data-testid=rdv-count]')?.textContent === `${n} RDV`, expected);
  };
  await page.goto(`${server.base}/rdvs`);
  await page.getByTestId('rdv-table').waitFor();
  await page.getByLabel('Lieu', { exact: true }).selectOption({ label: 'MDS Arras — Baudimont' });
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL((url) => decodeURIComponent(url.search).includes('lieu_ids[]='));
  const atLieu = await countOf(new URL(page.url()).search);
  assert.ok(atLieu > 0, 'the demo has RDVs at Baudimont this month');
  await shown(atLieu);
  const lieux = await page.locator('[data-testid=rdv-table] tbody tr td:nth-child(6)').allTextContents();
  assert.ok(lieux.every((l) => l === 'MDS Arras — Baudimont'), lieux.join(','));
  await page.getByLabel('Lieu', { exact: true }).selectOption({ label: 'Tous' });
  await page.getByLabel('Tout le territoire').check();
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL((url) => url.search.includes('territory_id=') && !url.search.includes('lieu_ids'));
  await shown(await countOf(new URL(page.url()).search));
  page.assertClean();
  await page.context().close();
});

test('the organisation dashboard: a counter opens the matching list', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Statistiques' }).click();
  const seen = page.getByTestId('counter-seen');
  await seen.waitFor();
  const n = Number(await seen.locator('.count').textContent());
  assert.ok(n > 0, 'the demo has honoured RDVs this year');
  const chart = page.getByTestId('chart-origin');
  await chart.getByRole('img', { name: 'RDV par semaine et par origine' }).waitFor();
  assert.ok((await chart.locator('rect').count()) > 0, 'bars are drawn');
  await chart.getByText('Voir les données (tableau)').click();
  await chart.getByRole('columnheader', { name: 'Usager en ligne' }).waitFor();
  await seen.getByRole('link').click();
  await page.waitForURL('**/rdvs?**');
  await page.getByText(`${n} RDV`, { exact: true }).waitFor();
  page.assertClean();
  await page.context().close();
});

test('the public statistics page shows figures without signing in', async () => {
  const page = await newPage(chrome.browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await page.goto(`${server.base}/stats`);
  const total = page.getByTestId('counter-total');
  await total.waitFor();
  assert.ok(Number(await total.locator('.count').textContent()) > 0);
  await page.getByTestId('chart-service').getByRole('img').waitFor();
  assert.equal(await total.getByRole('link').count(), 0, 'no link to lists from the public page');
  const text = await page.locator('main').textContent();
  assert.ok(!/Martin|Durand|@/.test(text), 'no personal data');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (${overflow}px)`);
  page.assertClean();
  await page.context().close();
});
