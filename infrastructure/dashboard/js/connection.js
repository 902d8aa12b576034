// The Connect panel: API key (format checked in the browser before any request), the connected
// account (name, data centre, key hint, sync status) and Disconnect with a confirmation.
import { query, mutate, plainMessage } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl, confirmDialog } from './ui.js';
import { mappingEditor, audienceMergeFields } from './mapping.js';

export const API_KEY_FORMAT = /^[0-9a-f]{32}-us[0-9]{1,3}$/;

let root;
let hooks;
let current = null;

function title(text) {
  return h('h2', { id: 'connection-title' }, text);
}

function renderLoading() {
  root.replaceChildren(title('Mailchimp account'), spinner('Loading the connection'));
}

function renderError(error) {
  const slot = errorSlot();
  slot.show(error);
  root.replaceChildren(title('Mailchimp account'), slot,
    h('button', { type: 'button', class: 'secondary', onclick: () => connectionPanel.refresh() }, 'Try again'));
}

function renderConnectForm(message) {
  const key = field('Mailchimp API key', h('input', {
    type: 'text', autocomplete: 'off', spellcheck: false, placeholder: '0123456789abcdef0123456789abcdef-us1',
    inputmode: 'text', class: 'mono',
  }), { hint: 'In Mailchimp: Profile → Extras → API keys. It looks like 32 hex characters, a dash and your data centre (e.g. -us1).' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Connect');
  const note = statusSlot();
  if (message) note.show(message);
  const form = h('form', { novalidate: true, class: 'connect-form' }, key, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.clear();
    const apiKey = key.control.value.trim();
    if (!API_KEY_FORMAT.test(apiKey)) {
      setFieldError(key, apiKey
        ? 'That is not a Mailchimp API key: it should be 32 characters 0-9/a-f, a dash, then the data centre (like -us1).'
        : 'Enter your Mailchimp API key.');
      key.control.focus();
      return;
    }
    setFieldError(key, null);
    try {
      const connection = await busy(submit, () => mutate('mailchimp.connection.connect', { apiKey }), 'Connecting…');
      set(connection);
      renderConnected('Connected to Mailchimp.');
    } catch (error) {
      setFieldError(key, messageFor(error));
      key.control.focus();
    }
  });
  root.replaceChildren(title('Connect Mailchimp'),
    h('p', {}, 'Connect your organisation\'s Mailchimp account to sync segments, track campaigns and respect each contact\'s email preferences.'),
    form, note);
}

/** The API's refusal in plain words for the key field ("Mailchimp rejected this API key (...)"). */
function messageFor(error) {
  if (error?.code === 'BAD_REQUEST') return error.message.replace(/^Invalid input:\s*(apiKey:\s*)?/, '');
  return plainMessage(error);
}

function renderConnected(message) {
  const c = current;
  const note = statusSlot();
  if (message) note.show(message);
  const rowError = errorSlot();
  const disconnect = h('button', { type: 'button', class: 'danger' }, 'Disconnect');
  disconnect.addEventListener('click', async () => {
    rowError.clear();
    const ok = await confirmDialog({
      title: 'Disconnect Mailchimp?',
      message: `The dashboard stops syncing with ${c.accountName}. Segments, campaigns and consent records are kept, and nothing is removed from Mailchimp. You can connect again later.`,
      confirmLabel: 'Disconnect',
    });
    if (!ok) return;
    try {
      await busy(disconnect, () => mutate('mailchimp.connection.disconnect'), 'Disconnecting…');
      set(null);
      renderConnectForm('Disconnected from Mailchimp.');
    } catch (error) {
      rowError.show(error);
    }
  });
  const sync = c.lastSyncAt ? h('span', {}, 'Last synced ', timeEl(c.lastSyncAt)) : 'Not synced yet';
  root.replaceChildren(
    h('div', { class: 'connection-head' },
      title('Mailchimp account'),
      h('span', { class: 'badge badge-synced' }, 'Connected')),
    h('dl', { class: 'facts', 'aria-label': 'Connected account' },
      h('div', {}, h('dt', {}, 'Account'), h('dd', { 'data-testid': 'account-name' }, c.accountName)),
      h('div', {}, h('dt', {}, 'Data centre'), h('dd', {}, c.dataCenter)),
      h('div', {}, h('dt', {}, 'API key'), h('dd', { class: 'mono' }, c.apiKeyHint ?? '—')),
      h('div', {}, h('dt', {}, 'Connected'), h('dd', {}, timeEl(c.connectedAt))),
      h('div', {}, h('dt', {}, 'Sync status'), h('dd', {}, sync))),
    h('div', { class: 'actions' }, disconnect),
    rowError, note, defaultMapping());
}

/**
 * The connection's default merge field mapping (segments without their own use it; setting it is an admin's), with
 * the merge fields of an audience of the account to choose from.
 */
function defaultMapping() {
  const editor = mappingEditor({
    heading: 'Default merge fields',
    load: () => query('mailchimp.connection.getMapping'),
    save: (mapping) => mutate('mailchimp.connection.setMapping', mapping ? { mapping } : {}),
    mergeFields: async () => [],
    resetLabel: 'Back to first and last name',
  });
  const audience = h('select', { 'aria-label': 'Suggest the merge fields of' }, h('option', { value: '' }, 'Choose an audience…'));
  audience.addEventListener('change', async () => editor.setMergeFields(await audienceMergeFields(audience.value)));
  const details = h('details', { class: 'default-mapping' },
    h('summary', {}, 'Default merge fields'),
    field('Suggest the merge fields of', audience, { hint: 'An audience of this account; its existing merge tags are offered.' }),
    editor);
  details.addEventListener('toggle', async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = 'true';
    editor.refresh();
    try {
      const audiences = await query('mailchimp.connection.listAudiences');
      audience.append(...audiences.map((a) => h('option', { value: a.id }, a.name)));
    } catch {
      // the editor works without suggestions
    }
  });
  return details;
}

function set(connection) {
  current = connection;
  hooks.changed(connection);
}


export const connectionPanel = {
  mount(element, callbacks) {
    root = element;
    hooks = callbacks;
  },
  async refresh() {
    renderLoading();
    try {
      set(await query('mailchimp.connection.get'));
      if (current) renderConnected();
      else renderConnectForm();
    } catch (error) {
      renderError(error);
    }
  },
  /** Re-reads the connection without a spinner (e.g. lastSyncAt after a sync); errors are left to the next refresh. */
  async reloadQuietly() {
    try {
      const next = await query('mailchimp.connection.get');
      if (Boolean(next) !== Boolean(current)) {
        set(next);
        if (next) renderConnected(); else renderConnectForm();
      } else if (next) {
        current = next;
        renderConnected();
      }
    } catch {
      // shown by the next full refresh
    }
  },
  current: () => current,
};
