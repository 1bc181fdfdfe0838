// Notifications in the browser (issue 15): book online → the confirmation reaches the mailbox
// and the SMS sink → its link, the name check, cancel → the cancellation email; an agent moves
// an RDV → the usager and the other agent are told, the receipts show on the RDV page, and
// "Envoyer un rappel maintenant" queues the reminder; from the link, the waiting list and moving
// the RDV to an earlier slot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, newPage, signIn, apiAs, createRdvAs, waitForFile } from '../support/server.mjs';

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

const emailTo = (files, kind, to) =>
  files.find((f) => f.text.includes(`X-RDV-Kind: ${kind}`) && new RegExp(`^To: .*${to}`, 'm').test(f.text));

test('the SMS link of an online booking opens the RDV after the name check and cancels it', async () => {
  const page = await newPage(chrome.browser, phone);
  await page.goto(`${server.base}/prendre-rdv`);
  await page.getByLabel('Votre adresse, ou le code INSEE de votre commune').fill('62041');
  await page.getByRole('button', { name: 'Rechercher' }).tap();
  await page.getByRole('button', { name: /Consultation PMI nourrisson/ }).first().tap();
  const lieu = page.locator('button.choice:not([disabled])').filter({ hasText: 'Prochaine disponibilité' }).first();
  await lieu.waitFor();
  await lieu.tap();
  await page.locator('button.slot').first().waitFor();
  const firstDay = await page.locator('#pub-slots ~ h3').first().textContent();
  // A week ahead: cancellation online closes 4 hours before.
  await page.getByRole('button', { name: 'Plus tard →' }).tap();
  await page.waitForFunction((prev) => document.querySelector('#pub-slots ~ h3')?.textContent !== prev, firstDay);
  await page.locator('button.slot').first().tap();
  await page.getByLabel('Prénom').fill('Mélodie');
  await page.getByLabel('Nom', { exact: true }).fill('Public');
  await page.getByLabel('Téléphone portable').fill('06 98 76 54 32');
  await page.getByLabel('Email (facultatif)').fill('melodie.public@example.fr');
  await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).tap();
  await page.getByTestId('public-confirmation').getByText('Votre rendez-vous est confirmé').waitFor();

  // The confirmation: an email and an SMS, the SMS carrying the usager's link.
  await waitForFile(join(server.dir, 'mailbox'), (files) => emailTo(files, 'rdv_created', 'melodie.public@example.fr'));
  const sms = await waitForFile(join(server.dir, 'sms'), (files) => files.find((f) => JSON.parse(f.text).recipient === '33698765432'));
  const content = JSON.parse(sms.text).content;
  assert.match(content, /^RDV PMI le /);
  const path = content.match(/\/r\/[0-9a-f]+/)[0];

  await page.goto(`${server.base}${path}`);
  await page.getByLabel('Trois premières lettres du nom').fill('xyz');
  await page.getByRole('button', { name: 'Voir mon rendez-vous' }).tap();
  await page.getByRole('alert').getByText('ne correspondent pas').waitFor();
  assert.equal(await page.getByTestId('public-rdv').count(), 0, 'nothing shown before the check');
  await page.getByLabel('Trois premières lettres du nom').fill('PUB');
  await page.getByRole('button', { name: 'Voir mon rendez-vous' }).tap();
  await page.getByTestId('public-rdv').getByText('Consultation PMI nourrisson').waitFor();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Annuler ce rendez-vous' }).tap();
  await page.getByText('Votre rendez-vous est annulé.', { exact: false }).first().waitFor();
  await waitForFile(join(server.dir, 'mailbox'), (files) => emailTo(files, 'rdv_cancelled', 'melodie.public@example.fr'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (${overflow}px)`);
  page.assertClean();
  await page.context().close();
});

test('an agent moves an RDV: the usager and the other agent are told, receipts show, a reminder can be sent', async () => {
  const { rdv, day } = await createRdvAs(server.base, 'camille.martin', {
    days: 5, time: '10:00', firstName: 'Jules', lastName: 'Notifié', email: 'jules.notifie@example.fr', withAgents: ['sophie.durand'],
  });
  const id = rdv.id;
  const moved = await apiAs(server.base, 'camille.martin', 'PATCH', `/api/v1/rdvs/${id}`, {
    starts_at: `${day}T11:00:00+01:00`, ignore_benign_errors: true,
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const mailbox = join(server.dir, 'mailbox');
  await waitForFile(mailbox, (files) => emailTo(files, 'rdv_updated', 'jules.notifie@example.fr'));
  await waitForFile(mailbox, (files) => emailTo(files, 'rdv_updated', 'sophie.durand@'));

  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/rdvs/${id}`);
  const receipts = page.getByTestId('receipts');
  await receipts.getByRole('cell', { name: 'Modification' }).first().waitFor();
  assert.match(await receipts.textContent(), /jules\.notifie@example\.fr/);
  await page.getByRole('button', { name: 'Envoyer un rappel maintenant' }).click();
  await page.getByText('Rappel envoyé (1 message(s)).').waitFor();
  await waitForFile(mailbox, (files) => emailTo(files, 'rdv_upcoming_reminder', 'jules.notifie@example.fr'));
  page.assertClean();
  await page.context().close();
});

