import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCi, requireResource } from './require-resource.js';

const redis = { name: 'Redis', present: false, missing: 'nothing listens on 127.0.0.1:6379' };

describe('requireResource', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('fails under CI=true when the resource is missing, naming it and why', () => {
    expect(() => requireResource(redis, { CI: 'true' })).toThrow(
      'Redis is required under CI (CI=true) and is missing: nothing listens on 127.0.0.1:6379',
    );
  });

  it('skips with the reason printed when the resource is missing outside CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireResource(redis, {})).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      '[test] skipping the tests that need Redis: nothing listens on 127.0.0.1:6379',
    );
  });

  it('lets the tests run, under CI or not, when the resource is present', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireResource({ ...redis, present: true }, { CI: 'true' })).toBe(true);
    expect(requireResource({ ...redis, present: true }, {})).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('reads the environment of the process by default', () => {
    vi.stubEnv('CI', 'true');
    try {
      expect(() => requireResource(redis)).toThrow(/Redis is required under CI/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('takes CI=1 for a CI run and CI=false, CI=0 or no CI for a laptop', () => {
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});
