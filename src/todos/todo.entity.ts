import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * One btree index per sort of the list, each ending in the id that breaks ties, so a page (first
 * or after a cursor) is a range of one index. The title's trigram index (GIN, `gin_trgm_ops`)
 * serves the substring search; TypeORM cannot declare its operator class, so the migration builds
 * it and the entity only names it.
 */
@Entity({ name: 'todos' })
@Index('IDX_todos_owner_created_id', ['ownerId', 'createdAt', 'id'])
@Index('IDX_todos_owner_title_id', ['ownerId', 'title', 'id'])
// `q`: the owner's titles by trigram (btree_gin puts the owner in the same GIN index). Written by
// its migration: TypeORM cannot say an operator class.
@Index('IDX_todos_owner_title_trgm', { synchronize: false })
export class Todo {
  /** bigint, its identity capped at 2^53 − 1 (`MAXVALUE`, set by the migration): read as a number. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_todos' })
  id!: number;

  /** ICU's root collation, pinned: titles sort alike on every PostgreSQL, the embedded one included. */
  @Column({ type: 'varchar', length: 200, collation: 'und-x-icu' })
  title!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  description!: string | null;

  @Column({ type: 'boolean', default: false })
  completed!: boolean;

  @Column({ name: 'owner_id', type: 'integer' })
  ownerId!: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'FK_todos_owner' })
  owner?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
