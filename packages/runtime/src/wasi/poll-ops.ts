/**
 * @module `poll_oneoff`: waiting on clocks and descriptors without ever blocking.
 *
 * Everything the guest can wait on is always ready (in-memory files, a fixed stdin,
 * collected output), so descriptor subscriptions fire at once. A wait with only clock
 * subscriptions advances the virtual clock to the earliest deadline instead of
 * sleeping: a program that sleeps costs no wall time and stays deterministic.
 */
import { EventType, Rights, Size } from './abi.js';
import { Errno, fail, WasiError } from './errno.js';
import type { WasiContext } from './wasi-context.js';

interface Event {
  readonly userdata: bigint;
  readonly error: number;
  readonly type: number;
  readonly nbytes: bigint;
}

const ABSTIME = 1;

/** Builds the poll import over `ctx`. */
export function pollImports(ctx: WasiContext) {
  const { memory, clock, fds } = ctx;

  const fdEvent = (userdata: bigint, type: number, fd: number): Event => {
    try {
      const entry = fds.get(fd);
      if ((entry.rightsBase & Rights.POLL_FD_READWRITE) === 0n && entry.kind !== 'file')
        fail(Errno.NOTCAPABLE);
      let nbytes = 0n;
      if (type === EventType.FD_READ) {
        if (entry.kind === 'stdin') nbytes = BigInt(ctx.stdin.length - ctx.stdinPosition);
        else if (entry.kind === 'file')
          nbytes = BigInt(Math.max(0, entry.node.size - entry.position));
        else if (entry.kind === 'dir') fail(Errno.BADF);
      } else if (entry.kind === 'dir' || entry.kind === 'stdin') {
        fail(Errno.BADF);
      }
      return { userdata, error: Errno.SUCCESS, type, nbytes };
    } catch (error) {
      if (!(error instanceof WasiError)) throw error;
      return { userdata, error: error.errno, type, nbytes: 0n };
    }
  };

  return {
    poll_oneoff(inPtr: number, outPtr: number, count: number, neventsPtr: number): number {
      if (count === 0) fail(Errno.INVAL);
      memory.check(inPtr, count * Size.SUBSCRIPTION);
      memory.check(outPtr, count * Size.EVENT);
      const dv = memory.dv;
      const ready: Event[] = [];
      const clocks: Array<{ userdata: bigint; deadline: bigint }> = [];
      const start = clock.peek();
      for (let i = 0; i < count; i++) {
        const at = inPtr + i * Size.SUBSCRIPTION;
        const userdata = dv.getBigUint64(at, true);
        const type = dv.getUint8(at + 8);
        if (type === EventType.CLOCK) {
          const timeout = dv.getBigUint64(at + 24, true);
          const flags = dv.getUint16(at + 40, true);
          const deadline = flags & ABSTIME ? timeout : start + timeout;
          clocks.push({ userdata, deadline });
        } else if (type === EventType.FD_READ || type === EventType.FD_WRITE) {
          ready.push(fdEvent(userdata, type, dv.getUint32(at + 16, true)));
        } else {
          ready.push({ userdata, error: Errno.INVAL, type, nbytes: 0n });
        }
      }
      if (ready.length === 0 && clocks.length > 0) {
        let earliest = clocks[0]?.deadline ?? 0n;
        for (const c of clocks) if (c.deadline < earliest) earliest = c.deadline;
        clock.advanceTo(earliest);
        for (const c of clocks)
          if (c.deadline <= earliest)
            ready.push({ userdata: c.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n });
      } else {
        for (const c of clocks)
          if (c.deadline <= start)
            ready.push({ userdata: c.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n });
      }
      const out = memory.dv;
      ready.forEach((e, i) => {
        const at = outPtr + i * Size.EVENT;
        for (let b = 0; b < Size.EVENT; b += 8) out.setBigUint64(at + b, 0n, true);
        out.setBigUint64(at, e.userdata, true);
        out.setUint16(at + 8, e.error, true);
        out.setUint8(at + 10, e.type);
        out.setBigUint64(at + 16, e.nbytes, true);
      });
      memory.setU32(neventsPtr, ready.length);
      return Errno.SUCCESS;
    },
  };
}
