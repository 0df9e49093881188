import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { webPage } from './web-routes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function builtSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-web-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'volunteer.html'), '<!doctype html><title>v</title>');
  writeFileSync(join(dir, 'assets', 'volunteer-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');
  return dir;
}

describe('webPage', () => {
  it('serves the page uncached and its hashed assets cached for good', async () => {
    const app = Fastify();
    webPage(app, builtSite(), 'volunteer');
    const page = await app.inject({ url: '/volunteer' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ url: '/volunteer/' })).statusCode).toBe(200);
    const asset = await app.inject({ url: '/assets/volunteer-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.body).toBe('console.log(1)');
  });

  it('serves nothing outside dist/assets and nothing it does not list', async () => {
    const app = Fastify();
    webPage(app, builtSite(), 'volunteer');
    for (const url of [
      '/assets/..%2Fsecret.txt',
      '/assets/%2E%2E%2Fvolunteer.html',
      '/assets/nope.js',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body).not.toContain('not an asset');
    }
  });

  it('says how to build a page that is not built', async () => {
    const app = Fastify();
    const empty = mkdtempSync(join(tmpdir(), 'anygrid-web-'));
    dirs.push(empty);
    webPage(app, empty, 'volunteer');
    const r = await app.inject({ url: '/volunteer' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(r.json().error.message).toContain('npm run build');
  });

  it('registers the assets route once for several pages', async () => {
    const app = Fastify();
    const dir = builtSite();
    writeFileSync(join(dir, 'dashboard.html'), '<!doctype html><title>d</title>');
    webPage(app, dir, 'volunteer');
    webPage(app, dir, 'dashboard');
    expect((await app.inject({ url: '/dashboard' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/assets/volunteer-abc123.js' })).statusCode).toBe(200);
  });
});
