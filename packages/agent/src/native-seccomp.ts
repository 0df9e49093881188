/**
 * @module
 * The seccomp filter native variants run under (bubblewrap's `--seccomp FD`): a classic
 * BPF program that kills the sandboxed process when it asks for a socket of any family but
 * AF_UNIX, or sets up io_uring (which can open sockets behind the filter's back), and when
 * it calls the kernel through another architecture's ABI (the i386 and x32 entry points
 * on x86-64 have their own syscall numbers, which this filter would not recognise).
 * Everything else is allowed. The network namespace already leaves a sandbox without any
 * network; the filter turns an attempt into a clear failure (`sandbox_violation`: the
 * process dies of SIGSYS) rather than an ordinary error the program may hide.
 */

/** struct seccomp_data offsets. */
const NR = 0;
const ARCH = 4;
const ARG0 = 16;

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const SECCOMP_RET_KILL_PROCESS = 0x8000_0000;
const SECCOMP_RET_ALLOW = 0x7fff_0000;
const X32_SYSCALL_BIT = 0x4000_0000;
const AF_UNIX = 1;

/** The exit status bubblewrap reports for a process the filter killed: 128 + SIGSYS. */
export const SECCOMP_KILLED_STATUS = 128 + 31;

interface Arch {
  /** AUDIT_ARCH_* of the native ABI. */
  readonly audit: number;
  readonly socket: number;
  readonly ioUringSetup: number;
  /** Whether numbers with the x32 bit set must be refused (x86-64 only). */
  readonly x32: boolean;
}

const ARCHES: Readonly<Record<string, Arch>> = {
  x64: { audit: 0xc000_003e, socket: 41, ioUringSetup: 425, x32: true },
  arm64: { audit: 0xc000_00b7, socket: 198, ioUringSetup: 425, x32: false },
};

/** Whether this filter knows the CPU architecture (Node's `process.arch`). */
export function seccompSupported(arch: string = process.arch): boolean {
  return ARCHES[arch] !== undefined;
}

/** The filter as bubblewrap reads it: an array of `struct sock_filter`, 8 bytes each. */
export function seccompFilter(arch: string = process.arch): Buffer {
  const a = ARCHES[arch];
  if (a === undefined) throw new Error(`no seccomp filter for the ${arch} architecture`);
  const prog: [number, number, number, number][] = [];
  const op = (code: number, jt: number, jf: number, k: number) => prog.push([code, jt, jf, k]);
  const kill = () => op(BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
  const allow = () => op(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW);
  op(BPF_LD_W_ABS, 0, 0, ARCH);
  op(BPF_JEQ_K, 1, 0, a.audit);
  kill();
  op(BPF_LD_W_ABS, 0, 0, NR);
  if (a.x32) {
    op(BPF_JSET_K, 0, 1, X32_SYSCALL_BIT);
    kill();
  }
  op(BPF_JEQ_K, 0, 1, a.ioUringSetup);
  kill();
  op(BPF_JEQ_K, 0, 3, a.socket);
  op(BPF_LD_W_ABS, 0, 0, ARG0);
  op(BPF_JEQ_K, 1, 0, AF_UNIX);
  kill();
  allow();
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}
