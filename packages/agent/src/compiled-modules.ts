/**
 * @module
 * Compiled modules by content address and memory cap. The sandbox compiles a module's
 * bytes (seconds for a large one) and caps its memory; the agent already knows each
 * module's verified hash, so it asks for a compilation once per (hash, cap) per host and
 * lets every task that needs it share the same `WebAssembly.Module`, including tasks
 * that arrive while it is still compiling.
 */

/** Compiles bytes under a memory cap; throws the runtime's `ModuleError` for bytes that cannot run. */
export type Compile<M> = (bytes: Uint8Array, memoryBytes: number) => Promise<M>;

/** A small LRU of compilations, shared while in progress, forgotten when they fail. */
export class CompiledModules<M> {
  private readonly entries = new Map<string, Promise<M>>();
  /** Compilations that have finished, by the same keys: read without waiting. */
  private readonly done = new Map<string, M>();
  /**
   * The last module `ready` found: tasks come in runs of one job, and building the key
   * for each cost more than the rest of the lookup.
   */
  private last: { hash: string; memoryBytes: number; module: M } | undefined;

  constructor(
    private readonly compile: Compile<M>,
    private readonly maxEntries = 32,
  ) {}

  /**
   * The compiled module for `hash` with `memoryBytes` cap if it is ready now, else
   * undefined: the hot path of a host running thousands of tiny tasks of one module.
   */
  ready(hash: string, memoryBytes: number): M | undefined {
    const last = this.last;
    if (last !== undefined && last.hash === hash && last.memoryBytes === memoryBytes) {
      return last.module;
    }
    const module = this.done.get(`${hash}:${memoryBytes}`);
    if (module !== undefined) this.last = { hash, memoryBytes, module };
    return module;
  }

  /** The module for `hash` with `memoryBytes` cap, compiling `bytes()` only on a miss. */
  get(hash: string, memoryBytes: number, bytes: () => Promise<Uint8Array>): Promise<M> {
    const key = `${hash}:${memoryBytes}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = bytes().then((b) => this.compile(b, memoryBytes));
    this.entries.set(key, pending);
    pending.then(
      (module) => {
        if (this.entries.get(key) === pending) this.done.set(key, module);
      },
      () => {
        if (this.entries.get(key) === pending) this.entries.delete(key);
      },
    );
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.done.delete(oldest);
      if (this.last !== undefined && oldest === `${this.last.hash}:${this.last.memoryBytes}`) {
        this.last = undefined;
      }
    }
    return pending;
  }
}
