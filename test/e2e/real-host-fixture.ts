/**
 * Namespace test hosts for the real-host suite (test/e2e/real-*.test.ts), made with the shared
 * tools (../shared/tools/make-test-host.sh: a network, mount, UTS and PID namespace with its own
 * sshd). Each suite names its own directory, subnet and root bridge, so suites run side by side.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import type { Oned } from './harness.js';

/** The test-host tools: $ONETEST_TOOLS, else the project's copy in test/tools. */
export const TOOLS = process.env['ONETEST_TOOLS'] ?? resolve(import.meta.dirname, '../../../test/tools');

/**
 * A suite's `skip` for the reason it cannot run here. In CI (`CI` set) there is no skipping:
 * a real-host suite that cannot run is a failure, not a pass.
 */
export function realSkip(reason: string | undefined): string | false {
  if (!reason) return false;
  if (process.env['CI']) throw new Error(`the real-host suite cannot run in CI: ${reason}`);
  return reason;
}

/** Where a suite's hosts live: ONETEST_DIR, ONETEST_NET (a /24 prefix), ONETEST_BRIDGE. */
export interface HostSpace {
  readonly dir: string;
  readonly net: string;
  readonly bridge: string;
}

/** Why the real-host suite cannot run here (a skip message), or undefined when it can. */
export function whyNotReal(...commands: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (namespace hosts)';
  if (!existsSync(join(TOOLS, 'make-test-host.sh'))) return `no shared tools in ${TOOLS} (set ONETEST_TOOLS)`;
  for (const c of commands) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', c]).status !== 0) return `needs ${c} on this machine`;
  }
  return undefined;
}

function toolEnv(space: HostSpace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ONETEST_DIR: space.dir, ONETEST_NET: space.net, ONETEST_BRIDGE: space.bridge, ...extra };
}

/** A test host, reachable by ssh as `name` through the suite's ssh wrapper. */
export class TestHost {
  constructor(
    readonly space: HostSpace,
    readonly name: string,
  ) {}

  /**
   * Creates the host (sshd only unless `libvirt`; `privateDirs` get contents of their own there,
   * as a host's local disk); idempotent.
   */
  static make(space: HostSpace, name: string, index: number, opts: { libvirt?: boolean; privateDirs?: readonly string[] } = {}): TestHost {
    execFileSync(join(TOOLS, 'make-test-host.sh'), [name, String(index)], {
      env: toolEnv(space, { ONETEST_LIBVIRT: opts.libvirt ? '1' : '0', ONETEST_PRIVATE_DIRS: (opts.privateDirs ?? []).join(' ') }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return new TestHost(space, name);
  }

  /** Directory of the ssh/scp wrappers that know the suite's hosts: put it first on PATH. */
  get binDir(): string {
    return join(this.space.dir, 'bin');
  }

  /** Runs argv inside the host (nsenter, no ssh); never throws. */
  run(...argv: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(join(this.binDir, 'onhost'), [this.name, ...argv], { encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** stdout of argv run inside the host; throws with its stderr when it fails. */
  out(...argv: string[]): string {
    const r = this.run(...argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')} on ${this.name} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  remove(): void {
    spawnSync(join(TOOLS, 'remove-test-host.sh'), [this.name], { env: toolEnv(this.space), stdio: 'ignore' });
  }
}

/** A host's or VM's XML. */
export async function info(oned: Oned, kind: 'host' | 'vm', id: number): Promise<XmlNode> {
  return parseXmlTree(String(await oned.ok(`one.${kind}.info`, [id])));
}

/** Polls an object until `check` holds; fails with `what` and the last XML after `seconds`. */
export async function until(oned: Oned, kind: 'host' | 'vm', id: number, what: string, check: (x: XmlNode) => boolean, seconds: number): Promise<XmlNode> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const x = await info(oned, kind, id);
    if (check(x)) return x;
    if (Date.now() > end) throw new Error(`${kind} ${id}: ${what} did not happen in ${seconds} s: ${String(await oned.ok(`one.${kind}.info`, [id])).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
