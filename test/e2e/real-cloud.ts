/**
 * A small real cloud on this machine, set up as docs/hosts.md tells an admin: two namespace
 * hosts with sshd and libvirtd (../shared/tools), reached by oned with the system ssh (the tools'
 * wrappers first in PATH, as an admin's ~/.ssh/config would do), added with `onehost create
 * NAME --im kvm --vm qemu`; the tiny guest's qcow2 image in an `fs` datastore with the qcow2
 * transfer driver, a shared system datastore, a bridged network on the hosts' `br0` with
 * ebtables anti-spoofing, and a template with the image, a NIC and CONTEXT. oned runs the
 * scheduler, which places the VMs. Used by test/e2e/real-acceptance.test.ts and
 * bench/real-vm-bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { Oned } from './harness.js';
import { cliOk } from './cli-helpers.js';
import { TestHost, TOOLS, whyNotReal, type HostSpace } from './real-host-fixture.js';

export const SPACE: HostSpace = { dir: '/tmp/onetest-cloud', net: '10.74.0', bridge: 'onetbr74' };
export const GUEST_DIR = '/tmp/onetest-guest-cloud';
/** Each host's own SCRIPTS_REMOTE_DIR, as on a real host's disk. */
const REMOTE_DIR = '/var/tmp/one';
export const MONITORING_INTERVAL = 10;
/** Guest boots take 10 s on an idle machine and up to 2 minutes on a loaded one. */
export const BOOT_MS = 300_000;

export const S = { PENDING: 1, ACTIVE: 3, DONE: 6, POWEROFF: 8 } as const;
export const RUNNING = 3;

export class RealCloud {
  private constructor(
    readonly oned: Oned,
    readonly hosts: readonly TestHost[],
    readonly hostIds: readonly number[],
    readonly systemDs: number,
    readonly templateId: number,
    /** The template's text with another DISK line (`DISK = [ ... ]`). */
    readonly templateWithDisk: (disk: string) => string,
  ) {}

  /** Why a real cloud cannot be made here, or undefined. */
  static unavailable(): string | undefined {
    return whyNotReal('ebtables', 'ip', 'qemu-img', 'busybox');
  }

