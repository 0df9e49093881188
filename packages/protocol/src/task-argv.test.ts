import { describe, expect, it } from 'vitest';
import { TaskSpec } from './job.js';
import { argvEnvBytes, MAX_TASK_ARGV_ENV_BYTES, utf8Bytes } from './task-argv.js';

const encoder = new TextEncoder();

describe('task argv bound', () => {
  it('counts UTF-8 bytes as TextEncoder encodes them, lone surrogates included', () => {
    const samples = [
      '',
      'abc',
      'é',
      '€uro',
      '😀',
      'a😀b',
      '\ud83d',
      '\ude00x',
      'x\ud83d',
      '\u07ff\u0800',
    ];
    for (const s of samples) expect(utf8Bytes(s), JSON.stringify(s)).toBe(encoder.encode(s).length);
  });

  it('counts each argument and NAME=VALUE with its NUL, as execve does', () => {
    expect(argvEnvBytes([])).toBe(0);
    expect(argvEnvBytes(['ab', ''], { HOME: '/' })).toBe(3 + 1 + 'HOME=/'.length + 1);
  });

  it('lets a task use exactly the bound and refuses one byte more, naming the bound', () => {
    const at = { args: ['-t', 'x'.repeat(MAX_TASK_ARGV_ENV_BYTES - 4)] };
    expect(argvEnvBytes(at.args)).toBe(MAX_TASK_ARGV_ENV_BYTES);
    expect(TaskSpec.safeParse(at).success).toBe(true);
    const over = TaskSpec.safeParse({ args: [...at.args, ''] });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.path).toEqual(['args']);
    expect(over.error?.issues[0]?.message).toContain(String(MAX_TASK_ARGV_ENV_BYTES));
  });

  it('takes one long argument that the old per-argument bound refused', () => {
    expect(TaskSpec.safeParse({ args: ['x'.repeat(100_000)] }).success).toBe(true);
    expect(TaskSpec.safeParse({ args: Array.from({ length: 5000 }, String) }).success).toBe(true);
  });
});
