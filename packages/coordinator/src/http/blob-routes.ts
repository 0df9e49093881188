/**
 * @module
 * Content-addressed uploads and downloads. An upload is accepted only if its bytes hash
 * to the address it was sent to; known content is not written again.
 */

import { MAX_BLOB_BYTES, NotFoundError, type Role } from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import { type BlobStore, WHOLE_BLOB_BYTES } from '../blobs/blob-store.js';
import type { Metrics } from '../services/metrics.js';
import { principalOf } from './auth.js';
import { HashParam, parse } from './validate.js';

const BLOB_ROLES: readonly Role[] = ['requester', 'provider', 'admin'];

export function blobRoutes(app: FastifyInstance, blobs: BlobStore, metrics: Metrics): void {
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
      .send();
  });

  app.get('/v1/blobs/:hash', { config }, async (request, reply) => {
    const { hash } = parse(HashParam, request.params, 'path');
    const size = await blobs.size(hash);
    // Small blobs (modules, inputs) go out whole, in one write; large ones stream.
    const body =
      size === null
        ? null
        : size <= WHOLE_BLOB_BYTES
          ? await blobs.read(hash)
          : await blobs.open(hash);
    if (!body || size === null) throw new NotFoundError('blob', hash);
    metrics.blobBytesServed.inc(size);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', size)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}
