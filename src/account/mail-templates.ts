import { htmlBody, type MailContent, PRODUCT } from '../mail/mail-layout.js';

/**
 * The code alone on its line: short enough that quoted-printable never splits it, so it can be
 * copied even from the raw `.eml` file.
 */
const codeLine = (code: string) => `Or enter this code:\n${code}`;

export function passwordResetMail(link: string, code: string, minutes: number): MailContent {
  const intro = `Someone (we hope you) asked to reset the password of your ${PRODUCT} account.`;
  const rules = `The link works once and expires in ${minutes} minutes. Setting a new password signs you out on every device.`;
  const ignore = 'If you did not ask for this, ignore this message: your password stays as it is.';
  return {
    subject: `Reset your ${PRODUCT} password`,
    text: [intro, `Choose a new password:\n${link}`, codeLine(code), rules, ignore].join('\n\n'),
    html: htmlBody([intro, rules, ignore], { label: 'Choose a new password', link, code }),
  };
}

export function verificationMail(link: string, code: string, hours: number): MailContent {
  const intro = `Please confirm that this address belongs to your ${PRODUCT} account.`;
  const rules = `The link works once and expires in ${hours} hours.`;
  const ignore = 'If you did not create an account, ignore this message.';
  return {
    subject: `Confirm your email address for ${PRODUCT}`,
    text: [intro, `Confirm your address:\n${link}`, codeLine(code), rules, ignore].join('\n\n'),
    html: htmlBody([intro, rules, ignore], { label: 'Confirm my address', link, code }),
  };
}
