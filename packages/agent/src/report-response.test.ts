import { ReportResponse } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { FAST_PATH_MATCHES_PROTOCOL, ReportResponseReader } from './report-response.js';

/** A body as it arrives: parsed from JSON text. */
const body = (value: unknown) => JSON.parse(JSON.stringify(value));

const candidates: Array<[string, unknown]> = [
  ['usual', { results: [{ replicaId: 1, status: 'accepted' }] }],
  [
    'every status',
    {
      results: ['accepted', 'duplicate', 'late'].map((status, i) => ({ replicaId: i + 1, status })),
    },
  ],
  ['empty', { results: [] }],
  ['replicaId 0', { results: [{ replicaId: 0, status: 'accepted' }] }],
  ['replicaId fractional', { results: [{ replicaId: 1.5, status: 'accepted' }] }],
  ['replicaId as string', { results: [{ replicaId: '1', status: 'accepted' }] }],
  ['replicaId unsafe', { results: [{ replicaId: 2 ** 53, status: 'accepted' }] }],
  ['unknown status', { results: [{ replicaId: 1, status: 'lost' }] }],
  ['status missing', { results: [{ replicaId: 1 }] }],
  ['an extra key', { results: [{ replicaId: 1, status: 'accepted', x: 1 }] }],
  ['an entry not an object', { results: [1] }],
  ['an entry null', { results: [null] }],
  ['results an object', { results: {} }],
  ['results missing', {}],
  ['an extra top-level key', { results: [], x: 1 }],
  ['an array', []],
  ['null', null],
];

describe('ReportResponseReader', () => {
  it('knows every key and status of the protocol’s answer (else it steps aside)', () => {
    expect(FAST_PATH_MATCHES_PROTOCOL).toBe(true);
  });

  it('accepts the usual answer in place', () => {
    const usual = body({ results: [{ replicaId: 7, status: 'late' }] });
    const read = ReportResponseReader.safeParse(usual);
    expect(read.success && read.data).toBe(usual);
  });

  it('agrees with the protocol’s schema on every variant', () => {
    for (const [name, value] of candidates) {
      const candidate = body(value);
      const ours = ReportResponseReader.safeParse(candidate);
      const theirs = ReportResponse.safeParse(candidate);
      expect({ name, success: ours.success }).toEqual({ name, success: theirs.success });
      if (ours.success && theirs.success) expect(ours.data).toEqual(theirs.data);
    }
  });
});
