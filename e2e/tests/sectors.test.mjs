// Sectorisation screen in a real browser (issue 7): a territorial admin creates a sector, adds
// a whole commune and one street, attributes it to its organisation and to one agent, checks an
// address with "Tester la sectorisation", then removes the street zone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, signIn } from '../support/server.mjs';

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

test('a territorial admin builds a sector and tests an address', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, server.base, 'camille.martin');
  await page.getByRole('link', { name: 'Secteurs' }).click();
  await page.getByLabel('Nom', { exact: true }).fill('Arras centre');
  await page.getByLabel('Identifiant (colonne « secteur » des imports)').fill('arras-centre');
  await page.getByRole('button', { name: 'Créer le secteur' }).click();
  const card = page.getByTestId('sector').filter({ hasText: 'Arras centre (arras-centre)' });
  await card.waitFor();

  // A whole commune, then one street of another commune.
  await card.getByLabel('Commune', { exact: true }).fill('Arras');
  await card.getByLabel('Code INSEE').fill('62041');
  await card.getByRole('button', { name: 'Ajouter la commune' }).click();
  await card.getByText('1 zone(s)').waitFor();
  await card.getByLabel('Une rue').check();
  await card.getByLabel('Commune', { exact: true }).fill('Achicourt');
  await card.getByLabel('Code INSEE').fill('62004');
  await card.getByLabel('Rue', { exact: true }).fill('Rue Jean Jaurès');
  await card.getByLabel('Identifiant BAN de la rue').fill('62004_0450');
  await card.getByRole('button', { name: 'Ajouter la rue' }).click();
  await card.getByText('2 zone(s)').waitFor();

  // To MDS Arras as a whole, then to Sophie Durand of MDS Arras.
  await card.getByRole('button', { name: 'Attribuer' }).click();
  await card.getByText("MDS Arras (toute l'organisation)").waitFor();
  await card.getByLabel('Agent').locator('option', { hasText: 'Sophie Durand' }).waitFor({ state: 'attached' });
  await card.getByLabel('Agent').selectOption({ label: 'Sophie Durand' });
  await card.getByRole('button', { name: 'Attribuer' }).click();
  await card.getByText('Sophie Durand — MDS Arras').waitFor();

  // What an address gets.
  const tool = page.getByTestId('sectorisation-test');
  await tool.getByLabel('Code INSEE de la commune').fill('62004');
  await tool.getByLabel('Identifiant BAN de la rue (facultatif)').fill('62004_0450');
  await tool.getByRole('button', { name: 'Tester' }).click();
  await tool.getByText('Secteur(s) : Arras centre (arras-centre)').waitFor();
  assert.match(await tool.locator('table').textContent(), /Consultation PMI nourrisson/);
  await tool.getByLabel('Identifiant BAN de la rue (facultatif)').fill('');
  await tool.getByRole('button', { name: 'Tester' }).click();
  await tool.getByText('Secteur(s) : aucun secteur').waitFor();

  // The street zone is removed from the list.
  await card.getByText('2 zone(s)').click();
  const row = card.locator('tr').filter({ hasText: 'Rue Jean Jaurès' });
  await row.getByRole('button', { name: 'Retirer' }).click();
  await card.getByText('1 zone(s)').waitFor();
  page.assertClean();
  await page.context().close();
});
