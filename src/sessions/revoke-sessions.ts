import { type EntityManager, type FindOptionsWhere, IsNull } from 'typeorm';
import { type RevocationReason, Session } from './session.entity.js';

/** Ends the matching live sessions, inside the caller's transaction; returns how many ended. */
export async function revokeSessions(em: EntityManager, where: FindOptionsWhere<Session>, reason: RevocationReason): Promise<number> {
  const result = await em.update(Session, { ...where, revokedAt: IsNull() }, { revokedAt: () => 'now()', revokedReason: reason });
  return result.affected ?? 0;
}
