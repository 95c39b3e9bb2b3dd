// Translation catalogue: every user-facing word lives in /static/i18n/<lang>.json.
// The language is chosen by ?lang=, then the user's own switch, then the login's locale,
// then the installation default (Russian).

const LANG_KEY = 'careroute.lang';
const SUPPORTED = ['ru', 'en'];
let catalogue = {};
let current = 'ru';
let timeZone;

function pickLang(userLocale, defaultLocale) {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (SUPPORTED.includes(fromUrl)) {
    localStorage.setItem(LANG_KEY, fromUrl);
    return fromUrl;
  }
  const chosen = localStorage.getItem(LANG_KEY);
  if (SUPPORTED.includes(chosen)) return chosen;
  if (SUPPORTED.includes(userLocale)) return userLocale;
  return SUPPORTED.includes(defaultLocale) ? defaultLocale : 'ru';
}

export async function initI18n({ userLocale, defaultLocale, zone } = {}) {
  current = pickLang(userLocale, defaultLocale);
  timeZone = zone;
  const answer = await fetch(`/static/i18n/${current}.json`);
  catalogue = await answer.json();
  document.documentElement.lang = current;
  translateDom();
  return current;
}

export function lang() {
  return current;
}

export function setLang(value) {
  localStorage.setItem(LANG_KEY, value);
  const url = new URL(location.href);
  url.searchParams.delete('lang');
  location.replace(url);
}

// t('sync.queued', {n: 3}) -> the catalogue's text with n filled in; a missing key shows itself.
export function t(key, vars = {}) {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function translateDom(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = t(title.dataset.i18n);
}

// A language switch: <select> filled with the supported languages.
export function mountLangSwitch(select) {
  select.replaceChildren(
    ...SUPPORTED.map((code) => new Option(t(`lang.${code}`), code, false, code === current)),
  );
  select.addEventListener('change', () => setLang(select.value));
}

function locale() {
  return current === 'ru' ? 'ru-RU' : 'en-GB';
}

// Times of day in the office's time zone (plans store instants).
export function fmtTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone }).format(
    new Date(iso),
  );
}

export function fmtDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), {
    weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function fmtNumber(n) {
  return new Intl.NumberFormat(locale()).format(Math.round(n));
}

// Minutes since midnight in the office's time zone, for the timeline.
export function minutesOfDay(iso) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone,
  }).formatToParts(new Date(iso));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return get('hour') * 60 + get('minute');
}

// Today's date (YYYY-MM-DD) in the office's time zone.
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
}
