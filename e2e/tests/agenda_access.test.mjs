// Agenda access grants in a real browser (issue 6): an admin grants CPEF agents busy-level
// access to PMI agendas; a CPEF agent of another MDS then sees "Occupé" blocks in a PMI agent's
// week and cannot open them; grants are copied from one agent to another after a preview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn, apiAs } from '../support/server.mjs';

let server;
let chrome;
let camilleId;
let thomasId;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  camilleId = (await apiAs(server.base, 'camille.martin', 'GET', '/api/v1/me')).body.agent.id;
  thomasId = (await apiAs(server.base, 'thomas.leroy', 'GET', '/api/v1/me')).body.agent.id;
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

test('an admin grants CPEF agents busy access to PMI agendas; a CPEF agent sees "Occupé" and cannot open it', async () => {
  const admin = await newPage(chrome.browser);
  await signIn(admin, server.base, 'camille.martin');
  await admin.getByTestId('agent-name').waitFor();
  await admin.goto(`${server.base}/agents/${camilleId}/acces`);
  await admin.getByRole('heading', { name: 'Donner un accès' }).waitFor();
  await admin.getByLabel('Qui', { exact: true }).selectOption('service');
  await admin.getByLabel('Lequel', { exact: true }).selectOption({ label: 'CPEF' });
  await admin.getByLabel('Quels agendas').selectOption('service');
  await admin.getByLabel('Lesquels', { exact: true }).selectOption({ label: 'PMI' });
  await admin.getByLabel("Dans l'organisation").selectOption({ label: 'MDS Arras' });
  await admin.getByLabel('Niveau').selectOption('busy');
  await admin.getByRole('button', { name: "Donner l'accès" }).click();
  await admin.getByRole('status').getByText('agents CPEF → agendas PMI de MDS Arras : lecture sans détail').waitFor();
  await admin.getByTestId('agenda-viewers').getByRole('row').filter({ hasText: 'Thomas Leroy' }).getByText('Lecture sans détail', { exact: true }).waitFor();
  admin.assertClean();
  await admin.context().close();

  // Thomas Leroy (CPEF, MDS Lens) opens Camille's week: busy blocks only.
  const page = await newPage(chrome.browser, { viewport: { width: 1400, height: 900 } });
  await signIn(page, server.base, 'thomas.leroy');
  await page.getByTestId('agent-name').waitFor();
  await page.goto(`${server.base}/agenda`);
  await page.getByText('Agendas affichés').click();
  await page.getByLabel('Camille Martin').check();
  const monday = new Date();
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7);
  await page.goto(`${server.base}/agenda?jour=${monday.toISOString().slice(0, 10)}&agents=${camilleId}`);
  const busy = page.getByTestId('agenda-busy');
  await busy.first().waitFor();
  assert.ok((await busy.count()) > 5, 'Camille\'s past week is full of RDVs');
  assert.equal(await page.getByTestId('agenda-rdv').count(), 0, 'no RDV with details');
  assert.equal(await busy.first().getByRole('link').count(), 0, 'a busy block cannot be opened');
  assert.equal(await page.locator('.agenda').getByText('Consultation PMI').count(), 0);
  page.assertClean();
  await page.context().close();
});

test('copy the grants of one agent to another, after a preview', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'isabelle.moreau'); // admin of MDS Lens
  await page.getByTestId('agent-name').waitFor();
  const emma = (await apiAs(server.base, 'emma.dubois', 'GET', '/api/v1/me')).body.agent.id;
  await page.goto(`${server.base}/agents/${emma}/acces`);
  await page.getByTestId('grants-received').getByText('Emma Dubois → agendas PMI de MDS Lens : écriture').waitFor();
  await page.getByLabel('Agent qui recevra les mêmes accès').selectOption({ label: 'Lucas Petit' });
  await page.getByRole('button', { name: 'Prévisualiser' }).click();
  await page.getByTestId('copy-preview').getByText('1 accès seront créés').waitFor();
  await page.getByRole('button', { name: 'Appliquer la copie' }).click();
  await page.getByRole('status').getByText('1 accès copié(s).').waitFor();
  const lucas = (await apiAs(server.base, 'lucas.petit', 'GET', '/api/v1/me')).body.agent.id;
  await page.goto(`${server.base}/agents/${lucas}/acces`);
  await page.getByTestId('grants-received').getByText('Lucas Petit → agendas PMI de MDS Lens : écriture').waitFor();
  page.assertClean();
  await page.context().close();
  assert.ok(thomasId > 0);
});
