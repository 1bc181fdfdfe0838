// Agent-side slot search in a real browser (issue 7): "Trouver un créneau" → a slot → the RDV
// form prefilled → booked; and the "slot just taken" path: the slot is booked by someone else
// while the form is open, the form offers the next free slots, one click books the next one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, apiAs } from '../support/server.mjs';

let server;
let chrome;
let arras;
let motif;
let usager;

const iso = (d) => d.toISOString().slice(0, 10);
/** The first `weekday` (0 = Sunday) at least `weeks` weeks from today. */
function upcoming(weekday, weeks) {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + 7 * weeks);
  while (d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  const orgs = (await apiAs(server.base, 'sophie.durand', 'GET', '/api/v1/organisations')).body.organisations;
  arras = orgs.find((o) => o.name === 'MDS Arras').id;
  const motifs = (await apiAs(server.base, 'sophie.durand', 'GET', `/api/v1/organisations/${arras}/motifs`)).body.motifs;
  motif = motifs.find((m) => m.name === 'Consultation PMI nourrisson');
  const created = await apiAs(server.base, 'sophie.durand', 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: 'Octavie', last_name: 'Créneau', phone_number: '06 22 33 44 55',
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  usager = created.body.user;
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function pickUsager(page) {
  await page.getByLabel('Rechercher un usager').fill('octavie');
  await page.getByRole('listitem').filter({ hasText: 'Octavie' }).getByRole('button', { name: 'Ajouter' }).click();
  await page.getByTestId('chosen-usagers').getByText('Octavie Créneau').waitFor();
}

/** Searches the motif from `day` and returns the slot links of the first lieu with slots. */
async function search(page, day) {
  await page.goto(`${server.base}/creneaux`);
  await page.getByRole('heading', { name: 'Trouver un créneau' }).waitFor();
  await page.getByLabel('Motif').selectOption(String(motif.id));
  await page.getByLabel('À partir du').fill(iso(day));
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.getByTestId('creneaux-results').waitFor();
  const slots = page.locator('a.slot');
  await slots.first().waitFor();
  return slots;
}

test('find a slot and book it in two clicks', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'sophie.durand');
  await page.getByTestId('agent-name').waitFor();
  const slots = await search(page, upcoming(1, 8));
  assert.ok((await slots.count()) > 3, 'a week of slots');
  const label = await slots.first().textContent();
  const href = await slots.first().getAttribute('href');
  await slots.first().click();
  await page.getByRole('heading', { name: 'Nouveau rendez-vous' }).waitFor();
  assert.equal((await page.getByLabel('Date et heure').inputValue()).slice(11, 16), label.slice(0, 5));
  assert.equal(await page.getByLabel('Motif').inputValue(), String(motif.id));
  assert.notEqual(await page.getByLabel('Lieu').inputValue(), '');
  await pickUsager(page);
  await page.getByRole('button', { name: 'Créer le rendez-vous' }).click();
  await page.waitForURL('**/agenda?**');
  await page.getByTestId('agenda-rdv').filter({ hasText: 'Octavie Créneau' }).first().waitFor();
  // Searching again: the booked time is no longer offered by that agent.
  const again = await search(page, upcoming(1, 8));
  const hrefs = await again.evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0 && !hrefs.includes(href), `${href} is no longer offered`);
  page.assertClean();
  await page.context().close();
});

test('the slot is taken while the form is open: the next ones are offered', async () => {
  const page = await newPage(chrome.browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signIn(page, server.base, 'sophie.durand');
  await page.getByTestId('agent-name').waitFor();
  const slots = await search(page, upcoming(2, 9));
  const href = await slots.first().getAttribute('href');
  await slots.first().click();
  await page.getByRole('heading', { name: 'Nouveau rendez-vous' }).waitFor();
  await pickUsager(page);
  // Someone else books that very slot meanwhile.
  const params = new URL(href, server.base).searchParams;
  const other = await apiAs(server.base, 'sophie.durand', 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: 'Rapide', last_name: 'Concurrent',
  });
  const taken = await apiAs(server.base, 'sophie.durand', 'POST', '/api/v1/rdvs', {
    organisation_id: arras, motif_id: motif.id, lieu_id: Number(params.get('lieu')), agent_ids: [Number(params.get('agent'))],
    user_ids: [other.body.user.id], starts_at: params.get('debut'),
  });
  assert.equal(taken.status, 200, JSON.stringify(taken.body));
  await page.getByRole('button', { name: 'Créer le rendez-vous' }).click();
  const panel = page.getByTestId('slot-taken');
  await panel.getByText("Ce créneau vient d'être pris.").waitFor();
  const next = panel.locator('button.slot');
  await next.first().waitFor();
  const offered = await next.first().textContent();
  await next.first().tap();
  assert.equal((await page.getByLabel('Date et heure').inputValue()).slice(11, 16), offered.slice(-5));
  await page.getByRole('button', { name: 'Créer le rendez-vous' }).click();
  await page.waitForURL('**/agenda?**');
  const rdvs = (await apiAs(server.base, 'sophie.durand', 'GET', `/api/v1/users/${usager.id}/rdvs`)).body.rdvs;
  assert.ok(rdvs.some((r) => r.starts_at.slice(11, 16) === offered.slice(-5)), 'booked at the offered time');
  page.assertClean();
  await page.context().close();
});
