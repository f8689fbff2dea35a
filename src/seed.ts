import { randomInt } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { PasswordHasherService } from './passwords/password-hasher.service.js';
import { passwordProblem } from './passwords/password-policy.js';
import { passwordsConfig, type PasswordsConfig } from './config/passwords.config.js';
import type { CreateTodoDto } from './todos/dto/create-todo.dto.js';
import { TodosService } from './todos/todos.service.js';
import { Role } from './users/role.enum.js';
import { UsersService } from './users/users.service.js';

export interface DemoAccount {
  email: string;
  role: Role;
  todos: CreateTodoDto[];
}

/** What `npm run seed` creates: verified accounts, so they log in whatever REQUIRE_EMAIL_VERIFICATION says. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    email: 'demo-admin@example.com',
    role: Role.Admin,
    todos: [
      { title: 'Review new sign-ups', description: 'GET /admin/users lists every account', completed: false },
      { title: 'Rotate the JWT signing key', completed: true },
    ],
  },
  {
    email: 'alice@example.com',
    role: Role.User,
    todos: [
      { title: 'Buy milk', description: 'Two litres, semi-skimmed', completed: true },
      { title: 'Book the dentist', completed: false },
      { title: 'Water the plants', completed: false },
    ],
  },
  {
    email: 'bob@example.com',
    role: Role.User,
    todos: [
      { title: 'Renew passport', description: 'The photo booth is at the station', completed: false },
      { title: 'Call the plumber', completed: true },
      { title: 'Plan the weekend hike', completed: false },
    ],
  },
];

export type SeedResult =
  { email: string; role: Role; outcome: 'created'; password: string; todos: number } | { email: string; role: Role; outcome: 'exists' };

const isUniqueViolation = (error: unknown) =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

/** Letters and digits only, so a password copies from the terminal in one double-click. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password the configured policy accepts: 20 characters, or the configured minimum if longer. */
function demoPassword(email: string, minChars: number): string {
  const chars = Math.max(20, minChars);
  for (;;) {
    const password = Array.from({ length: chars }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if (passwordProblem(password, email, minChars) === undefined) return password;
  }
}

/**
 * Creates each demo account that does not exist yet, with its todos, in one transaction per
 * account (a failed run leaves no account without its todos). An account that exists, whoever
 * made it, is left as it is: its password and its todos are not touched, so running again
 * changes nothing.
 */
export async function seedDemoData(app: INestApplicationContext): Promise<SeedResult[]> {
  const users = app.get(UsersService);
  const todos = app.get(TodosService);
  const hasher = app.get(PasswordHasherService);
  const dataSource = app.get(DataSource);
  const { minChars } = app.get<PasswordsConfig>(passwordsConfig.KEY);
  const results: SeedResult[] = [];
  for (const { email, role, todos: items } of DEMO_ACCOUNTS) {
    const existing = await users.findWithPasswordByEmail(email);
    if (existing) {
      results.push({ email, role: existing.role, outcome: 'exists' });
      continue;
    }
    const password = demoPassword(email, minChars);
    const hashedPassword = await hasher.hash(password);
    try {
      await dataSource.transaction(async (em) => {
        const user = await users.create(email, hashedPassword, role, true, em);
        for (const item of items) await todos.create(user.id, item, em);
      });
    } catch (error) {
      // Created by someone else since the check above: theirs now, and left alone.
      if (!isUniqueViolation(error)) throw error;
      results.push({ email, role, outcome: 'exists' });
      continue;
    }
    results.push({ email, role, outcome: 'created', password, todos: items.length });
  }
  return results;
}

/** What the command prints: the credentials of the accounts it created, and what it left alone. */
export function describeSeed(results: SeedResult[]): string {
  const width = Math.max(...results.map((r) => r.email.length));
  const lines = results.map((r) => {
    const who = `${r.role.padEnd(5)}  ${r.email.padEnd(width)}`;
    return r.outcome === 'created'
      ? `  created  ${who}  password: ${r.password}  (${r.todos} todos)`
      : `  exists   ${who}  left as it is (password and todos unchanged)`;
  });
  const created = results.some((r) => r.outcome === 'created');
  return [
    created ? 'Demo accounts (verified; passwords are shown this once):' : 'Demo accounts: all exist already, nothing was changed.',
    ...lines,
    created
      ? 'Log in with these in Swagger UI (/docs, Authorize) or POST /auth/login.'
      : 'Their passwords were printed when they were created. To start over, delete them (DELETE /admin/users/{id}) or use a fresh database.',
  ].join('\n');
}
