// One's own login: change the password (every earlier login token stops working, so the
// page logs in again with the new one).
import * as api from './api.js';
import { t, translateDom } from './i18n.js';
import { $, clearErrors, formError, say } from './dom.js';
import { startPage } from './shell.js';

const { user } = await startPage();
$('home-link').href = api.homeOf(user.role);
$('acc-who').textContent = t('acc.who', { username: user.username, role: t(`role.${user.role}`) });

$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  if (form.new_password.value !== form.repeat.value) {
    form.repeat.setAttribute('aria-invalid', 'true');
    say($('password-msg'), t('acc.mismatch'), 'bad');
    return;
  }
  try {
    await api.call('POST', '/api/me/password', {
      body: { old_password: form.old_password.value, new_password: form.new_password.value },
    });
    await api.login(user.username, form.new_password.value);
    form.reset();
    say($('password-msg'), t('acc.changed'), 'good');
  } catch (exc) {
    formError(form, $('password-msg'), exc);
  }
});

translateDom();
document.body.dataset.ready = '1';
