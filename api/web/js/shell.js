// The top bar of the registry pages (/admin/, /office/, /account/): who is logged in, the
// language switch, the account link and logout. Returns the user and the page config.
import * as api from './api.js';
import { initI18n, mountLangSwitch } from './i18n.js';
import { $ } from './dom.js';

export async function startPage({ roles } = {}) {
  if (!api.storedRole()) location.replace('/');
  const cfg = await api.config().catch(() => ({}));
  let user;
  try {
    user = await api.me();
  } catch {
    api.logout();
    throw new Error('not logged in');
  }
  if (roles && !roles.includes(user.role)) {
    location.replace(api.homeOf(user.role));
    throw new Error('not for this role');
  }
  await initI18n({ userLocale: user.locale, defaultLocale: cfg.default_locale, zone: cfg.timezone });
  mountLangSwitch($('lang'));
  $('user-name').textContent = user.full_name || user.username;
  $('logout').addEventListener('click', api.logout);
  return { user, cfg };
}

// Tabs: buttons [data-tab] show the section [data-panel] of the same name; the choice is
// kept in the address (?tab=) so a reload stays put.
export function mountTabs(onShow) {
  const buttons = [...document.querySelectorAll('#tabs [data-tab]')];
  const show = async (name) => {
    for (const b of buttons) {
      b.classList.toggle('active', b.dataset.tab === name);
      b.setAttribute('aria-selected', String(b.dataset.tab === name));
    }
    for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== name;
    const url = new URL(location.href);
    url.searchParams.set('tab', name);
    history.replaceState(null, '', url);
    await onShow(name);
  };
  for (const b of buttons) b.addEventListener('click', () => show(b.dataset.tab));
  const wanted = new URLSearchParams(location.search).get('tab');
  return show(buttons.some((b) => b.dataset.tab === wanted) ? wanted : buttons[0].dataset.tab);
}
