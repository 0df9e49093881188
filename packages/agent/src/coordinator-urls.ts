/**
 * @module
 * The coordinators an agent may talk to, when several share one store behind no load
 * balancer (docs/scale-out.md): every call goes to the current one, and a call that got
 * no answer from it moves the agent on to the next, round the list. The agent stays with
 * a coordinator while it answers: it is one grid whichever one serves it, so there is
 * nothing to gain by moving back. Browser-safe: no `node:` import.
 */

export class CoordinatorUrls {
  readonly all: readonly string[];
  private index = 0;

  /** `onMove` hears of each move, to log it. */
  constructor(
    urls: readonly string[],
    private readonly onMove?: (from: string, to: string) => void,
  ) {
    if (urls.length === 0) throw new RangeError('at least one coordinator URL is needed.');
    this.all = urls.map((u) => u.replace(/\/+$/, ''));
  }

  /** Where calls go now. */
  get current(): string {
    return this.all[this.index] as string;
  }

  /**
   * A call to `url` got no answer: later calls go to the next coordinator. Failures of
   * calls that went out before an earlier move change nothing, so that many calls failing
   * together move the agent on once, not round the whole list. Returns whether it moved.
   */
  failed(url: string): boolean {
    if (this.all.length < 2 || url.replace(/\/+$/, '') !== this.current) return false;
    this.index = (this.index + 1) % this.all.length;
    this.onMove?.(url, this.current);
    return true;
  }
}
