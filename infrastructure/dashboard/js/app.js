// Entry point: sign-in (token pasted or ?token=..., kept in sessionStorage), the connection panel and
// the tabs of the Integrations -> Mailchimp page.
import { session, setUnauthorizedHandler, query, plainMessage, ApiError } from './api.js';
import { connectionPanel } from './connection.js';
import { segmentsView } from './segments.js';
import { campaignsView } from './campaigns.js';
import { preferencesView } from './preferences.js';
import { contactsView } from './contacts.js';
import { auditView } from './audit.js';

const $ = (id) => document.getElementById(id);
const TABS = ['segments', 'campaigns', 'preferences', 'contacts', 'audit'];
const views = {};
let connection = null;

function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    session.set(token.trim());
    url.searchParams.delete('token');
    // Keep the token out of the address bar, the history and any Referer.
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

function showSignIn(message, refusedToken = null) {
  for (const view of Object.values(views)) view.stop?.();
  const input = $('signin-token');
  const wasShown = !$('signin').hidden;
  $('app').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  const note = $('signin-message');
  note.textContent = message ?? 'Sign in with your access token to manage the Mailchimp integration.';
  note.className = message ? 'error' : 'notice';
  if (message) note.setAttribute('role', 'alert'); else note.removeAttribute('role');
  // Clear the token that was refused, never one typed since: a late answer must not wipe what the person is typing.
  if (!wasShown || tokenOf(input.value) === refusedToken) input.value = '';
  input.focus();
}

function tokenOf(text) {
  return text.trim().replace(/^Bearer\s+/i, '');
}

setUnauthorizedHandler(() => {
  const refused = session.token();
  session.clear();
  showSignIn('Your session has expired or your token is not valid. Sign in again with a new token.', refused);
});

function describeUser() {
  const claims = session.claims();
  const parts = [];
  if (claims.org_id) parts.push(`Org ${claims.org_id}`);
  if (claims.role) parts.push(claims.role);
  return parts.join(' · ') || 'Signed in';
}

async function showApp() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('who-text').textContent = describeUser();
  selectTab(tabFromHash(), false);
  await connectionPanel.refresh();
}

function tabFromHash() {
  const name = window.location.hash.replace('#', '');
  return TABS.includes(name) ? name : 'segments';
}

function selectTab(name, focus) {
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    const panel = $(`panel-${tab}`);
    const selected = tab === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    panel.hidden = !selected;
  }
  if (focus) $(`tab-${name}`).focus();
  if (window.location.hash !== `#${name}`) window.history.replaceState(null, '', `#${name}`);
  const view = views[name];
  if (!view.mounted) {
    view.mount($(`panel-${name}`), {
      connection: () => connection, selectTab, lookUpPreference, refreshConnection: () => connectionPanel.reloadQuietly(),
    });
    view.mounted = true;
  }
  view.refresh();
}

function lookUpPreference(entityType, entityId) {
  selectTab('preferences', true);
  views.preferences.lookUp(entityType, entityId);
}

function wireTabs() {
  const list = document.querySelector('[role=tablist]');
  list.addEventListener('click', (event) => {
    const tab = event.target.closest('[role=tab]');
    if (tab) selectTab(tab.dataset.tab, false);
  });
  list.addEventListener('keydown', (event) => {
    const current = TABS.indexOf(document.activeElement?.dataset?.tab);
    if (current < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -current, End: TABS.length - 1 - current };
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(TABS[(current + moves[event.key] + TABS.length) % TABS.length], true);
  });
  window.addEventListener('hashchange', () => {
    if (!$('app').hidden) selectTab(tabFromHash(), false);
  });
}

function wireSignIn() {
  $('signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('signin-error');
    const input = $('signin-token');
    const token = tokenOf(input.value);
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    if (!token) {
      error.textContent = 'Paste your access token first.';
      error.hidden = false;
      error.setAttribute('role', 'alert');
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    session.set(token);
    const button = $('signin-submit');
    button.disabled = true;
    try {
      await query('mailchimp.connection.get'); // checks the token; a 401 comes back to the sign-in view
      await showApp();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'UNAUTHORIZED')) {
        error.textContent = plainMessage(e);
        error.hidden = false;
        error.setAttribute('role', 'alert');
      }
    } finally {
      button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', () => {
    session.clear();
    showSignIn();
  });
}

function start() {
  views.segments = segmentsView;
  views.campaigns = campaignsView;
  views.preferences = preferencesView;
  views.contacts = contactsView;
  views.audit = auditView;
  connectionPanel.mount($('connection'), {
    changed(next) {
      connection = next;
      for (const view of Object.values(views)) if (view.mounted) view.connectionChanged?.(next);
    },
  });
  wireTabs();
  wireSignIn();
  takeTokenFromUrl();
  if (session.token()) showApp();
  else showSignIn();
}

start();
