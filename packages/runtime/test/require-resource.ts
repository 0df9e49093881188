/**
 * @module Something a test needs from outside the repository: the WASI test suite
 * beside it, Chromium, and later PostgreSQL or Redis. On a laptop a missing one skips
 * the tests that need it, with the reason printed; under CI it is a failure, so a green
 * CI run means every test ran rather than that the ones able to fail were skipped.
 *
 * ```ts
 * const chromium = requireResource({
 *   name: 'Chromium',
 *   present: chromiumAvailable(),
 *   missing: `not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`,
 * });
 * describe.skipIf(!chromium)('in Chromium', () => { … });
 * ```
 *
 * For a server (PostgreSQL, Redis), probe it at the top of the test file, where
 * top-level await is allowed, and pass the result as `present`.
 */

/** A resource and whether it is there. */
export interface Resource {
  /** What is needed, as a reader knows it: 'Chromium', 'PostgreSQL'. */
  readonly name: string;
  /** Whether it was found. */
  readonly present: boolean;
  /** Where it was looked for and how to provide it. */
  readonly missing: string;
}

/** Whether `env` says this is a CI run: `CI` set to anything but '', '0' or 'false'. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * True when the resource is present. When it is not: under CI, throws (the test file
 * fails); otherwise prints why its tests are skipped and returns false, for
 * `describe.skipIf(!…)`.
 */
export function requireResource(resource: Resource, env: NodeJS.ProcessEnv = process.env): boolean {
  if (resource.present) return true;
  if (isCi(env))
    throw new Error(
      `${resource.name} is required under CI (CI=${env.CI}) and is missing: ${resource.missing}`,
    );
  console.warn(`[test] skipping the tests that need ${resource.name}: ${resource.missing}`);
  return false;
}