  /**
   * @param cpu the template's CPU: each host offers 100 per core of this machine.
   * @param space where the hosts live (a suite of its own can run beside the others).
   */
  static async make(names: readonly [string, string], cpu = 0.5, space: HostSpace = SPACE): Promise<RealCloud> {
    // Under flock: real suites running side by side share this guest, and two builds of it at
    // once remove each other's files (seen: a kernel .deb gone under the other build).
    const guest = spawnSync('flock', [`${GUEST_DIR}.lock`, join(TOOLS, 'make-tiny-guest.sh'), GUEST_DIR], { encoding: 'utf8', timeout: 600_000 });
    if (guest.status !== 0) throw new Error(`make-tiny-guest.sh: ${guest.stderr}`);
    // Hosts of a run that was cut short would still run its guests: start afresh.
    for (const n of names) new TestHost(space, n).remove();
    const hosts = names.map((n, i) => TestHost.make(space, n, i + 1, { libvirt: true, privateDirs: [REMOTE_DIR] }));
    process.env.PATH = `${hosts[0]!.binDir}:${process.env.PATH}`;
    const oned = await Oned.start({
      backend: 'sqlite',
      conf: `HOST_MONITORING_INTERVAL = ${MONITORING_INTERVAL}\nVM_POLLING_INTERVAL = ${MONITORING_INTERVAL}\nSCRIPTS_REMOTE_DIR = "${REMOTE_DIR}"\n`,
      schedConf: 'SCHED_INTERVAL = 2\nMAX_DISPATCH = 50\nMAX_HOST = 10\nLIVE_RESCHEDS = 1\n',
    });
    try {
      const hostIds: number[] = [];
      for (const n of names) hostIds.push(Number(/ID: (\d+)/.exec(await cliOk(oned, 'onehost', ['create', n, '--im', 'kvm', '--vm', 'qemu']))?.[1]));
      const id = async (method: string, params: (string | number | boolean)[]) => Number(await oned.ok(method, params));
      const systemDs = await id('one.datastore.allocate', ['NAME = "shared-system"\nTYPE = "SYSTEM_DS"\nTM_MAD = "shared"', -1]);
      const imageDs = await id('one.datastore.allocate', [`NAME = "qcow2-images"\nDS_MAD = "fs"\nTM_MAD = "qcow2"\nSAFE_DIRS = "${GUEST_DIR}"`, -1]);
      const image = await id('one.image.allocate', [`NAME = "tiny"\nPATH = "${GUEST_DIR}/rootfs.qcow2"\nDRIVER = "qcow2"\nDEV_PREFIX = "vd"`, imageDs]);
      const net = await id('one.vn.allocate', [
        `NAME = "tiny-net"\nVN_MAD = "ebtables"\nBRIDGE = "br0"\nNETWORK_MASK = "255.255.255.0"\nGATEWAY = "${space.net}.1"\nAR = [ TYPE = "IP4", IP = "${space.net}.100", SIZE = "40" ]`,
        -1,
      ]);
      const templateText = (disk: string) =>
        `NAME = "tiny"\nCPU = ${cpu}\nVCPU = 1\nMEMORY = 192\n` +
        `OS = [ KERNEL = "${GUEST_DIR}/vmlinuz", INITRD = "${GUEST_DIR}/initrd.img", ROOT = "vda", KERNEL_CMD = "console=ttyS0 panic=-1" ]\n` +
        `${disk}\nNIC = [ NETWORK_ID = ${net} ]\nGRAPHICS = [ TYPE = "vnc", LISTEN = "0.0.0.0" ]\n` +
        `CONTEXT = [ NETWORK = "YES", SET_HOSTNAME = "$NAME" ]\nSCHED_DS_REQUIREMENTS = "ID = ${systemDs}"`;
      const templateId = await id('one.template.allocate', [templateText(`DISK = [ IMAGE_ID = ${image} ]`)]);
      const cloud = new RealCloud(oned, hosts, hostIds, systemDs, templateId, templateText);
      await cloud.until('the image READY and the hosts MONITORED', 120_000, async () => {
        const img = parseXmlTree(String(await oned.ok('one.image.info', [image])));
        const states = await Promise.all(hostIds.map(async (h) => childInt(parseXmlTree(String(await oned.ok('one.host.info', [h]))), 'STATE')));
        return childInt(img, 'STATE') === 1 && states.every((s) => s === 2);
      });
      return cloud;
    } catch (err) {
      await oned.stop();
      for (const h of hosts) h.remove();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.oned.stop();
    for (const h of this.hosts) h.remove();
  }

  async vm(id: number): Promise<XmlNode> {
    return parseXmlTree(String(await this.oned.ok('one.vm.info', [id])));
  }

  /** `onetemplate instantiate` of the cloud's template: the new VMs' ids. */
  async instantiate(count = 1): Promise<number[]> {
    const out = await cliOk(this.oned, 'onetemplate', ['instantiate', String(this.templateId), ...(count > 1 ? ['--multiple', String(count)] : [])]);
    return [...out.matchAll(/VM ID: (\d+)/g)].map((m) => Number(m[1]));
  }

  /** `one.template.instantiate` of the cloud's template with `extra` merged into it: the new VM's id. */
  async instantiateWith(extra: string): Promise<number> {
    return Number(await this.oned.ok('one.template.instantiate', [this.templateId, '', false, extra, false]));
  }

  async until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Waits for STATE (and LCM_STATE when ACTIVE); the VM's log tail in the error otherwise. */
  async waitState(id: number, state: number, lcm = RUNNING, ms = 180_000): Promise<XmlNode> {
    let last: XmlNode | undefined;
    try {
      await this.until(`VM ${id} in ${state}/${lcm}`, ms, async () => {
        last = await this.vm(id);
        return childInt(last, 'STATE') === state && (state !== S.ACTIVE || childInt(last, 'LCM_STATE') === lcm);
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}; it is ${last ? `${childText(last, 'STATE')}/${childText(last, 'LCM_STATE')}` : '?'}\n${this.vmLog(id)}`);
    }
    return last!;
  }

  vmLog(id: number): string {
    const f = join(this.oned.location, 'var', 'vms', String(id), 'vm.log');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-20).join('\n') : '(no vm.log)';
  }

  consoleFile(id: number): string {
    return join(this.oned.location, 'var', 'datastores', String(this.systemDs), String(id), 'console.log');
  }

  /** The last match of `marker` in the VM's console log, once there is one that `accept` takes. */
  async consoleShows(id: number, marker: RegExp, ms = BOOT_MS, accept: (m: RegExpMatchArray) => boolean = () => true): Promise<RegExpMatchArray> {
    let found: RegExpMatchArray | undefined;
    await this.until(`VM ${id}'s console showing ${marker}`, ms, async () => {
      const f = this.consoleFile(id);
      found = existsSync(f) ? [...readFileSync(f, 'utf8').matchAll(new RegExp(marker, 'g'))].pop() : undefined;
      return found !== undefined && accept(found);
    });
    return found!;
  }

  /**
   * The guest's boot id (`GET /bootid` of its httpd), retried for a minute while its network comes
   * up. HTTP/1.0 over a plain socket: the guest's busybox ends header lines with LF only, which
   * fetch refuses. The same id before and after a move means the same boot went on.
   */
  static async bootId(ip: string): Promise<string> {
    const end = Date.now() + 60_000;
    for (;;) {
      try {
        return await new Promise<string>((res, rej) => {
          let data = '';
          const sock = connect({ host: ip, port: 80, timeout: 3000 }, () => sock.write('GET /bootid HTTP/1.0\r\n\r\n'));
          sock.setEncoding('utf8');
          sock.on('data', (d: string) => (data += d));
          sock.on('timeout', () => sock.destroy(new Error(`no answer from ${ip}:80`)));
          sock.on('error', rej);
          sock.on('close', () => (/^HTTP\/1\.\d 200/.test(data) ? res(data.split(/\r?\n\r?\n/).slice(1).join('').trim()) : rej(new Error(`GET /bootid: ${data.split('\n')[0] || 'no reply'}`))));
        });
      } catch (err) {
        if (Date.now() > end) throw err;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Whether `ip` answers one ping from the front-end (the root namespace). */
  static pings(ip: string): boolean {
    return spawnSync('busybox', ['ping', '-c', '1', '-W', '2', ip], { stdio: 'ignore' }).status === 0;
  }

  /** What a VM left on a host: libvirt domains, tap devices and ebtables rules naming it. */
  leftovers(host: TestHost, id: number): string[] {
    const found: string[] = [];
    const domains = host.run('virsh', 'list', '--all', '--name').stdout.split('\n').filter((l) => l.trim() === `one-${id}`);
    found.push(...domains.map((d) => `domain ${d}`));
    const links = host.run('ip', '-o', 'link', 'show').stdout;
    for (const m of links.matchAll(new RegExp(`\\d+: (one-${id}-\\d+)`, 'g'))) found.push(`tap ${m[1]}`);
    const rules = host.run('ebtables', '-L').stdout;
    for (const line of rules.split('\n')) if (line.includes(`one-${id}-`)) found.push(`ebtables: ${line.trim()}`);
    return found;
  }
}
