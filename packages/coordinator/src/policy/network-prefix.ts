/**
 * @module
 * Which network a host's address belongs to, for the rule that keeps one task's
 * replicas off two hosts of one network (two machines behind one router or in one
 * rented block are likely one owner). A network is an IPv4 /24 or an IPv6 /48, the
 * blocks an ISP or a cloud typically hands one customer. IPv4-mapped IPv6 addresses
 * (`::ffff:203.0.113.9`, how a dual-stack socket reports IPv4 peers) count as their IPv4
 * address. Loopback, private, link-local and unique-local ranges are exempt unless the
 * coordinator is told otherwise: a home pool or a test machine has all its hosts there.
 */

import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether the one-network rule applies: `public` (the default) to public addresses only,
 * `all` to every address (loopback and private ranges too), `off` to none.
 */
export type NetworkRule = 'public' | 'all' | 'off';

export const NETWORK_RULES: readonly NetworkRule[] = ['public', 'all', 'off'];

/** The network of an address, e.g. `203.0.113.0/24` or `2001:db8:7::/48`; null when it is not an IP address. */
export function networkPrefix(address: string): string | null {
  const v4 = asIPv4(address);
  if (v4) return `${v4.slice(0, 3).join('.')}.0/24`;
  const groups = ipv6Groups(address);
  if (!groups) return null;
  return `${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(':')}::/48`;
}

/** Loopback, private (RFC 1918), link-local, CGNAT (RFC 6598), unique-local and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const v4 = asIPv4(address);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b < 128) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b < 32) ||
      (a === 192 && b === 168)
    );
  }
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const first = groups[0] as number;
  const unspecifiedOrLoopback = groups.slice(0, 7).every((g) => g === 0) && (groups[7] ?? 0) <= 1;
  return unspecifiedOrLoopback || (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

/**
 * The network the rule keeps a task's replicas apart on, for a host at `address`;
 * null when the rule does not apply to it (unknown address, an exempt range, rule off).
 */
export function ruledPrefix(address: string | null, rule: NetworkRule): string | null {
  if (address === null || rule === 'off') return null;
  if (rule === 'public' && isPrivateAddress(address)) return null;
  return networkPrefix(address);
}

/** The four octets of an IPv4 address, or of the IPv4 address an IPv6 one maps; else null. */
function asIPv4(address: string): number[] | null {
  if (isIPv4(address)) return address.split('.').map(Number);
  const groups = ipv6Groups(address);
  if (groups === null) return null;
  if (!groups.slice(0, 5).every((g) => g === 0) || groups[5] !== 0xffff) return null;
  const hi = groups[6] as number;
  const lo = groups[7] as number;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

/** The eight 16-bit groups of an IPv6 address (zone and embedded IPv4 handled); null if not IPv6. */
function ipv6Groups(address: string): number[] | null {
  const bare = address.split('%')[0] as string;
  if (!isIPv6(bare)) return null;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = (dotted[1] as string).split('.').map(Number) as [
      number,
      number,
      number,
      number,
    ];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  if (tail === null) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
