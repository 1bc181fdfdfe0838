// Admin screens in a real browser: inviting an agent (link copied, accepted in a fresh browser
// context, then signed in), creating a lieu and a motif, and a basic agent kept out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, axeViolations, overflowOf } from '../support/server.mjs';

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

test('an admin invites an agent, who accepts the copied link in a fresh browser and signs in', async () => {
  const page = await newPage(chrome.browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Agents' }).click();
  await page.getByRole('heading', { name: 'Inviter un agent' }).waitFor();

  await page.getByLabel('Email').fill('lucie.aubrac@pas-de-calais.fr');
  await page.getByLabel('Prénom').fill('Lucie');
  await page.getByLabel('Nom', { exact: true }).fill('Aubrac');
  await page.getByLabel('Rôle').selectOption('basic');
  await page.getByLabel('PMI (Protection Maternelle Infantile)').check();
  await page.getByRole('button', { name: 'Inviter' }).click();
  await page.getByRole('status').filter({ hasText: 'Invitation envoyée à lucie.aubrac@pas-de-calais.fr' }).waitFor();

  await page.getByRole('button', { name: 'Copier le lien' }).click();
  await page.getByText('Lien copié.').waitFor();
  const link = await page.locator('#invitation-link').inputValue();
  assert.match(link, /\/invitation\/[0-9a-f]{64}$/);
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard, link, 'the copy button put the link in the clipboard');
  // The new agent is listed, with their invitation pending.
  await page.getByRole('link', { name: 'Aubrac Lucie' }).click();
  await page.getByText('Invitation en attente').waitFor();
  page.assertClean();
  await page.context().close();

  // A fresh browser context: no session, as on the invited agent's own computer.
  const guest = await newPage(chrome.browser);
  // The link points at the public URL configured for emails; open the same path on this server.
  await guest.goto(`${server.base}${new URL(link).pathname}`);
  await guest.getByText('Camille Martin vous invite').waitFor();
  await guest.getByLabel('Choisissez un mot de passe').fill('trop-court');
  await guest.getByLabel('Confirmez le mot de passe').fill('trop-court');
  await guest.getByRole('button', { name: 'Activer mon compte' }).click();
  await guest.getByRole('alert').filter({ hasText: '12 caractères' }).waitFor();
  await guest.getByLabel('Choisissez un mot de passe').fill('Résistance-1943!');
  await guest.getByLabel('Confirmez le mot de passe').fill('Résistance-1943!');
  await guest.getByRole('button', { name: 'Activer mon compte' }).click();
  await guest.getByTestId('agent-name').waitFor();
  assert.equal(await guest.getByTestId('agent-name').textContent(), 'Lucie Aubrac');
  guest.assertClean();
  await guest.context().close();

  // The link is spent.
  const again = await newPage(chrome.browser);
  await again.goto(`${server.base}${new URL(link).pathname}`);
  await again.getByRole('alert').filter({ hasText: "n'est plus valable" }).waitFor();
  await again.context().close();
});

test('an admin creates a lieu and a motif, sees its history and downloads the motif list', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  const nav = page.getByRole('navigation', { name: 'Administration' });

  await nav.getByRole('link', { name: 'Lieux' }).click();
  await page.getByText('Ajouter un lieu').click();
  await page.getByLabel('Nom', { exact: true }).fill('Maison des familles');
  await page.getByLabel('Adresse').fill('4 rue des Trois Visages, 62000 Arras');
  await page.getByLabel('Latitude').fill('50,2910');
  await page.getByLabel('Longitude').fill('2,7775');
  await page.getByRole('button', { name: 'Créer le lieu' }).click();
  await page.getByRole('status').filter({ hasText: 'Lieu « Maison des familles » créé.' }).waitFor();
  await page.getByRole('link', { name: 'Maison des familles' }).waitFor();
  await page.getByLabel('Rechercher').fill('familles');
  assert.equal(await page.locator('tbody tr').count(), 1, 'search narrows the list');

  await nav.getByRole('link', { name: 'Motifs' }).click();
  await page.getByRole('link', { name: 'Nouveau motif' }).click();
  await page.getByLabel('Nom du motif').fill('Entretien prénatal précoce');
  await page.getByLabel('Service').selectOption({ label: 'PMI (Protection Maternelle Infantile)' });
  await page.getByLabel('Durée par défaut (minutes)').fill('45');
  await page.getByLabel('Type de RDV').selectOption('phone');
  await page.getByLabel('Qui peut réserver ?').selectOption('everyone');
  await page.getByRole('button', { name: 'Créer le motif' }).click();
  await page.getByRole('heading', { name: 'Entretien prénatal précoce' }).waitFor();
  await page.getByRole('heading', { name: 'Historique' }).waitFor();
  await page.getByRole('cell', { name: 'Création' }).first().waitFor();

  // Bad input is refused with the server's French message.
  await page.getByLabel('Délai maximum (jours)').fill('0');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('alert').filter({ hasText: 'max_public_booking_delay' }).waitFor();

  await nav.getByRole('link', { name: 'Motifs' }).click();
  await page.getByRole('link', { name: 'Entretien prénatal précoce' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Exporter la liste (CSV)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'motifs.csv');
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  assert.match(readFileSync(path, 'utf8'), /Entretien prénatal précoce;PMI;/);
  page.assertClean();
  await page.context().close();
});

