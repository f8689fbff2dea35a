import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** Longer than any address with brackets, zone and port: not worth parsing. */
const MAX_LENGTH = 100;
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^([\d.]+):\d{1,5}$/;
const IPV4_MAPPED = /^::ffff:([\da-f]{1,4}):([\da-f]{1,4})$/;

/**
 * One spelling per address, or undefined for anything that is not an address. A port
 * (`1.2.3.4:5678`, `[2001:db8::1]:443`) and an IPv6 zone are dropped; IPv6 is written as RFC 5952
 * has it (lower case, longest run of zeros compressed), and an IPv4-mapped IPv6 address as the
 * IPv4 address it maps. IPv4 is taken only in the dotted-decimal form Node's `isIP` accepts:
 * `192.000.002.009` reads as decimal to some parsers and as octal to others, so it is no
 * address at all rather than a guess at one.
 */
export function canonicalIp(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length > MAX_LENGTH) return undefined;
  const trimmed = raw.trim();
  let address = BRACKETED.exec(trimmed)?.[1] ?? IPV4_WITH_PORT.exec(trimmed)?.[1] ?? trimmed;
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return undefined;
  // isIP vouched for the text, so the WHATWG URL parser reads nothing but the address; its
  // serialiser is RFC 5952's canonical form.
  const ipv6 = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(ipv6);
  if (!mapped) return ipv6;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * The client's address, canonical, for every use of it (rate limits, sessions, logs): the
 * socket's, or the proxy's view of the client when `TRUST_PROXY` is on. What a proxy passes on
 * that is no address counts as coming from the socket's peer, so junk cannot open new buckets.
 */
export function clientIp(request: FastifyRequest): string | undefined {
  return canonicalIp(request.ip) ?? canonicalIp(request.socket.remoteAddress);
}

/** Where a request comes from, as sessions and audit events show it. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

/** The request's user agent (at most 512 characters, as stored) and `clientIp`. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null, ip: clientIp(request) ?? null };
}
