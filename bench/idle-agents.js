/**
 * @module
 * A child process holding many idle provider connections: each registers a host, opens
 * the work stream, and on `{type:'work'}` pulls one assignment (once). Driven by
 * bench/connections.js over IPC: `connect` → `connected`, then `got-work` per host.
 */

import WebSocket from 'ws';

const [url, token, countArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const sockets = [];

// Each real agent keeps one keep-alive connection; thousands of simulated ones in one
// process share a bounded pool instead of opening a socket per request.
const MAX_IN_FLIGHT = 64;
let inFlight = 0;
const waiting = [];

async function post(path, body) {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise((r) => waiting.push(r));
  inFlight++;
  try {
    return await postNow(path, body);
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

async function postNow(path, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
      return await r.json();
    } catch (err) {
      if (attempt > 5) throw err;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
}

async function connectOne(i) {
  const { hostId } = await post('/v1/hosts', {
    name: `${prefix}-${i}`,
    platform: 'linux-x64',
    cores: 1,
    memoryBytes: 1e9,
    slots: 1,
  });
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/hosts/${hostId}/stream`, {
    headers: { authorization: headers.authorization },
  });
  let pulled = false;
  let first = true;
  ws.on('message', async (data) => {
    const msg = JSON.parse(String(data));
    // The socket announces work once on connect; the bench counts only announcements after it.
    if (first) {
      first = false;
      return;
    }
    if (msg.type !== 'work' || pulled) return;
    pulled = true;
    const { assignments } = await post('/v1/work', { hostId, max: 1 });
    if (assignments.length > 0) {
      process.send?.({ type: 'got-work', at: Date.now() });
    } else pulled = false;
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  sockets.push(ws);
}

process.on('message', async (msg) => {
  if (msg.type === 'connect') {
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, (_, k) => connectOne(i + k)),
      );
    }
    process.send?.({ type: 'connected', count: sockets.length });
  }
  if (msg.type === 'stop') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
