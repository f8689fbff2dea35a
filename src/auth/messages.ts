/** One answer for an unknown email and a wrong password (and stale credentials at session start). */
export const BAD_CREDENTIALS = 'Incorrect email or password';
export const INACTIVE_ACCOUNT = 'Inactive account';
export const EMAIL_NOT_VERIFIED = 'Email not verified';
