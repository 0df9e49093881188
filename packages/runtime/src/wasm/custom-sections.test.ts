import { describe, expect, it } from 'vitest';
import { makeLargeModule } from '../../../../examples/make-large-module.mjs';
import { exitModule } from '../../test/guest-modules.js';
import { stripCustomSections } from './custom-sections.js';

describe('stripCustomSections', () => {
  it('drops a large custom section, leaving a module that exports the same', () => {
    const base = exitModule(0);
    const padded = makeLargeModule(base, 2 * 1024 * 1024);
    const stripped = stripCustomSections(padded);
    expect(stripped).toEqual(base);
    const module = new WebAssembly.Module(stripped as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(['_start', 'memory']);
  });

  it('returns the very same bytes when there is little to drop', () => {
    const base = exitModule(0);
    expect(stripCustomSections(base)).toBe(base);
    const small = makeLargeModule(base, base.length + 1000);
    expect(stripCustomSections(small)).toBe(small);
  });
});
