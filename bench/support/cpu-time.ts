// The CPU time of a bench's child command and every process it waits for (compilers, emulators, workers): the command
// runs under /usr/bin/time, which writes its user and system seconds to a file.

import fs from 'node:fs';

/** The command line that runs `command args` and writes its CPU seconds to `timeFile` (read them with cpuSeconds). */
export function underTime(timeFile: string, command: string, args: string[]): [string, string[]] {
  return ['/usr/bin/time', ['-f', '%U %S', '-o', timeFile, command, ...args]];
}

/** User + system seconds from a file underTime had written; NaN when it is missing. */
export function cpuSeconds(timeFile: string): number {
  if (!fs.existsSync(timeFile)) return NaN;
  const [user, system] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return user + system;
}
