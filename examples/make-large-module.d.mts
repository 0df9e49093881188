/** Base module plus a custom section "anygrid.padding", exactly totalBytes long. */
export function makeLargeModule(baseWasmBytes: Uint8Array, totalBytes: number): Uint8Array;
