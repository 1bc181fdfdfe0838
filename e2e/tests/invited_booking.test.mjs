// An invited usager books on a phone (issue 16): rdv-insertion obtained the usager's
// rdv_invitation_token through API v1 and sent them the reference's link
// (`/prendre_rdv?invitation_token=…&city_code=…&organisation_ids[]=…`). The page searches at once,
// offers the motif reserved to invited usagers, books without asking for an identity, and the RDV
// is the invited usager's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, apiAs } from '../support/server.mjs';

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

test('an invited usager books through the invitation link on a phone', async () => {
  const orgs = await apiAs(server.base, 'camille.martin', 'GET', '/api/v1/organisations');
  const arras = orgs.body.organisations.find((o) => o.name === 'MDS Arras').id;
  const user = await apiAs(server.base, 'camille.martin', 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: 'Yanis', last_name: 'Invité', phone_number: '06 55 44 33 22',
  });
  assert.equal(user.status, 200, JSON.stringify(user.body));
  const userId = user.body.user.id;
  const token = (await apiAs(server.base, 'camille.martin', 'POST', `/api/v1/users/${userId}/rdv_invitation_token`)).body.invitation_token;
  // Arras' "Consultation PMI nourrisson" is now reserved to agents and invited usagers.
  const motifs = await apiAs(server.base, 'camille.martin', 'GET', `/api/v1/organisations/${arras}/motifs`);
  const motif = motifs.body.motifs.find((m) => m.name === 'Consultation PMI nourrisson');
  const patched = await apiAs(server.base, 'camille.martin', 'PATCH', `/api/v1/motifs/${motif.id}`, {
    bookable_by: 'agents_and_prescripteurs_and_invited_users',
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));

  const page = await newPage(chrome.browser, phone);
  await page.goto(`${server.base}/prendre_rdv?invitation_token=${token}&city_code=62041&departement=62&organisation_ids%5B%5D=${arras}`);
  await page.getByTestId('public-invited').waitFor();
  // No address to type: the motifs come at once.
  await page.getByRole('button', { name: /Consultation PMI nourrisson/ }).first().tap();
  const lieu = page.locator('button.choice:not([disabled])').filter({ hasText: 'Prochaine disponibilité' }).first();
  await lieu.waitFor();
  assert.match(await lieu.textContent(), /Baudimont|Arras/);
  await lieu.tap();
  const slot = page.locator('button.slot').first();
  await slot.waitFor();
  const time = await slot.textContent();
  await slot.tap();
  await page.getByRole('heading', { name: 'Vos coordonnées' }).waitFor();
  assert.equal(await page.getByLabel('Prénom').count(), 0, 'an invited usager types no identity');
  await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).tap();
  const confirmation = page.getByTestId('public-confirmation');
  await confirmation.getByText('Votre rendez-vous est confirmé').waitFor();
  assert.match(await confirmation.textContent(), new RegExp(`à ${time}`));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (${overflow}px)`);

  // The RDV is the invited usager's (no new usager was created from a typed identity).
  const rdvs = await apiAs(server.base, 'camille.martin', 'GET', `/api/v1/users/${userId}/rdvs`);
  assert.equal(rdvs.status, 200, JSON.stringify(rdvs.body));
  assert.equal(rdvs.body.rdvs.length, 1, JSON.stringify(rdvs.body));
  assert.equal(rdvs.body.rdvs[0].motif.name, 'Consultation PMI nourrisson');
  page.assertClean();
});

test('a wrong invitation token says so instead of offering the public motifs', async () => {
  const page = await newPage(chrome.browser, phone);
  await page.goto(`${server.base}/prendre_rdv?invitation_token=FAUX0000&city_code=62041`);
  await page.getByText("Ce lien d'invitation n'est pas valable").waitFor();
});
