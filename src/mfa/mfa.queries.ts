import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hydrate, selectList } from '../database/hydrate.js';
import { columnName } from '../database/mapped-json.js';
import { TotpFactor } from './totp-factor.entity.js';

/**
 * The MFA module's hand-written SQL: the upsert of a pending authenticator, whose condition (never
 * over a confirmed one) the query builder's `orUpdate` cannot say. Fixed text with the columns
 * from the entity's metadata, values bound as parameters; `test/e2e/queries.e2e-spec.ts` runs it
 * against the migrated schema and reads its write back through the entity.
 */
@Injectable()
export class MfaQueries {
  private readonly pendingFactorSql: string;

  constructor(@InjectRepository(TotpFactor) private readonly factors: Repository<TotpFactor>) {
    const table = factors.metadata.tableName;
    const column = (property: keyof TotpFactor & string) => columnName(factors, property);
    this.pendingFactorSql = `INSERT INTO "${table}" (${column('userId')}, ${column('secretSealed')}) VALUES ($1, $2)
       ON CONFLICT (${column('userId')}) DO UPDATE
          SET ${column('secretSealed')} = EXCLUDED.${column('secretSealed')}, ${column('createdAt')} = now(),
              ${column('lastUsedStep')} = NULL, ${column('failedAttempts')} = 0
        WHERE "${table}".${column('confirmedAt')} IS NULL
       RETURNING ${selectList(factors, `"${table}"`)}`;
  }

  /**
   * Stores `secretSealed` as the user's pending authenticator, in place of an earlier pending one
   * (whose last step and failures go with it). Never over a confirmed one, so a setup racing a
   * confirmation loses: undefined then, the row as written otherwise.
   */
  async writePending(userId: number, secretSealed: Buffer): Promise<TotpFactor | undefined> {
    const [row] = await this.factors.query<Record<string, unknown>[]>(this.pendingFactorSql, [userId, secretSealed]);
    return row && hydrate(this.factors, row);
  }
}
