/** Why an existing account was not made the bootstrap admin. */
export type AdminRefusal = 'not_verified' | 'password_differs';

/** How the refusal names what the operator gave: the CLI's address and password, or the environment's. */
export interface AdminRefusalWording {
  address: string;
  password: string;
  another: string;
}

/** Why the account was not promoted, and what the operator can do about it. */
export function adminRefusalMessage(reason: AdminRefusal, { address, password, another }: AdminRefusalWording): string {
  return reason === 'not_verified'
    ? `${address} belongs to an account that is not verified: not promoted. Delete that account, or verify it, or choose ${another}.`
    : `${address} belongs to an account whose password differs from ${password}: not promoted. Delete that account, or use its password, or choose ${another}.`;
}

/**
 * An existing account the operator could not prove theirs: whoever registered the address first
 * would otherwise become admin with their own password.
 */
export class AdminRefusedError extends Error {
  constructor(
    readonly reason: AdminRefusal,
    readonly userId: number,
    email: string,
  ) {
    super(adminRefusalMessage(reason, { address: email, password: 'the one given', another: 'another address' }));
    this.name = 'AdminRefusedError';
  }
}
