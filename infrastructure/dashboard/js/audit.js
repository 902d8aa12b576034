// Audit tab: the latest entries of audit.list, newest first, paged with the API's cursor
// (Older / Newer keep a stack of the cursors already seen).
import { query } from './api.js';
import { h, errorSlot, busy, spinner, timeEl } from './ui.js';

const PAGE = 20;
let panel;
let tableBody;
let listError;
let newer;
let older;
let pageLabel;
let cursors = [null]; // cursors[i] = the cursor of page i
let page = 0;
let nextCursor = null;
let loads = 0;

function details(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  const entries = Object.entries(value);
  if (!entries.length) return '—';
  return h('ul', { class: 'kv' }, entries.map(([k, v]) =>
    h('li', {}, h('span', { class: 'muted' }, `${k}: `), typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))));
}

async function load(index) {
  const seq = ++loads;
  listError.clear();
  const loading = spinner('Loading audit entries');
  panel.querySelector('.list-status').replaceChildren(loading);
  try {
    const input = { limit: PAGE };
    if (cursors[index]) input.cursor = cursors[index];
    const answer = await query('mailchimp.audit.list', input);
    if (seq !== loads) return;
    page = index;
    nextCursor = answer.nextCursor;
    cursors[index + 1] = nextCursor;
    cursors.length = index + 2;
    tableBody.replaceChildren(...answer.items.map((e) => h('tr', {},
      h('td', { 'data-label': 'When' }, timeEl(e.at)),
      h('td', { 'data-label': 'Who' }, e.actor ?? '—'),
      h('td', { 'data-label': 'Action' }, h('code', {}, e.action)),
      h('td', { 'data-label': 'Target' }, [e.targetType, e.targetId].filter(Boolean).join(' ') || '—'),
      h('td', { 'data-label': 'Details' }, details(e.details)))));
    panel.querySelector('.empty').hidden = answer.items.length > 0 || index > 0;
    newer.disabled = index === 0;
    older.disabled = !nextCursor;
    pageLabel.textContent = `Page ${index + 1}`;
  } catch (error) {
    if (seq === loads) listError.show(error);
  } finally {
    loading.remove();
  }
}

export const auditView = {
  mount(element) {
    panel = element;
    tableBody = h('tbody');
    listError = errorSlot();
    newer = h('button', { type: 'button', class: 'secondary', disabled: true }, '← Newer');
    older = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Older →');
    pageLabel = h('span', { class: 'muted' }, 'Page 1');
    newer.addEventListener('click', () => busy(newer, () => load(Math.max(0, page - 1))).then(() => { newer.disabled = page === 0; }));
    older.addEventListener('click', () => busy(older, () => load(page + 1)).then(() => { older.disabled = !nextCursor; }));
    const reload = h('button', { type: 'button', class: 'secondary' }, 'Latest');
    reload.addEventListener('click', () => busy(reload, () => load(0)));
    panel.replaceChildren(
      h('div', { class: 'toolbar' }, h('h2', {}, 'Audit log'), h('div', { class: 'actions' }, reload)),
      h('p', { class: 'muted small' }, 'Every change made through the dashboard, the API and the jobs: who, what, when. No email addresses or keys are stored here.'),
      listError, h('div', { class: 'list-status' }),
      h('p', { class: 'empty muted', hidden: true }, 'Nothing recorded yet.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', 'aria-label': 'Audit entries' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Target', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
        tableBody)),
      h('nav', { class: 'pager', 'aria-label': 'Audit pages' }, newer, pageLabel, older));
  },
  refresh() {
    cursors = [null];
    return load(0);
  },
};
