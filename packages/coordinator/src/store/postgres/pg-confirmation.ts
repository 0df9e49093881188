/**
 * @module
 * A commit's confirmation (pg-database.ts sends COMMIT without waiting for it): the store
 * verb that sent the commit awaits it before it answers.
 */

/** A commit's confirmation: settled once, with the commit's failure or none. */
export class Confirmation {
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A failed commit nobody awaits (none of the store's verbs) must not end the process.
    this.promise.catch(() => {});
  }

  settle(failure: Error | undefined): void {
    if (failure) this.reject(failure);
    else this.resolve();
  }
}
