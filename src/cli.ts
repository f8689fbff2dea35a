import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { AdminBootstrapService } from './admin-bootstrap/admin-bootstrap.service.js';
import { normalizeEmail } from './users/email-address.js';
import { loadEnv } from './config/env.js';
import { describeSeed, seedDemoData } from './seed.js';

const USAGE = `Usage: npm run cli -- create-admin --email <email>
       npm run cli -- seed [--allow-production]

create-admin: creates an admin account, or promotes and reactivates an existing one (its
password is kept). An existing account that is not yet an admin must be verified, and the
password given must be its own; otherwise it is refused, so that nobody who registered the
address first becomes admin. The password is read from standard input, or asked for without
echo on a terminal; never from the command line, where it would land in shell history and the
process list.

seed (npm run seed): demo accounts, one of them an admin, each with a few todos, for a first
look; prints the passwords of the accounts it creates. An account that exists already is left
as it is, so a second run changes nothing. Refused when NODE_ENV=production unless
--allow-production is given.`;

/** Reads one line without echoing it when stdin is a terminal; the whole of stdin otherwise. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question('Password: ', resolve));
  muted = true;
  const password = await answer;
  rl.close();
  process.stdout.write('\n');
  return password;
}

async function createAdmin(email: string): Promise<void> {
  // Every wrong variable reported at once, and before the password is asked for.
  loadEnv();
  const password = await readPassword();
  // Nest's own logger stays off: a failure is reported once, below, in one line.
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  try {
    const outcome = await app.get(AdminBootstrapService).ensureAdmin(email, password);
    console.log(`Admin ${normalizeEmail(email)}: ${outcome}`);
  } finally {
    await app.close();
  }
}

async function seed(allowProduction: boolean): Promise<number> {
  if (loadEnv().runtime.nodeEnv === 'production' && !allowProduction) {
    console.error(
      'Refusing to add demo accounts with NODE_ENV=production; pass --allow-production if this database really should have them.',
    );
    return 1;
  }
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  try {
    console.log(describeSeed(await seedDemoData(app)));
  } finally {
    await app.close();
  }
  return 0;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      'allow-production': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (!values.help && command === 'seed' && positionals.length === 1) return seed(values['allow-production'] === true);
  if (values.help || command !== 'create-admin' || !values.email) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  await createAdmin(values.email);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
