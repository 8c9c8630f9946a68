/**
 * The scheduler as oned starts it: `SCHEDULER = [ EXECUTABLE = "mm_sched", ARGUMENTS = "..." ]`
 * in oned.conf (`SCHEDULER = ""` runs none, for a site that runs its own elsewhere). It is a
 * separate process and an API client like any other: oned only hands it the endpoint and
 * oneadmin's credentials, restarts it if it dies, and stops it on the way out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import type { ConfigReader } from '../common/config.js';
import type { Logger } from '../common/log.js';
import { splitArguments } from '../mad/executable.js';
import { PACKAGE_ROOT } from './location.js';

/** Seconds before a scheduler that died is started again. */
const RESTART_DELAY_SEC = 5;

export class SchedulerProcess {
  private child: ChildProcess | undefined;
  private restart: NodeJS.Timeout | undefined;
  private stopping = false;

  private constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
  ) {}

  /** The scheduler oned.conf asks for, or undefined when it asks for none. */
  static fromConfig(config: ConfigReader, env: NodeJS.ProcessEnv, log: Logger): SchedulerProcess | undefined {
    const attr = config.template.getAll('SCHEDULER')[0];
    if (!attr || typeof attr.value === 'string') return undefined;
    const exe = attr.value.get('EXECUTABLE') ?? 'mm_sched';
    const args = splitArguments(attr.value.get('ARGUMENTS') ?? '');
    if (exe === 'mm_sched') return new SchedulerProcess(process.execPath, [join(PACKAGE_ROOT, 'dist', 'src', 'sched', 'main.js'), ...args], env, log);
    if (!isAbsolute(exe)) throw new Error(`SCHEDULER EXECUTABLE must be mm_sched or an absolute path, got "${exe}"`);
    return new SchedulerProcess(exe, args, env, log);
  }

  start(): void {
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.log.info('ONE', `Scheduler started (pid ${child.pid}): ${[this.command, ...this.args].join(' ')}`);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    child.on('error', (err) => this.log.error('ONE', `Cannot start the scheduler: ${err.message}`));
    child.on('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopping) return;
      this.log.error('ONE', `Scheduler exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}; restarting in ${RESTART_DELAY_SEC} s`);
      this.restart = setTimeout(() => this.start(), RESTART_DELAY_SEC * 1000);
    });
  }

  /** SIGTERM, and the wait for it to finish its cycle. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
