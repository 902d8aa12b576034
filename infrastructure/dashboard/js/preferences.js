// Preferences tab: look a contact up (entity type + id), opt in or out with a source, the consent
// history, and erasure (gdprDelete) only after the user types the entity id.
import { query, mutate, plainMessage } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl, badge, confirmDialog } from './ui.js';

let panel;
let typeField;
let idField;
let lookupButton;
let result;
let shown = null; // {entityType, entityId}
let lookups = 0;

async function lookUp(entityType, entityId, message) {
  const seq = ++lookups;
  shown = { entityType, entityId };
  result.replaceChildren(spinner(`Looking up ${entityType} ${entityId}`));
  try {
    const preference = await busy(lookupButton, () => query('mailchimp.preferences.getForEntity', { entityType, entityId }));
    if (seq === lookups) renderResult(entityType, entityId, preference, message);
  } catch (error) {
    if (seq !== lookups) return;
    const slot = errorSlot();
    slot.show(error);
    result.replaceChildren(slot);
  }
}

function renderResult(entityType, entityId, preference, message) {
  const note = statusSlot();
  if (message) note.show(message);
  const titleId = `pref-title-${Date.now()}`;
  const summary = preference
    ? h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Status'), h('dd', { 'data-testid': 'consent-status' }, badge(preference.status))),
      h('div', {}, h('dt', {}, 'Consent given'), h('dd', {}, timeEl(preference.consentGivenAt))),
      h('div', {}, h('dt', {}, 'Consent withdrawn'), h('dd', {}, timeEl(preference.consentWithdrawnAt))),
      h('div', {}, h('dt', {}, 'Source'), h('dd', {}, preference.consentSource ?? '—')),
      h('div', {}, h('dt', {}, 'Updated'), h('dd', {}, timeEl(preference.updatedAt))))
    : h('p', { class: 'muted', 'data-testid': 'consent-status' }, `No consent recorded for ${entityType} ${entityId}. The daily sync treats them by the segment's opt-in rule.`);

  const history = preference?.history ?? [];
  const historyTable = history.length
    ? h('table', { class: 'responsive', 'aria-label': 'Consent history' },
      h('thead', {}, h('tr', {}, ['When', 'Change', 'Source'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, history.map((entry) => h('tr', {},
        h('td', { 'data-label': 'When' }, timeEl(entry.at)),
        h('td', { 'data-label': 'Change' }, badge(entry.status)),
        h('td', { 'data-label': 'Source' }, entry.source ?? '—')))))
    : h('p', { class: 'muted' }, 'No consent changes yet.');

  // Opt in / out
  const source = field('Source', h('input', { type: 'text', value: 'dashboard', maxlength: 100 }),
    { hint: 'Where the consent change came from, e.g. "dashboard", "phone call", "paper form".' });
  const optError = errorSlot();
  const optIn = h('button', { type: 'button', class: 'primary' }, 'Opt in');
  const optOut = h('button', { type: 'button', class: 'secondary' }, 'Opt out');
  const change = async (button, optedIn) => {
    optError.clear();
    setFieldError(source, null);
    const text = source.control.value.trim();
    if (!text) {
      setFieldError(source, 'Say where this consent change came from.');
      return;
    }
    try {
      const updated = await busy(button, () => mutate('mailchimp.preferences.updateOptStatus',
        { entityType, entityId, optedIn, source: text }), optedIn ? 'Opting in…' : 'Opting out…');
      await lookUp(entityType, entityId, optedIn
        ? `${entityId} opted in (source: ${updated.consentSource ?? text}).`
        : `${entityId} opted out (source: ${updated.consentSource ?? text}). Mailchimp is told right away.`);
    } catch (error) {
      if (error.code === 'BAD_REQUEST' && /source/.test(error.message)) setFieldError(source, plainMessage(error));
      else optError.show(error);
    }
  };
  optIn.addEventListener('click', () => change(optIn, true));
  optOut.addEventListener('click', () => change(optOut, false));

  // Erasure
  const eraseError = errorSlot();
  const erase = h('button', { type: 'button', class: 'danger' }, 'Erase contact…');
  erase.addEventListener('click', async () => {
    eraseError.clear();
    const ok = await confirmDialog({
      title: `Erase ${entityType} ${entityId} permanently?`,
      message: 'This deletes the person from every Mailchimp audience we synced them to, deletes their consent records and keeps only a one-way marker so no later sync adds them back. It cannot be undone.',
      confirmLabel: 'Erase permanently',
      requireText: entityId,
    });
    if (!ok) return;
    try {
      const answer = await busy(erase, () => mutate('mailchimp.preferences.gdprDelete', { entityType, entityId }), 'Erasing…');
      const n = answer.audiencesErased ?? 0;
      await lookUp(entityType, entityId,
        `Erased ${entityId}: removed from ${n} Mailchimp audience${n === 1 ? '' : 's'}; consent records deleted.`);
    } catch (error) {
      eraseError.show(error);
    }
  });

  result.replaceChildren(h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, `${entityType === 'vendor' ? 'Vendor' : 'Employee'} ${entityId}`),
    note, summary,
    h('h4', {}, 'Change consent'),
    h('div', { class: 'inline-form' }, source, h('div', { class: 'actions' }, optIn, optOut)), optError,
    h('h4', {}, 'Consent history'), historyTable,
    h('div', { class: 'danger-zone' },
      h('h4', {}, 'Right to erasure (GDPR)'),
      h('p', { class: 'small' }, 'Erase everything we hold about this person and remove them from Mailchimp.'),
      erase, eraseError)));
}

export const preferencesView = {
  mount(element) {
    panel = element;
    typeField = field('Entity type', h('select', {}, h('option', { value: 'employee' }, 'Employee'), h('option', { value: 'vendor' }, 'Vendor')));
    idField = field('Entity id', h('input', { type: 'text', autocomplete: 'off', spellcheck: false }),
      { hint: 'The employee or vendor id in the HR platform.' });
    lookupButton = h('button', { type: 'submit', class: 'primary' }, 'Look up');
    const form = h('form', { novalidate: true, class: 'inline-form', 'aria-label': 'Look up a contact' },
      typeField, idField, h('div', { class: 'actions' }, lookupButton));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const entityId = idField.control.value.trim();
      if (!entityId) {
        setFieldError(idField, 'Enter the id of the employee or vendor.');
        return;
      }
      setFieldError(idField, null);
      lookUp(typeField.control.value, entityId);
    });
    result = h('div', { class: 'pref-result', 'aria-live': 'polite' });
    panel.replaceChildren(
      h('div', { class: 'toolbar' }, h('h2', {}, 'Email preferences')),
      h('section', { class: 'card' }, h('h3', {}, 'Find a contact'), form),
      result);
  },
  refresh() {
    if (shown) lookUp(shown.entityType, shown.entityId);
  },
  /** Opened from the Contacts tab. */
  lookUp(entityType, entityId) {
    typeField.control.value = entityType;
    idField.control.value = entityId;
    lookUp(entityType, entityId);
  },
};
