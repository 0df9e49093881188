/**
 * @module
 * Content-addressed uploads and downloads. An upload is accepted only if its bytes hash
 * to the address it was sent to; known content is not written again. A download may ask
 * for one byte range (byte-range.ts), so a transfer cut off midway resumes where it
 * stopped; a provider names its host (`?host=`) so transfers are counted per host.
 */

import {
  BlobDownloadQuery,
  MAX_BLOB_BYTES,
  NotFoundError,
  RangeNotSatisfiableError,
  type Role,
} from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import { type BlobStore, WHOLE_BLOB_BYTES } from '../blobs/blob-store.js';
import type { Metrics } from '../services/metrics.js';
import type { Providers } from '../services/providers.js';
import { principalOf } from './auth.js';
import { byteRange, contentRange } from './byte-range.js';
import { HashParam, parse } from './validate.js';

const BLOB_ROLES: readonly Role[] = ['requester', 'provider', 'admin'];

export function blobRoutes(
  app: FastifyInstance,
  blobs: BlobStore,
  metrics: Metrics,
  providers: Providers,
): void {
  const config = { roles: BLOB_ROLES };

  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: MAX_BLOB_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.put('/v1/blobs/:hash', { config, bodyLimit: MAX_BLOB_BYTES }, async (request, reply) => {
    principalOf(request);
    const { hash } = parse(HashParam, request.params, 'path');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const { created } = await blobs.put(hash, body);
    return reply.status(created ? 201 : 200).send({ hash, size: body.byteLength });
  });

  app.head('/v1/blobs/:hash', { config }, async (request, reply) => {
    const { hash } = parse(HashParam, request.params, 'path');
    const size = await blobs.size(hash);
    if (size === null) return reply.status(404).send();
    return reply
      .header('content-length', size)
      .header('content-type', 'application/octet-stream')
      .header('accept-ranges', 'bytes')
      .send();
  });

  app.get('/v1/blobs/:hash', { config }, async (request, reply) => {
    const { hash } = parse(HashParam, request.params, 'path');
    const { host } = parse(BlobDownloadQuery, request.query, 'query');
    // Only a host of the caller's own account may be counted against.
    if (host !== undefined) await providers.requireHost(principalOf(request), host);
    const size = await blobs.size(hash);
    if (size === null) throw new NotFoundError('blob', hash);
    const header = request.headers.range;
    const range = byteRange(header, size);
    if (range.kind === 'unsatisfiable') {
      const error = new RangeNotSatisfiableError(header ?? '', size);
      return reply
        .status(416)
        .header('content-range', contentRange(range, size))
        .send(error.toBody());
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    const length = end - start + 1;
    // Small blobs (modules, inputs) go out whole, in one write; large ones stream.
    const body =
      size <= WHOLE_BLOB_BYTES
        ? (await blobs.read(hash))?.subarray(start, end + 1)
        : length === 0
          ? Buffer.alloc(0)
          : await blobs.open(hash, { start, end });
    if (!body) throw new NotFoundError('blob', hash);
    metrics.blobBytesServed.inc(length);
    metrics.countBlobDownload(host, length, start > 0);
    if (range.kind === 'partial') {
      reply.status(206).header('content-range', contentRange(range, size));
    }
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', length)
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}
