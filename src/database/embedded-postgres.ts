import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig, type PGlitePgConfig } from '@electric-sql/pglite/node-postgres';
import { DirectoryInUseError, lockDirectory } from './directory-lock.js';

/**
 * PostgreSQL compiled to WebAssembly, running inside this process with its files under
 * `DATA_DIR/pglite`. PGlite has no lock of its own and two processes on one directory lose
 * committed rows, so the directory is locked for as long as it is open (and a lock left by a
 * process that was killed is taken over at once). PGlite ships contrib extensions as bundles the
 * instance must be given at creation: `pg_trgm` and `btree_gin`, which the list searches' indexes use, are two.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly pglite: PGlite,
    private readonly release: () => Promise<void>,
  ) {}

  static async open(dataDir: string): Promise<EmbeddedPostgres> {
    const dir = resolve(join(dataDir, 'pglite'));
    mkdirSync(dir, { recursive: true });
    let release: () => Promise<void>;
    try {
      release = await lockDirectory(dir);
    } catch (error) {
      if (error instanceof DirectoryInUseError) {
        const owner = error.ownerPid === undefined ? 'another process' : `another process (pid ${error.ownerPid})`;
        throw new Error(`The embedded database in ${dir} is in use by ${owner}. Stop it first, or set DATABASE_URL to use PostgreSQL.`, {
          cause: error,
        });
      }
      throw error;
    }
    try {
      const pglite = await PGlite.create(dir, { extensions: { pg_trgm, btree_gin } });
      return new EmbeddedPostgres(pglite, release);
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** node-postgres options that route pg's single client through PGlite's own protocol adapter. */
  pgOptions(): PGlitePgConfig & { max: number; connectionTimeoutMillis: number } {
    return { ...createPgConfig(this.pglite), max: 1, connectionTimeoutMillis: 10_000 };
  }

  async close(): Promise<void> {
    try {
      if (!this.pglite.closed) await this.pglite.close();
    } finally {
      await this.release();
    }
  }
}
