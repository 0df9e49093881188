/**
 * @module
 * A real TCP proxy on 127.0.0.1 between agents and a coordinator that sees every HTTP
 * request passing through (method, path, Range header) and can cut the connection that
 * carries the first download of one blob after a given number of body bytes: a broken
 * link, made on purpose, for the resumed-download test. HTTP/1.1 requests on one
 * connection follow each other (no pipelining), so the bytes the server sends after a
 * request line are that request's answer.
 */

import net from 'node:net';

/** One request the proxy saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The Range header, when sent. */
  readonly range?: string;
}

export interface CuttingProxy {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Body bytes let through before the cut, once it happened. */
  cutAfter(): number | undefined;
  close(): Promise<void>;
}

/** Starts a proxy to `target`; the first GET of `/v1/blobs/CUTHASH` is cut after `cutBytes` of body. */
export async function startCuttingProxy(
  target: string,
  cutHash: string,
  cutBytes: number,
): Promise<CuttingProxy> {
  const to = new URL(target);
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  let cut: number | undefined;
  let armed = true;

  const server = net.createServer((downstream) => {
    const upstream = net.connect(Number(to.port), to.hostname);
    sockets.add(downstream).add(upstream);
    let head = '';
    // Set while the answer to the blob to cut is passing: header bytes still to skip, body bytes let through.
    let cutting: { headerDone: boolean; header: Buffer; body: number } | undefined;

    downstream.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      for (let end = head.indexOf('\r\n\r\n'); end >= 0; end = head.indexOf('\r\n\r\n')) {
        const lines = head.slice(0, end).split('\r\n');
        head = head.slice(end + 4);
        const [method = '', path = ''] = (lines[0] ?? '').split(' ');
        const range = lines.find((l) => /^range:/i.test(l))?.replace(/^range:\s*/i, '');
        requests.push(range === undefined ? { method, path } : { method, path, range });
        if (armed && method === 'GET' && path.startsWith(`/v1/blobs/${cutHash}`)) {
          armed = false;
          cutting = { headerDone: false, header: Buffer.alloc(0), body: 0 };
        }
      }
      upstream.write(chunk);
    });

    upstream.on('data', (chunk: Buffer) => {
      if (!cutting) {
        downstream.write(chunk);
        return;
      }
      let rest = chunk;
      if (!cutting.headerDone) {
        const all = Buffer.concat([cutting.header, chunk]);
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) {
          cutting.header = all;
          downstream.write(chunk);
          return;
        }
        cutting.headerDone = true;
        const bodyStart = end + 4 - cutting.header.length;
        downstream.write(chunk.subarray(0, bodyStart));
        rest = chunk.subarray(bodyStart);
      }
      const room = cutBytes - cutting.body;
      if (rest.length < room) {
        cutting.body += rest.length;
        downstream.write(rest);
        return;
      }
      cut = cutting.body + room;
      // Everything up to the cut reaches the agent, then the link goes down.
      downstream.end(rest.subarray(0, room));
      upstream.destroy();
      cutting = undefined;
    });

    const close = () => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('error', close).on('close', close);
    upstream.on('error', close).on('close', () => downstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    cutAfter: () => cut,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
