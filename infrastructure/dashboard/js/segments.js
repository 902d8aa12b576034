// Segments tab: the list with status badges, member count, last sync and the last run's counts and
// errors; New segment / edit form; delete with a confirmation; sync with a badge that follows the run
// (segments.get is polled until the status leaves "syncing"); a preview of what a sync would do (segments.preview),
// on demand and before the first sync of a segment; a segment's run history (segments.runs) with each
// run's failures and skips as a CSV download (segments.runIssues: addresses masked for members, in full for admins).
import { query, mutate } from './api.js';
import {
  h, field, setFieldError, errorSlot, statusSlot, busy, spinner, timeEl, badge, confirmDialog, csvList,
  listText, showFormError, when,
} from './ui.js';
import { mappingEditor, audienceMergeFields } from './mapping.js';

const POLL_MS = 1000;
const POLL_LIMIT_MS = 15 * 60 * 1000;
const FILTERS = [
  ['department', 'Department'],
  ['location', 'Location'],
  ['employmentType', 'Employment type'],
  ['employmentStatus', 'Employment status'],
];

let panel;
let app;
let listError;
let notice;
let tableBody;
let moreButton;
let editorHost;
let segments = [];
let nextCursor = null;
let audiences = null; // [{id, name, memberCount}] once loaded
let audiencesError = null;
const polling = new Set();
let generation = 0; // bumped on stop(): pollers of an old session end

function audienceName(id) {
  return audiences?.find((a) => a.id === id)?.name ?? id;
}

async function loadAudiences(force) {
  if (audiences && !force) return audiences;
  audiencesError = null;
  if (!app?.connection()) {
    // Without a connection the API answers 412 (and the browser logs it): ask only once one exists;
    // connectionChanged() loads the list again when it does.
    audiences = null;
    audiencesError = new Error('connect a Mailchimp account first.');
    return audiences;
  }
  try {
    audiences = await query('mailchimp.connection.listAudiences');
  } catch (error) {
    audiences = null;
    audiencesError = error;
  }
  return audiences;
}

// ------------------------------------------------------------------ list

// Why a run left a person of the segment out or as they were (docs/api.md, "Skip reasons").
const SKIP_REASONS = {
  no_consent: ['no consent', 'A record with this address opted out, or the segment needs an explicit opt-in that is missing'],
  erased: ['erased', 'The address was erased at the person\'s request'],
  unsubscribed: ['unsubscribed in Mailchimp', 'Only a new explicit opt-in brings the address back, as pending'],
  cleaned: ['bounced (cleaned)', 'Mailchimp cleaned the address after it bounced; it cannot be added again'],
  pending: ['awaiting confirmation', 'Awaiting the person\'s double opt-in confirmation in Mailchimp; left as it is'],
  transactional: ['transactional', 'A transactional contact in Mailchimp; left as it is'],
  archived: ['archived by someone else', 'Archived in Mailchimp by someone else; left as it is'],
  refused: ['refused by Mailchimp', 'Mailchimp refused this address for good earlier; change the address to try again'],
  consent_changed: ['consent changed during the sync', 'The next sync applies it'],
};

function runSummary(run) {
  if (!run) return h('span', { class: 'muted' }, 'No run yet');
  const skipped = Object.entries(run.skipped ?? { no_consent: run.skippedNoConsent })
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => [`skipped: ${(SKIP_REASONS[reason] ?? [reason])[0]}`, n, (SKIP_REASONS[reason] ?? [])[1]]);
  const counts = [
    ['added', run.added], ['updated', run.updated], ['unchanged', run.unchanged], ['archived', run.archived],
    ['unsubscribed', run.unsubscribed || undefined],
    ['asked to confirm (pending)', run.pendingConfirmation || undefined],
    ...skipped, ['failed', run.failed],
  ].filter(([, n]) => n !== undefined && n !== null);
  const errors = run.errors ?? [];
  return h('div', { class: 'run' },
    h('ul', { class: 'counts', 'aria-label': 'Last run' }, counts.map(([label, n, why]) =>
      h('li', { class: label === 'failed' && n > 0 ? 'bad' : null, title: why ?? null }, h('strong', {}, String(n)), ' ', label))),
    run.finishedAt ? h('p', { class: 'muted small' }, 'Finished ', timeEl(run.finishedAt)) : null,
    errors.length ? h('details', { class: 'run-errors' },
      h('summary', {}, `${errors.length} error${errors.length === 1 ? '' : 's'}`),
      h('ul', {}, errors.map((e) => h('li', {}, h('code', {}, e.entityId ?? '?'), ': ', e.reason ?? '')))) : null);
}

