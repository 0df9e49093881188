/**
 * @module
 * Where a task's files are, told once for `submit --help` and `results --help` (and
 * README.md's CLI section says the same): a provider runs each task with one preopened
 * directory, `/`, holding the task's input files (packages/agent/src/task-runner.ts
 * builds `{ '/': files }`); every file the module creates or changes there is reported
 * as an output file (the runtime's `changedFiles`), and `results --out` writes it back
 * under the task's index.
 */

/** The help section on input and output files, with one complete example. */
export const TASK_FILES_HELP =
  '\nFiles of a task:\n' +
  '  Each task runs in its own directory, preopened at / and the working directory.\n' +
  '  Its input files are there under their names (the basename, --input-name, or the\n' +
  '  keys of "files" in --tasks): input.txt opens as input.txt or /input.txt. Every\n' +
  '  file the module creates or changes there comes back as an output file.\n' +
  '  `anygrid results JOB --out DIR` writes DIR/<index>.stdout and DIR/<index>.stderr\n' +
  '  (each when not empty) and every output file as DIR/<index>/<path>.\n' +
  '\nExample: echo.wasm writes its input.txt uppercased to output.txt\n' +
  '  anygrid submit examples/echo.wasm --input examples/README.md --input-name input.txt --wait\n' +
  '  anygrid results JOB --out results/   # JOB: the id submit printed\n' +
  '  # results/0/output.txt: examples/README.md in capitals; results/0.stderr: argv\n';
