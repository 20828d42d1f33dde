// Members page (owners): invite by email with a role, change roles, remove members, clear a sign-in wait,
// withdraw invitations. Account page: accept or decline your invitations, create, list and revoke API tokens.
// Every action is one JSON API call (web/api/members.py); a refusal is shown beside what caused it.
import { api } from './kit/api.js';
import { ask, toast } from './kit/feedback.js';
import { el } from './kit/html.js';

export function startMembers() {
  const $ = (id) => document.getElementById(id);
  const why = (err) => (err && err.message) || String(err);
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

  async function copy(input) {
    input.select();
    try { await navigator.clipboard.writeText(input.value); toast('Copied', 'ok', 2000); }
    catch { toast('Copy it from the field (the browser refused the clipboard)', 'info', 4000); }
  }

  // ---- members page ------------------------------------------------------------------------------------
  const invite = $('members-invite');
  if (invite) {
    const studio = invite.dataset.studioId;
    const base = `/api/studios/${studio}`;

    $('invite-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('invite-error').textContent = '';
      const email = $('invite-email').value.trim();
      if (!email) { $('invite-error').textContent = 'Write the email to invite.'; return; }
      $('invite-send').disabled = true;
      try {
        const made = await api('POST', `${base}/members`, { email, role: $('invite-role').value });
        const inv = made.invitation;
        $('invite-made').hidden = false;
        if (made.mailed) {
          $('invite-made-text').textContent = `Invitation sent to ${inv.email} by mail.`;
          $('invite-url').parentElement.hidden = true;
        } else {
          $('invite-made-text').textContent = (made.mail_error ? `Mail failed (${made.mail_error}). ` : '') +
            `Hand this link to ${inv.email}: it joins the studio only as them, once.`;
          $('invite-url').parentElement.hidden = false;
          $('invite-url').value = made.invite_url;
        }
        $('invite-email').value = '';
        document.querySelector(`#invitations tr[data-email="${CSS.escape(inv.email)}"]`)?.remove();
        $('invitations').tBodies[0].prepend(invitationRow(inv));
        $('no-invitations').classList.add('hidden');
      } catch (err) { $('invite-error').textContent = why(err); } finally { $('invite-send').disabled = false; }
    });
    $('invite-copy').addEventListener('click', () => copy($('invite-url')));

    function invitationRow(inv) {
      const row = el('tr', { 'data-invitation-id': String(inv.id), 'data-email': inv.email },
        el('td', { text: inv.email }), el('td', { text: inv.role }),
        el('td', { class: 'small muted', text: when(inv.expires_at) }),
        el('td', { class: 'small muted', text: inv.mailed ? 'by mail' : 'link' }),
        el('td', { class: 'actions-col' }, el('button', { class: 'btn btn-small invitation-revoke', type: 'button', text: 'Withdraw' })));
      return row;
    }

    $('invitations').addEventListener('click', async (event) => {
      const button = event.target.closest('.invitation-revoke');
      if (!button) return;
      const row = button.closest('tr');
      button.disabled = true;
      try {
        await api('DELETE', `${base}/invitations/${row.dataset.invitationId}`);
        row.remove();
        if (!$('invitations').tBodies[0].rows.length) $('no-invitations').classList.remove('hidden');
      } catch (err) { toast(why(err), 'error'); button.disabled = false; }
    });

    const table = $('members');
    table.addEventListener('change', async (event) => {
      const select = event.target.closest('.member-role');
      if (!select) return;
      const row = select.closest('tr');
      const error = row.querySelector('.member-error');
      error.textContent = '';
      try {
        await api('PATCH', `${base}/members/${row.dataset.memberId}`, { role: select.value });
        row.dataset.role = select.value;
        toast('Role changed', 'ok', 2000);
      } catch (err) { select.value = row.dataset.role; error.textContent = why(err); }
    });
    table.addEventListener('click', async (event) => {
      const row = event.target.closest('tr');
      if (!row) return;
      const error = row.querySelector('.member-error');
      if (event.target.closest('.member-remove')) {
        const who = row.cells[0].firstElementChild.textContent.trim();
        if (!(await ask({ title: `Remove ${who}?`, lines: ['Their access to this studio ends at once.'],
          confirm: 'Remove', cancel: 'Keep', danger: true, id: 'member-remove-ask' }))) return;
        error.textContent = '';
        try { await api('DELETE', `${base}/members/${row.dataset.memberId}`); row.remove(); toast(`${who} removed`, 'ok', 2500); }
        catch (err) { error.textContent = why(err); }
      } else if (event.target.closest('.member-unthrottle')) {
        try {
          await api('DELETE', `${base}/members/${row.dataset.memberId}/throttle`);
          row.querySelector('.member-throttle').replaceChildren(el('span', { class: 'muted', text: 'ok' }));
        } catch (err) { error.textContent = why(err); }
      }
    });
  }

  // ---- account page ------------------------------------------------------------------------------------
  const mine = $('my-invitations');
  if (mine) {
    mine.addEventListener('click', async (event) => {
      const button = event.target.closest('button');
      if (!button) return;
      const item = button.closest('li');
      const verb = button.classList.contains('invitation-accept') ? 'accept' : 'decline';
      button.disabled = true;
      try {
        await api('POST', `/api/me/invitations/${item.dataset.invitationId}/${verb}`);
        if (verb === 'accept') { window.location.reload(); return; }
        item.remove();
        if (!mine.children.length) $('no-my-invitations').classList.remove('hidden');
      } catch (err) { toast(why(err), 'error'); button.disabled = false; }
    });
  }
  const tokens = $('tokens');
  if (tokens) {
    $('token-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('token-error').textContent = '';
      const name = $('token-name').value.trim();
      if (!name) { $('token-error').textContent = 'Name the token after what will use it.'; return; }
      const days = $('token-days').value ? Number($('token-days').value) : null;
      $('token-create').disabled = true;
      try {
        const made = await api('POST', '/api/me/tokens', { name, days });
        $('token-made').hidden = false;
        $('token-value').value = made.token;
        $('token-name').value = '';
        tokens.tBodies[0].prepend(el('tr', { 'data-token-id': String(made.id), 'data-active': 'true' },
          el('td', { text: made.name }), el('td', { class: 'small muted', text: when(made.created_at) }),
          el('td', { class: 'small muted', text: when(made.expires_at) }), el('td', { class: 'small', text: 'active' }),
          el('td', { class: 'actions-col' }, el('button', { class: 'btn btn-small token-revoke', type: 'button', text: 'Revoke' }))));
      } catch (err) { $('token-error').textContent = why(err); } finally { $('token-create').disabled = false; }
    });
    $('token-copy').addEventListener('click', () => copy($('token-value')));
    tokens.addEventListener('click', async (event) => {
      const button = event.target.closest('.token-revoke');
      if (!button) return;
      const row = button.closest('tr');
      button.disabled = true;
      try {
        await api('DELETE', `/api/me/tokens/${row.dataset.tokenId}`);
        row.dataset.active = 'false';
        row.cells[3].textContent = 'revoked';
        button.remove();
      } catch (err) { toast(why(err), 'error'); button.disabled = false; }
    });
  }
}
