// The dashboard in a real browser: playwright-core drives Debian's Chromium (headless, fresh profile)
// against the local runner and reads every result from the page. Issue 6, acceptance 1-3.
//
// Run by DashboardBrowserTest (mvn verify) with a fresh org and sandbox account, or by hand against
// `./mvnw -Plocal`:
//   cd infrastructure && node --test e2e/dashboard.test.mjs
// The page comes from the runner's dashboard server, an origin other than the API's (as S3/CloudFront and
// API Gateway in AWS), so every call is cross-origin: preflights and CORS headers are exercised.
// Environment (all optional):
//   API_URL        the runner's API (default http://127.0.0.1:3000)
//   DASHBOARD_URL  the runner's dashboard, another origin (default http://127.0.0.1:3003)
//   SANDBOX_URL    the Mailchimp sandbox, with or without /3.0 (default http://127.0.0.1:3010)
//   ADMIN_TOKEN, MEMBER_TOKEN, EXPIRED_TOKEN  tokens of one org; minted with LOCAL_JWT_SECRET
//                  (default local-dev-secret) for a fresh org when absent
//   SANDBOX_KEY    a seeded sandbox account's key; a fresh account is created when absent
//   CHROMIUM_PATH  default /usr/bin/chromium
//   SCREENSHOT_DIR default e2e/screenshots (git-ignored)
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const API_URL = (process.env.API_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const DASHBOARD_URL = (process.env.DASHBOARD_URL || 'http://127.0.0.1:3003').replace(/\/+$/, '');
const SANDBOX_ROOT = (process.env.SANDBOX_URL || 'http://127.0.0.1:3010').replace(/\/+$/, '').replace(/\/3\.0$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || join(here, 'screenshots');
// Where the page's requests are written as they start and end (and Chromium's own net log), for a failed run.
const DIAGNOSTICS = process.env.DIAGNOSTICS_DIR || null;
const note = (line) => { if (DIAGNOSTICS) appendFileSync(join(DIAGNOSTICS, 'page-requests.log'), `${new Date().toISOString()} ${line}\n`); };
const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const run = randomBytes(3).toString('hex');

// ------------------------------------------------------------------ tokens and sandbox

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
function mint(orgId, role, expiresInSeconds) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: `${role}-${orgId}`, org_id: orgId, role, iat: now - 120, exp: now + expiresInSeconds })}`;
  const signature = createHmac('sha256', process.env.LOCAL_JWT_SECRET || 'local-dev-secret').update(body).digest('base64url');
  return `${body}.${signature}`;
}
const ORG = `dash-${run}`;
const ADMIN_TOKEN = process.env.ADMIN_TOKEN || mint(ORG, 'admin', 3600);
const MEMBER_TOKEN = process.env.MEMBER_TOKEN || mint(ORG, 'member', 3600);
const EXPIRED_TOKEN = process.env.EXPIRED_TOKEN || mint(ORG, 'admin', -60);

async function sandbox(method, path, body, apiKey) {
  const headers = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Basic ${Buffer.from(`dashboard-test:${apiKey}`).toString('base64')}`;
  const response = await fetch(`${SANDBOX_ROOT}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The id of the sandbox account's "Employees" audience. */
async function employeesListId() {
  const lists = await sandbox('GET', '/3.0/lists?count=100', null, account.apiKey);
  return lists.lists.find((l) => l.name === 'Employees').id;
}

// ------------------------------------------------------------------ browser

let context;
let page;
let profile;
let account; // {apiKey, accountName}
const connectRequests = [];
const pageProblems = [];
const inFlight = new Map(); // request -> when the page sent it
const apiRequests = [];
// Answers the walk-through provokes on purpose ("procedure status"); Chromium logs each as a console error.
const expectedRefusals = new Set();

/** Lets the next step's deliberate refusal through the no-console-error check. */
function expectRefusal(procedure, status) {
  expectedRefusals.add(`${procedure} ${status}`);
}

async function waitUntil(predicate, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await predicate();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Text of the elements an input points to with aria-describedby: the hint and the error next to it. */
async function describedText(locator) {
  return locator.evaluate((el) => (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter((n) => n && !n.hidden).map((n) => n.textContent).join(' | '));
}

async function errorNextTo(locator, pattern, what) {
  await waitUntil(async () => pattern.test(await describedText(locator)), `${what}: ${pattern}`);
  assert.equal(await locator.getAttribute('aria-invalid'), 'true', `${what}: the field is marked invalid`);
  return describedText(locator);
}

const panel = (name) => page.getByRole('tabpanel', { name });
const tab = (name) => page.getByRole('tab', { name, exact: true });

async function openTab(name) {
  await tab(name).click();
  await panel(name).waitFor();
  await panel(name).locator('.list-status .loading').waitFor({ state: 'detached' }).catch(() => {});
}

async function shot(name, { fullPage = true } = {}) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function noHorizontalScroll(where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `${where}: the page is ${scroll}px wide in a ${width}px window`);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run infrastructure/e2e/ensure-chromium.sh (apt-get install chromium)`);
  mkdirSync(SHOTS, { recursive: true });
  account = process.env.SANDBOX_KEY
    ? { apiKey: process.env.SANDBOX_KEY, accountName: null }
    : await sandbox('POST', '/_sandbox/accounts', {
      apiKey: `${randomBytes(16).toString('hex')}-us1`, accountName: `Dashboard test ${run}`, seed: true,
    });
  if (!account.accountName) account.accountName = (await sandbox('GET', '/3.0/', null, account.apiKey)).account_name;

  profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(DIAGNOSTICS ? [`--log-net-log=${join(DIAGNOSTICS, 'chromium-netlog.json')}`] : [])],
    viewport: LAPTOP,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15000);
  page = context.pages()[0] ?? await context.newPage();
  page.on('request', (request) => {
    if (request.url().includes('/trpc/mailchimp.connection.connect')) connectRequests.push(request.url());
  });
  page.on('request', (request) => {
    if (request.url().startsWith(`${API_URL}/trpc/`)) apiRequests.push(request.method());
  });
  // Every request of the page until it ends, so a step that times out can say which requests never got an answer.
  page.on('request', (request) => {
    inFlight.set(request, Date.now());
    note(`sent ${request.method()} ${request.url()}`);
  });
  page.on('requestfinished', async (request) => {
    inFlight.delete(request);
    note(`answered ${request.method()} ${request.url()} ${(await request.response())?.status()}`);
  });
  page.on('requestfailed', (request) => {
    inFlight.delete(request);
    // Noted, not failed on: a navigation aborts the requests of the page it leaves.
    note(`failed ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every 4xx answer as "Failed to load resource"; only the ones a step provokes are expected.
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    const url = message.location()?.url ?? '';
    const procedure = url.startsWith(`${API_URL}/trpc/`) ? new URL(url).pathname.slice('/trpc/'.length) : null;
    if (status && procedure && expectedRefusals.has(`${procedure} ${status}`)) return;
    pageProblems.push(`console: ${message.text()} (${url})`);
  });
});

afterEach(() => {
  const stuck = [...inFlight].filter(([, sentAt]) => Date.now() - sentAt > 5000)
    .map(([request, sentAt]) => `${request.method()} ${request.url()} (sent ${Date.now() - sentAt} ms ago)`);
  if (stuck.length > 0) note(`without an answer after a test: ${stuck.join('; ')}`);
  const problems = pageProblems.splice(0);
  expectedRefusals.clear();
  assert.deepEqual(problems, [], 'no console error and no script error on this page of the walk-through');
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// ------------------------------------------------------------------ the tests, in order

test('an expired token shows the sign-in message, not a broken page; a valid one signs in', async () => {
  assert.notEqual(new URL(DASHBOARD_URL).origin, new URL(API_URL).origin, 'the page and the API have different origins');
  await page.goto(`${DASHBOARD_URL}/?token=${encodeURIComponent(EXPIRED_TOKEN)}`);
  assert.equal(new URL(page.url()).origin, new URL(DASHBOARD_URL).origin);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  const message = page.locator('#signin-message');
  await waitUntil(async () => /expired|not valid/i.test(await message.textContent()), 'the sign-in message');
  assert.match(await message.textContent(), /Sign in again/);
  assert.equal(await message.getAttribute('role'), 'alert');
  assert.ok(!page.url().includes('token='), 'the token is taken out of the address bar');
  assert.equal(await page.getByRole('tablist').isVisible(), false, 'the app stays hidden');
  await shot('signin-expired');

  // A token the API refuses (bad signature, not expired): the API's 401 leads to the same message.
  const [head, body] = ADMIN_TOKEN.split('.');
  // Its answer is held back while the person types the right token: the late 401 must not wipe what they typed.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const route = `${API_URL}/trpc/mailchimp.connection.get`;
  await page.route(route, async (r) => { await held; await r.continue(); });
  const answer = page.waitForResponse((r) => r.url().includes('/trpc/mailchimp.connection.get'));
  expectRefusal('mailchimp.connection.get', 401);
  const signIn = page.getByRole('button', { name: 'Sign in' });
  await page.getByLabel('Access token').fill(`${head}.${body}.${'A'.repeat(43)}`);
  await signIn.click();
  await page.getByLabel('Access token').fill(ADMIN_TOKEN);
  release();
  assert.equal((await answer).status(), 401, 'the API refused the forged token');
  // The button is disabled until the page has dealt with the answer (the message alone is still the expired one's).
  await waitUntil(() => signIn.isEnabled(), 'the page to deal with the 401');
  await page.unroute(route);
  await page.getByText('Your session has expired or your token is not valid. Sign in again with a new token.').waitFor();
  assert.equal(await page.getByRole('tablist').isVisible(), false, 'the app stays hidden');
  assert.equal(await page.getByLabel('Access token').inputValue(), ADMIN_TOKEN, 'the token typed meanwhile is kept');

  await signIn.click();
  await page.getByRole('heading', { name: 'Connect Mailchimp' }).waitFor();
  assert.match(await page.locator('#who-text').textContent(), new RegExp(`admin`));
  assert.ok(apiRequests.length > 0, 'the page called the API at its other origin');
});

test('a wrong key shows the format error next to the field without any request', async () => {
  const key = page.getByLabel('Mailchimp API key');
  for (const wrong of ['not-a-key', '0123456789ABCDEF0123456789ABCDEF-us1', '0123456789abcdef0123456789abcdef', '']) {
    await key.fill(wrong);
    await page.getByRole('button', { name: 'Connect' }).click();
    const text = await errorNextTo(key, wrong ? /not a Mailchimp API key/ : /Enter your Mailchimp API key/, `key "${wrong}"`);
    assert.match(text, wrong ? /32 characters/ : /Enter/);
  }
  await page.waitForTimeout(300);
  assert.deepEqual(connectRequests, [], 'no request to mailchimp.connection.connect was made');
});

test('a well-formed key the sandbox rejects shows Mailchimp\'s refusal', async () => {
  const key = page.getByLabel('Mailchimp API key');
  await key.fill(`${'f'.repeat(32)}-us1`);
  const answer = page.waitForResponse((r) => r.url().includes('/trpc/mailchimp.connection.connect'));
  expectRefusal('mailchimp.connection.connect', 400);
  await page.getByRole('button', { name: 'Connect' }).click();
  assert.equal((await answer).status(), 400);
  const text = await errorNextTo(key, /Mailchimp rejected this API key/, 'rejected key');
  assert.doesNotMatch(text, /Invalid input/, 'plain words, not the validator\'s prefix');
  assert.equal(connectRequests.length, 1, 'exactly the one request, for the well-formed key');
  await shot('connect-rejected', { fullPage: false });
});

test('connects with the sandbox key: account name, data centre and sync status', async () => {
  const key = page.getByLabel('Mailchimp API key');
  await key.fill(account.apiKey);
  await page.getByRole('button', { name: 'Connect' }).click();
  const facts = page.getByRole('definition');
  await page.getByRole('heading', { name: 'Mailchimp account' }).waitFor();
  await page.getByText('Connected to Mailchimp.').waitFor();
  const connection = page.locator('#connection');
  assert.equal(await connection.getByTestId('account-name').textContent(), account.accountName);
  const text = await connection.textContent();
  assert.match(text, /Data centre\s*us1/);
  assert.match(text, /Sync status\s*Not synced yet/);
  assert.ok(!text.includes(account.apiKey), 'the key is never shown');
  assert.ok((await facts.count()) >= 4);
});

test('an admin chooses the email marketing permission of an audience with GDPR fields', async () => {
  const lists = await sandbox('GET', '/3.0/lists?count=100', null, account.apiKey);
  const employees = lists.lists.find((l) => l.name === 'Employees');
  const gdpr = await sandbox('POST', `/_sandbox/lists/${employees.id}/marketing-permissions`,
    { apiKey: account.apiKey, permissions: ['Email', 'Direct Mail'] });
  const email = gdpr.marketing_permissions.find((p) => p.text === 'Email').marketing_permission_id;

  const picker = page.getByRole('form', { name: 'Email marketing permission' });
  const audience = picker.getByLabel('Audience');
  const permission = picker.getByLabel('Permission that means email');
  await audience.locator('option', { hasText: 'Vendors & Contractors' }).waitFor({ state: 'attached' });
  await audience.selectOption({ label: 'Vendors & Contractors' });
  await picker.getByText('has no marketing permissions (GDPR fields)', { exact: false }).waitFor();
  assert.equal(await permission.isDisabled(), true, 'nothing to choose without GDPR fields');

  await audience.selectOption({ label: 'Employees' });
  await waitUntil(async () => !(await permission.isDisabled()), 'the permissions of Employees');
  assert.equal(await permission.inputValue(), email, 'the only "Email" permission is suggested');
  assert.match(await permission.locator(`option[value="${email}"]`).textContent(), /Email \(suggested\)/);
  await picker.getByText('No permission is chosen for this audience yet.').waitFor();
  await picker.getByRole('button', { name: 'Save email permission' }).click();
  await picker.getByText('Email permission of Employees: "Email".', { exact: false }).waitFor();

  // Stored on the connection: picked again, the audience shows its choice (no longer a suggestion).
  await audience.selectOption({ label: 'Vendors & Contractors' });
  await picker.getByText('has no marketing permissions', { exact: false }).waitFor();
  await audience.selectOption({ label: 'Employees' });
  await waitUntil(async () => !(await permission.isDisabled()), 'the permissions of Employees again');
  assert.equal(await permission.inputValue(), email);
  assert.equal((await permission.locator(`option[value="${email}"]`).textContent()).trim(), 'Email');
  assert.equal(await picker.getByText('No permission is chosen', { exact: false }).count(), 0);
  await shot('email-permission', { fullPage: false });
});

const contacts = [
  ['employee', `emp-a-${run}`, `ada.${run}@example.com`, 'Ada', 'Lovelace', 'Engineering', 'London', 'full_time', 'active'],
  ['employee', `emp-b-${run}`, `bob.${run}@example.com`, 'Bob', 'Babbage', 'Engineering', 'Remote', 'full_time', 'active'],
  ['employee', `emp-c-${run}`, `cy.${run}@example.com`, 'Cy', 'Hopper', 'Engineering', 'London', 'contractor', 'active'],
  ['employee', `emp-d-${run}`, `dee.${run}@example.com`, 'Dee', 'Ritchie', 'Sales', 'Paris', 'full_time', 'active'],
  ['vendor', `ven-e-${run}`, `eve.${run}@vendor.example`, 'Eve', 'Vendor', 'Facilities', 'London', 'vendor', 'active'],
];

test('imports contacts through the page (contacts.import)', async () => {
  await openTab('Contacts');
  const p = panel('Contacts');
  await p.getByText('Import contacts', { exact: true }).click();
  const header = 'entityType,entityId,email,firstName,lastName,department,location,employmentType,employmentStatus';
  const csv = p.getByLabel('Contacts (CSV)');
  await csv.fill('entityId,email\nx,y');
  await p.getByRole('button', { name: 'Import', exact: true }).click();
  await errorNextTo(csv, /lacks entityType/, 'CSV without entityType');
  await csv.fill([header, ...contacts.map((c) => c.join(','))].join('\n'));
  await p.getByRole('button', { name: 'Import', exact: true }).click();
  await p.getByText(`Imported: ${contacts.length} created, 0 updated, 0 rejected.`).waitFor();
  for (const c of contacts) await p.getByText(c[2], { exact: true }).waitFor();
  await shot('contacts');
});

const segmentName = `Engineering ${run}`;

test('creates a segment from the form, syncs it and sees the badge go syncing -> synced', async () => {
  await openTab('Segments');
  const p = panel('Segments');
  await p.getByRole('button', { name: '+ New segment' }).click();
  const form = p.getByRole('form', { name: 'New segment' });
  await form.waitFor();
  // The form's own checks come before any request.
  await form.getByRole('button', { name: 'Create segment' }).click();
  await errorNextTo(form.getByLabel('Name', { exact: true }), /Give the segment a name/, 'empty name');
  await errorNextTo(form.getByLabel('Audience'), /Choose the audience/, 'no audience');

  await form.getByLabel('Name', { exact: true }).fill(segmentName);
  await form.getByLabel('Description').fill('Engineers in London and remote');
  await form.getByLabel('Type', { exact: true }).selectOption('employee');
  const audience = form.getByLabel('Audience');
  const employees = await audience.locator('option', { hasText: /^Employees \(\d+ members\)$/ }).getAttribute('value');
  assert.ok(employees, 'the audiences of the account are offered');
  await audience.selectOption(employees);
  await form.getByLabel('Department').fill('Engineering');
  await form.getByLabel('Location').fill('London, Remote');
  await form.getByLabel('Employment type').fill('full_time');
  await form.getByLabel('Employment status').fill('active');
  assert.equal(await form.getByLabel(/Require opt-in/).isChecked(), false);
  await form.getByRole('button', { name: 'Create segment' }).click();

  const row = p.getByRole('row', { name: segmentName });
  await row.waitFor();
  await p.getByText(`Segment "${segmentName}" created.`, { exact: false }).waitFor();
  await row.getByText('pending', { exact: true }).waitFor();
  const rowText = await row.textContent();
  assert.match(rowText, /Department: Engineering · Location: London, Remote · Employment type: full_time · Employment status: active/);
  assert.match(rowText, /Employees/, 'the audience by name');
  await shot('segments-pending');

  // Record every badge the row shows from the click on.
  await page.evaluate((name) => {
    window.__badges = [];
    const record = () => {
      const tr = [...document.querySelectorAll('tr[aria-label]')].find((r) => r.getAttribute('aria-label') === name);
      const text = tr?.querySelector('.badge')?.textContent;
      if (text && window.__badges.at(-1) !== text) window.__badges.push(text);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, segmentName);
  await row.getByRole('button', { name: `Sync ${segmentName}` }).click();
  // Never synced: the Sync button shows the preview first (segments.preview writes nothing), then "Sync now" syncs.
  const preview = page.getByRole('dialog', { name: `Preview: ${segmentName}` });
  await preview.waitFor();
  const previewCounts = await preview.getByRole('list', { name: 'Preview counts' }).textContent();
  assert.match(previewCounts, /2 to add/, `Ada and Bob: ${previewCounts}`);
  assert.match(previewCounts, /0 to archive/);
  const previewText = await preview.textContent();
  assert.match(previewText, /a\*\*\*@example\.com/, 'Ada\'s address, masked');
  assert.doesNotMatch(previewText, new RegExp(`ada\\.${run}@`), 'never a whole address');
  await shot('segments-preview', { fullPage: false });
  await preview.getByRole('button', { name: 'Sync now' }).click();
  await preview.waitFor({ state: 'detached' });
  await row.getByText('synced', { exact: true }).waitFor({ timeout: 60000 });
  const badges = await page.evaluate(() => window.__badges);
  assert.ok(badges.includes('syncing'), `the badge showed syncing while the run went on: ${badges}`);
  assert.equal(badges.at(-1), 'synced', `badges seen: ${badges}`);

  // Ada (London) and Bob (Remote) are full-time engineers; Cy is a contractor, Dee in Sales.
  const cells = await row.getByRole('cell').allTextContents();
  assert.equal(cells[3], '2', `member count: ${cells}`);
  assert.match(cells[4], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'last sync time');
  assert.match(cells[5], /2 added/);
  assert.match(cells[5], /0 failed/);
  await p.getByText(`Segment "${segmentName}" synced: 2 members.`).waitFor();
  // The connection panel's sync status follows (lastSyncAt).
  await page.locator('#connection').getByText(/Last synced \d{4}-\d\d-\d\d \d\d:\d\d UTC/).waitFor();
  await shot('segments');
  await shot('dashboard', { fullPage: false });
});

test('previews a synced segment on demand: the two members unchanged, nothing to add; Close syncs nothing', async () => {
  const p = panel('Segments');
  const row = p.getByRole('row', { name: segmentName });
  await row.getByRole('button', { name: `Preview ${segmentName}` }).click();
  const preview = page.getByRole('dialog', { name: `Preview: ${segmentName}` });
  await preview.waitFor();
  const counts = await preview.getByRole('list', { name: 'Preview counts' }).textContent();
  assert.match(counts, /0 to add/, `counts: ${counts}`);
  assert.match(counts, /0 to update/);
  assert.match(counts, /2 unchanged/);
  await preview.getByRole('button', { name: 'Close' }).click();
  await preview.waitFor({ state: 'detached' });
  assert.equal(await row.locator('.badge').textContent(), 'synced', 'closing the preview started no sync');
});

test('edits a segment and deletes another after a confirmation', async () => {
  const p = panel('Segments');
  const row = p.getByRole('row', { name: segmentName });
  await row.getByRole('button', { name: `Edit ${segmentName}` }).click();
  const form = p.getByRole('form', { name: `Edit segment "${segmentName}"` });
  assert.equal(await form.getByLabel('Audience').isDisabled(), true, 'the audience is fixed after creation');
  await form.getByLabel('Description').fill('All engineers, any contract');
  await form.getByLabel('Employment type').fill('');
  await form.getByLabel(/Require opt-in/).check();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await p.getByText(`Segment "${segmentName}" saved.`).waitFor();
  const text = await row.textContent();
  assert.match(text, /All engineers, any contract/);
  assert.doesNotMatch(text, /Employment type:/);
  assert.match(text, /opted-in only/);

  const doomed = `Temporary ${run}`;
  await p.getByRole('button', { name: '+ New segment' }).click();
  const create = p.getByRole('form', { name: 'New segment' });
  await create.getByLabel('Name', { exact: true }).fill(doomed);
  await create.getByLabel('Type', { exact: true }).selectOption('vendor');
  const audience = create.getByLabel('Audience');
  await audience.selectOption(await audience.locator('option', { hasText: /^Vendors/ }).getAttribute('value'));
  await create.getByRole('button', { name: 'Create segment' }).click();
  const doomedRow = p.getByRole('row', { name: doomed });
  await doomedRow.waitFor();

  await doomedRow.getByRole('button', { name: `Delete ${doomed}` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete segment "${doomed}"?` });
  await dialog.waitFor();
  await shot('segments-delete-confirm', { fullPage: false });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await doomedRow.count(), 1, 'cancel keeps the segment');
  await doomedRow.getByRole('button', { name: `Delete ${doomed}` }).click();
  await dialog.getByRole('button', { name: 'Delete segment' }).click();
  await p.getByText(`Segment "${doomed}" deleted.`).waitFor();
  await doomedRow.waitFor({ state: 'detached' });
  await p.getByRole('button', { name: 'Refresh' }).click();
  await row.waitFor();
  assert.equal(await doomedRow.count(), 0, 'gone after a reload of the list');
});

