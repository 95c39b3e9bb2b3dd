// Login page: get a token, then go where the user's role works.
import * as api from './api.js';
import { errorText, initI18n, mountLangSwitch, t } from './i18n.js';

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

// A one-time code from the administrator sets the password (a new login, or a forgotten one).
const codeForm = document.getElementById('code-form');
const codeError = document.getElementById('code-error');
document.getElementById('code-open').addEventListener('click', (event) => {
  codeForm.hidden = !codeForm.hidden;
  event.target.setAttribute('aria-expanded', String(!codeForm.hidden));
  if (!codeForm.hidden) codeForm.username.value ||= form.username.value.trim();
  if (!codeForm.hidden) codeForm.username.focus();
});
codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  codeError.hidden = true;
  if (codeForm.password.value !== codeForm.repeat.value) {
    codeError.textContent = t('acc.mismatch');
    codeError.hidden = false;
    return;
  }
  try {
    await api.call('POST', '/api/auth/password-with-code', {
      body: { username: codeForm.username.value.trim(), code: codeForm.code.value.trim(), password: codeForm.password.value },
    });
    form.username.value = codeForm.username.value.trim();
    codeForm.reset();
    codeForm.hidden = true;
    const done = document.getElementById('code-done');
    done.textContent = t('login.password_set');
    done.hidden = false;
    form.password.focus();
  } catch (exc) {
    codeError.textContent = exc.status === 429
      ? t('login.throttled', { seconds: exc.body?.retry_after ?? '' }) : errorText(exc);
    codeError.hidden = false;
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