// ------------------------------------------------------------------ preview

// The kinds of a preview's examples, in the order shown, with what their counts say (docs/api.md, "Preview").
const PREVIEW_KINDS = [
  ['added', 'to add'], ['updated', 'to update'], ['tagChanges', 'tag changes'], ['unsubscribed', 'to unsubscribe'],
  ['archived', 'to archive'], ['pendingConfirmation', 'asked to confirm (pending)'], ['addressChanges', 'address changes'],
  ['optOutsLearned', 'opt-outs learned from Mailchimp'], ['skipped', 'skipped'], ['failed', 'would fail'],
];

function previewCounts(counts) {
  const skipped = Object.entries(counts.skipped ?? {}).filter(([, n]) => n > 0)
    .map(([reason, n]) => [`skipped: ${(SKIP_REASONS[reason] ?? [reason])[0]}`, n, (SKIP_REASONS[reason] ?? [])[1]]);
  const rows = [
    ['to add', counts.added], ['to update', counts.updated], ['unchanged', counts.unchanged],
    ['to archive', counts.archived], ['to unsubscribe', counts.unsubscribed],
    ['asked to confirm (pending)', counts.pendingConfirmation || undefined],
    ['tag changes', counts.tagChanges || undefined], ['address changes', counts.addressChanges || undefined],
    ['opt-outs learned from Mailchimp', counts.optOutsLearned || undefined], ...skipped,
    ['would fail', counts.failed || undefined],
  ].filter(([, n]) => n !== undefined && n !== null);
  return h('ul', { class: 'counts', 'aria-label': 'Preview counts' }, rows.map(([label, n, why]) =>
    h('li', { title: why ?? null }, h('strong', {}, String(n)), ' ', label)));
}

function previewExamples(examples) {
  return PREVIEW_KINDS.filter(([kind]) => (examples?.[kind] ?? []).length > 0).map(([kind, label]) => {
    const list = examples[kind];
    return h('details', { class: 'preview-examples', dataset: { kind } },
      h('summary', {}, `Examples: ${label} (${list.length}${list.length >= 50 ? '+' : ''})`),
      h('ul', {}, list.map((e) => h('li', {}, h('code', {}, e.email), ': ',
        e.reason && kind === 'skipped' ? `${(SKIP_REASONS[e.reason] ?? [e.reason])[0]}. ` : '', e.detail ?? ''))));
  });
}

/** Shows what a sync would do; resolves true when the person chose to sync now. */
function previewDialog(segment, preview) {
  return new Promise((resolve) => {
    const titleId = `preview-title-${segment.id}`;
    const syncNow = h('button', { type: 'submit', class: 'primary' }, 'Sync now');
    const close = h('button', { type: 'button', class: 'secondary' }, 'Close');
    const form = h('form', { method: 'dialog' },
      h('h2', { id: titleId }, `Preview: ${segment.name}`),
      h('p', { class: 'muted small' }, 'What a sync would do now. Nothing has been changed yet.'),
      preview.complete ? null : h('p', { class: 'error small', role: 'note' },
        'The directory is too large to preview whole in time: these are the counts of the part read so far.'),
      previewCounts(preview.counts),
      previewExamples(preview.examples),
      h('div', { class: 'actions' }, close, syncNow));
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'preview' }, form);
    let result = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      result = true;
      dialog.close();
    });
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
  });
}

function filtersText(criteria) {
  const parts = FILTERS.filter(([key]) => criteria?.[key] !== undefined && criteria?.[key] !== null)
    .map(([key, label]) => `${label}: ${listText(criteria[key])}`);
  return parts.length ? parts.join(' · ') : 'Everyone of this type';
}

