import { escapeHtml } from '../../fleet/triage/report-html.js';

/**
 * The pages the lab's authorize endpoint shows in the admin's browser (delegated-sign-in.ts): a
 * sign-in with one button, and a refusal. Plain HTML, no script; every value is escaped.
 */
const STYLE =
  'body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}' +
  '.lab{background:#b00020;color:#fff;padding:.2rem .5rem;font-weight:bold}' +
  'button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><p><span class="lab">LAB</span> tpm-doctor lab tenant: simulated, not Microsoft Entra ID</p>${body}</body></html>`;
}

export function signInPage(options: {
  request: string;
  user: { name: string; username: string };
  clientId: string;
  scope: string;
}): string {
  return page(
    'Sign in to the LAB tenant',
    `<h1>Sign in</h1><p>App <code>${escapeHtml(options.clientId)}</code> asks for <code>${escapeHtml(options.scope)}</code>.</p>` +
      `<p>Signing in as <strong>${escapeHtml(options.user.name)}</strong> (${escapeHtml(options.user.username)}).</p>` +
      `<form method="post"><input type="hidden" name="request" value="${escapeHtml(options.request)}">` +
      '<button type="submit" name="decision" value="accept" id="accept">Sign in</button>' +
      '<button type="submit" name="decision" value="decline" id="decline">Cancel</button></form>',
  );
}

export function signInRefusedPage(message: string): string {
  return page('Sign-in refused', `<h1>Sign-in refused</h1><p id="error">${escapeHtml(message)}</p>`);
}
