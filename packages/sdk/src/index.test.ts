import { describe, expect, it } from 'vitest';
import * as sdk from './index.js';

describe('@anygrid/sdk', () => {
  // Whatever the package exports, users come to depend on: internals (the SSE parser,
  // the HTTP client, the retry loop) stay free to change only while they stay unexported.
  it('exports the client, its job handle, its errors and its default URL, and nothing internal', () => {
    expect(Object.keys(sdk).sort()).toEqual([
      'Anygrid',
      'AnygridError',
      'CoordinatorUnreachableError',
      'DEFAULT_URL',
      'Job',
      'JobPurgedError',
    ]);
  });
});
