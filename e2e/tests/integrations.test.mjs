// Integrations in the browser (issue 16): an organisation admin adds a webhook endpoint for a
// partner's receiver (a real local HTTP server started here), an RDV reaches it signed, and the
// delivery log shows it with "Renvoyer", which sends it again; an agent creates their calendar
// link, copies it, and the feed it serves is valid iCalendar holding their RDV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { startServer, launchBrowser, newPage, signIn, createRdvAs } from '../support/server.mjs';

let server;
let chrome;
let receiver;
const received = [];

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('merci');
    });
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
});

after(async () => {
  await chrome?.close();
  await server?.stop();
  receiver?.close();
});

async function until(what, probe) {
  for (let i = 0; i < 200; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('an admin adds a webhook, an RDV reaches it signed, the log shows it and resends it', async () => {
  const url = `http://127.0.0.1:${receiver.address().port}/hooks`;
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/admin/organisation`);
  const section = page.getByTestId('webhooks');
  await section.getByText('Aucun webhook pour cette organisation.').waitFor();
  await page.getByLabel('Adresse de réception').fill(url);
  await page.getByLabel('Secret partagé (signature)').fill('secret-e2e');
  await page.getByLabel('Usagers', { exact: true }).check();
  await page.getByLabel("Envoyer aussi tout l'existant maintenant").uncheck();
  await page.getByRole('button', { name: 'Ajouter le webhook' }).click();
  await section.getByText('Webhook ajouté.').waitFor();
  await section.getByText(url).waitFor();
  assert.match(await section.textContent(), /Reçoit : Rendez-vous, Indisponibilités, Plages d'ouverture, Usagers/);

  // An RDV of the organisation: its "created" event reaches the receiver, signed.
  const { rdv } = await createRdvAs(server.base, 'camille.martin', { days: 6, time: '15:00', firstName: 'Paul', lastName: 'Partenaire' });
  const event = await until('the RDV event', () => received.find((r) => JSON.parse(r.body).meta.model === 'Rdv'));
  const body = JSON.parse(event.body);
  assert.equal(body.meta.event, 'created');
  assert.equal(body.data.id, rdv.id);
  assert.equal(event.headers['x-lapin-signature'], createHmac('sha256', 'secret-e2e').update(event.body).digest('hex'));
  const [t, v1] = event.headers['x-rdv-signature'].split(',').map((p) => p.split('=')[1]);
  assert.equal(v1, createHmac('sha256', 'secret-e2e').update(`${t}.${event.body}`).digest('hex'));

  // The log, then "Renvoyer".
  await section.getByRole('button', { name: 'Journal des envois' }).click();
  const log = section.getByRole('region', { name: 'Journal des envois' });
  await log.getByText('Reçu (200)').first().waitFor();
  assert.match(await log.textContent(), /Rdv n° \d+ — created/);
  const count = received.length;
  await log.getByRole('button', { name: 'Renvoyer' }).first().click();
  await section.getByText('Renvoi demandé').waitFor();
  await until('the resent event', () => received.length > count);
  page.assertClean();
  await page.context().close();
});

/** Checks iCalendar structure: CRLF lines, balanced BEGIN/END, folded lines of at most 75
 * octets, and the properties each VEVENT must have. Returns the unfolded events. */
function parseIcs(text) {
  assert.ok(text.includes('\r\n'), 'CRLF line endings');
  const physical = text.split('\r\n');
  for (const l of physical) assert.ok(Buffer.byteLength(l) <= 75, `line over 75 octets: ${l}`);
  const lines = [];
  for (const l of physical) {
    if (l.startsWith(' ') && lines.length) lines[lines.length - 1] += l.slice(1); else if (l) lines.push(l);
  }
  const stack = [];
  const events = [];
  for (const l of lines) {
    if (l.startsWith('BEGIN:')) { stack.push(l.slice(6)); if (l === 'BEGIN:VEVENT') events.push({}); continue; }
    if (l.startsWith('END:')) { assert.equal(stack.pop(), l.slice(4), `unbalanced ${l}`); continue; }
    if (stack.at(-1) === 'VEVENT') {
      const name = l.split(/[;:]/)[0];
      events.at(-1)[name] = l.slice(l.indexOf(':') + 1);
    }
  }
  assert.equal(stack.length, 0, 'every component closed');
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  for (const e of events) for (const p of ['UID', 'DTSTAMP', 'DTSTART', 'SUMMARY']) assert.ok(e[p], `VEVENT without ${p}`);
  return events;
}

test('an agent creates their calendar link, copies it, and the feed is valid iCalendar', async () => {
  const page = await newPage(chrome.browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await signIn(page, server.base, 'sophie.durand');
  await page.getByTestId('agent-name').waitFor();
  const { rdv } = await createRdvAs(server.base, 'sophie.durand', { days: 3, time: '16:00', firstName: 'Zoé', lastName: 'Agenda' });

  await page.goto(`${server.base}/mon-compte`);
  const card = page.getByTestId('calendar-feed');
  await card.getByText('Aucun lien actif.').waitFor();
  await card.getByLabel('Avec détails (noms des usagers dans les événements)').check();
  await card.getByRole('button', { name: 'Créer un nouveau lien' }).click();
  await card.getByText('Lien créé').waitFor();
  await card.getByRole('button', { name: 'Copier le lien' }).click();
  await card.getByText('Lien copié.').waitFor();
  const url = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(url, /\/calendar\/[A-Za-z0-9]+\.ics$/);
  assert.equal(await card.getByRole('link', { name: 'Ouvrir dans mon agenda' }).getAttribute('href'), url.replace(/^https?:/, 'webcal:'));

  const res = await fetch(url.replace(/^https?:\/\/[^/]+/, server.base));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/calendar/);
  const events = parseIcs(await res.text());
  const mine = events.find((e) => e.UID === rdv.uuid);
  assert.ok(mine, 'the RDV is in the feed');
  assert.equal(mine.SUMMARY, 'RDV Consultation PMI nourrisson — Zoé Agenda');
  assert.match(mine.DTSTART, /T160000$/);
  await page.reload();
  await card.getByText('Dernière lecture par un agenda').waitFor();
  page.once('dialog', (d) => d.accept());
  await card.getByRole('button', { name: 'Révoquer le lien' }).click();
  await card.getByText('Lien révoqué').waitFor();
  assert.equal((await fetch(url.replace(/^https?:\/\/[^/]+/, server.base))).status, 404);
  page.assertClean();
  await page.context().close();
});
