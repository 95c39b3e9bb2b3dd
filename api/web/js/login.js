// Login page: get a token, then go where the user's role works.
import * as api from './api.js';
import { initI18n, mountLangSwitch, t } from './i18n.js';

const cfg = await api.config().catch(() => ({}));
await initI18n({ defaultLocale: cfg.default_locale });
mountLangSwitch(document.getElementById('lang'));

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  try {
    const answer = await api.login(form.username.value.trim(), form.password.value);
    location.assign(api.homeOf(answer.role));
  } catch (exc) {
    if (exc.status === 429) {
      error.textContent = t('login.throttled', { seconds: exc.body?.retry_after ?? '' });
    } else {
      error.textContent = exc.status === 401 ? t('login.wrong') : t('error.network');
    }
    error.hidden = false;
  }
});

// The button works only from here on: before, a click would send the form natively (a page
// reload with the password in its address).
form.querySelector('button[type=submit]').disabled = false;
document.body.dataset.ready = '1';

// Already logged in: straight to work.
if (api.storedRole()) {
  api.me().then(
    (user) => location.replace(api.homeOf(user.role)),
    () => {},
  );
}
