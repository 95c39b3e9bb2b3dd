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
// A text that depends on a count has one key per plural form of the language, chosen by `n`
// through the language's plural rules: "live.rows#one", "#few", "#many", "#other" in Russian.
export function t(key, vars = {}) {
  let text = catalogue[key];
  if (text === undefined && typeof vars.n === 'number') {
    const form = new Intl.PluralRules(locale()).select(vars.n);
    text = catalogue[`${key}#${form}`] ?? catalogue[`${key}#other`];
  }
  text = text ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export function has(key) {
  return key in catalogue;
}

// A failed API call in the user's words: the error's code (with its parameters) when the
// catalogue knows it, else what its HTTP status means; never the server's English sentence.
export function errorText(exc) {
  if (!exc?.status) return t('error.network');
  const body = exc.body ?? {};
  if (body.code && has(`error.code.${body.code}`)) return t(`error.code.${body.code}`, body.params ?? {});
  if (has(`error.status.${exc.status}`)) return t(`error.status.${exc.status}`);
  return t('error.status.other', { status: exc.status });
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

// "5 декабря": a day without its weekday, for short labels.
export function fmtShortDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

// The office's calendar day (YYYY-MM-DD) of an instant.
export function dayOf(iso) {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(iso));
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