test('maps a segment\'s fields with the audience\'s merge fields to choose from; the sync creates them; the default too', async () => {
  const p = panel('Segments');
  const row = p.getByRole('row', { name: segmentName });
  await row.getByRole('button', { name: `Merge fields of ${segmentName}` }).click();
  const form = p.getByRole('form', { name: `Merge fields of "${segmentName}"` });
  await form.waitFor();
  await form.getByText('Uses the default: first and last name (FNAME, LNAME).').waitFor();
  const tags = form.getByLabel('Merge tag');
  assert.equal(await tags.count(), 2, 'what the segment sends today: FNAME and LNAME');
  const offered = await form.locator('datalist option').evaluateAll((options) => options.map((o) => o.value));
  assert.ok(offered.includes('FNAME') && offered.includes('LNAME'), `the audience's merge fields are offered: ${offered}`);
  assert.match(await describedText(tags.nth(0)), /In the audience: First Name \(text\)/);

  // The form's own check, before any request.
  await form.getByRole('button', { name: '+ Add field' }).click();
  await form.getByLabel('Directory field').nth(2).selectOption('department');
  await tags.nth(2).fill('dept-1');
  await form.getByRole('button', { name: 'Save mapping' }).click();
  await errorNextTo(tags.nth(2), /uppercase letters, digits and _/, 'a tag Mailchimp would not take');
  // The API's refusal lands next to the entry it names.
  expectRefusal('mailchimp.segments.setMapping', 400);
  await tags.nth(2).fill('EMAIL');
  await form.getByRole('button', { name: 'Save mapping' }).click();
  await errorNextTo(tags.nth(2), /EMAIL is the member's address/, 'the API names mapping[2].tag');

  await tags.nth(2).fill('DEPT');
  await form.getByRole('button', { name: '+ Add field' }).click();
  await form.getByLabel('Directory field').nth(3).selectOption('startDate');
  await tags.nth(3).fill('START');
  await form.getByRole('button', { name: 'Save mapping' }).click();
  await form.getByText('Mapping saved. The next sync sends these fields.').waitFor();
  await form.getByText('This segment\'s own mapping.').waitFor();
  await shot('segment-mapping');

  await row.getByRole('button', { name: `Sync ${segmentName}` }).click();
  // The row showed "synced" already (the earlier run): the audience's merge fields tell when this run got there.
  const listId = await employeesListId();
  const types = await waitUntil(async () => {
    const fields = await sandbox('GET', `/3.0/lists/${listId}/merge-fields?count=100`, null, account.apiKey);
    const byTag = Object.fromEntries(fields.merge_fields.map((f) => [f.tag, f.type]));
    return byTag.DEPT && byTag.START ? byTag : null; // created one after the other: wait for both
  }, 'the sync to create the mapped merge fields', 60000);
  await row.getByText('synced', { exact: true }).waitFor({ timeout: 60000 });
  assert.equal(types.DEPT, 'text', JSON.stringify(types));
  assert.equal(types.START, 'date', 'a start date is a date field in Mailchimp');

  // Opened again, the new fields are the audience's own.
  await p.getByRole('button', { name: 'Close' }).click();
  await row.getByRole('button', { name: `Merge fields of ${segmentName}` }).click();
  await form.waitFor();
  await waitUntil(async () => (await form.getByLabel('Merge tag').count()) === 4, 'the saved mapping');
  assert.match(await describedText(form.getByLabel('Merge tag').nth(3)), /In the audience: Start Date \(date\)/);
  await p.getByRole('button', { name: 'Close' }).click();

  // The connection's default, with an audience's merge fields suggested.
  const connection = page.locator('#connection');
  await connection.getByText('Default merge fields', { exact: true }).first().click();
  const defaults = connection.getByRole('form', { name: 'Default merge fields' });
  await defaults.waitFor();
  await connection.getByLabel('Suggest the merge fields of').selectOption({ label: 'Employees' });
  await waitUntil(async () => (await defaults.locator('datalist option').evaluateAll((o) => o.map((x) => x.value)))
    .includes('START'), 'the audience\'s merge fields suggested');
  await defaults.getByRole('button', { name: '+ Add field' }).click();
  await defaults.getByLabel('Directory field').nth(2).selectOption('jobTitle');
  await defaults.getByLabel('Merge tag').nth(2).fill('TITLE');
  await defaults.getByRole('button', { name: 'Save mapping' }).click();
  await defaults.getByText('Uses the connection\'s default mapping.').waitFor();
  await shot('default-mapping');
  await defaults.getByRole('button', { name: 'Back to first and last name' }).click();
  await defaults.getByText('Back to the default mapping.').waitFor();
  await defaults.getByText('Uses the default: first and last name (FNAME, LNAME).').waitFor();
  await connection.getByText('Default merge fields', { exact: true }).first().click();
});

test('tracks a sent campaign picked from the recent ones (or typed by id): rates as percentages, refresh', async () => {
  const listed = await sandbox('GET', '/3.0/campaigns?count=100', null, account.apiKey);
  const sent = listed.campaigns.find((c) => c.status === 'sent');
  assert.ok(sent, 'the sandbox account has a sent campaign');
  const pct = (f) => `${Number.isInteger(f * 100) ? f * 100 : (f * 100).toFixed(1)}%`;

  await openTab('Campaigns');
  const p = panel('Campaigns');
  const id = p.getByLabel('Mailchimp campaign id');
  await id.fill('0000000000');
  expectRefusal('mailchimp.campaigns.trackCampaign', 404);
  await p.getByRole('button', { name: 'Track campaign' }).click();
  await errorNextTo(id, /Mailchimp has no campaign|no such|not found/i, 'unknown campaign id');

  // The picker lists the account's newest campaigns; choosing one fills in its id.
  const picker = p.getByLabel('Recent campaigns in Mailchimp');
  await picker.locator(`option[value="${sent.id}"]`).waitFor({ state: 'attached' });
  assert.ok(await picker.isEnabled(), 'the picker is usable once the account is connected');
  await picker.selectOption(sent.id);
  assert.equal(await id.inputValue(), sent.id, 'picking a campaign fills in its id');
  await p.getByRole('button', { name: 'Track campaign' }).click();
  const row = p.getByRole('row', { name: sent.settings.title });
  await row.waitFor();
  // The picker is loaded again: the campaign is now marked and cannot be picked twice.
  const trackedOption = picker.locator(`option[value="${sent.id}"]:disabled`);
  await trackedOption.waitFor({ state: 'attached' });
  assert.match(await trackedOption.textContent(), /— tracked$/, 'a tracked campaign is marked in the picker');
  const cells = await row.getByRole('cell').allTextContents();
  assert.match(cells[0], new RegExp(sent.id));
  assert.equal(cells[1], 'sent');
  assert.match(cells[2], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  assert.equal(cells[4], pct(sent.report_summary.open_rate), `open rate: ${cells}`);
  assert.equal(cells[5], pct(sent.report_summary.click_rate), `click rate: ${cells}`);
  const before = cells[6];
  assert.match(before, /UTC$/, 'last refreshed');

  const refreshed = page.waitForResponse((r) => r.url().includes('/trpc/mailchimp.campaigns.refreshStats'));
  await row.getByRole('button', { name: `Refresh stats of ${sent.settings.title}` }).click();
  assert.equal((await refreshed).status(), 200);
  await p.getByText(`Stats of "${sent.settings.title}" refreshed.`).waitFor();
  const afterCells = await p.getByRole('row', { name: sent.settings.title }).getByRole('cell').allTextContents();
  assert.equal(afterCells[4], pct(sent.report_summary.open_rate));
  assert.match(afterCells[6], /UTC$/);
  await shot('campaigns');
});

test('opts a contact out with a source and shows the consent history', async () => {
  await openTab('Preferences');
  const p = panel('Preferences');
  const ada = contacts[0][1];
  await p.getByLabel('Entity type').selectOption('employee');
  await p.getByLabel('Entity id').fill(ada);
  await p.getByRole('button', { name: 'Look up' }).click();
  await p.getByText(`No consent recorded for employee ${ada}.`, { exact: false }).waitFor();

  await p.getByLabel('Source', { exact: true }).fill('dashboard e2e: opt-in form');
  await p.getByRole('button', { name: 'Opt in' }).click();
  await p.getByText(`${ada} opted in (source: dashboard e2e: opt-in form).`).waitFor();
  await p.getByLabel('Source', { exact: true }).fill('dashboard e2e: phone call');
  await p.getByRole('button', { name: 'Opt out' }).click();
  await p.getByText(`${ada} opted out (source: dashboard e2e: phone call).`, { exact: false }).waitFor();
  assert.equal((await p.getByTestId('consent-status').textContent()).trim(), 'opted out');
  const history = p.getByRole('table', { name: 'Consent history' });
  const rows = await history.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 2, `history: ${rows}`);
  assert.match(rows[0], /opted in.*dashboard e2e: opt-in form/);
  assert.match(rows[1], /opted out.*dashboard e2e: phone call/);
  await shot('preferences');
});

test('erases a contact only after the id is typed; the page shows what was erased', async () => {
  const p = panel('Preferences');
  const bob = contacts[1][1];
  await p.getByLabel('Entity id').fill(bob);
  await p.getByRole('button', { name: 'Look up' }).click();
  await p.getByRole('heading', { name: `Employee ${bob}` }).waitFor();
  await p.getByRole('button', { name: 'Erase contact…' }).click();
  const dialog = page.getByRole('dialog', { name: `Erase employee ${bob} permanently?` });
  await dialog.waitFor();
  const confirm = dialog.getByRole('button', { name: 'Erase permanently' });
  assert.equal(await confirm.isDisabled(), true, 'disabled until the id is typed');
  await dialog.getByLabel(`Type ${bob} to confirm`).fill('emp-b');
  assert.equal(await confirm.isDisabled(), true, 'a wrong id keeps it disabled');
  await dialog.getByLabel(`Type ${bob} to confirm`).fill(bob);
  await shot('preferences-erase-confirm', { fullPage: false });
  await confirm.click();
  // Bob was synced into the Employees audience by the segment above.
  await p.getByText(`Erased ${bob}: removed from 1 Mailchimp audience; consent records deleted.`).waitFor({ timeout: 30000 });
  await p.getByText(`No consent recorded for employee ${bob}.`, { exact: false }).waitFor();

  await openTab('Contacts');
  const c = panel('Contacts');
  await c.getByText(contacts[0][2], { exact: true }).waitFor();
  assert.equal(await c.getByText(contacts[1][2], { exact: true }).count(), 0, 'the erased contact left the directory');
});

test('a member sees "Your role cannot do this" next to the action; an expired session asks to sign in', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Access token').fill(MEMBER_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mailchimp account' }).waitFor();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  expectRefusal('mailchimp.connection.disconnect', 403);
  await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
  await page.locator('#connection').getByText('Your role cannot do this.', { exact: false }).waitFor();
  assert.equal(await page.locator('#connection [role=alert]').count(), 1);

  // The session expires while the page is open: the next call lands on the sign-in view.
  await page.evaluate((token) => sessionStorage.setItem('mailchimp-dashboard-token', token), EXPIRED_TOKEN);
  await tab('Audit').click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByText(/Your session has expired or your token is not valid/).waitFor();
  await noHorizontalScroll('sign-in');
  await page.getByLabel('Access token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mailchimp account' }).waitFor();
});