function row(segment) {
  const rowError = errorSlot();
  const sync = h('button', { type: 'button', class: 'primary small', 'aria-label': `Sync ${segment.name}` }, '⟳ Sync');
  const preview = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Preview ${segment.name}` }, 'Preview');
  const edit = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit ${segment.name}` }, 'Edit');
  const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${segment.name}` }, 'Delete');
  const history = h('button', { type: 'button', class: 'secondary small', 'aria-label': `History of ${segment.name}` }, 'History');
  history.addEventListener('click', () => openHistory(segment));
  const syncing = segment.status === 'syncing';
  sync.disabled = syncing;
  preview.disabled = syncing;
  edit.disabled = syncing;
  if (syncing) sync.classList.add('is-busy');

  // Shows the preview; true when the person chose "Sync now".
  const showPreview = async (button) => {
    const answer = await busy(button, () => query('mailchimp.segments.preview', { id: segment.id }), 'Previewing…');
    return previewDialog(segment, answer);
  };
  const neverSynced = !segment.lastSyncedAt && !segment.lastRun;

  sync.addEventListener('click', async () => {
    rowError.clear();
    if (neverSynced) {
      // Before a segment's first sync, see what it would do.
      let go;
      try {
        go = await showPreview(sync);
      } catch (error) {
        rowError.show(error);
        return;
      }
      if (!go) return;
    }
    startSync();
  });
  preview.addEventListener('click', async () => {
    rowError.clear();
    try {
      if (await showPreview(preview)) startSync();
    } catch (error) {
      rowError.show(error);
    }
  });
  const startSync = async () => {
    try {
      await busy(sync, () => mutate('mailchimp.segments.sync', { id: segment.id }), 'Starting…');
      update({ ...segment, status: 'syncing' });
    } catch (error) {
      if (error.code === 'CONFLICT') {
        update({ ...segment, status: 'syncing' });
        findRow(segment.id)?.error.show(error);
      } else {
        rowError.show(error);
        return;
      }
    }
    follow(segment.id);
  };
  edit.addEventListener('click', () => openEditor(segment));
  const fieldsButton = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Merge fields of ${segment.name}` },
    'Fields');
  fieldsButton.disabled = syncing;
  fieldsButton.addEventListener('click', () => openMapping(segment));
  remove.addEventListener('click', async () => {
    rowError.clear();
    const ok = await confirmDialog({
      title: `Delete segment "${segment.name}"?`,
      message: 'The segment stops syncing and leaves this list. Contacts already in Mailchimp stay there.',
      confirmLabel: 'Delete segment',
    });
    if (!ok) return;
    try {
      await busy(remove, () => mutate('mailchimp.segments.delete', { id: segment.id }), 'Deleting…');
      segments = segments.filter((s) => s.id !== segment.id);
      findRow(segment.id)?.remove();
      notice.show(`Segment "${segment.name}" deleted.`);
      renderEmpty();
    } catch (error) {
      rowError.show(error);
    }
  });

  const tr = h('tr', { dataset: { id: segment.id }, 'aria-label': segment.name, 'aria-busy': syncing ? 'true' : null },
    h('td', { 'data-label': 'Segment' },
      h('strong', { class: 'name' }, segment.name),
      segment.description ? h('p', { class: 'muted small' }, segment.description) : null,
      h('p', { class: 'small' }, h('span', { class: 'tag' }, segment.segmentType), ' ', filtersText(segment.filterCriteria),
        segment.requireOptIn ? ' · opted-in only' : '')),
    h('td', { 'data-label': 'Audience' }, audienceName(segment.mailchimpListId)),
    h('td', { 'data-label': 'Status' }, badge(segment.status),
      segment.status === 'error' && segment.lastError ? h('p', { class: 'error small' }, segment.lastError) : null),
    h('td', { 'data-label': 'Members', class: 'num' }, String(segment.memberCount ?? 0)),
    h('td', { 'data-label': 'Last sync' }, timeEl(segment.lastSyncedAt, 'Never')),
    h('td', { 'data-label': 'Last run' }, runSummary(segment.lastRun)),
    h('td', { 'data-label': 'Actions', class: 'row-actions' }, h('div', { class: 'actions' }, sync, preview, edit, fieldsButton, history, remove), rowError));
  tr.error = rowError;
  return tr;
}

function findRow(id) {
  return [...tableBody.children].find((tr) => tr.dataset.id === id);
}

function update(segment) {
  const index = segments.findIndex((s) => s.id === segment.id);
  if (index >= 0) segments[index] = segment; else segments.unshift(segment);
  const next = row(segment);
  const existing = findRow(segment.id);
  if (existing) existing.replaceWith(next); else tableBody.prepend(next);
  renderEmpty();
}

