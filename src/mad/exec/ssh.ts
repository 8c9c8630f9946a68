/**
 * Running scripts on hosts with the system `ssh` (key-based, `BatchMode=yes`: never a password
 * prompt). ssh hands the remote side one command string for its shell, so every argument is
 * single-quoted here: a value can never become shell syntax. Remotes are copied to a host on
 * demand, as OpenNebula does: a wrapper exits with 42 when the script is missing there, which
 * triggers a copy and one more run.
 */
import { spawn } from 'node:child_process';
import { runCommand, type CommandResult } from './command.js';
import { CachedRemotesVersion, VERSION_FILE } from './remotes-version.js';

/** Exit status of the remote wrapper when the script is not on the host (OpenNebula's MAGIC_RC). */
export const MISSING_SCRIPT_RC = 42;

/** Exit status of ssh itself failing: no connection, refused key, unknown host. */
export const SSH_FAILED_RC = 255;

const SSH_OPTIONS = ['-o', 'BatchMode=yes'];

/** `it's` → `'it'\''s'`: one word for a POSIX shell, whatever it contains. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A host name safe to hand to ssh: not an option (`-oProxyCommand=...`), no blanks or control
 * characters. @throws Error otherwise.
 */
export function checkHost(host: string): string {
  if (host === '' || host.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(host)) {
    throw new Error(`Invalid host name '${host}'`);
  }
  return host;
}

/** argv of `ssh` running `command` (a shell command string) on `host`. */
export function sshArgs(host: string, command: string): string[] {
  return [...SSH_OPTIONS, checkHost(host), command];
}

/** Remote shell command: run the script if present (stdin passes through), else exit 42. */
export function remoteScriptCommand(path: string, args: readonly string[]): string {
  const q = shellQuote(path);
  let cmd = `if [ -x ${q} ]; then exec ${q}`;
  for (const a of args) cmd += ' ' + shellQuote(a);
  return `${cmd}; else exit ${MISSING_SCRIPT_RC}; fi`;
}

/** Remote shell command that unpacks a tar stream of the remotes into `dir` and records their version there. */
export function unpackCommand(dir: string, version: string): string {
  const q = shellQuote(dir);
  return `mkdir -p ${q} && tar -C ${q} -xf - && printf '%s\\n' ${shellQuote(version)} > ${shellQuote(`${dir}/${VERSION_FILE}`)}`;
}

export interface RemoteRunOptions {
  readonly stdin?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Copies remotes to hosts and runs scripts there. */
export class RemoteHosts {
  private readonly syncing = new Map<string, Promise<CommandResult>>();
  /** The version of the local tree, written with each copy. */
  readonly version: CachedRemotesVersion;

  /**
   * @param remotesDir local remotes root (copied as a whole)
   * @param remoteDir SCRIPTS_REMOTE_DIR on the hosts
   */
  constructor(
    readonly remotesDir: string,
    readonly remoteDir: string,
  ) {
    this.version = new CachedRemotesVersion(remotesDir);
  }

  /** Runs `<remoteDir>/<script> args...` on `host`. Exit code 42 means the script is missing there. */
  run(host: string, script: string, args: readonly string[], options: RemoteRunOptions): Promise<CommandResult> {
    return runCommand('ssh', sshArgs(host, remoteScriptCommand(`${this.remoteDir}/${script}`, args)), options);
  }

  /** Copies the whole remotes tree to the host (`onehost sync`); concurrent calls share one copy. */
  sync(host: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CommandResult> {
    let p = this.syncing.get(host);
    if (!p) {
      p = this.copy(host, options).finally(() => this.syncing.delete(host));
      this.syncing.set(host, p);
    }
    return p;
  }

  private async copy(host: string, options: { timeoutMs?: number; signal?: AbortSignal }): Promise<CommandResult> {
    let version: string;
    try {
      version = this.version.current();
    } catch (err) {
      return { code: 1, signal: null, stdout: '', stderr: `cannot read ${this.remotesDir}: ${(err as Error).message}`, timedOut: false, cancelled: false };
    }
    const args = sshArgs(host, unpackCommand(this.remoteDir, version));
    const tar = spawn('tar', ['-C', this.remotesDir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tarError = '';
    tar.stderr.setEncoding('utf8');
    tar.stderr.on('data', (c: string) => (tarError += c));
    const tarDone = new Promise<number | null>((resolve) => {
      tar.on('error', (e) => {
        tarError += e.message;
      });
      tar.on('close', (code) => resolve(code));
    });
    const result = await runCommand('ssh', args, { ...options, stdin: tar.stdout });
    if (result.code !== 0) tar.kill('SIGKILL');
    const tarCode = await tarDone;
    if (tarCode !== 0 && result.code === 0) {
      return { ...result, code: tarCode ?? 1, stderr: `tar of ${this.remotesDir} failed: ${tarError}` };
    }
    return result;
  }
}
