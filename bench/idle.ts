/**
 * Idle cost: CPU and RSS of a real `konomi start --guest` child while nothing happens, beside a
 * bridge alone (`konomi start`) measured over the same seconds as the same-run baseline, and a
 * cube of nine XP10s (`--guests 9`). All children run at once, so load from other jobs on the
 * machine hits them alike. Afterwards, the latency of a whole-cube think (CUBE_MSG to vertex 0xFF
 * of cube 1) on the bridge alone (the core's nine copies vote) and on the nine guests (each
 * machine's resident agent answers for its vertex over its own serial0).
 *
 *   npx tsx bench/idle.ts [--seconds 30] [--guests 9] [--before /path/to/other/checkout]
 *
 * `--before` adds a third child: `konomi start --guest` from another checkout (its bin/ and
 * dist/, built), e.g. the main branch, to show the cost before a change in the same run.
 * CPU is user + system time from /proc/<pid>/stat (clock ticks), over the measured window only:
 * start-up (XP10's boot included) is over before the window opens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLine } from '../bridge/lines/openLine.js';
import { Opcode } from '../protocol/constants.js';
import { encodeCubeMsgRequest } from '../protocol/payloads/cubeMsg.js';
import { Session } from '../protocol/Session.js';

/** The aim of issue 16: an idle bridge with one guest under 2 % of a core. */
const AIM_PERCENT = 2;
/** The aims of issue 14 for nine idle guests: under 1 GB RSS and 10 % of one core. */
const AIM_NINE_RSS_MIB = 1024;
const AIM_NINE_PERCENT = 10;
const THINKS = 5;
/** Linux reports /proc times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const SETTLE_MS = 3000;
const READY_TIMEOUT_MS = 60_000;

const here = dirname(fileURLToPath(import.meta.url));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Subject {
  label: string;
  /** Repository root whose bin/konomi.js runs. */
  root: string;
  args: string[];
  /** Log text that says the child is up (for a guest: XP10 said HELLO over its packet line). */
  ready: RegExp;
}

interface Running {
  subject: Subject;
  child: ChildProcess;
  /** The packet port the child printed. */
  packetPort: number;
}

function start(subject: Subject): Promise<Running> {
  const child = spawn(process.execPath, [resolve(subject.root, 'bin/konomi.js'), 'start', '--ephemeral', '--port', '0', '--packet-port', '0', ...subject.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveStart, reject) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`${subject.label}: not ready within ${READY_TIMEOUT_MS} ms; log: ${log.slice(-500)}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('latin1');
      if (subject.ready.test(log)) {
        clearTimeout(timer);
        // Keep draining the pipes so a chatty child never blocks on a full pipe.
        resolveStart({ subject, child, packetPort: Number(/packet port tcp:\/\/[^:]+:(\d+)/.exec(log)?.[1] ?? 0) });
      }
    };
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(error);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${subject.label}: exited with ${String(code)} before it was ready; log: ${log.slice(-500)}`)));
  });
}

/** User + system clock ticks of a process so far (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set size of a process in MiB (VmRSS of /proc/<pid>/status). */
function rssMib(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Median milliseconds of THINKS whole-cube thinks over the child's packet port. */
async function thinkLatency(port: number): Promise<number> {
  const line = await openLine(`tcp://127.0.0.1:${port}`, { timeoutMs: 10_000 });
  const session = new Session(line, { name: 'bench-idle' });
  try {
    const times: number[] = [];
    for (let i = 0; i < THINKS; i++) {
      const t0 = performance.now();
      await session.request(Opcode.CUBE_MSG, encodeCubeMsgRequest({ cube: 1, vertex: 0xff, text: `state ${i}?` }), { timeoutMs: 60_000 });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    session.close();
    line.close();
  }
}

function stop(running: Running): Promise<void> {
  return new Promise((resolveStop) => {
    if (running.child.exitCode !== null) return resolveStop();
    running.child.once('exit', () => resolveStop());
    running.child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const seconds = Number(option('--seconds') ?? 30);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    console.error('usage: npx tsx bench/idle.ts [--seconds 30] [--guests 9] [--before /path/to/checkout]');
    process.exit(2);
  }
  const root = resolve(here, '..');
  const subjects: Subject[] = [
    { label: 'bridge alone (baseline)', root, args: [], ready: /konomi bridge: http/ },
    { label: 'bridge + XP10 guest', root, args: ['--guest'], ready: /hello from "XP10"/ },
  ];
  const many = Number(option('--guests') ?? 9);
  if (many > 1) subjects.push({ label: `bridge + ${many} XP10 guests`, root, args: ['--guests', String(many)], ready: new RegExp(`hello from "XP10-${many}"`) });
  const before = option('--before');
  if (before !== undefined) subjects.push({ label: `bridge + XP10 guest, ${before}`, root: resolve(before), args: ['--guest'], ready: /hello from "XP10"/ });

  console.log(`Idle cost over ${seconds} s (Node ${process.version}; load average ${readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ')})\n`);
  const running = await Promise.all(subjects.map(start));
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const first = running.map((r) => cpuTicks(r.child.pid!));
    const t0 = performance.now();
    for (let elapsed = 0; elapsed < seconds; elapsed += 5) {
      await new Promise((r) => setTimeout(r, Math.min(5, seconds - elapsed) * 1000));
      process.stderr.write(`  ${Math.min(seconds, elapsed + 5)} / ${seconds} s\n`);
    }
    const wall = (performance.now() - t0) / 1000;
    const percents = running.map((r, i) => ((cpuTicks(r.child.pid!) - first[i]!) / CLOCK_TICKS_PER_SECOND / wall) * 100);
    const rss = running.map((r) => rssMib(r.child.pid!));
    console.log('| process | CPU (% of one core) | vs baseline | RSS |');
    console.log('|---|---:|---:|---:|');
    running.forEach((r, i) => {
      const delta = percents[i]! - percents[0]!;
      console.log(`| ${r.subject.label} | ${percents[i]!.toFixed(2)} % | ${i === 0 ? '–' : `${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points`} | ${rss[i]!.toFixed(0)} MiB |`);
    });
    const guest = percents[1]!;
    console.log(`\naim: idle bridge with one guest < ${AIM_PERCENT} % of a core: ${guest.toFixed(2)} % — ${guest < AIM_PERCENT ? 'met' : 'not met'}`);
    const nine = running.findIndex((r) => r.subject.args[0] === '--guests');
    if (nine >= 0) {
      const cpu = percents[nine]!;
      const mib = rss[nine]!;
      console.log(`aim: ${many} idle guests < ${AIM_NINE_RSS_MIB} MiB RSS and < ${AIM_NINE_PERCENT} % of a core: ${mib.toFixed(0)} MiB, ${cpu.toFixed(2)} % — ${mib < AIM_NINE_RSS_MIB && cpu < AIM_NINE_PERCENT ? 'met' : 'not met'}`);
      const core = await thinkLatency(running[0]!.packetPort);
      const guests = await thinkLatency(running[nine]!.packetPort);
      console.log(`whole-cube think of cube 1, median of ${THINKS}: ${guests.toFixed(1)} ms with ${many} guests hosting its vertices, ${core.toFixed(1)} ms on the bridge alone (the core's copies)`);
    }
  } finally {
    await Promise.all(running.map(stop));
  }
}

await main();
