import { htmlBody, type MailContent, PRODUCT } from '../mail/mail-layout.js';

/** The notice mailed after every new password, changed or reset. */
export function passwordChangedMail(when: Date): MailContent {
  const notice = `The password of your ${PRODUCT} account was changed on ${when.toUTCString()}, and your other sessions were signed out.`;
  const help = 'If this was not you, reset your password at once with "Forgot password", and contact us.';
  return {
    subject: `Your ${PRODUCT} password was changed`,
    text: [notice, help].join('\n\n'),
    html: htmlBody([notice, help]),
  };
}
