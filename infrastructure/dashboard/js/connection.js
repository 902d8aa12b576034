// The Connect panel: API key (format checked in the browser before any request), the connected
// account (name, data centre, key hint, sync status) and Disconnect with a confirmation. Admins also choose, per
// audience, which marketing permission (GDPR field) means email; the connection's default merge field mapping.
import { query, mutate, plainMessage, session } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl, confirmDialog, showFormError } from './ui.js';
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
    rowError, note, defaultMapping(),
    session.claims().role === 'admin' ? emailPermissionPicker() : null);
}

// ------------------------------------------------------------------ email marketing permission (admins)

/** Built once per connection and kept across re-renders, so a quiet reload does not lose what is being chosen. */
let picker = null;

const UNAVAILABLE = {
  no_gdpr_fields: 'This audience has no marketing permissions (GDPR fields) in Mailchimp: nothing to choose, none is sent.',
  no_members: 'Mailchimp shows an audience\'s marketing permissions only on its members: sync some people into it, then choose.',
};

function emailPermissionPicker() {
  if (picker) return picker;
  const audience = field('Audience', h('select', {}, h('option', { value: '' }, 'Choose an audience…')));
  const permission = field('Permission that means email', h('select', { disabled: true }),
    { hint: 'The sync enables it for people who may be emailed and disables it when they opt out.' });
  const save = h('button', { type: 'submit', class: 'secondary', disabled: true }, 'Save email permission');
  const formError = errorSlot();
  const note = statusSlot();
  const form = h('form', { novalidate: true, class: 'email-permission-form', 'aria-label': 'Email marketing permission' },
    audience, permission, h('div', { class: 'actions' }, save), formError, note);

  const loadAudiences = async () => {
    try {
      const audiences = await query('mailchimp.connection.listAudiences');
      audience.control.replaceChildren(h('option', { value: '' }, 'Choose an audience…'),
        ...audiences.map((a) => h('option', { value: a.id }, a.name)));
    } catch (error) {
      formError.show(error);
    }
  };

  audience.control.addEventListener('change', async () => {
    note.clear();
    formError.clear();
    setFieldError(permission, null);
    permission.control.replaceChildren();
    permission.control.disabled = true;
    save.disabled = true;
    const listId = audience.control.value;
    if (!listId) return;
    try {
      const offered = await query('mailchimp.connection.marketingPermissions', { mailchimpListId: listId });
      if (audience.control.value !== listId) return; // another audience was picked meanwhile
      if (offered.unavailableReason) {
        note.show(UNAVAILABLE[offered.unavailableReason] ?? 'Nothing to choose in this audience.');
        return;
      }
      permission.control.replaceChildren(h('option', { value: '' }, 'None (send no marketing permission)'),
        ...offered.permissions.map((p) => h('option', { value: p.id },
          p.id === offered.suggestedPermissionId && p.id !== offered.emailPermissionId ? `${p.text} (suggested)` : p.text)));
      permission.control.value = offered.emailPermissionId ?? offered.suggestedPermissionId ?? '';
      permission.control.disabled = false;
      save.disabled = false;
      if (!offered.emailPermissionId) note.show('No permission is chosen for this audience yet.');
    } catch (error) {
      showFormError(error, { mailchimpListId: audience }, formError);
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.clear();
    const listId = audience.control.value;
    const chosen = permission.control.value || null;
    try {
      const saved = await busy(save, () => mutate('mailchimp.connection.setEmailPermission',
        { mailchimpListId: listId, marketingPermissionId: chosen }), 'Saving…');
      setFieldError(permission, null);
      formError.clear();
      const name = audience.control.selectedOptions[0]?.textContent ?? listId;
      const text = saved.permissions.find((p) => p.id === saved.emailPermissionId)?.text;
      note.show(text ? `Email permission of ${name}: "${text}". The next sync writes it to the members.`
        : `No email permission for ${name}; none is sent.`);
    } catch (error) {
      showFormError(error, { marketingPermissionId: permission, mailchimpListId: audience }, formError);
    }
  });

  picker = h('section', { class: 'email-permission', 'aria-labelledby': 'email-permission-title' },
    h('h3', { id: 'email-permission-title' }, 'Email marketing permission'),
    h('p', { class: 'hint' }, 'For audiences with GDPR fields: which permission means email. Chosen once per audience.'),
    form);
  loadAudiences();
  return picker;
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
  if (!connection || connection.accountId !== current?.accountId) picker = null;
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
