/**
 * @module
 * A lightweight provider that speaks the protocol without running anything: it pulls
 * assignments and reports the output a trivial task would give. Used to measure the
 * coordinator alone, without the agents' sandboxes sharing its two cores.
 */

import { createHash } from 'node:crypto';

function output(text) {
  const bytes = Buffer.from(text);
  return {
    hash: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    data: bytes.toString('base64'),
  };
}

export async function fakeProvider(
  url,
  token,
  { name = 'fake', batch = 500, idleStop = true } = {},
) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (path, body) => {
    const r = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = await r.json();
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { hostId } = await post('/v1/hosts', {
    name,
    platform: 'linux-x64',
    cores: 1,
    memoryBytes: 1e9,
    slots: batch,
  });
  let done = 0;
  for (;;) {
    const { assignments } = await post('/v1/work', { hostId, max: batch });
    if (assignments.length === 0) {
      if (idleStop) return done;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const reports = assignments.map((a) => ({
      replicaId: a.replicaId,
      status: 'success',
      exitCode: 0,
      stdout: output(`${a.args[0] ?? ''}\n`),
      stderr: null,
      durationMs: 0,
    }));
    await post('/v1/reports', { hostId, reports });
    done += reports.length;
  }
}
