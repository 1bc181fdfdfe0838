// Public booking on a phone, no account (issue 7): address → motif → lieu → slot → identity →
// confirmation, then cancel from the confirmation link; and the "slot just taken" path, where
// someone else books the chosen slot first and the next free ones are offered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage } from '../support/server.mjs';

let server;
let chrome;
const phone = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

/**
 * Walks to the identity step and returns the chosen start time. With `nextWeek`, the slot is
 * taken a week later: online cancellation closes 4 hours before the RDV (reference §4.7), so
 * today's first slot would not be cancellable when the test runs in the afternoon.
 */
async function toIdentity(page, { nextWeek = false } = {}) {
  await page.goto(`${server.base}/prendre-rdv`);
  await page.getByLabel('Votre adresse, ou le code INSEE de votre commune').fill('62041');
  await page.getByRole('button', { name: 'Rechercher' }).tap();
  await page.getByRole('button', { name: /Consultation PMI nourrisson/ }).first().tap();
  const lieu = page.locator('button.choice:not([disabled])').filter({ hasText: 'Prochaine disponibilité' }).first();
  await lieu.waitFor();
  await lieu.tap();
  await page.getByRole('heading', { name: 'Créneau' }).waitFor();
  await page.locator('button.slot').first().waitFor();
  if (nextWeek) {
    const firstDay = page.locator('#pub-slots ~ h3').first();
    const before = await firstDay.textContent();
    await page.getByRole('button', { name: 'Plus tard →' }).tap();
    // Wait for the next week's list to replace this one before choosing.
    await page.waitForFunction(
      (prev) => document.querySelector('#pub-slots ~ h3')?.textContent !== prev,
      before,
    );
  }
  const slot = page.locator('button.slot').first();
  await slot.waitFor();
  const time = await slot.textContent();
  await slot.tap();
  await page.getByRole('heading', { name: 'Vos coordonnées' }).waitFor();
  return time;
}

async function fillIdentity(page, first) {
  await page.getByLabel('Prénom').fill(first);
  await page.getByLabel('Nom', { exact: true }).fill('Public');
  await page.getByLabel('Téléphone portable').fill('06 98 76 54 32');
}

test('book online from a phone, then cancel from the confirmation link', async () => {
  const page = await newPage(chrome.browser, phone);
  const time = await toIdentity(page, { nextWeek: true });
  await fillIdentity(page, 'Mélodie');
  await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).tap();
  const confirmation = page.getByTestId('public-confirmation');
  await confirmation.getByText('Votre rendez-vous est confirmé').waitFor();
  assert.match(await confirmation.textContent(), new RegExp(`à ${time}`));
  assert.match(await confirmation.textContent(), /carnet de santé/, 'the motif instruction is shown');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (${overflow}px)`);
  await confirmation.getByRole('link', { name: 'mon rendez-vous' }).tap();
  await page.getByTestId('public-rdv').waitFor();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Annuler ce rendez-vous' }).tap();
  await page.getByText('Votre rendez-vous est annulé.').waitFor();
  await page.getByText('Ce rendez-vous est annulé.').waitFor();
  page.assertClean();
  await page.context().close();
});

test('the chosen slot is taken meanwhile: the next ones are offered and one is booked', async () => {
  const page = await newPage(chrome.browser, phone);
  // Remember what the page asks the API, to book the same slot from elsewhere.
  let slotsUrl;
  page.on('request', (r) => { if (r.url().includes('/api/v1/public/creneaux')) slotsUrl = new URL(r.url()); });
  await toIdentity(page);
  const listed = await (await fetch(slotsUrl)).json();
  const first = listed.creneaux[0].starts_at;
  // Several agents may be free at that slot (one RDV each): others book it until it is full.
  const statuses = [];
  for (let i = 0; i < 6 && !statuses.includes(409); i++) {
    const other = await fetch(`${server.base}/api/v1/public/rdvs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        motif_id: listed.motif_id, lieu_id: listed.lieu_id, starts_at: first, city_code: '62041',
        first_name: 'Plus', last_name: `Rapide${i}`, phone_number: `06 11 11 11 1${i}`,
      }),
    });
    statuses.push(other.status);
    assert.ok([200, 409].includes(other.status), await other.text());
  }
  assert.equal(statuses[0], 200, 'someone else books the slot first');
  assert.ok(statuses.includes(409), `the slot is full after ${statuses.length} bookings`);
  await fillIdentity(page, 'Patiente');
  await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).tap();
  const panel = page.getByTestId('public-slot-taken');
  await panel.getByText("Ce créneau vient d'être pris par quelqu'un d'autre.").waitFor();
  const next = panel.locator('button.slot').first();
  const label = await next.textContent();
  await next.tap();
  await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).tap();
  const confirmation = page.getByTestId('public-confirmation');
  await confirmation.getByText('Votre rendez-vous est confirmé').waitFor();
  assert.match(await confirmation.textContent(), new RegExp(label.slice(-5)));
  page.assertClean();
  await page.context().close();
});

