// CPU time a process has used so far (user + system, itself only, not its children), from
// /proc/<pid>/stat — for benchmarks that measure a child process (bench/scale.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`; 100 on Linux unless it says otherwise). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const text = (() => {
      try {
        return execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
      } catch {
        return '100';
      }
    })();
    ticksPerSecond = Number(text) > 0 ? Number(text) : 100;
  }
  return ticksPerSecond;
}

/** utime + stime of `pid` in milliseconds (the resolution is one clock tick, 10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after "pid (comm) ": state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicks();
}
