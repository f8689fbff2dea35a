import type { OutgoingMail } from './mail.service.js';

/** A message's subject and parts; the sender adds the recipient. */
export type MailContent = Omit<OutgoingMail, 'to'>;

/** The name every message signs with. */
export const PRODUCT = 'Auth & Todos';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** One short HTML body: paragraphs of text, and an optional button-like link with the code under it. */
export function htmlBody(paragraphs: string[], action?: { label: string; link: string; code: string }): string {
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