test('from the link, a usager joins the waiting list and moves their RDV to an earlier slot', async () => {
  // Booked online more than a week ahead, as a usager would, through the public API.
  const motifs = await fetch(`${server.base}/api/v1/public/motifs?city_code=62041`).then((r) => r.json());
  const key = motifs.motifs.find((m) => m.name === 'Consultation PMI nourrisson').key;
  const lieux = await fetch(`${server.base}/api/v1/public/lieux?city_code=62041&motif_key=${key}`).then((r) => r.json());
  const lieu = lieux.lieux.find((l) => l.next_availability);
  const from = new Date(Date.now() + 9 * 86400000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 22 * 86400000).toISOString().slice(0, 10);
  const slots = await fetch(`${server.base}/api/v1/public/creneaux?city_code=62041&motif_id=${lieu.motif_id}&lieu_id=${lieu.lieu_id}&from=${from}&to=${to}`).then((r) => r.json());
  assert.ok(slots.creneaux.length > 0, 'slots 9 to 22 days ahead');
  const booked = await fetch(`${server.base}/api/v1/public/rdvs`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ motif_id: lieu.motif_id, lieu_id: lieu.lieu_id, starts_at: slots.creneaux.at(-1).starts_at,
      city_code: '62041', first_name: 'Nina', last_name: 'Attente', phone_number: '06 11 22 33 44', email: 'nina.attente@example.fr' }),
  });
  assert.equal(booked.status, 200, await booked.text());
  const sms = await waitForFile(join(server.dir, 'sms'), (files) => files.find((f) => JSON.parse(f.text).recipient === '33611223344'));
  const path = JSON.parse(sms.text).content.match(/\/r\/[0-9a-f]+/)[0];

  const page = await newPage(chrome.browser, phone);
  await page.goto(`${server.base}${path}`);
  await page.getByLabel('Trois premières lettres du nom').fill('att');
  await page.getByRole('button', { name: 'Voir mon rendez-vous' }).tap();
  await page.getByTestId('public-rdv').waitFor();
  await page.getByLabel('Me prévenir si un créneau plus tôt se libère').check();
  await page.getByText("C'est noté : nous vous prévenons").waitFor();

  await page.getByRole('button', { name: "Changer la date ou l'heure" }).tap();
  await page.locator('button.slot').first().waitFor();
  const chosen = await page.locator('button.slot').first().textContent();
  page.once('dialog', (d) => d.accept());
  await page.locator('button.slot').first().tap();
  await page.getByText('Votre rendez-vous est déplacé au').waitFor();
  assert.match(await page.getByTestId('public-rdv').textContent(), new RegExp(chosen.replace(':', '\\:')));
  // Moved: the usager chose, so the waiting list is closed; the change reaches their mailbox.
  // (The switch is gone when the new date is a week away or less.)
  const waiting = page.getByLabel('Me prévenir si un créneau plus tôt se libère');
  if (await waiting.count()) assert.equal(await waiting.isChecked(), false);
  await waitForFile(join(server.dir, 'mailbox'), (files) => emailTo(files, 'rdv_updated', 'nina.attente@example.fr'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (${overflow}px)`);
  page.assertClean();
  await page.context().close();
});
