/**
 * @module
 * A store location (`--store`, `ANYGRID_STORE`) that names nothing this coordinator can
 * open: a usage mistake, told with what to write instead.
 */

export class StoreLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreLocationError';
  }
}