/** Polls segments.get until the segment leaves "syncing"; the row's badge follows. */
async function follow(id) {
  if (polling.has(id)) return;
  polling.add(id);
  const mine = generation;
  const started = Date.now();
  try {
    while (mine === generation) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (mine !== generation) return;
      let segment;
      try {
        segment = await query('mailchimp.segments.get', { id });
      } catch (error) {
        if (error.code === 'UNAUTHORIZED') return;
        findRow(id)?.error.show(error);
        if (error.code === 'NOT_FOUND') return;
        continue;
      }
      update(segment);
      if (segment.status !== 'syncing') {
        app.refreshConnection();
        if (segment.status === 'synced') notice.show(`Segment "${segment.name}" synced: ${segment.memberCount} members.`);
        else if (segment.status === 'error') findRow(id)?.error.show(`The sync failed: ${segment.lastError ?? 'see the last run'}`);
        return;
      }
      if (Date.now() - started > POLL_LIMIT_MS) {
        findRow(id)?.error.show('Still syncing after 15 minutes. Refresh the list later to see the result.');
        return;
      }
    }
  } finally {
    polling.delete(id);
  }
}

function renderEmpty() {
  const empty = panel.querySelector('.empty');
  empty.hidden = segments.length > 0;
}

let loads = 0;
async function loadPage(append) {
  const seq = ++loads;
  listError.clear();
  const loading = spinner('Loading segments');
  panel.querySelector('.list-status').replaceChildren(loading);
  try {
    const page = await query('mailchimp.segments.list', append && nextCursor ? { limit: 50, cursor: nextCursor } : { limit: 50 });
    await loadAudiences(false);
    if (seq !== loads) return; // a newer load replaced this one
    if (!append) {
      segments = [];
      tableBody.replaceChildren();
    }
    for (const segment of page.items) {
      segments.push(segment);
      tableBody.append(row(segment));
      if (segment.status === 'syncing') follow(segment.id);
    }
    nextCursor = page.nextCursor;
    moreButton.hidden = !nextCursor;
    renderEmpty();
  } catch (error) {
    if (seq === loads) listError.show(error);
  } finally {
    loading.remove();
  }
}

// ------------------------------------------------------------------ run history

const TRIGGERS = { manual: 'manual', daily: 'daily (05:00)', change: 'change' };
const RUNS_PAGE = 10;

