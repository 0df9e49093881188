#!/usr/bin/env bash
# Builds the example C programs in examples/src/ into WebAssembly (WASI preview1)
# modules examples/<name>.wasm, which are committed so a fresh machine needs no toolchain.
#   bash examples/build.sh          # wasm32-wasi builds -> examples/*.wasm
#   bash examples/build.sh native   # host builds (clang -O2) -> examples/native/<name>,
#                                   # also of src/native/*.c (hostile programs for the
#                                   # native sandbox's tests, which WASI cannot build)
#   bash examples/build.sh [native] NAME...   # only the named programs (e.g. prime echo)
#   OUTDIR=/tmp/x bash examples/build.sh ...  # write the outputs there instead (bench/runtime.js)
# Needs clang with the wasm32-wasi target; on Debian/Ubuntu:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/src"
CLANG="${CLANG:-clang}"

mode=wasm
if [[ "${1:-}" == native ]]; then
  mode=native
  shift
elif [[ "${1:-}" == wasm ]]; then
  shift
fi

if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "build.sh: '$CLANG' not found." >&2
  echo "  Install the WASI C toolchain (Debian/Ubuntu):" >&2
  echo "    apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32" >&2
  echo "  The committed examples/*.wasm are prebuilt; you only need this to rebuild them." >&2
  exit 1
fi

if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  for f in "$src"/*.c; do names+=("$(basename "$f" .c)"); done
  if [[ $mode == native ]]; then
    for f in "$src"/native/*.c; do names+=("$(basename "$f" .c)"); done
  fi
fi

cflags=(-O2 -Wall -Wextra -Werror)
if [[ $mode == wasm ]]; then
  outdir="${OUTDIR:-$here}"
  mkdir -p "$outdir"
  # --strip-debug drops wasi-libc's DWARF (~85 % of the size); the name section stays.
  cflags+=(--target=wasm32-wasi -Wl,--strip-debug)
  ext=.wasm
else
  outdir="${OUTDIR:-$here/native}"
  mkdir -p "$outdir"
  ext=
fi

for name in "${names[@]}"; do
  in="$src/$name.c"
  [[ $mode == native && ! -f "$in" && -f "$src/native/$name.c" ]] && in="$src/native/$name.c"
  out="$outdir/$name$ext"
  if [[ ! -f "$in" ]]; then
    echo "build.sh: no such source: $in" >&2
    exit 1
  fi
  if ! "$CLANG" "${cflags[@]}" "$in" -o "$out"; then
    if [[ $mode == wasm ]]; then
      echo "build.sh: wasm build of $name failed; is the WASI sysroot installed?" >&2
      echo "    apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32" >&2
    fi
    exit 1
  fi
  printf '%-28s %9d bytes\n' "${out#"$here"/}" "$(wc -c <"$out")"
done

# unused-imports.wasm must really import the preview1 functions it never calls.
if [[ $mode == wasm && -z "${OUTDIR:-}" && -f "$here/unused-imports.wasm" ]] && command -v node >/dev/null 2>&1; then
  node -e '
    const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
    const have = new Set(WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}`));
    const want = ["sock_accept", "sock_shutdown", "path_link", "poll_oneoff"];
    const missing = want.filter((n) => !have.has(`wasi_snapshot_preview1.${n}`));
    if (missing.length) { console.error(`unused-imports.wasm lacks imports: ${missing}`); process.exit(1); }
  ' "$here/unused-imports.wasm"
fi