/**
 * Loads `url` in a fresh context and returns what the first load downloaded: every response's
 * path and its size on the wire (compressed), once the page shows `ready`.
 */
async function firstLoad(url, ready, { throttle = false } = {}) {
  const page = await newPage(chrome.browser, phone);
  if (throttle) {
    // Chromium DevTools' "Fast 3G" profile: 562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 562.5, downloadThroughput: (1.44 * 1024 * 1024) / 8, uploadThroughput: (675 * 1024) / 8,
    });
  }
  const responses = [];
  page.on('requestfinished', async (r) => {
    const sizes = await r.sizes().catch(() => ({ responseBodySize: 0 }));
    responses.push({ path: new URL(r.url()).pathname, bytes: sizes.responseBodySize });
  });
  const started = Date.now();
  await page.goto(url);
  await ready(page).waitFor({ timeout: 30_000 });
  const ms = Date.now() - started;
  // Let in-flight responses report their sizes.
  await page.waitForLoadState('networkidle');
  page.assertClean();
  await page.context().close();
  return { ms, responses };
}

const STATIC = /\.(js|wasm|css)$/;
const kb = (list) => Math.round(list.filter((r) => STATIC.test(r.path)).reduce((n, r) => n + r.bytes, 0) / 1024);

test('the booking pages load their own small app: no agent or admin screen is downloaded', async (t) => {
  const address = (page) => page.getByLabel('Votre adresse, ou le code INSEE de votre commune');
  for (const path of ['/prendre-rdv', '/prendre_rdv?motif_category_short_name=x']) {
    const { responses } = await firstLoad(`${server.base}${path}`, address);
    const paths = responses.map((r) => r.path);
    assert.ok(paths.includes('/public_bg.wasm'), `the booking app is loaded: ${paths.join(' ')}`);
    const agents = paths.filter((p) => /^\/(frontend|boot)[._]/.test(p));
    assert.deepEqual(agents, [], `no file of the agents' app is requested on ${path}`);
  }
  // The RDV link page (from a usager's email or SMS) is in the booking app too.
  const { responses } = await firstLoad(`${server.base}/r/inconnu`, (page) => page.getByLabel('Trois premières lettres du nom'));
  assert.ok(!responses.some((r) => r.path.startsWith('/frontend')), 'no agents app on the RDV link');

  // A link out of the booking pages (here the sign-in page) loads the agents' app.
  const page = await newPage(chrome.browser);
  await page.goto(`${server.base}/prendre-rdv`);
  await address(page).waitFor();
  await page.evaluate(() => { window.history.pushState({}, '', '/connexion'); window.dispatchEvent(new PopStateEvent('popstate')); });
  await page.getByLabel('Adresse e-mail').waitFor();
  await page.context().close();

  // Report (not asserted: timings depend on the machine) the first load's weight and time.
  const booking = await firstLoad(`${server.base}/prendre-rdv`, address, { throttle: true });
  const agentsApp = await firstLoad(`${server.base}/connexion`, (p) => p.getByLabel('Adresse e-mail'));
  t.diagnostic(`first load /prendre-rdv: ${kb(booking.responses)} KB compressed (js+wasm+css), interactive after ${booking.ms} ms on Fast 3G`);
  t.diagnostic(`first load of the agents' app (/connexion): ${kb(agentsApp.responses)} KB compressed (js+wasm+css)`);
});
