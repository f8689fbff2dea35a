import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * How many todos a user holds, kept in the statement that inserts one and the transaction that
 * deletes one, so that `TODOS_PER_USER_MAX` is checked by reading one row instead of counting
 * the user's todos. A user without a row holds none.
 */
@Entity({ name: 'todo_counts' })
@Check('CHK_todo_counts_not_negative', '"count" >= 0')
export class TodoCount {
  @PrimaryColumn({ name: 'user_id', type: 'integer', primaryKeyConstraintName: 'PK_todo_counts' })
  userId!: number;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_todo_counts_user' })
  user?: User;

  @Column({ type: 'integer' })
  count!: number;
}
