// Usagers in a real browser: finding a usager of another organisation (masked) and attaching it,
// editing it, the duplicate warning with "C'est la même personne", and a CSV import with its
// progress, summary and downloadable report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, apiAs, axeViolations, overflowOf } from '../support/server.mjs';

let server;
let chrome;
let arras;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  const orgs = (await apiAs(server.base, 'sophie.durand', 'GET', '/api/v1/organisations')).body.organisations;
  arras = orgs.find((o) => o.name === 'MDS Arras').id;
  const created = await apiAs(server.base, 'julien.lefebvre', 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: 'Éloïse', last_name: 'Carón', birth_date: '1988-02-03',
    phone_number: '06 12 34 56 78', email: 'eloise.caron@exemple.fr',
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('a Lens agent finds an Arras usager masked, attaches it and edits it', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'lucas.petit');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Usagers' }).click();
  await page.getByLabel('Rechercher un usager').fill('eloise car');
  const others = page.getByTestId('other-results');
  await others.waitFor();
  const line = others.getByRole('listitem').filter({ hasText: 'CARÓN Éloïse' });
  await line.getByText('06******78').waitFor();
  await line.getByText('03/02/****').waitFor();
  assert.equal(await line.getByRole('link').count(), 0, 'a masked usager has no link to its record');
  assert.equal(await page.getByText('eloise.caron@exemple.fr').count(), 0, 'the e-mail stays masked');

  await line.getByRole('button', { name: 'Ajouter Éloïse Carón à mon organisation' }).click();
  await page.getByRole('heading', { name: 'Éloïse CARÓN' }).waitFor();
  await page.getByText('eloise.caron@exemple.fr').waitFor();
  await page.getByRole('link', { name: 'Modifier' }).click();
  await page.getByLabel('Adresse', { exact: true }).fill('8 rue de la Paix');
  await page.getByLabel('Commune').fill('Lens');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('heading', { name: 'Éloïse CARÓN' }).waitFor();
  await page.getByText('8 rue de la Paix').waitFor();
  page.assertClean();
  await page.context().close();
});

test('creating the same person again shows the duplicate warning, "C\'est la même personne" opens it', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'julien.lefebvre');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/usagers/nouveau`);
  await page.getByLabel('Prénom').fill('ELOISE');
  await page.getByLabel('Nom', { exact: true }).fill('caron');
  await page.getByLabel('Date de naissance').fill('1988-02-03');
  await page.getByLabel('Email', { exact: true }).focus();
  const warning = page.getByTestId('duplicates');
  await warning.getByText('Cet usager existe peut-être déjà').waitFor();
  await warning.getByText('mêmes nom, prénom et date de naissance').waitFor();
  await warning.getByRole('button', { name: "C'est la même personne" }).click();
  await page.getByRole('heading', { name: 'Éloïse CARÓN' }).waitFor();
  const list = await apiAs(server.base, 'julien.lefebvre', 'GET', '/api/v1/users?search=eloise');
  assert.equal(list.body.meta.total_count, 1, 'no second record was created');
  page.assertClean();
  await page.context().close();
});

test('an admin imports a small CSV, follows the progress and downloads the report', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Usagers' }).click();
  await page.getByRole('link', { name: 'Importer un fichier' }).click();
  const csv = 'Nom;Prénom;Date de naissance;Téléphone\nLemaire;Rose;12/05/1979;06 98 76 54 32\n;SansNom;;\nCarón;Éloïse;03/02/1988;\n';
  await page.getByLabel('Fichier').setInputFiles({ name: 'caf.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('3 / 3 lignes traitées').waitFor();
  const summary = page.getByTestId('import-summary');
  await summary.getByText('1 créé(s), 1 déjà connu(s), 0 doublon(s) possible(s), 1 erreur(s).').waitFor();
  await page.getByRole('cell', { name: 'last_name doit être rempli(e)' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Télécharger le rapport' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^rapport-import-\d+\.csv$/);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const report = await readFile(path, 'utf8');
  assert.match(report, /ligne;statut;usager_id;prenom;nom;message/);
  assert.match(report, /3;erreur;;SansNom;;last_name doit être rempli\(e\)/);
  page.assertClean();
  await page.context().close();
});

test("with territory-wide visibility, another organisation's reads show on the usager's page for its admins", async () => {
  const created = await apiAs(server.base, 'julien.lefebvre', 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: 'Jeanne', last_name: 'Consultée',
  });
  const id = created.body.user.id;
  const org = await apiAs(server.base, 'camille.martin', 'GET', `/api/v1/organisations/${arras}`);
  const shared = await apiAs(server.base, 'camille.martin', 'PATCH', `/api/v1/territories/${org.body.organisation.territory_id}`,
    { visible_users_throughout_the_territory: true });
  assert.equal(shared.status, 200, JSON.stringify(shared.body));

  const lens = await newPage(chrome.browser);
  await signIn(lens, server.base, 'lucas.petit');
  await lens.getByTestId('agent-name').waitFor();
  await lens.goto(`${server.base}/usagers/${id}`);
  await lens.getByRole('heading', { name: 'Jeanne CONSULTÉE' }).waitFor();
  lens.assertClean();
  await lens.context().close();

  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/usagers/${id}`);
  const reads = page.getByTestId('usager-reads');
  await reads.getByRole('heading', { name: "Consultations par d'autres organisations" }).waitFor();
  await reads.getByRole('cell', { name: 'Lucas Petit' }).first().waitFor();
  await reads.getByRole('cell', { name: 'Fiche' }).waitFor();
  // The section passes axe-core (WCAG 2 AA) and fits a 1366 px screen as well as a phone (its
  // table scrolls in its own focusable region).
  for (const width of [1366, 375]) {
    await page.setViewportSize({ width, height: 800 });
    assert.deepEqual(await axeViolations(page, '[data-testid="usager-reads"]'), [], `axe at ${width} px`);
    assert.equal(await overflowOf(page, '[data-testid="usager-reads"]'), 0, `the reads section fits ${width} px`);
  }
  page.assertClean();
  await page.context().close();
});
