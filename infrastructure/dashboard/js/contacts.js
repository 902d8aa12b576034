// Contacts tab: the directory replica the segments are built from (contacts.list) and a CSV import
// (contacts.import, admins only). Each contact links to its email preferences.
import { query, mutate } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl } from './ui.js';

const COLUMNS = ['entityType', 'entityId', 'email', 'firstName', 'lastName', 'department', 'location', 'employmentType', 'employmentStatus'];
const MAX_IMPORT = 1000;

let panel;
let app;
let tableBody;
let listError;
let moreButton;
let typeFilter;
let nextCursor = null;
let loads = 0;

/** Minimal CSV: a header row naming the columns, commas, optional double quotes ("" inside quotes). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.some((v) => v.trim())) rows.push(row);
      row = [];
    } else cell += c;
  }
  row.push(cell);
  if (row.some((v) => v.trim())) rows.push(row);
  return rows.map((r) => r.map((v) => v.trim()));
}

function toContacts(text) {
  const rows = parseCsv(text);
  if (rows.length < 2) throw new Error('Paste a header row and at least one contact.');
  const header = rows[0];
  const missing = ['entityType', 'entityId', 'email'].filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`The header row lacks ${missing.join(', ')}. Columns: ${COLUMNS.join(',')}`);
  const unknown = header.filter((c) => !COLUMNS.includes(c));
  if (unknown.length) throw new Error(`Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Columns: ${COLUMNS.join(',')}`);
  if (rows.length - 1 > MAX_IMPORT) throw new Error(`At most ${MAX_IMPORT} contacts at once; this has ${rows.length - 1}.`);
  return rows.slice(1).map((r) => Object.fromEntries(header.map((c, i) => [c, r[i] ?? '']).filter(([, v]) => v !== '')));
}

function row(contact) {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.entityId;
  const prefs = h('button', { type: 'button', class: 'link', 'aria-label': `Email preferences of ${contact.entityId}` }, 'Preferences');
  prefs.addEventListener('click', () => app.lookUpPreference(contact.entityType, contact.entityId));
  return h('tr', {},
    h('td', { 'data-label': 'Contact' }, h('strong', {}, name), h('p', { class: 'muted small' }, contact.email)),
    h('td', { 'data-label': 'Id' }, h('span', { class: 'tag' }, contact.entityType), ' ', h('code', {}, contact.entityId)),
    h('td', { 'data-label': 'Department' }, contact.department ?? '—'),
    h('td', { 'data-label': 'Location' }, contact.location ?? '—'),
    h('td', { 'data-label': 'Employment' }, [contact.employmentType, contact.employmentStatus].filter(Boolean).join(' · ') || '—'),
    h('td', { 'data-label': 'Updated' }, timeEl(contact.updatedAt)),
    h('td', { 'data-label': 'Actions' }, prefs));
}

async function loadPage(append) {
  const seq = ++loads;
  listError.clear();
  const loading = spinner('Loading contacts');
  panel.querySelector('.list-status').replaceChildren(loading);
  try {
    const input = { limit: 50 };
    if (typeFilter.control.value) input.entityType = typeFilter.control.value;
    if (append && nextCursor) input.cursor = nextCursor;
    const page = await query('mailchimp.contacts.list', input);
    if (seq !== loads) return;
    if (!append) tableBody.replaceChildren();
    page.items.forEach((c) => tableBody.append(row(c)));
    nextCursor = page.nextCursor;
    moreButton.hidden = !nextCursor;
    panel.querySelector('.empty').hidden = tableBody.children.length > 0;
  } catch (error) {
    if (seq === loads) listError.show(error);
  } finally {
    loading.remove();
  }
}

function importForm() {
  const csv = field('Contacts (CSV)', h('textarea', { rows: 5, spellcheck: false, class: 'mono',
    placeholder: `${COLUMNS.join(',')}\nemployee,emp-1,ada@example.com,Ada,Lovelace,Engineering,London,full_time,active` }),
  { hint: `A header row, then one contact a line; up to ${MAX_IMPORT}. Columns: ${COLUMNS.join(', ')}.` });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Import');
  const note = statusSlot();
  const formError = errorSlot();
  const rejected = h('ul', { class: 'rejected' });
  const form = h('form', { novalidate: true, 'aria-label': 'Import contacts' }, csv, h('div', { class: 'actions' }, submit), formError, note, rejected);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.clear();
    formError.clear();
    rejected.replaceChildren();
    let contacts;
    try {
      contacts = toContacts(csv.control.value);
      setFieldError(csv, null);
    } catch (error) {
      setFieldError(csv, error.message);
      return;
    }
    try {
      const answer = await busy(submit, () => mutate('mailchimp.contacts.import', { contacts }), 'Importing…');
      note.show(`Imported: ${answer.created} created, ${answer.updated} updated, ${answer.rejected.length} rejected.`);
      rejected.replaceChildren(...answer.rejected.map((r) =>
        h('li', { class: 'error' }, `Line ${r.index + 2} (${contacts[r.index]?.entityId ?? '?'}): ${r.reason}`)));
      await loadPage(false);
    } catch (error) {
      if (error.code === 'BAD_REQUEST') setFieldError(csv, error.message.replace(/^Invalid input:\s*/, ''));
      else formError.show(error);
    }
  });
  return form;
}

export const contactsView = {
  mount(element, appHooks) {
    panel = element;
    app = appHooks;
    tableBody = h('tbody');
    listError = errorSlot();
    moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more contacts');
    moreButton.addEventListener('click', () => busy(moreButton, () => loadPage(true)));
    typeFilter = field('Show', h('select', {}, h('option', { value: '' }, 'Everyone'),
      h('option', { value: 'employee' }, 'Employees'), h('option', { value: 'vendor' }, 'Vendors')));
    typeFilter.control.addEventListener('change', () => loadPage(false));
    panel.replaceChildren(
      h('div', { class: 'toolbar' }, h('h2', {}, 'Contacts'), typeFilter),
      h('details', { class: 'card' }, h('summary', {}, 'Import contacts'), importForm()),
      listError, h('div', { class: 'list-status' }),
      h('p', { class: 'empty muted', hidden: true }, 'No contacts yet. The HR platform sends them as people join and change; you can also import a CSV.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', 'aria-label': 'Contacts' },
        h('thead', {}, h('tr', {}, ['Contact', 'Id', 'Department', 'Location', 'Employment', 'Updated', 'Actions']
          .map((c) => h('th', { scope: 'col' }, c)))),
        tableBody)),
      moreButton);
  },
  refresh() {
    return loadPage(false);
  },
};
