import { existsSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsString, MinLength, validateSync, type ValidationError } from 'class-validator';
import ms from 'ms';

/**
 * The machinery the `<area>.config.ts` files share: each declares its variables once, as a
 * validated class, and derives its typed config from that class's instance. This file reads
 * `process.env`; nothing outside src/config does.
 */

export const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value);

export function durationMs(name: string, value: string): number {
  const millis = ms(value as ms.StringValue);
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 0) {
    throw new Error(`${name} must be a duration such as "15m" or "1h", got "${value}"`);
  }
  return millis;
}

const NODE_ENVS = ['development', 'production', 'test'] as const;

/** What every area may depend on: the mode the process runs in, and where it keeps its files. */
export class RuntimeVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  /** The embedded database, the generated JWT secret and the mail outbox live here. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';
}

export function toRuntime(v: RuntimeVariables) {
  return { nodeEnv: v.NODE_ENV, dataDir: v.DATA_DIR };
}

export type Runtime = ReturnType<typeof toRuntime>;

/** Variables whose value an error message must never repeat, whatever their check says. */
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|_KEY|_KEYS)$/;

/** The password of a URL's user info blanked out, even in a URL too broken to parse. */
function withoutPassword(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const userInfo = value.slice(scheme.length, at);
  const user = userInfo.includes(':') ? `${userInfo.slice(0, userInfo.indexOf(':'))}:` : '';
  return `${scheme}${user}***${value.slice(at)}`;
}

/**
 * One line of a start-up error, which operators read in shared logs: a secret's value never
 * appears, a URL's only without its password, even should a check's message carry `$value`.
 */
function refusal(name: string, value: unknown, message: string): string {
  if (typeof value !== 'string') return `${message} (got ${JSON.stringify(value)})`;
  if (SECRET_NAME.test(name)) return `${message.replaceAll(value, '***')} (value hidden)`;
  if (name.endsWith('_URL')) {
    const shown = withoutPassword(value);
    return `${message.replaceAll(value, shown)} (got ${JSON.stringify(shown)})`;
  }
  return `${message} (got ${JSON.stringify(value)})`;
}

let dotEnvRead = false;

/** Reads `.env` when present (real environment variables win), once per process. */
function loadDotEnv(): void {
  if (!dotEnvRead && existsSync('.env')) process.loadEnvFile('.env');
  dotEnvRead = true;
}

type VariablesClass = new () => object;
type Instances<T extends readonly VariablesClass[]> = { -readonly [K in keyof T]: InstanceType<T[K]> };

/** Each class filled in from `source` (defaults for the rest), and what failed, class by class. */
function validated<T extends readonly VariablesClass[]>(classes: T, source: NodeJS.ProcessEnv) {
  if (source === process.env) loadDotEnv();
  // An empty variable means "unset": it takes the default rather than failing or turning a flag off.
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const values = classes.map((variables) => plainToInstance(variables, given, { exposeDefaultValues: true }));
  const errors: ValidationError[][] = values.map((value) => validateSync(value, { whitelist: true }));
  return { values: values as Instances<T>, errors };
}

/**
 * The classes' variables from `source`, all validated before any is refused: the error has one
 * line per variable, every expectation it failed in it, since a person fixes one value at a time.
 */
export function readVariables<T extends readonly VariablesClass[]>(classes: T, source: NodeJS.ProcessEnv = process.env): Instances<T> {
  const { values, errors } = validated(classes, source);
  const lines = errors.flat().map((e) => {
    const expected = Object.values(e.constraints ?? {})
      .reverse()
      .map((message) => (message.startsWith(`${e.property} `) ? message.slice(e.property.length + 1) : message));
    return `  - ${refusal(e.property, e.value, `${e.property} ${expected.join(', ')}`)}`;
  });
  if (lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  return values;
}

/** Like `readVariables`, but a variable that is invalid takes its default instead of being refused. */
export function readValidVariables<T extends readonly VariablesClass[]>(classes: T, source: NodeJS.ProcessEnv = process.env): Instances<T> {
  const { values, errors } = validated(classes, source);
  values.forEach((value, i) => {
    const defaults = new classes[i]() as Record<string, unknown>;
    for (const e of errors[i]) (value as Record<string, unknown>)[e.property] = defaults[e.property];
  });
  return values;
}

/** One area's variables with the runtime ones, as its `registerAs` factory reads them. */
export function readArea<V extends object>(variables: new () => V, source: NodeJS.ProcessEnv = process.env): [V, Runtime] {
  const [runtime, values] = readVariables([RuntimeVariables, variables] as const, source);
  return [values, toRuntime(runtime)];
}
