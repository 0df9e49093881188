/* trap.c — misbehaving module for sandbox and validator tests: executes an unreachable
 * instruction at once (a WebAssembly trap, the way a crash looks in the sandbox).
 * Usage: trap [ARGS...]   (arguments are ignored) */
int main(void) {
  __builtin_trap();
}