test('the audit tab lists the latest entries, newest first, with paging', async () => {
  // A vendor's consent changes a few times through the page, so the log holds more than one page (20).
  await openTab('Preferences');
  const prefs = panel('Preferences');
  const vendor = contacts[4][1];
  await prefs.getByLabel('Entity type').selectOption('vendor');
  await prefs.getByLabel('Entity id').fill(vendor);
  await prefs.getByRole('button', { name: 'Look up' }).click();
  await prefs.getByRole('heading', { name: `Vendor ${vendor}` }).waitFor();
  for (let i = 0; i < 8; i++) {
    const optedIn = i % 2 === 0;
    await prefs.getByLabel('Source', { exact: true }).fill(`vendor portal ${i}`);
    await prefs.getByRole('button', { name: optedIn ? 'Opt in' : 'Opt out' }).click();
    await prefs.getByText(`${vendor} opted ${optedIn ? 'in' : 'out'} (source: vendor portal ${i}).`, { exact: false }).waitFor();
  }
  assert.equal(await prefs.getByRole('table', { name: 'Consent history' }).locator('tbody tr').count(), 8);

  await openTab('Audit');
  const p = panel('Audit');
  const table = p.getByRole('table', { name: 'Audit entries' });
  await table.locator('tbody tr').first().waitFor();
  const first = await table.locator('tbody tr').allTextContents();
  assert.equal(first.length, 20, 'a page of 20');
  assert.match(first[0], new RegExp(`preference\\.opted_out.*${vendor}`), 'the newest first');
  const times = await table.locator('tbody tr time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
  assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  await shot('audit');

  const older = p.getByRole('button', { name: 'Older →' });
  const newer = p.getByRole('button', { name: '← Newer' });
  assert.equal(await newer.isDisabled(), true);
  await older.click();
  await p.getByText('Page 2').waitFor();
  const second = await table.locator('tbody tr').allTextContents();
  const all = [...first, ...second].join('\n');
  assert.ok(second.length > 0, 'page 2 holds the older entries');
  for (const action of ['connection.connected', 'contacts.imported', 'segment.created', 'segment.updated', 'segment.deleted',
    'campaign.tracked', 'preference.opted_out', 'preference.erased']) {
    assert.ok(all.includes(action), `${action} is in the log:\n${all}`);
  }
  assert.ok(!all.includes(contacts[1][2]), 'no erased address in the audit log');
  assert.equal(await older.isDisabled(), true, 'the oldest page');
  await newer.click();
  await p.getByText('Page 1').waitFor();
  assert.deepEqual(await table.locator('tbody tr').allTextContents(), first);
});

/** A tRPC mutation straight to the API (set-up a step needs, not what the page shows). */
async function apiMutation(procedure, token, input) {
  const response = await fetch(`${API_URL}/trpc/${procedure}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input),
  });
  const body = await response.json();
  assert.equal(response.status, 200, `${procedure}: ${JSON.stringify(body)}`);
  return body.result.data;
}

async function apiQuery(procedure, token, input) {
  const response = await fetch(`${API_URL}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.json();
  assert.equal(response.status, 200, `${procedure}: ${JSON.stringify(body)}`);
  return body.result.data;
}

/** Opens the segment's run history, downloads the newest run's failures and skips; answers the CSV text. */
async function downloadNewestRunCsv(who) {
  await openTab('Segments');
  const p = panel('Segments');
  await p.getByRole('row', { name: segmentName }).getByRole('button', { name: `History of ${segmentName}` }).click();
  const history = p.getByRole('region', { name: `Run history of "${segmentName}"` });
  const runs = history.getByRole('table', { name: 'Runs' });
  // The newest run asked for by a sync (changes within minutes may have made newer runs of trigger change).
  const newestManual = runs.locator('tbody tr').filter({ has: page.getByRole('cell', { name: 'manual', exact: true }) }).first();
  await newestManual.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'),
    newestManual.getByRole('button', { name: /^Download failures \(CSV\)/ }).click()]);
  assert.match(download.suggestedFilename(), /-failures\.csv$/, `${who}: a CSV file`);
  const text = readFileSync(await download.path(), 'utf8');
  await shot(`segments-run-history-${who}`);
  return { text, history, runs };
}

