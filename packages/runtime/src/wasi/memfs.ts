/**
 * @module The in-memory file system behind every preopened directory.
 *
 * Three kinds of inode: files (a growable byte buffer, shareable by hard links),
 * directories (an ordered name → inode map plus a parent link for `..`) and symbolic
 * links. Nothing here touches a host file system; the tree is built from the run's
 * input files and read back afterwards for the files the guest created or changed.
 * Timestamps come from the run's virtual clock so that replicas see identical stats.
 */
import { FileType } from './abi.js';
import { copyBytes } from './byte-sink.js';

/** Source of inode numbers and timestamps shared by one run's tree. */
export class FsContext {
  private lastIno = 0n;
  constructor(readonly now: () => bigint) {}
  nextIno(): bigint {
    this.lastIno += 1n;
    return this.lastIno;
  }
}

abstract class BaseNode {
  readonly ino: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  nlink = 1;
  constructor(readonly fs: FsContext) {
    this.ino = fs.nextIno();
    const t = fs.now();
    this.atim = t;
    this.mtim = t;
    this.ctim = t;
  }
  abstract get fileType(): number;
  abstract get size(): number;
}

/** A regular file. `data` may be longer than `size`: the tail is spare capacity. */
export class FileNode extends BaseNode {
  readonly kind = 'file';
  data: Uint8Array;
  length: number;
  /** Set once the guest writes to or truncates the file; decides what a run returns. */
  changed = false;
  /** Bytes of the output cap this file's growth was charged; a truncation to zero gives them back. */
  charged = 0;
  /** False while `data` is the caller's input buffer, which is copied before the first write. */
  private owned: boolean;

  constructor(fs: FsContext, initial?: Uint8Array, owned = true) {
    super(fs);
    this.data = initial ?? new Uint8Array(0);
    this.length = this.data.length;
    this.owned = owned;
  }
  get fileType(): number {
    return FileType.REGULAR_FILE;
  }
  get size(): number {
    return this.length;
  }

  /** The current contents (a view, not a copy). */
  contents(): Uint8Array {
    return this.data.subarray(0, this.length);
  }

  private reserve(capacity: number): void {
    if (!this.owned) {
      this.data = this.data.slice(0, Math.max(capacity, this.length));
      this.owned = true;
    }
    if (capacity <= this.data.length) return;
    const next = new Uint8Array(
      Math.max(capacity, Math.min(this.data.length * 2, capacity + 64 * 1024 * 1024), 256),
    );
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Sets the size, zero-filling on growth. Returns how many bytes the file grew by. */
  resize(size: number): number {
    const old = this.length;
    if (size === 0) {
      // Freed, not kept: the bytes a truncation gives back to the output cap must not
      // stay allocated (a rewritten checkpoint would otherwise hold its peak size twice).
      this.data = new Uint8Array(0);
      this.owned = true;
      this.length = 0;
      this.touch();
      return 0;
    }
    this.reserve(size);
    if (size > old) this.data.fill(0, old, size);
    this.length = size;
    this.touch();
    return Math.max(0, size - old);
  }

  /** Writes `len` bytes of `src` from `start` at `position`, zero-filling any gap. Returns how many bytes the file grew by. */
  writeAt(position: number, src: Uint8Array, start = 0, len = src.length - start): number {
    const end = position + len;
    const old = this.length;
    this.reserve(end);
    if (position > old) this.data.fill(0, old, position);
    copyBytes(src, start, len, this.data, position);
    if (end > old) this.length = end;
    this.touch();
    return Math.max(0, end - old);
  }

  private touch(): void {
    this.changed = true;
    const t = this.fs.now();
    this.mtim = t;
    this.ctim = t;
  }
}

/**
 * A directory. The root of a preopen is its own parent, as on POSIX.
 *
 * Each entry carries a serial number, increasing in insertion order, from which
 * `fd_readdir` cookies are made: a cookie names "after this entry", so a program that
 * deletes the entries it has read (an `rm -rf` of its temporary directory) and then
 * continues from its cookie sees every remaining entry, none skipped.
 */
export class DirNode extends BaseNode {
  readonly kind = 'dir';
  private readonly children = new Map<string, { readonly node: Node; readonly serial: number }>();
  private lastSerial = 0;
  parent: DirNode;

  constructor(fs: FsContext, parent?: DirNode) {
    super(fs);
    this.parent = parent ?? this;
  }
  get fileType(): number {
    return FileType.DIRECTORY;
  }
  get size(): number {
    return this.children.size;
  }

  get(name: string): Node | undefined {
    return this.children.get(name)?.node;
  }

  /** Adds or replaces `name`; it moves to the end of the listing. */
  link(name: string, node: Node): void {
    this.children.delete(name);
    this.children.set(name, { node, serial: ++this.lastSerial });
    this.mtim = this.fs.now();
  }

  unlink(name: string): void {
    if (this.children.delete(name)) this.mtim = this.fs.now();
  }

  /** Entries in listing order with their serials (≥ 1). */
  *list(): IterableIterator<[name: string, node: Node, serial: number]> {
    for (const [name, { node, serial }] of this.children) yield [name, node, serial];
  }
}

/** A symbolic link; its target is resolved relative to the directory holding it. */
export class SymlinkNode extends BaseNode {
  readonly kind = 'symlink';
  constructor(
    fs: FsContext,
    readonly target: string,
  ) {
    super(fs);
  }
  get fileType(): number {
    return FileType.SYMBOLIC_LINK;
  }
  get size(): number {
    return new TextEncoder().encode(this.target).length;
  }
}

export type Node = FileNode | DirNode | SymlinkNode;

/** Builds a preopen's tree from `{ 'a.txt': bytes, 'sub/b.bin': bytes }`. Input bytes are copied lazily: a file shares them until first written. */
export function buildTree(fs: FsContext, files: Readonly<Record<string, Uint8Array>>): DirNode {
  const root = new DirNode(fs);
  for (const [path, bytes] of Object.entries(files)) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    const name = parts.pop();
    if (name === undefined || parts.includes('..') || name === '..') continue;
    let dir = root;
    for (const part of parts) {
      const existing = dir.get(part);
      if (existing instanceof DirNode) {
        dir = existing;
        continue;
      }
      const sub = new DirNode(fs, dir);
      dir.link(part, sub);
      dir = sub;
    }
    dir.link(name, new FileNode(fs, bytes, false));
  }
  return root;
}

/** Files under `root` that are new or were written during the run, keyed by relative path. */
export function changedFiles(
  root: DirNode,
  original: ReadonlyMap<string, FileNode>,
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  if (root.size === 0) return out;
  const walk = (dir: DirNode, prefix: string, seen: Set<DirNode>) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const [name, node] of dir.list()) {
      const path = prefix + name;
      if (node instanceof DirNode) walk(node, `${path}/`, seen);
      else if (node instanceof FileNode && (node.changed || original.get(path) !== node))
        out[path] = node.contents().slice();
    }
  };
  walk(root, '', new Set());
  return out;
}

/** Every regular file under `root`, by relative path; taken before the run to detect changes. */
export function listFiles(root: DirNode): Map<string, FileNode> {
  const out = new Map<string, FileNode>();
  const walk = (dir: DirNode, prefix: string) => {
    for (const [name, node] of dir.list()) {
      if (node instanceof DirNode) walk(node, `${prefix}${name}/`);
      else if (node instanceof FileNode) out.set(prefix + name, node);
    }
  };
  walk(root, '');
  return out;
}
