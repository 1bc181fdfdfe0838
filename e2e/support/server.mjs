// Starts the real `rdv` server on a fresh SQLite database seeded with the demo data,
// and a headless Chromium page that fails the test on any page error or failed request.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const BIN = process.env.RDV_BIN ?? resolve('../target/debug/rdv');
const SPA_DIR = process.env.RDV_SPA_DIR ?? resolve('../frontend/dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const DEMO_PASSWORD = 'Rdv-Demo-2026!';
export const demoEmail = (local) => `${local}@demo.rdv-solidarites.fr`;

function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on('error', ko);
  });
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'rdv-e2e-'));
  const env = {
    ...process.env,
    DATABASE_URL: join(dir, 'rdv.sqlite3'),
    RDV_DATA_DIR: dir,
    RDV_SPA_DIR: SPA_DIR,
    // Webhook receivers started by the tests listen on the loopback address.
    RDV_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // No daily job: after 22:00 Paris the retention run would start with the server, and the
    // territory screen would show a last run (a test must not depend on the hour it runs at).
    RDV_DAILY_JOBS: 'false',
    RUST_LOG: 'warn',
  };
  execFileSync(BIN, ['seed', 'demo'], { env, stdio: 'ignore' });
  const port = await freePort();
  const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${port}`, '--workers', '2'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    /** The server's data directory: `mailbox/` (.eml files) and `sms/` (one JSON per SMS). */
    dir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Playwright's launch() gives Chromium a fresh temporary profile of its own.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

// A page that records every page error and failed request; call `assertClean()` at the end.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request cancelled because the test navigated away (ERR_ABORTED) is not a failure.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  // Refusals the tests provoke on purpose (401, 403, 404, 422) are logged by Chromium as console
  // errors; server errors (5xx) and script errors are not expected anywhere.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => { if (r.status() >= 500) problems.push(`server error: ${r.status()} ${r.url()}`); });
  page.assertClean = () => {
    if (problems.length) throw new Error(problems.join('\n'));
  };
  return page;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2 A and AA rules, the RGAA's base) on the element matching `selector` and
 * returns its violations as readable lines; an empty array when there is none. Evaluated through
 * the DevTools protocol, so the app's Content-Security-Policy (no inline script) still applies.
 */
export async function axeViolations(page, selector) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (sel) => {
    const result = await window.axe.run(sel, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, selector);
  return violations;
}

/**
 * How many pixels the element matching `selector` overflows: past the viewport's right edge, or
 * past its own box (content wider than it). 0 when it fits; a table scrolling in its own
 * wrapper inside the element does not count.
 */
export async function overflowOf(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error(`no element ${sel}`);
    return Math.max(0, Math.ceil(el.getBoundingClientRect().right) - window.innerWidth, el.scrollWidth - el.clientWidth);
  }, selector);
}

// Signs in through the login page and waits for the header.
export async function signIn(page, base, local, password = DEMO_PASSWORD) {
  await page.goto(`${base}/`);
  await page.waitForURL('**/connexion');
  await page.getByLabel('Adresse e-mail').fill(demoEmail(local));
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/**
 * Books "Consultation PMI nourrisson" at MDS Arras — Baudimont as the demo agent `local`, for a
 * new usager, `days` from today at `time` (Paris), with `local` and the agents named in
 * `withAgents` (demo logins). Returns `{ rdv, user, arras }`.
 */
export async function createRdvAs(base, local, { days, time, firstName, lastName, email, withAgents = [] }) {
  const orgs = await apiAs(base, local, 'GET', '/api/v1/organisations');
  const arras = orgs.body.organisations.find((o) => o.name === 'MDS Arras').id;
  const user = await apiAs(base, local, 'POST', '/api/v1/users', {
    organisation_ids: [arras], first_name: firstName, last_name: lastName, ...(email ? { email } : {}),
  });
  if (user.status !== 200) throw new Error(`usager: ${JSON.stringify(user.body)}`);
  const lieux = await apiAs(base, local, 'GET', `/api/v1/organisations/${arras}/lieux`);
  const motifs = await apiAs(base, local, 'GET', `/api/v1/organisations/${arras}/motifs`);
  const me = await apiAs(base, local, 'GET', '/api/v1/me');
  const agents = await apiAs(base, local, 'GET', `/api/v1/agents?organisation_id=${arras}`);
  const others = withAgents.map((l) => agents.body.agents.find((a) => a.email?.startsWith(`${l}@`)).id);
  const day = new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
  const created = await apiAs(base, local, 'POST', '/api/v1/rdvs', {
    organisation_id: arras,
    motif_id: motifs.body.motifs.find((m) => m.name === 'Consultation PMI nourrisson').id,
    lieu_id: lieux.body.lieux.find((l) => l.name === 'MDS Arras — Baudimont').id,
    agent_ids: [me.body.agent.id, ...others], user_ids: [user.body.user.id],
    starts_at: `${day}T${time}:00+01:00`, ignore_benign_errors: true,
  });
  if (created.status !== 200) throw new Error(`RDV: ${JSON.stringify(created.body)}`);
  return { rdv: created.body.rdv, user: user.body.user, arras, day };
}

/** Calls the API as a demo agent (signs in once per call; fine for test set-up). */
export async function apiAs(base, local, method, path, body) {
  const signIn = await fetch(`${base}/api/v1/auth/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoEmail(local), password: DEMO_PASSWORD }),
  });
  if (signIn.status !== 200) throw new Error(`sign in ${local}: ${signIn.status}`);
  const token = signIn.headers.get('access-token');
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Waits until `find(files)` over the files of `dir` returns something (10 s at most). */
export async function waitForFile(dir, find) {
  const { readdirSync, readFileSync, existsSync } = await import('node:fs');
  for (let i = 0; i < 100; i++) {
    const files = existsSync(dir)
      ? readdirSync(dir).sort().map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }))
      : [];
    const found = find(files);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing expected in ${dir} after 10 s`);
}
