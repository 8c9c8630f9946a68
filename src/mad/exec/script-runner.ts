/**
 * Runs one action script of the remotes tree, on the front-end or on a host, with OpenNebula's
 * contract: exit code 0 is success with stdout as the answer; anything else is failure with a
 * message taken from stderr. Log lines on stderr go to the request's log. A failed run is
 * repeated up to `retries` times; a script missing on a host makes the remotes be copied there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionContext } from '../server/driver-server.js';
import { runCommand, type CommandResult } from './command.js';
import { failureMessage, parseStderr } from './script-output.js';
import { checkHost, MISSING_SCRIPT_RC, RemoteHosts, SSH_FAILED_RC } from './ssh.js';

export interface ScriptCall {
  /** Path under the remotes root, e.g. `vmm/kvm/deploy`. */
  readonly script: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  /** Run on this host over ssh; absent: on the front-end. */
  readonly host?: string;
}

export interface ScriptResult {
  readonly ok: boolean;
  /** Standard output, trimmed. */
  readonly stdout: string;
  /** stdout on success, the failure message otherwise. */
  readonly info: string;
}

export interface ScriptRunnerOptions {
  /** Local remotes root. */
  readonly remotesDir: string;
  /** SCRIPTS_REMOTE_DIR: where remotes live on hosts. */
  readonly remoteDir: string;
  /** Extra runs of a failed script (`-r`). */
  readonly retries: number;
  /** Per-run limit (`-w`), 0 for none. */
  readonly timeoutMs: number;
}

/** Pause between a failed run and its retry. */
const RETRY_DELAY_MS = 1000;

export class ScriptRunner {
  private readonly hosts: RemoteHosts;

  constructor(readonly options: ScriptRunnerOptions) {
    this.hosts = new RemoteHosts(options.remotesDir, options.remoteDir);
  }

  /** Local path of a script of the remotes tree. */
  localPath(script: string): string {
    return join(this.options.remotesDir, script);
  }

  /** Whether the remotes tree has that script (an executable file is expected). */
  has(script: string): boolean {
    return existsSync(this.localPath(script));
  }

  async run(call: ScriptCall, ctx: ActionContext): Promise<ScriptResult> {
    if (call.host === undefined && !this.has(call.script)) {
      return failed(`Script ${this.localPath(call.script)} does not exist`);
    }
    if (call.host !== undefined && !validHost(call.host)) return failed(`Invalid host name '${call.host}'`);
    let synced = false;
    for (let attempt = 0; ; attempt++) {
      let r = await this.once(call, ctx);
      if (call.host !== undefined && r.code === MISSING_SCRIPT_RC && !synced) {
        synced = true;
        ctx.log('I', `Remote worker node files not found on ${call.host}: updating remotes`);
        const s = await this.sync(call.host, ctx);
        if (!s.ok) return s;
        r = await this.once(call, ctx);
      }
      const result = this.interpret(call, r, ctx);
      if (result.ok || r.timedOut || r.cancelled || attempt >= this.options.retries) return result;
      await sleep(RETRY_DELAY_MS, undefined, { signal: ctx.signal }).catch(() => {});
      if (ctx.signal.aborted) return result;
      ctx.log('I', `Retrying ${call.script} (${attempt + 1}/${this.options.retries})`);
    }
  }

  /**
   * Runs a script once and answers the raw outcome (exit code, stdout, stderr) without reading
   * it as a driver action: hook executions log all three. On a host whose copy of the remotes
   * lacks the script, the remotes are copied there first. `timeoutMs` overrides the runner's.
   */
  async exec(call: ScriptCall, ctx: ActionContext, timeoutMs = this.options.timeoutMs): Promise<CommandResult> {
    const problem = call.host === undefined ? (this.has(call.script) ? undefined : `Script ${this.localPath(call.script)} does not exist`) : validHost(call.host) ? undefined : `Invalid host name '${call.host}'`;
    if (problem) return { code: null, signal: null, stdout: '', stderr: problem, timedOut: false, cancelled: false, spawnError: problem };
    let r = await this.once(call, ctx, timeoutMs);
    if (call.host !== undefined && r.code === MISSING_SCRIPT_RC) {
      const s = await this.sync(call.host, ctx);
      if (!s.ok) return { ...r, stderr: s.info };
      r = await this.once(call, ctx, timeoutMs);
    }
    return r;
  }

  /** The version of the local remotes tree, as a copy records it on hosts. */
  remotesVersion(): string {
    return this.hosts.version.current();
  }

  /** Copies the remotes tree to `host` (OpenNebula's `onehost sync`). */
  async sync(host: string, ctx: ActionContext): Promise<ScriptResult> {
    if (!validHost(host)) return failed(`Invalid host name '${host}'`);
    const s = await this.hosts.sync(host, { timeoutMs: this.options.timeoutMs, signal: ctx.signal });
    if (s.code === 0) return { ok: true, stdout: '', info: '' };
    return failed(`Could not copy remotes to ${host} (${describe(s)}): ${s.stderr.trim()}`);
  }

  private once(call: ScriptCall, ctx: ActionContext, timeoutMs = this.options.timeoutMs): Promise<CommandResult> {
    const opts = { stdin: call.stdin, timeoutMs, signal: ctx.signal };
    return call.host === undefined
      ? runCommand(this.localPath(call.script), call.args, opts)
      : this.hosts.run(call.host, call.script, call.args, opts);
  }

  private interpret(call: ScriptCall, r: CommandResult, ctx: ActionContext): ScriptResult {
    const parsed = parseStderr(r.stderr);
    for (const l of parsed.logs) ctx.log(l.severity, l.text);
    const stdout = r.stdout.trim();
    if (r.code === 0) return { ok: true, stdout, info: stdout };
    const where = call.host === undefined ? '' : ` on ${call.host}`;
    if (r.timedOut) {
      const msg = `Timeout after ${this.options.timeoutMs / 1000} s running ${call.script}${where}`;
      ctx.log('E', msg);
      return failed(msg);
    }
    if (r.cancelled) return failed(`${call.script} cancelled`);
    const status = describe(r);
    ctx.log('E', `Command execution failed (${status}): ${call.script}${where} ${call.args.join(' ')}`);
    for (const l of parsed.plain) ctx.log('I', l);
    const message = failureMessage(parsed, r.stdout, `${call.script} failed (${status})`);
    // ssh's own failure, not the script's: say so, since its text names an address, not the host.
    if (call.host !== undefined && r.code === SSH_FAILED_RC) return { ok: false, stdout, info: `Cannot reach ${call.host} with ssh: ${message}` };
    return { ok: false, stdout, info: message };
  }
}

function validHost(host: string): boolean {
  try {
    checkHost(host);
    return true;
  } catch {
    return false;
  }
}

function failed(info: string): ScriptResult {
  return { ok: false, stdout: '', info };
}

function describe(r: CommandResult): string {
  if (r.spawnError) return r.spawnError;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code: ${r.code}`;
}
