// Campaigns tab: track a Mailchimp campaign, picked from the account's recent ones or by its id; title,
// status, send time, open and click rates as percentages, last refreshed; refresh one campaign's stats.
import { query, mutate, plainMessage } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl, badge, percent, when } from './ui.js';

let panel;
let app;
let recentField;
let recentLoads = 0;
let tableBody;
let listError;
let notice;
let moreButton;
let campaigns = [];
let nextCursor = null;
let loads = 0;

function row(campaign) {
  const rowError = errorSlot();
  const label = campaign.title || campaign.mailchimpCampaignId;
  const refresh = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Refresh stats of ${label}` }, '⟳ Refresh');
  refresh.addEventListener('click', async () => {
    rowError.clear();
    try {
      const fresh = await busy(refresh, () => mutate('mailchimp.campaigns.refreshStats', { id: campaign.id }), 'Refreshing…');
      update(fresh);
      notice.show(`Stats of "${fresh.title || fresh.mailchimpCampaignId}" refreshed.`);
    } catch (error) {
      rowError.show(error);
    }
  });
  const tr = h('tr', { dataset: { id: campaign.id }, 'aria-label': label },
    h('td', { 'data-label': 'Campaign' }, h('strong', { class: 'name' }, label),
      campaign.subjectLine ? h('p', { class: 'muted small' }, campaign.subjectLine) : null,
      h('p', { class: 'muted small mono' }, campaign.mailchimpCampaignId)),
    h('td', { 'data-label': 'Status' }, badge(campaign.status)),
    h('td', { 'data-label': 'Sent' }, timeEl(campaign.sendTime, 'Not sent')),
    h('td', { 'data-label': 'Emails', class: 'num' }, campaign.emailsSent ?? '—'),
    h('td', { 'data-label': 'Open rate', class: 'num' }, percent(campaign.openRate)),
    h('td', { 'data-label': 'Click rate', class: 'num' }, percent(campaign.clickRate)),
    h('td', { 'data-label': 'Last refreshed' }, timeEl(campaign.lastRefreshedAt, 'Never')),
    h('td', { 'data-label': 'Actions', class: 'row-actions' }, refresh, rowError));
  return tr;
}

function update(campaign) {
  const index = campaigns.findIndex((c) => c.id === campaign.id);
  if (index >= 0) campaigns[index] = campaign; else campaigns.unshift(campaign);
  const next = row(campaign);
  const existing = [...tableBody.children].find((tr) => tr.dataset.id === campaign.id);
  if (existing) existing.replaceWith(next); else tableBody.prepend(next);
  panel.querySelector('.empty').hidden = campaigns.length > 0;
}

async function loadPage(append) {
  const seq = ++loads;
  listError.clear();
  const loading = spinner('Loading campaigns');
  panel.querySelector('.list-status').replaceChildren(loading);
  try {
    const page = await query('mailchimp.campaigns.list', append && nextCursor ? { limit: 50, cursor: nextCursor } : { limit: 50 });
    if (seq !== loads) return;
    if (!append) {
      campaigns = [];
      tableBody.replaceChildren();
    }
    for (const campaign of page.items) {
      campaigns.push(campaign);
      tableBody.append(row(campaign));
    }
    nextCursor = page.nextCursor;
    moreButton.hidden = !nextCursor;
    panel.querySelector('.empty').hidden = campaigns.length > 0;
  } catch (error) {
    if (seq === loads) listError.show(error);
  } finally {
    loading.remove();
  }
}

const NO_CHOICE = 'Choose a campaign…';

/** The picker's options: the account's newest campaigns (api.md, campaigns.recent); tracked ones disabled. */
async function loadRecent() {
  const seq = ++recentLoads;
  const select = recentField.control;
  const hint = recentField.querySelector('.hint');
  if (!app?.connection()) {
    // Without a connection the API answers 412 (and the browser logs it): ask once one exists.
    select.replaceChildren(h('option', { value: '' }, NO_CHOICE));
    select.disabled = true;
    hint.textContent = 'Connect a Mailchimp account to pick from its campaigns.';
    return;
  }
  try {
    const recent = await query('mailchimp.campaigns.recent', { limit: 20 });
    if (seq !== recentLoads) return;
    select.replaceChildren(h('option', { value: '' }, NO_CHOICE), ...recent.map((c) => h('option',
      { value: c.mailchimpCampaignId, disabled: c.tracked },
      `${c.title || c.mailchimpCampaignId} (${c.status}${c.sendTime ? `, sent ${when(c.sendTime)}` : ''})${c.tracked ? ' — tracked' : ''}`)));
    select.disabled = recent.length === 0;
    hint.textContent = recent.length === 0 ? 'The connected account has no campaigns yet.'
      : 'The newest campaigns of the connected account; or type a campaign\'s id.';
  } catch (error) {
    if (seq !== recentLoads) return;
    select.disabled = true;
    hint.textContent = `Recent campaigns could not be loaded: ${plainMessage(error)}`;
  }
}

function trackForm() {
  const recent = h('select', { disabled: true }, h('option', { value: '' }, NO_CHOICE));
  recentField = field('Recent campaigns in Mailchimp', recent, { hint: 'Loading…' });
  const id = field('Mailchimp campaign id', h('input', { type: 'text', autocomplete: 'off', spellcheck: false, class: 'mono' }),
    { hint: 'In Mailchimp, the campaign\'s id (e.g. from its report URL or the API), like 42694e9e57.' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Track campaign');
  recent.addEventListener('change', () => {
    id.control.value = recent.value;
    setFieldError(id, null);
  });
  const form = h('form', { novalidate: true, class: 'inline-form', 'aria-label': 'Track a campaign' }, recentField, id,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    notice.clear();
    const mailchimpCampaignId = id.control.value.trim();
    if (!mailchimpCampaignId) {
      setFieldError(id, 'Enter the id of a campaign in your Mailchimp account.');
      return;
    }
    setFieldError(id, null);
    try {
      const campaign = await busy(submit, () => mutate('mailchimp.campaigns.trackCampaign', { mailchimpCampaignId }), 'Tracking…');
      update(campaign);
      id.control.value = '';
      loadRecent();
      notice.show(`Tracking "${campaign.title || campaign.mailchimpCampaignId}".`);
    } catch (error) {
      setFieldError(id, error.code === 'NOT_FOUND'
        ? 'Mailchimp has no campaign with this id in the connected account.'
        : (error.code === 'BAD_REQUEST' ? error.message.replace(/^Invalid input:\s*(mailchimpCampaignId:\s*)?/, '') : plainMessage(error)));
    }
  });
  return form;
}


export const campaignsView = {
  mount(element, appHooks) {
    panel = element;
    app = appHooks;
    tableBody = h('tbody');
    listError = errorSlot();
    notice = statusSlot();
    moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more campaigns');
    moreButton.addEventListener('click', () => busy(moreButton, () => loadPage(true)));
    const reload = h('button', { type: 'button', class: 'secondary' }, 'Refresh list');
    reload.addEventListener('click', () => busy(reload, () => campaignsView.refresh()));
    panel.replaceChildren(
      h('div', { class: 'toolbar' }, h('h2', {}, 'Campaigns'), h('div', { class: 'actions' }, reload)),
      h('section', { class: 'card' }, h('h3', {}, 'Track a campaign'), trackForm()),
      notice, listError, h('div', { class: 'list-status' }),
      h('p', { class: 'empty muted', hidden: true }, 'No campaigns tracked yet. Track one by its Mailchimp id; its stats refresh every 6 hours.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', 'aria-label': 'Campaigns' },
        h('thead', {}, h('tr', {}, ['Campaign', 'Status', 'Sent', 'Emails', 'Open rate', 'Click rate', 'Last refreshed', 'Actions']
          .map((c) => h('th', { scope: 'col' }, c)))),
        tableBody)),
      moreButton);
  },
  refresh() {
    loadRecent();
    return loadPage(false);
  },
  connectionChanged() {
    loadRecent();
  },
};