test('a basic agent cannot open the admin screens nor download the motif export', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'sophie.durand');
  await page.getByTestId('agent-name').waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Administration' }).count(), 0, 'no admin menu');
  for (const path of ['/admin/motifs', '/admin/agents', '/admin/lieux', '/admin/organisation']) {
    await page.goto(`${server.base}${path}`);
    await page.getByRole('heading', { name: 'Accès réservé' }).waitFor();
  }
  await page.goto(`${server.base}/admin/territoire`);
  await page.getByRole('heading', { name: 'Accès réservé' }).waitFor();
  const status = await page.evaluate(async () => {
    const { token } = JSON.parse(localStorage.getItem('rdv.session'));
    const me = await (await fetch('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).json();
    const org = me.agent.roles[0].organisation_id;
    const res = await fetch(`/api/v1/organisations/${org}/motifs/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    await res.text();
    return res.status;
  });
  assert.equal(status, 403);
  page.assertClean();
  await page.context().close();
});

test('a territorial admin changes the territory settings and creates a team', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Territoire' }).click();
  await page.getByRole('heading', { name: 'Paramètres du territoire' }).waitFor();
  await page.getByLabel('Caisse d\'affiliation').check();
  await page.getByLabel('Service social', { exact: true }).check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Paramètres enregistrés.' }).waitFor();
  await page.getByRole('cell', { name: "Caisse d'affiliation (champ)" }).first().waitFor(); // in the history

  await page.getByText('Nouvelle équipe', { exact: true }).click();
  await page.getByLabel('Sophie Durand', { exact: true }).check();
  await page.getByLabel('Nom de la nouvelle équipe').fill('Sages-femmes du 62');
  await page.getByRole('button', { name: "Créer l'équipe" }).click();
  await page.getByRole('status').filter({ hasText: 'Équipe « Sages-femmes du 62 » créée.' }).waitFor();
  await page.getByText('Sages-femmes du 62 — Sophie Durand').waitFor();

  // The territory's SMS sender (the key is never shown back).
  await page.getByLabel("Nom d'expéditeur (11 caractères au plus)").fill('CD62');
  await page.getByLabel("Clé d'API").fill('cle-secrete');
  await page.getByRole('button', { name: 'Valider le fournisseur SMS' }).click();
  await page.getByRole('status').filter({ hasText: 'Fournisseur SMS enregistré.' }).waitFor();
  assert.equal(await page.getByLabel("Clé d'API").inputValue(), '');
  assert.match(await page.getByLabel("Clé d'API").getAttribute('placeholder'), /Clé enregistrée/);

  // Data retention (RGPD): the periods within their bounds, the next daily run at 22:00.
  await page.getByRole('heading', { name: 'Conservation des données (RGPD)' }).waitFor();
  const rdvDays = page.getByLabel('RDV : supprimés après (jours depuis leur date)');
  assert.equal(await rdvDays.inputValue(), '730');
  assert.equal(await rdvDays.getAttribute('min'), '365');
  await page.getByText(/Prochain passage : \d\d\/\d\d\/\d{4} 22:00\./).waitFor();
  await page.getByText('Aucun passage encore.').waitFor();
  await rdvDays.fill('1095');
  await page.getByRole('button', { name: 'Enregistrer les durées' }).click();
  await page.getByRole('status').filter({ hasText: 'Durées de conservation enregistrées.' }).waitFor();
  const saved = await page.evaluate(async () => {
    const { token } = JSON.parse(localStorage.getItem('rdv.session'));
    const me = await (await fetch('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).json();
    const org = await (await fetch(`/api/v1/organisations/${me.agent.roles[0].organisation_id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    const t = org.organisation.territory_id;
    return (await (await fetch(`/api/v1/territories/${t}/retention`, { headers: { authorization: `Bearer ${token}` } })).json()).retention_policy;
  });
  assert.equal(saved.rdv_days, 1095);
  // The section passes axe-core (WCAG 2 AA) and fits a 1366 px screen as well as a phone.
  const section = 'form[aria-labelledby="retention-title"]';
  for (const width of [1366, 375]) {
    await page.setViewportSize({ width, height: 800 });
    assert.deepEqual(await axeViolations(page, section), [], `axe at ${width} px`);
    assert.equal(await overflowOf(page, section), 0, `the retention section fits ${width} px`);
  }
  page.assertClean();
  await page.context().close();
});

test('the admin lists search every word without accents and sort by a header, both ways, on a phone', async () => {
  const page = await newPage(chrome.browser, { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await signIn(page, server.base, 'camille.martin');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/admin/motifs`);
  const names = async () => (await page.locator('tbody tr td:first-child').allTextContents()).map((t) => t.trim());
  await page.locator('tbody tr').first().waitFor();
  const all = await names();
  assert.ok(all.length >= 3, `the organisation's motifs are listed: ${all}`);
  const sorted = [...all].sort((a, b) => a.localeCompare(b, 'fr', { sensitivity: 'base' }));
  assert.deepEqual(all, sorted, 'sorted by name first');

  const header = page.getByRole('columnheader', { name: /Nom/ });
  assert.equal(await header.getAttribute('aria-sort'), 'ascending');
  await header.getByRole('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), [...all].reverse(), 'a second click reverses the order');
  await page.getByRole('columnheader', { name: /Service/ }).getByRole('button').click();
  assert.equal(await header.getAttribute('aria-sort'), 'none');
  assert.equal(await page.getByRole('columnheader', { name: /Service/ }).getAttribute('aria-sort'), 'ascending');

  // "CONSULTATION nourrisson" finds "Consultation PMI nourrisson": every word, any case, any accent.
  await page.getByLabel('Rechercher').fill('CONSULTATION nourrisson');
  assert.deepEqual(await names(), ['Consultation PMI nourrisson']);
  await page.getByLabel('Rechercher').fill('nourrisson introuvable');
  assert.equal(await page.locator('tbody tr').count(), 0);

  // The page itself never scrolls sideways on a phone: a wide table scrolls in its own box.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal page scroll at 375 px (scrollWidth ${width})`);
  page.assertClean();
  await page.context().close();
});
