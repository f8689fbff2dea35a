import type { OutgoingMail } from '../mail/mail.service.js';

type Content = Omit<OutgoingMail, 'to'>;

const PRODUCT = 'Auth & Todos';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** One short HTML body: paragraphs of text, and an optional button-like link with the code under it. */
function html(paragraphs: string[], action?: { label: string; link: string; code: string }): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`);
  if (action) {
    body.splice(
      1,
      0,
      `<p><a href="${escapeHtml(action.link)}">${escapeHtml(action.label)}</a></p>`,
      `<p>Or enter this code: <code>${escapeHtml(action.code)}</code></p>`,
    );
  }
  return `<!doctype html><html><body style="font-family:sans-serif">${body.join('')}</body></html>`;
}

/**
 * The code alone on its line: short enough that quoted-printable never splits it, so it can be
 * copied even from the raw `.eml` file.
 */
const codeLine = (code: string) => `Or enter this code:\n${code}`;

export function passwordResetMail(link: string, code: string, minutes: number): Content {
  const intro = `Someone (we hope you) asked to reset the password of your ${PRODUCT} account.`;
  const rules = `The link works once and expires in ${minutes} minutes. Setting a new password signs you out on every device.`;
  const ignore = 'If you did not ask for this, ignore this message: your password stays as it is.';
  return {
    subject: `Reset your ${PRODUCT} password`,
    text: [intro, `Choose a new password:\n${link}`, codeLine(code), rules, ignore].join('\n\n'),
    html: html([intro, rules, ignore], { label: 'Choose a new password', link, code }),
  };
}

export function verificationMail(link: string, code: string, hours: number): Content {
  const intro = `Please confirm that this address belongs to your ${PRODUCT} account.`;
  const rules = `The link works once and expires in ${hours} hours.`;
  const ignore = 'If you did not create an account, ignore this message.';
  return {
    subject: `Confirm your email address for ${PRODUCT}`,
    text: [intro, `Confirm your address:\n${link}`, codeLine(code), rules, ignore].join('\n\n'),
    html: html([intro, rules, ignore], { label: 'Confirm my address', link, code }),
  };
}

export function passwordChangedMail(when: Date): Content {
  const notice = `The password of your ${PRODUCT} account was changed on ${when.toUTCString()}, and your other sessions were signed out.`;
  const help = 'If this was not you, reset your password at once with "Forgot password", and contact us.';
  return {
    subject: `Your ${PRODUCT} password was changed`,
    text: [notice, help].join('\n\n'),
    html: html([notice, help]),
  };
}