function runCounts(run) {
  const skipped = Object.entries(run.skipped ?? {}).filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} skipped: ${(SKIP_REASONS[reason] ?? [reason])[0]}`);
  return [`${run.added} added`, `${run.updated} updated`, `${run.unchanged} unchanged`, `${run.archived} archived`,
    ...(run.unsubscribed ? [`${run.unsubscribed} unsubscribed`] : []),
    ...(run.pendingConfirmation ? [`${run.pendingConfirmation} asked to confirm`] : []),
    ...skipped, `${run.failed} failed`].join(' · ');
}

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it. */
function csvField(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every failure and skip of the run, page by page, as CSV text. */
export async function runIssuesCsv(segmentId, runId) {
  const lines = [['entityType', 'entityId', 'email', 'kind', 'reason', 'message'].join(',')];
  let cursor = null;
  do {
    const page = await query('mailchimp.segments.runIssues', cursor ? { id: segmentId, runId, cursor } : { id: segmentId, runId });
    for (const row of page.items) {
      lines.push([row.entityType, row.entityId, row.email, row.kind, row.reason, row.message].map(csvField).join(','));
    }
    cursor = page.nextCursor;
  } while (cursor);
  return `${lines.join('\r\n')}\r\n`;
}

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function historyRow(segment, run) {
  const rowError = errorSlot();
  const issues = (run.failed ?? 0) + Object.values(run.skipped ?? {}).reduce((a, b) => a + b, 0);
  const csv = h('button', { type: 'button', class: 'secondary small', disabled: issues === 0,
    'aria-label': `Download failures (CSV) of the run started ${when(run.startedAt)}` }, 'Download failures (CSV)');
  csv.addEventListener('click', async () => {
    rowError.clear();
    try {
      const text = await busy(csv, () => runIssuesCsv(segment.id, run.runId), 'Preparing…');
      download(`${segment.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-run-${run.startedAt.slice(0, 10)}-failures.csv`, text);
    } catch (error) {
      rowError.show(error);
    }
  });
  return h('tr', { dataset: { runId: run.runId } },
    h('td', { 'data-label': 'Trigger' }, TRIGGERS[run.trigger] ?? run.trigger ?? '—'),
    h('td', { 'data-label': 'Started' }, timeEl(run.startedAt)),
    h('td', { 'data-label': 'Finished' }, timeEl(run.finishedAt)),
    h('td', { 'data-label': 'Outcome' }, badge(run.outcome), run.error ? h('p', { class: 'error small' }, run.error) : null),
    h('td', { 'data-label': 'Counts' }, h('span', { class: 'small' }, runCounts(run)),
      run.issuesCapped ? h('p', { class: 'muted small' }, `The list keeps the first ${run.issuesKept}; the counts are exact.`) : null),
    h('td', { 'data-label': 'Failures and skips', class: 'row-actions' }, csv, rowError));
}

async function openHistory(segment) {
  notice.clear();
  const heading = `Run history of "${segment.name}"`;
  const body = h('tbody');
  const status = h('div', { class: 'list-status' });
  const historyError = errorSlot();
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older runs');
  const close = h('button', { type: 'button', class: 'secondary', onclick: closeEditor }, 'Close');
  const empty = h('p', { class: 'muted', hidden: true }, 'No run yet: sync the segment to see its runs here.');
  let cursor = null;
  const load = async () => {
    historyError.clear();
    const loading = spinner('Loading runs');
    status.replaceChildren(loading);
    try {
      const page = await query('mailchimp.segments.runs', cursor ? { id: segment.id, limit: RUNS_PAGE, cursor } : { id: segment.id, limit: RUNS_PAGE });
      page.items.forEach((run) => body.append(historyRow(segment, run)));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = body.children.length > 0;
    } catch (error) {
      historyError.show(error);
    } finally {
      loading.remove();
    }
  };
  more.addEventListener('click', () => busy(more, load));
  editorHost.hidden = false;
  editorHost.replaceChildren(h('section', { 'aria-label': heading, class: 'run-history' },
    h('div', { class: 'toolbar' }, h('h3', {}, heading), h('div', { class: 'actions' }, close)),
    h('p', { class: 'muted small' }, 'The last 30 runs, newest first. A run\'s failures and skips download as CSV.'),
    historyError, status, empty,
    h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', 'aria-label': 'Runs' },
      h('thead', {}, h('tr', {}, ['Trigger', 'Started', 'Finished', 'Outcome', 'Counts', 'Failures and skips']
        .map((c) => h('th', { scope: 'col' }, c)))), body)),
    more));
  await load();
}

// ------------------------------------------------------------------ editor

function closeEditor() {
  editorHost.replaceChildren();
  editorHost.hidden = true;
}

async function openEditor(segment) {
  notice.clear();
  const editing = Boolean(segment);
  const heading = editing ? `Edit segment "${segment.name}"` : 'New segment';
  editorHost.hidden = false;
  editorHost.replaceChildren(h('h3', {}, heading), spinner('Loading audiences'));

  await loadAudiences(!editing);
  const fields = {
    name: field('Name', h('input', { type: 'text', required: true, maxlength: 100, value: segment?.name ?? '' })),
    description: field('Description', h('textarea', { rows: 2, maxlength: 500 }, segment?.description ?? '')),
    segmentType: field('Type', h('select', { disabled: editing },
      ['employee', 'vendor', 'mixed'].map((t) => h('option', { value: t, selected: segment?.segmentType === t }, t))),
    { hint: editing ? 'The type cannot change after creation.' : 'Employees, vendors, or both.' }),
    mailchimpListId: field('Audience', h('select', { disabled: editing || !audiences },
      audiences
        ? [h('option', { value: '' }, 'Choose an audience…'),
          ...audiences.map((a) => h('option', { value: a.id, selected: segment?.mailchimpListId === a.id },
            `${a.name} (${a.memberCount} members)`))]
        : [h('option', { value: segment?.mailchimpListId ?? '' }, segment ? audienceName(segment.mailchimpListId) : 'No audiences')]),
    { hint: editing ? 'The audience cannot change after creation.' : 'The Mailchimp audience (list) the segment fills.' }),
  };
  const filterFields = FILTERS.map(([key, label]) => [key, field(label,
    h('input', { type: 'text', value: listText(segment?.filterCriteria?.[key]) }),
    { hint: 'Comma-separated; a contact matches any of them. Empty: no filter.' })]);
  filterFields.forEach(([key, f]) => { fields[key] = f; });
  const optIn = h('input', { type: 'checkbox', id: `opt-in-${Date.now()}`, checked: Boolean(segment?.requireOptIn) });
  const optInField = h('div', { class: 'field checkbox' }, optIn,
    h('label', { for: optIn.id }, 'Require opt-in (only contacts who explicitly opted in)'));
  const formError = errorSlot();
  if (!editing && audiencesError) setFieldError(fields.mailchimpListId, `Cannot load the audiences: ${audiencesError.message}`);
  const save = h('button', { type: 'submit', class: 'primary' }, editing ? 'Save changes' : 'Create segment');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: closeEditor }, 'Cancel');
  const form = h('form', { novalidate: true, class: 'segment-form', 'aria-label': heading },
    h('div', { class: 'grid' }, fields.name, fields.segmentType, fields.description, fields.mailchimpListId),
    h('fieldset', {}, h('legend', {}, 'Filters'), h('div', { class: 'grid' }, filterFields.map(([, f]) => f))),
    optInField, formError, h('div', { class: 'actions' }, save, cancel));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    Object.values(fields).forEach((f) => setFieldError(f, null));
    formError.clear();
    const name = fields.name.control.value.trim();
    const listId = fields.mailchimpListId.control.value;
    let invalid = false;
    if (!name) { setFieldError(fields.name, 'Give the segment a name.'); invalid = true; }
    if (!editing && !listId) { setFieldError(fields.mailchimpListId, 'Choose the audience to sync into.'); invalid = true; }
    if (invalid) { form.querySelector('[aria-invalid=true]')?.focus(); return; }
    const filterCriteria = {};
    for (const [key, f] of filterFields) {
      const values = csvList(f.control.value);
      if (values) filterCriteria[key] = values;
    }
    const description = fields.description.control.value.trim();
    try {
      const saved = await busy(save, () => (editing
        ? mutate('mailchimp.segments.update', {
          id: segment.id, name, description, filterCriteria, requireOptIn: optIn.checked,
        })
        : mutate('mailchimp.segments.create', {
          name, ...(description ? { description } : {}), segmentType: fields.segmentType.control.value,
          mailchimpListId: listId, filterCriteria, requireOptIn: optIn.checked,
        })), editing ? 'Saving…' : 'Creating…');
      closeEditor();
      update(saved);
      notice.show(editing ? `Segment "${saved.name}" saved.` : `Segment "${saved.name}" created. Sync it to fill the audience.`);
    } catch (error) {
      showFormError(error, fields, formError);
      if (error.code === 'CONFLICT' && /called/.test(error.message)) {
        formError.clear();
        setFieldError(fields.name, error.message);
      }
    }
  });
  editorHost.replaceChildren(h('h3', {}, heading), form);
  fields.name.control.focus();
}

// ------------------------------------------------------------------ merge field mapping

/** The segment's merge field mapping, with its audience's merge fields to choose from. */
function openMapping(segment) {
  notice.clear();
  editorHost.hidden = false;
  const editor = mappingEditor({
    heading: `Merge fields of "${segment.name}"`,
    load: () => query('mailchimp.segments.getMapping', { id: segment.id }),
    save: (mapping) => mutate('mailchimp.segments.setMapping', mapping ? { id: segment.id, mapping } : { id: segment.id }),
    mergeFields: () => audienceMergeFields(segment.mailchimpListId),
    resetLabel: 'Use the connection\'s default',
  });
  const close = h('button', { type: 'button', class: 'secondary', onclick: closeEditor }, 'Close');
  editorHost.replaceChildren(editor, h('div', { class: 'actions' }, close));
  editor.refresh();
}

// ------------------------------------------------------------------ view

export const segmentsView = {
  mount(element, appHooks) {
    panel = element;
    app = appHooks;
    listError = errorSlot();
    notice = statusSlot();
    editorHost = h('section', { class: 'card editor', hidden: true });
    tableBody = h('tbody');
    moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more segments');
    moreButton.addEventListener('click', () => busy(moreButton, () => loadPage(true)));
    const create = h('button', { type: 'button', class: 'primary' }, '+ New segment');
    create.addEventListener('click', () => openEditor(null));
    const reload = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
    reload.addEventListener('click', () => busy(reload, () => loadPage(false)));
    panel.replaceChildren(
      h('div', { class: 'toolbar' }, h('h2', {}, 'Segments'), h('div', { class: 'actions' }, reload, create)),
      editorHost, notice, listError, h('div', { class: 'list-status' }),
      h('p', { class: 'empty muted', hidden: true }, 'No segments yet. Create one to start syncing contacts to Mailchimp.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', 'aria-label': 'Segments' },
        h('thead', {}, h('tr', {}, ['Segment', 'Audience', 'Status', 'Members', 'Last sync', 'Last run', 'Actions']
          .map((c) => h('th', { scope: 'col' }, c)))),
        tableBody)),
      moreButton);
  },
  refresh() {
    return loadPage(false);
  },
  connectionChanged(connection) {
    audiences = null;
    if (connection) loadPage(false);
  },
  stop() {
    generation += 1;
    audiences = null;
  },
};
