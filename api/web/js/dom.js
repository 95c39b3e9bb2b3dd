// Small DOM builders for the table-and-form pages: every text goes in as a text node (no
// markup is ever built from data), and a form's failed request marks the fields at fault.
import { errorText, t } from './i18n.js';

// el('td', { class: 'num', 'data-id': 3, onclick: fn, text: 'its text' }, 'text', childNode, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

// A notice box: show(text, 'good' | 'bad' | '') or hide with show(null).
export function say(box, text, kind = '') {
  box.hidden = !text;
  box.textContent = text ?? '';
  box.classList.toggle('good', kind === 'good');
  box.classList.toggle('bad', kind === 'bad');
}

// The fields a failed request names get aria-invalid and their message; the box gets the
// error in the user's words.
export function formError(form, box, exc) {
  clearErrors(form);
  const fields = (exc?.body?.errors ?? []).map((e) => String(e.field ?? '').split('.')[0]);
  for (const name of fields) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  const named = fields.filter(Boolean).map((f) => (t(`field.${f}`) !== `field.${f}` ? t(`field.${f}`) : f));
  const text = errorText(exc) + (named.length && !exc?.body?.code?.startsWith('accounts.')
    ? ` ${t('form.fields', { fields: [...new Set(named)].join(', ') })}` : '');
  say(box, text, 'bad');
}

export function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

// Date and time of an instant in the user's language (last login, last contact).
export function fmtWhen(iso, locale) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'ru-RU', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}
