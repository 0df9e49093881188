/* unused-imports.c — WASI compatibility test: imports preview1 functions that real-world
 * modules import but never call (sock_accept, sock_shutdown, path_link, poll_oneoff).
 * A runtime must provide every preview1 import or instantiation fails. They are only
 * called behind a branch never taken at runtime (argc > 1000), so they stay as imports.
 * Prints "ok" and exits 0. Usage: unused-imports
 * (Native builds compile to a plain "ok" program: the imports are WebAssembly-only.) */
#include <stdint.h>
#include <stdio.h>

#ifdef __wasm__
#define WASI_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WASI_IMPORT(sock_accept) int32_t ag_sock_accept(int32_t fd, int32_t flags, int32_t out_fd);
WASI_IMPORT(sock_shutdown) int32_t ag_sock_shutdown(int32_t fd, int32_t how);
WASI_IMPORT(path_link)
int32_t ag_path_link(int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len,
                     int32_t new_fd, int32_t new_path, int32_t new_len);
WASI_IMPORT(poll_oneoff)
int32_t ag_poll_oneoff(int32_t in, int32_t out, int32_t nsubs, int32_t out_nevents);

static void never_called(void) {
  uint32_t scratch[16] = {0};
  int32_t p = (int32_t)(uintptr_t)scratch;
  ag_sock_accept(3, 0, p);
  ag_sock_shutdown(3, 3);
  ag_path_link(3, 0, p, 1, 3, p, 1);
  ag_poll_oneoff(p, p, 0, p);
}
#endif

int main(int argc, char **argv) {
  (void)argv;
#ifdef __wasm__
  if (argc > 1000) never_called();
#else
  (void)argc;
#endif
  puts("ok");
  return 0;
}
