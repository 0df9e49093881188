import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidatePath, outputFilePath, stderrPath, stdoutPath } from './result-files.js';

describe('result file naming', () => {
  it('names stdout and stderr by task index', () => {
    expect(stdoutPath('out', 3)).toBe(join('out', '3.stdout'));
    expect(stderrPath('out', 0)).toBe(join('out', '0.stderr'));
  });

  it('names the candidates of a task without consensus', () => {
    expect(candidatePath('out', 2, 1)).toBe(join('out', '2.candidate-1.stdout'));
  });

  it('places output files under a directory named by task index', () => {
    expect(outputFilePath('out', 7, 'output.txt')).toBe(join('out', '7', 'output.txt'));
    expect(outputFilePath('out', 7, 'sub/x.bin')).toBe(join('out', '7', 'sub', 'x.bin'));
  });

  it('refuses names that would escape the result directory', () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', '..', '.', '', 'a\\b', 'a\0b']) {
      expect(outputFilePath('out', 1, bad)).toBeUndefined();
    }
  });
});
