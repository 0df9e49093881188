import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { planTasks } from './task-plan.js';

describe('planTasks', () => {
  it('makes one task from --args alone', () => {
    expect(planTasks({ args: ['0', '100000'] })).toEqual([
      { args: ['0', '100000'], env: {}, files: {} },
    ]);
  });

  it('makes one task with no args when nothing is given', () => {
    expect(planTasks({})).toEqual([{ args: [], env: {}, files: {} }]);
  });

  it('makes one task per input file, placed under its basename and appended to argv', () => {
    expect(planTasks({ args: ['-v'], inputs: ['data/a.txt', '/tmp/b.bin'] })).toEqual([
      { args: ['-v', 'a.txt'], env: {}, files: { 'a.txt': 'data/a.txt' } },
      { args: ['-v', 'b.bin'], env: {}, files: { 'b.bin': '/tmp/b.bin' } },
    ]);
  });

  it('substitutes {} in args instead of appending the name', () => {
    expect(planTasks({ args: ['--in={}', 'out'], inputs: ['x/c.csv'] })[0]?.args).toEqual([
      '--in=c.csv',
      'out',
    ]);
  });

  it('renames every input with --input-name', () => {
    const [task] = planTasks({ inputs: ['notes.md'], inputName: 'input.txt' });
    expect(task).toEqual({ args: ['input.txt'], env: {}, files: { 'input.txt': 'notes.md' } });
  });

  it('rejects input names that cannot live inside a task directory', () => {
    expect(() => planTasks({ inputs: ['my file.txt'] })).toThrow(CliError);
    expect(() => planTasks({ inputs: ['a.txt'], inputName: '../x' })).toThrow(/not a valid name/);
  });

  it('makes one task per JSONL line, skipping blank lines', () => {
    const text =
      '{"args":["0",100]}\n\n{"env":{"K":"v"},"stdin":"hi","files":{"in.txt":"a/b.txt"}}\n';
    expect(planTasks({ tasksJsonl: { text, source: 't.jsonl' } })).toEqual([
      { args: ['0', '100'], env: {}, files: {} },
      { args: [], env: { K: 'v' }, files: { 'in.txt': 'a/b.txt' }, stdin: 'hi' },
    ]);
  });

  it('names the line of a bad JSONL task', () => {
    const text = '{"args":[]}\n{"argz":[]}\n';
    expect(() => planTasks({ tasksJsonl: { text, source: 't.jsonl' } })).toThrow(
      /t\.jsonl:2: unknown field\(s\) argz/,
    );
    expect(() => planTasks({ tasksJsonl: { text: 'nope', source: 't' } })).toThrow(
      /t:1: not valid JSON/,
    );
  });

  it('refuses --tasks together with other task sources as a usage error', () => {
    try {
      planTasks({ args: ['1'], tasksJsonl: { text: '{}', source: 't' } });
      expect.unreachable();
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
    }
  });
});