test('a segment\'s run history: trigger, times, outcome and counts; its failures and skips as CSV, masked for a member', async () => {
  // Zed, a full-time engineer in London, opted out before the segment's next run: the run skips him.
  const zedId = `emp-z-${run}`;
  const zed = `zed.${run}@example.com`;
  const importedAt = new Date().toISOString();
  await apiMutation('mailchimp.contacts.import', ADMIN_TOKEN, { contacts: [{ entityType: 'employee', entityId: zedId,
    email: zed, firstName: 'Zed', lastName: 'Optout', department: 'Engineering', location: 'London',
    employmentType: 'full_time', employmentStatus: 'active' }] });
  await apiMutation('mailchimp.preferences.updateOptStatus', ADMIN_TOKEN, { entityType: 'employee', entityId: zedId,
    optedIn: false, source: 'dashboard e2e: run history' });
  // Zed's import reaches Mailchimp by itself within seconds (changes within minutes): a run of trigger change, which
  // skips him too. Waited for, so that the sync asked for below is the newest run.
  const segmentId = (await apiQuery('mailchimp.segments.list', ADMIN_TOKEN, { limit: 50 })).items
    .find((segment) => segment.name === segmentName).id;
  const until = Date.now() + 60000;
  while (!(await apiQuery('mailchimp.segments.runs', ADMIN_TOKEN, { id: segmentId })).items
    .some((item) => item.trigger === 'change' && item.startedAt >= importedAt)) {
    assert.ok(Date.now() < until, 'the import\'s change run is in the history');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await openTab('Segments');
  const p = panel('Segments');
  const row = p.getByRole('row', { name: segmentName });
  const runBefore = (await apiQuery('mailchimp.segments.get', ADMIN_TOKEN, { id: segmentId })).lastRun?.runId;
  await row.getByRole('button', { name: `Sync ${segmentName}` }).click();
  // The run ended when the segment's last run is another one and it is synced again; the row then shows it.
  const waitedUntil = Date.now() + 60000;
  for (;;) {
    const segment = await apiQuery('mailchimp.segments.get', ADMIN_TOKEN, { id: segmentId });
    if (segment.status === 'synced' && segment.lastRun?.runId && segment.lastRun.runId !== runBefore) break;
    assert.ok(Date.now() < waitedUntil, `the sync asked for ended: ${JSON.stringify(segment)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await row.getByText(/skipped: no consent/).waitFor({ timeout: 60000 });
  await row.getByText('synced', { exact: true }).waitFor();

  const admin = await downloadNewestRunCsv('admin');
  // Newest first: the sync asked for, the import's change run before it, ..., the segment's first sync.
  const allRows = await admin.runs.locator('tbody tr').all();
  const triggers = [];
  for (const candidate of allRows) triggers.push(await candidate.getByRole('cell').first().textContent());
  const asked = triggers.indexOf('manual');
  assert.ok(asked >= 0 && triggers.slice(0, asked).every((trigger) => trigger === 'change'), `${triggers}`);
  assert.equal(triggers[asked + 1], 'change', `the import's change run before the sync asked for: ${triggers}`);
  // The oldest run is the segment's first sync (later steps synced it too, and their changes made runs of their own).
  assert.equal(triggers[triggers.length - 1], 'manual', `the first sync is the oldest run: ${triggers}`);
  const rows = [allRows[asked], allRows[allRows.length - 1]];
  const newest = await rows[0].getByRole('cell').allTextContents();
  assert.equal(newest[0], 'manual', `trigger: ${newest}`);
  assert.match(newest[1], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'started');
  assert.match(newest[2], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'finished');
  assert.equal(newest[3], 'synced');
  assert.match(newest[4], /skipped: no consent/);
  assert.match(newest[4], /0 failed/);
  assert.match(await rows[1].getByRole('cell').nth(4).textContent(), /2 added/, 'the first run, below');
  const adminLines = admin.text.trim().split(/\r\n/);
  assert.equal(adminLines[0], 'entityType,entityId,email,kind,reason,message');
  const zedLine = adminLines.find((line) => line.startsWith(`employee,${zedId},`));
  assert.ok(zedLine, `Zed's skip is listed: ${admin.text}`);
  assert.ok(zedLine.startsWith(`employee,${zedId},${zed},skipped,no_consent,"A record with this address opted out`),
    `in full for an admin: ${zedLine}`);
  assert.ok(!admin.text.includes('***'), 'nothing masked for an admin');
  await admin.history.getByRole('button', { name: 'Close' }).click();

  // A member downloads the same run: the addresses masked.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Access token').fill(MEMBER_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mailchimp account' }).waitFor();
  const member = await downloadNewestRunCsv('member');
  const memberLine = member.text.split(/\r\n/).find((line) => line.startsWith(`employee,${zedId},`));
  assert.ok(memberLine?.startsWith(`employee,${zedId},z***@example.com,skipped,no_consent,`), `masked: ${memberLine}`);
  assert.ok(!member.text.includes(`.${run}@`), 'no full address for a member');
  await member.history.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Access token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Mailchimp account' }).waitFor();
});

test('every tab fits a laptop (1280) and a phone (390) without sideways scrolling', async () => {
  for (const name of ['Segments', 'Campaigns', 'Preferences', 'Contacts', 'Audit']) {
    await openTab(name);
    await noHorizontalScroll(`${name} at 1280`);
  }
  await page.setViewportSize(PHONE);
  for (const name of ['Segments', 'Campaigns', 'Preferences', 'Contacts', 'Audit']) {
    await openTab(name);
    await noHorizontalScroll(`${name} at 390`);
    await shot(`phone-${name.toLowerCase()}`);
  }
  // At phone width the segment row is a card that still shows its labelled facts and actions.
  await openTab('Segments');
  const row = panel('Segments').getByRole('row', { name: segmentName });
  assert.equal(await row.getByRole('button', { name: `Sync ${segmentName}` }).isVisible(), true);
  const box = await row.boundingBox();
  assert.ok(box.width <= PHONE.width, `the card fits: ${box.width}px`);
  await page.setViewportSize(LAPTOP);
});

test('disconnects only after a confirmation', async () => {
  await openTab('Segments');
  await page.getByRole('button', { name: 'Disconnect' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect Mailchimp?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByTestId('account-name').waitFor();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByText('Disconnected from Mailchimp.').waitFor();
  await page.getByLabel('Mailchimp API key').waitFor();
  // Segments are kept (soft disconnect).
  await panel('Segments').getByRole('row', { name: segmentName }).waitFor();
  assert.deepEqual(pageProblems, [], 'no script errors in the page');
});
