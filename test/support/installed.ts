import { execFileSync } from 'node:child_process';

/** Whether a command is on PATH: checks that need an optional tool (kubectl, promtool, amtool) skip without it. */
export function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
