/**
 * @module
 * What this browser says about itself when it registers, like any host: platform
 * `browser-wasm`, its cores (`navigator.hardwareConcurrency`) and memory where the
 * browser tells it (`navigator.deviceMemory`, in GiB, Chromium only; else 0: unknown).
 * A WebGPU adapter, when the browser offers one, is declared as a `webgpu` accelerator
 * (and shown on the page).
 */

import type { RegisterHostRequestInput } from '@anygrid/protocol';

export const BROWSER_PLATFORM = 'browser-wasm';

/** The device's logical cores, at least 1. */
export function coresOf(nav: Navigator = navigator): number {
  return Math.max(1, Math.min(4096, Math.floor(nav.hardwareConcurrency || 1)));
}

/** Half the cores, at least one: the page should leave the device usable. */
export function defaultThreads(nav: Navigator = navigator): number {
  return Math.max(1, Math.floor(coresOf(nav) / 2));
}

/** The device memory in bytes where the browser says (rounded by the browser), else 0. */
export function memoryBytesOf(nav: Navigator = navigator): number {
  const gib = (nav as Navigator & { deviceMemory?: number }).deviceMemory;
  return typeof gib === 'number' && gib > 0 ? Math.round(gib * 1024 ** 3) : 0;
}

/** Whether the browser offers WebGPU (`navigator.gpu`). */
export function hasWebGpu(nav: Navigator = navigator): boolean {
  return 'gpu' in nav && (nav as Navigator & { gpu?: unknown }).gpu !== undefined;
}

/** A short name of this browser for the host list, e.g. "Chrome 131 on Linux". */
export function browserName(nav: Navigator = navigator): string {
  const ua = nav.userAgent;
  const browser =
    /(Firefox|Edg|OPR|Chrome|Chromium|Safari)\/(\d+)/.exec(ua)?.slice(1, 3).join(' ') ?? 'browser';
  const os = /(Android|iPhone|iPad|Windows|Mac OS X|Linux|CrOS)/.exec(ua)?.[1] ?? 'unknown OS';
  return `${browser.replace('Edg', 'Edge')} on ${os}`;
}

/** The registration body of this browser, `slots` tasks at once. */
export function registration(
  slots: number,
  hostId: number | undefined,
  holding: readonly number[],
  nav: Navigator = navigator,
): RegisterHostRequestInput {
  return {
    name: `volunteer: ${browserName(nav)}`.slice(0, 200),
    platform: BROWSER_PLATFORM,
    cores: coresOf(nav),
    memoryBytes: memoryBytesOf(nav),
    slots: Math.max(1, Math.min(1024, slots)),
    runtimes: ['wasm32-wasi'],
    agentVersion: 'volunteer-page 0.1.0',
    ...(hasWebGpu(nav) ? { accelerators: [{ kind: 'webgpu' as const, name: 'WebGPU' }] } : {}),
    ...(hostId === undefined ? {} : { hostId, holding: [...holding] }),
  };
}
