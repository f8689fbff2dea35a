import { htmlBody, type MailContent, PRODUCT } from '../mail/mail-layout.js';

/** Every change to a second factor is mailed: a change the owner did not make is how they learn of it. */
export type MfaNotice = 'enabled' | 'disabled' | 'recovery_codes_regenerated' | 'recovery_code_used' | 'reset_by_admin' | 'failure_cap';

const NOT_YOU = 'If this was not you, change your password at once and contact us.';

function notice(subject: string, paragraphs: string[]): MailContent {
  return { subject: `${PRODUCT}: ${subject}`, text: paragraphs.join('\n\n'), html: htmlBody(paragraphs) };
}

/** The notice of `kind`, dated `when`; `remaining` is the count of unused recovery codes, where it matters. */
export function mfaMail(kind: MfaNotice, when: Date, remaining?: number): MailContent {
  const at = when.toUTCString();
  switch (kind) {
    case 'enabled':
      return notice('two-step sign-in turned on', [
        `Two-step sign-in was turned on for your ${PRODUCT} account on ${at}; your other sessions were signed out. From now on a sign-in asks for a code from your authenticator app.`,
        'Keep your recovery codes somewhere safe: each lets you sign in once without the app.',
        NOT_YOU,
      ]);
    case 'disabled':
      return notice('two-step sign-in turned off', [
        `Two-step sign-in was turned off for your ${PRODUCT} account on ${at}. Your password alone now signs you in.`,
        NOT_YOU,
      ]);
    case 'recovery_codes_regenerated':
      return notice('new recovery codes', [
        `A new set of recovery codes was made for your ${PRODUCT} account on ${at}. The earlier codes no longer work.`,
        NOT_YOU,
      ]);
    case 'recovery_code_used':
      return notice('a recovery code was used', [
        `A recovery code was used to sign in to your ${PRODUCT} account on ${at}. ${remaining ?? 0} unused codes are left; make a new set when they run low.`,
        NOT_YOU,
      ]);
    case 'reset_by_admin':
      return notice('two-step sign-in reset by an administrator', [
        `An administrator turned off two-step sign-in for your ${PRODUCT} account on ${at}, as is done for a lost device. Your password alone now signs you in; turn two-step sign-in on again with your new device.`,
        'If you did not ask for this, change your password at once and contact us.',
      ]);
    case 'failure_cap':
      return notice('authenticator codes locked', [
        `Too many wrong authentication codes were entered for your ${PRODUCT} account (the last on ${at}), so codes from your authenticator app are no longer accepted.`,
        'Sign in with one of your recovery codes, which unlocks them, or ask an administrator to reset two-step sign-in.',
        'Someone who knows your password may be trying to sign in: change your password at once.',
      ]);
  }
}
