// The merge field mapping editor (docs/api.md, "Merge field mapping"): which directory field goes to which
// Mailchimp merge tag, with the audience's existing merge fields to choose from. Used for a segment's own mapping
// (segments.js) and the connection's default (connection.js).
import { query, fieldProblems } from './api.js';
import { h, field, setFieldError, errorSlot, statusSlot, busy, spinner, uid } from './ui.js';

export const DIRECTORY_FIELDS = [
  ['firstName', 'First name'], ['lastName', 'Last name'], ['department', 'Department'], ['location', 'Location'],
  ['employmentType', 'Employment type'], ['employmentStatus', 'Employment status'], ['jobTitle', 'Job title'],
  ['startDate', 'Start date (a date field)'], ['stableId', 'Stable id (employee#id)'],
];
const TAG = /^[A-Z0-9_]{1,10}$/;
const SOURCES = {
  segment: 'This segment\'s own mapping.',
  connection: 'Uses the connection\'s default mapping.',
  default: 'Uses the default: first and last name (FNAME, LNAME).',
};

/** The merge fields of an audience ([{tag, name, type}]), or [] when they cannot be read. */
export async function audienceMergeFields(listId) {
  if (!listId) return [];
  try {
    return await query('mailchimp.connection.audienceMergeFields', { listId });
  } catch {
    return [];
  }
}

/**
 * A form editing a mapping. load() answers {mapping, effective, source}; save(mappingOrNull) answers the same;
 * mergeFields() answers the merge fields to suggest. canReset offers "use the default" (save(null)).
 */
export function mappingEditor({ heading, load, save, mergeFields, resetLabel, onSaved }) {
  const host = h('section', { class: 'mapping-editor', 'aria-label': heading });
  const listId = uid('merge-tags');
  const suggestions = h('datalist', { id: listId });
  const rowsHost = h('div', { class: 'mapping-rows' });
  const formError = errorSlot();
  const note = statusSlot();
  const source = h('p', { class: 'muted small mapping-source' });
  const known = new Map(); // tag -> {name, type}
  const rows = [];

  function typeHint(tag) {
    const existing = known.get(tag);
    return existing ? `In the audience: ${existing.name} (${existing.type})` : 'Created by the next sync if missing.';
  }

  function addRow(entry) {
    const fieldSelect = h('select', { 'aria-label': 'Directory field' },
      DIRECTORY_FIELDS.map(([value, label]) => h('option', { value, selected: entry?.field === value }, label)));
    const tag = h('input', { type: 'text', list: listId, maxlength: 10, spellcheck: false, class: 'mono',
      value: entry?.tag ?? '', placeholder: 'e.g. DEPT', 'aria-label': 'Merge tag' });
    const fieldEl = field('Directory field', fieldSelect);
    const tagEl = field('Merge tag', tag, { hint: typeHint(entry?.tag ?? '') });
    tag.addEventListener('input', () => {
      tag.value = tag.value.toUpperCase();
      const hint = tagEl.querySelector('.hint');
      if (hint) hint.textContent = typeHint(tag.value.trim());
    });
    const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Remove this field' }, 'Remove');
    const row = h('div', { class: 'mapping-row grid' }, fieldEl, tagEl, h('div', { class: 'actions' }, remove));
    const item = { row, fieldEl, tagEl };
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(item), 1);
      row.remove();
    });
    rows.push(item);
    rowsHost.append(row);
    return item;
  }

  function fill(view) {
    rows.splice(0).forEach(({ row }) => row.remove());
    (view.mapping ?? view.effective ?? []).forEach(addRow);
    source.textContent = SOURCES[view.source] ?? '';
  }

  function collect() {
    let invalid = false;
    const seen = new Map();
    const entries = rows.map(({ fieldEl, tagEl }, index) => {
      setFieldError(fieldEl, null);
      setFieldError(tagEl, null);
      const tag = tagEl.control.value.trim().toUpperCase();
      if (!TAG.test(tag)) {
        setFieldError(tagEl, tag.length > 10
          ? 'At most 10 characters (Mailchimp\'s limit for a merge tag).'
          : 'Use uppercase letters, digits and _ (at most 10), e.g. DEPT.');
        invalid = true;
      } else if (seen.has(tag)) {
        setFieldError(tagEl, `${tag} is mapped twice; a merge field holds one value.`);
        invalid = true;
      }
      seen.set(tag, index);
      return { field: fieldEl.control.value, tag };
    });
    return invalid ? null : entries;
  }

  function showProblems(error) {
    formError.clear();
    const rest = [];
    for (const problem of fieldProblems(error)) {
      const match = /^mapping\[(\d+)\]\.(field|tag)$/.exec(problem.field ?? '');
      const item = match ? rows[Number(match[1])] : null;
      if (item) setFieldError(match[2] === 'tag' ? item.tagEl : item.fieldEl, problem.message);
      else rest.push(problem.field && problem.field !== 'mapping' ? `${problem.field}: ${problem.message}` : problem.message);
    }
    if (!fieldProblems(error).length) formError.show(error);
    else if (rest.length) formError.show(rest.join('; '));
  }

  const add = h('button', { type: 'button', class: 'secondary small' }, '+ Add field');
  add.addEventListener('click', () => addRow(null).tagEl.control.focus());
  const saveButton = h('button', { type: 'submit', class: 'primary' }, 'Save mapping');
  const reset = h('button', { type: 'button', class: 'secondary' }, resetLabel);
  const form = h('form', { novalidate: true, class: 'mapping-form', 'aria-label': heading },
    source, rowsHost, h('div', { class: 'actions' }, add), suggestions, formError,
    h('div', { class: 'actions' }, saveButton, reset), note);

  async function store(button, mapping, label) {
    note.clear();
    formError.clear();
    try {
      const saved = await busy(button, () => save(mapping), label);
      fill(saved);
      note.show(mapping ? 'Mapping saved. The next sync sends these fields.' : 'Back to the default mapping.');
      onSaved?.(saved);
    } catch (error) {
      showProblems(error);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const entries = collect();
    if (!entries) { form.querySelector('[aria-invalid=true]')?.focus(); return; }
    if (!entries.length) { formError.show('Map at least one field, or use the default.'); return; }
    await store(saveButton, entries, 'Saving…');
  });
  reset.addEventListener('click', () => store(reset, null, 'Resetting…'));

  async function refresh() {
    host.replaceChildren(h('h3', {}, heading), spinner('Loading the mapping'));
    try {
      const [view, fields] = await Promise.all([load(), mergeFields()]);
      known.clear();
      suggestions.replaceChildren(...fields.map((f) => {
        known.set(f.tag, f);
        return h('option', { value: f.tag }, `${f.name} (${f.type})`);
      }));
      fill(view);
      host.replaceChildren(h('h3', {}, heading),
        h('p', { class: 'small' }, 'Which directory fields travel to Mailchimp, and under which merge tag. ',
          'Existing merge fields of the audience are suggested; missing ones are created by the next sync.'),
        form);
    } catch (error) {
      const slot = errorSlot();
      slot.show(error);
      host.replaceChildren(h('h3', {}, heading), slot);
    }
  }

  host.refresh = refresh;
  host.setMergeFields = async (fields) => {
    known.clear();
    suggestions.replaceChildren(...fields.map((f) => {
      known.set(f.tag, f);
      return h('option', { value: f.tag }, `${f.name} (${f.type})`);
    }));
  };
  return host;
}
