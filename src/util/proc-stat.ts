// One reader of Linux's /proc/<pid>/stat: a process's state, parent and start time, or null when it is gone (or no /proc).
import fs from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), …: field 3. */
  state: string;
  /** Field 4. */
  parentPid: number;
  /** Clock ticks since boot when the process started: field 22 (a string: only compared, never computed with). */
  startTicks: string;
}

/** The process's stat fields; null when /proc/<pid>/stat cannot be read (the process is gone, or there is no /proc). */
export function procStat(pid: number): ProcStat | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2, in parentheses) may hold spaces and parentheses: the fields after the last ')' are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', parentPid: Number(fields[1]), startTicks: fields[19] ?? '0' };
}

/** Whether /proc is there to read (Linux). */
export const hasProc = (): boolean => fs.existsSync('/proc/self/stat');
