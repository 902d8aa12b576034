// Small DOM helpers shared by the views: element builder, formatting, busy buttons, error slots and
// the confirmation dialog.
import { plainMessage, fieldProblems } from './api.js';

/** h('button', {class: 'x', onclick}, 'text', child) -> element. Attributes false/null are left out. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A labelled form field: <div><label for>Label</label><input id aria-describedby=hint error><p hint><p error></div>. */
export function field(label, control, { hint, name } = {}) {
  control.id ||= uid('f');
  if (name) control.name = name;
  const error = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
  const described = [error.id];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${control.id}-hint` }, hint);
    described.unshift(hintEl.id);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl, error);
  wrap.control = control;
  wrap.error = error;
  return wrap;
}

export function setFieldError(fieldEl, message) {
  const { control, error } = fieldEl;
  if (message) {
    error.textContent = message;
    error.hidden = false;
    error.setAttribute('role', 'alert');
    control.setAttribute('aria-invalid', 'true');
  } else {
    error.textContent = '';
    error.hidden = true;
    error.removeAttribute('role');
    control.removeAttribute('aria-invalid');
  }
}

/** An error slot shown next to the thing that failed (role=alert while it has text). */
export function errorSlot() {
  const el = h('p', { class: 'error', hidden: true });
  el.show = (errorOrText) => {
    el.textContent = typeof errorOrText === 'string' ? errorOrText : plainMessage(errorOrText);
    el.hidden = false;
    el.setAttribute('role', 'alert');
  };
  el.clear = () => {
    el.textContent = '';
    el.hidden = true;
    el.removeAttribute('role');
  };
  return el;
}

/** A polite status line for results ("Saved", "Erased ..."). */
export function statusSlot() {
  const el = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  el.show = (text) => { el.textContent = text; };
  el.clear = () => { el.textContent = ''; };
  return el;
}

/**
 * Puts the API's BAD_REQUEST problems next to their fields (fields: {name: fieldEl}) and everything
 * else in formError. Returns nothing; clears previous errors first.
 */
export function showFormError(error, fields, formError) {
  Object.values(fields).forEach((f) => setFieldError(f, null));
  formError.clear();
  const rest = [];
  for (const problem of fieldProblems(error)) {
    const key = problem.field && Object.keys(fields).find((name) =>
      problem.field === name || problem.field.startsWith(`${name}.`) || problem.field.endsWith(`.${name}`));
    if (key) setFieldError(fields[key], problem.message);
    else rest.push(problem.field ? `${problem.field}: ${problem.message}` : problem.message);
  }
  if (fieldProblems(error).length === 0) formError.show(error);
  else if (rest.length) formError.show(rest.join('; '));
}

/** Runs work with the button disabled and a spinner in it; returns work's result. */
export async function busy(button, work, busyLabel) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.classList.add('is-busy');
  if (busyLabel) button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.classList.remove('is-busy');
    if (busyLabel) button.textContent = label;
  }
}

export function spinner(label = 'Loading') {
  return h('span', { class: 'loading', role: 'status' }, h('span', { class: 'spin', 'aria-hidden': 'true' }), label, '…');
}

const pad = (n) => String(n).padStart(2, '0');
/** ISO timestamp -> "2025-11-26 07:42 UTC" (the API's times are UTC); "—" when absent. */
export function when(iso, fallback = '—') {
  if (!iso) return fallback;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function timeEl(iso, fallback = '—') {
  return iso ? h('time', { datetime: iso, title: iso }, when(iso)) : fallback;
}

/** A fraction 0..1 -> "42.5%"; "—" when absent. */
export function percent(fraction) {
  if (fraction === null || fraction === undefined || Number.isNaN(Number(fraction))) return '—';
  const value = Number(fraction) * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

const BADGE_LABELS = { opted_in: 'opted in', opted_out: 'opted out' };
export function badge(status) {
  return h('span', { class: `badge badge-${status}` },
    status === 'syncing' ? h('span', { class: 'spin', 'aria-hidden': 'true' }) : null,
    BADGE_LABELS[status] ?? status);
}

/**
 * A modal confirmation. With requireText the confirm button stays disabled until the user types it.
 * Resolves true when confirmed.
 */
export function confirmDialog({ title, message, confirmLabel = 'Confirm', requireText, danger = true }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'confirm' }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    let typed = null;
    if (requireText !== undefined) {
      typed = field(`Type ${requireText} to confirm`, h('input', { type: 'text', autocomplete: 'off', spellcheck: false }));
      confirm.disabled = true;
      typed.control.addEventListener('input', () => { confirm.disabled = typed.control.value.trim() !== requireText; });
    }
    const form = h('form', { method: 'dialog' },
      h('h2', { id: titleId }, title),
      h('p', {}, message),
      typed,
      h('div', { class: 'actions' }, cancel, confirm));
    const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
    let result = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (confirm.disabled) return;
      result = true;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    (typed?.control ?? cancel).focus();
  });
}

/** "a, b , c" -> ["a","b","c"]; empty -> undefined. */
export function csvList(text) {
  const values = String(text ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  return values.length ? values : undefined;
}

/** A filter value of the API (string or array) -> "a, b". */
export function listText(value) {
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}
