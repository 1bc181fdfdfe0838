// Sign-in flow in a real browser: log in as a demo agent, see the name, reload, switch
// organisation, log out; a wrong password shows a French error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, newPage, signIn as signInAt, DEMO_PASSWORD, demoEmail, waitForFile } from '../support/server.mjs';

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

const signIn = (page, local, password) => signInAt(page, server.base, local, password);

test('a demo agent logs in, reloads, switches organisation and logs out', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, 'sophie.durand', DEMO_PASSWORD);

  const name = page.getByTestId('agent-name');
  await name.waitFor();
  assert.equal(await name.textContent(), 'Sophie Durand');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.match(await page.getByTestId('current-organisation').textContent(), /MDS Arras/);

  // Her own preferences, from the link on her name.
  await name.click();
  await page.getByRole('heading', { name: 'Mon compte' }).waitFor();
  await page.getByLabel('Rendez-vous').selectOption('soon');
  await page.getByLabel('Afficher les samedis').check();
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('status').filter({ hasText: 'Préférences enregistrées.' }).waitFor();
  await page.goto(`${server.base}/`);
  await page.getByTestId('agent-name').waitFor();

  // Sophie works in two organisations: the switcher lists both and remembers the choice.
  const switcher = page.getByLabel('Organisation');
  assert.deepEqual(await switcher.locator('option').allTextContents(), ['MDS Arras', 'MDS Lens']);
  await switcher.selectOption({ label: 'MDS Lens' });
  await page.getByTestId('current-organisation').filter({ hasText: 'MDS Lens' }).waitFor();

  // A reload keeps the agent signed in, on the chosen organisation.
  await page.reload();
  await page.getByTestId('agent-name').waitFor();
  assert.equal(await page.getByTestId('agent-name').textContent(), 'Sophie Durand');
  assert.match(await page.getByTestId('current-organisation').textContent(), /MDS Lens/);

  // Logging out revokes the token and returns to the login page; a reload stays signed out.
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('rdv.session')).token);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL('**/connexion');
  await page.reload();
  await page.getByRole('button', { name: 'Se connecter' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('rdv.session')), null);
  const res = await fetch(`${server.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401, 'the token was revoked server-side');

  page.assertClean();
  await page.context().close();
});

test('a wrong password shows a French error and no session', async () => {
  const page = await newPage(chrome.browser);
  await signIn(page, 'camille.martin', 'Mauvais-mot-de-passe-1');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.textContent(), 'Email ou mot de passe incorrect.');
  assert.equal(new URL(page.url()).pathname, '/connexion');
  assert.equal(await page.evaluate(() => localStorage.getItem('rdv.session')), null);
  page.assertClean();
  await page.context().close();
});

test('deep links load the SPA and unknown pages say so in French', async () => {
  const page = await newPage(chrome.browser);
  await page.goto(`${server.base}/une/page/inconnue`);
  await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
  page.assertClean();
  await page.context().close();
});

test('the login page works on a phone-sized screen', async () => {
  const page = await newPage(chrome.browser);
  await page.setViewportSize({ width: 375, height: 700 });
  await signIn(page, 'camille.martin', DEMO_PASSWORD);
  await page.getByTestId('agent-name').waitFor();
  const box = await page.getByRole('button', { name: 'Se déconnecter' }).boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'logout button visible without horizontal scroll');
  page.assertClean();
  await page.context().close();
});

test('the SPA runs under its Content-Security-Policy, with the security headers', async () => {
  const page = await newPage(chrome.browser);
  // Every CSP violation of the page is recorded (the browser also logs it as a console error).
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(`${server.base}/connexion`);
  const headers = response.headers();
  assert.match(headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'same-origin');
  // The WebAssembly app starts, signs in and renders pages with charts and forms.
  await signIn(page, 'camille.martin', DEMO_PASSWORD);
  await page.getByTestId('agent-name').waitFor();
  const api = page.waitForResponse((r) => r.url().includes('/api/v1/rdvs?'));
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'RDV' }).click();
  assert.equal((await api).headers()['cache-control'], 'no-store', 'personal data is not cached');
  await page.getByTestId('rdv-table').waitFor();
  await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Statistiques' }).click();
  await page.getByTestId('counter-seen').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  // An inline script injected into the page is blocked.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true';
    document.body.appendChild(s);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  await page.context().close();
});

/** The text of an .eml file's body, decoded (quoted-printable or base64). */
function mailText(eml) {
  const [head, ...rest] = eml.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding: base64/i.test(eml)) {
    const b64 = eml.split(/content-transfer-encoding: base64\r?\n\r?\n/i)[1].split(/\r?\n--/)[0];
    return Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return (head.length ? body : eml).replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

test('a forgotten password: the emailed link sets a new one, then sign in with it', async () => {
  const page = await newPage(chrome.browser);
  await page.goto(`${server.base}/connexion`);
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await page.getByLabel('Adresse e-mail').fill(demoEmail('julien.lefebvre'));
  await page.getByRole('button', { name: 'Recevoir un lien' }).click();
  await page.getByRole('status').filter({ hasText: 'Si un compte existe pour cette adresse' }).waitFor();
  const mail = await waitForFile(join(server.dir, 'mailbox'), (files) =>
    files.find((f) => f.text.includes(demoEmail('julien.lefebvre')) && /mot de passe/i.test(mailText(f.text))));
  const link = mailText(mail.text).match(/https?:\/\/\S+\/mot-de-passe\/nouveau\?token=[A-Za-z0-9_-]+/)[0];
  await page.goto(`${server.base}${new URL(link).pathname}${new URL(link).search}`);
  await page.getByLabel('Nouveau mot de passe').fill('Julien-Nouveau-2026!');
  await page.getByLabel('Confirmation du mot de passe').fill('Julien-Nouveau-2027!');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await page.getByRole('alert').filter({ hasText: 'ne correspond pas' }).waitFor();
  await page.getByLabel('Confirmation du mot de passe').fill('Julien-Nouveau-2026!');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await page.getByRole('status').filter({ hasText: 'Votre mot de passe est enregistré' }).waitFor();
  await page.getByRole('link', { name: 'Se connecter' }).click();
  await signIn(page, 'julien.lefebvre', 'Julien-Nouveau-2026!');
  await page.getByTestId('agent-name').waitFor();
  // "Se déconnecter de tous les appareils" ends this session too.
  await page.getByTestId('agent-name').click();
  await page.getByRole('button', { name: 'Se déconnecter de tous les appareils' }).click();
  await page.waitForURL('**/connexion');
  page.assertClean();
  await page.context().close();
});
