/**
 * Front-end HA (docs/ha.md): three oned front-ends on one private PostgreSQL cluster, dummy
 * hosts, 1,000 VMs with `npm run test:faults` (NEBULA_HA_VMS; 100 in the default run). A stream of writes and VM operations
 * goes through all three (followers forward to the leader); the leader is killed with SIGKILL
 * mid-stream. Then: a new leader within a few seconds (the failover time is printed), every
 * acknowledged write is there, no VM is left in a transient state, quotas and leases are what
 * `onedb fsck` recomputes, raftstatus and `onezone show` agree on the leader, and the
 * RAFT_LEADER_HOOK / RAFT_FOLLOWER_HOOK moved the floating IP (vip.sh on veths in a network
 * namespace the test makes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { childInt, childText, parseXmlTree, type XmlNode } from '../../src/common/xml-tree.js';
import { lcmStateName } from '../../src/vm/vm-state.js';
import { Oned } from './harness.js';
import { all, sleep, TEST_DRIVERS } from './api-helpers.js';
import { cliOk } from './cli-helpers.js';
import { PgCluster, privatePgUnavailable } from './pg-cluster.js';

/** 100 in the default run; `npm run test:faults` runs it with 1,000. */
const VMS = Number(process.env.NEBULA_HA_VMS) || 100;
const DB = 'nebula_ha';
const CLIENTS = 6;
const VIP = '192.0.2.10/24';
const NETNS = `nebha${process.pid}`;
const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
const VIP_SH = join(ROOT, '../remotes/hooks/raft/vip.sh');
const ONEDB = join(ROOT, 'src/oned/onedb.js');
const LEADER = 3;
const FOLLOWER = 2;
/** VM states without a driver action in flight: PENDING, HOLD, POWEROFF, DONE, UNDEPLOYED... and ACTIVE in these LCM states. */
const STABLE_ACTIVE = (lcm: number) => lcm === 3 || lcm === 16 || lcmStateName(lcm).endsWith('_FAILURE');

function netnsUnavailable(): string | undefined {
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no ip netns here';
  }
}
const unavailable = privatePgUnavailable() ?? netnsUnavailable();
const IP = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim();
  } catch {
    return '/usr/sbin/ip';
  }
})();

/** The floating IP's addresses on veth `v<i>` of the test's namespace. */
const vipOn = (i: number): boolean => execFileSync('ip', ['-n', NETNS, '-o', 'address', 'show', 'dev', `v${i}`], { encoding: 'utf8' }).includes(VIP);

async function call(o: Oned, method: string, params: unknown[], session?: string): Promise<unknown[]> {
  return o.call(method, params as never, session);
}

async function raft(o: Oned): Promise<{ state: number; leader: number; term: number; id: number }> {
  const r = await call(o, 'one.zone.raftstatus', []);
  const x = parseXmlTree(String(r[1]));
  return { state: childInt(x, 'STATE'), leader: childInt(x, 'VOTEDFOR'), term: childInt(x, 'TERM'), id: childInt(x, 'SERVER_ID') };
}

const servers: Oned[] = [];
let pg: PgCluster | undefined;

const conf = (i: number) =>
  `${TEST_DRIVERS}FEDERATION = [ SERVER_ID = ${i} ]\nRAFT = [ HA_ELECTION_MS = 300 ]\n` +
  `RAFT_LEADER_HOOK = [ COMMAND = "${IP}", ARGUMENTS = "netns exec ${NETNS} ${VIP_SH} leader v${i} ${VIP}" ]\n` +
  `RAFT_FOLLOWER_HOOK = [ COMMAND = "${IP}", ARGUMENTS = "netns exec ${NETNS} ${VIP_SH} follower v${i} ${VIP}" ]\n`;

before(async () => {
  if (unavailable) return;
  execFileSync('ip', ['netns', 'add', NETNS]);
  for (const i of [0, 1, 2]) {
    execFileSync('ip', ['-n', NETNS, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', `p${i}`]);
    execFileSync('ip', ['-n', NETNS, 'link', 'set', `v${i}`, 'up']);
  }
  pg = await PgCluster.create();
  servers.push(await Oned.start({ backend: 'postgresql', db: pg.dbSection(DB), conf: conf(0) }));
  // As with OpenNebula's HA: every front-end has the first one's .one (key of encrypted attributes, server credentials).
  const copyKeys = (location: string) => cpSync(join(servers[0]!.location, '.one'), join(location, '.one'), { recursive: true });
  for (const i of [1, 2]) servers.push(await Oned.start({ backend: 'postgresql', db: pg.dbSection(DB), conf: conf(i), prepare: copyKeys }));
});

after(async () => {
  for (const s of servers) await s.stop().catch(() => {});
  pg?.destroy();
  if (!unavailable) spawnSync('ip', ['netns', 'del', NETNS]);
});

test('three front-ends: one leader, writes through followers, kill -9 of the leader, a new leader that reconciles', { skip: unavailable, timeout: 600_000 }, async () => {
  const [s0, s1, s2] = servers as [Oned, Oned, Oned];
  for (const [i, s] of servers.entries()) {
    const r = await call(s0, 'one.zone.addserver', [0, `SERVER = [ NAME = "s${i}", ENDPOINT = "${s.endpoint}" ]`]);
    assert.equal(r[0], true, String(r[1]));
  }
  assert.deepEqual((await Promise.all(servers.map(raft))).map((r) => [r.id, r.state, r.leader]), [[0, LEADER, 0], [1, FOLLOWER, 0], [2, FOLLOWER, 0]]);
  assert.ok(vipOn(0) && !vipOn(1) && !vipOn(2), 'the leader has the floating IP, the followers not');

  // Set-up through a follower: it forwards writes, and reads its own writes at once.
  const ok = async (o: Oned, method: string, params: unknown[], session?: string) => {
    const r = await call(o, method, params, session);
    assert.equal(r[0], true, `${method}: ${String(r[1])}`);
    return r[1];
  };
  const uid = Number(await ok(s1, 'one.user.allocate', ['ha-user', 'ha-pw', '', []]));
  assert.equal(childText(parseXmlTree(String(await ok(s1, 'one.user.info', [uid]))), 'NAME'), 'ha-user', 'a follower reads the write it forwarded');
  const user = 'ha-user:ha-pw';
  const hostId = Number(await ok(s2, 'one.host.allocate', ['ha-host', 'dummy', 'dummy', -1]));
  const vnet = Number(await ok(s1, 'one.vn.allocate', ['NAME = "ha-net"\nVN_MAD = "dummy"\nBRIDGE = "br0"\nAR = [ TYPE = "IP4", IP = "10.1.0.1", SIZE = "4000" ]', -1]));
  await ok(s1, 'one.vn.chmod', [vnet, -1, -1, -1, 1, -1, -1, 1, -1, -1]);
  const vmText = (n: string) => `NAME = "${n}"\nCPU = 0.1\nMEMORY = 16\nNIC = [ NETWORK_ID = ${vnet} ]`;

  // The 1,000 VMs, through all three front-ends.
  const acked = new Map<number, number>(); // vm id -> highest SEQ acknowledged for its USER_TEMPLATE
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 12 }, async (_, c) => {
      while (next < VMS) {
        const n = next++;
        const id = Number(await ok(servers[(n + c) % 3]!, 'one.vm.allocate', [vmText(`ha-${n}`), false], user));
        acked.set(id, 0);
      }
    }),
  );
  console.log(`# ${VMS} VMs allocated through three front-ends in ${Date.now() - t0} ms`);

  // The stream: updates, deploys, power-offs, resumes and terminations, through every front-end, until after the kill.
  const ids = [...acked.keys()];
  const terminated = new Set<number>();
  let acks = 0;
  let stop = false;
  let leader = s0;
  const stream = Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      let k = 0;
      while (!stop) {
        const id = ids[(c * 7919 + k * 104729) % ids.length]!;
        const via = servers[(c + k) % 3]!;
        k++;
        const seq = k;
        const op = k % 5;
        let r: unknown[];
        try {
          if (op === 0) r = await call(via, 'one.vm.deploy', [id, hostId, false, -1]);
          else if (op === 3 && c === 0) r = await call(via, 'one.vm.terminate', [id, true]);
          else r = await call(via, 'one.vm.update', [id, `SEQ_${c} = "${seq}"`, 1]);
        } catch {
          await sleep(50); // the killed leader: connection refused
          continue;
        }
        if (r[0] !== true) {
          await sleep(20);
          continue;
        }
        acks++;
        if (op === 3 && c === 0) terminated.add(id);
        else if (op !== 0) acked.set(id, Math.max(acked.get(id) ?? 0, c * 1_000_000 + seq));
      }
    }),
  );
  while (acks < 300) await sleep(20);
  const killedAt = Date.now();
  await s0.signal('SIGKILL');
  let newLeader: Oned | undefined;
  while (!newLeader) {
    for (const s of [s1, s2]) if ((await raft(s).catch(() => undefined))?.state === LEADER) newLeader = s;
    if (Date.now() - killedAt > 30_000) assert.fail('no new leader within 30 s');
    await sleep(20);
  }
  const failoverMs = Date.now() - killedAt;
  console.log(`# failover: a new leader (server ${(await raft(newLeader)).id}) ${failoverMs} ms after kill -9 of the leader`);
  const promotion = readFileSync(join(newLeader.location, 'var', 'oned.log'), 'utf8').split('\n').filter((l) => /\[RCM\]/.test(l));
  for (const l of promotion) console.log(`# ${l}`);
  // Timing targets are bench/ha-bench.ts's: here only a bound no working failover comes near.
  assert.ok(failoverMs < 60_000, `failover took ${failoverMs} ms`);
  leader = newLeader;
  const follower = leader === s1 ? s2 : s1;
  const acksAtFailover = acks;
  // The stream goes on through the new leader and the follower.
  while (acks < acksAtFailover + 200) await sleep(20);
  stop = true;
  await stream;

  // raftstatus and onezone show agree on who leads.
  const lr = await raft(leader);
  const fr = await raft(follower);
  assert.equal(lr.state, LEADER);
  assert.equal(fr.state, FOLLOWER);
  assert.equal(fr.leader, lr.id);
  assert.ok(lr.term > 1, 'a new epoch');
  const shown = await cliOk(follower, 'onezone', ['show', '0']);
  assert.match(shown, new RegExp(`\\n\\s*${lr.id} s${lr.id}\\s+leader\\s+${lr.term}\\s+${lr.id}\\s`));
  assert.match(shown, new RegExp(`\\n\\s*${fr.id} s${fr.id}\\s+follower\\s+${lr.term}\\s+${lr.id}\\s`));
  assert.match(shown, /\n\s*0 s0\s+error\s/, 'the killed server does not answer');

  // Reconciliation: no VM stays in a transient state (dummy drivers answer at once).
  let transient: string[] = [];
  for (let i = 0; i < 200; i++) {
    const pool = parseXmlTree(String(await ok(leader, 'one.vmpool.info', [-2, -1, -1, -2])));
    transient = all(pool, 'VM').filter((v) => childInt(v, 'STATE') === 3 && !STABLE_ACTIVE(childInt(v, 'LCM_STATE'))).map((v) => `${childText(v, 'ID')}:${lcmStateName(childInt(v, 'LCM_STATE'))}`);
    if (transient.length === 0) break;
    await sleep(100);
  }
  assert.deepEqual(transient, [], 'VMs left in transient states');

  // Every acknowledged write is there, on the leader and on the follower.
  for (const o of [leader, follower]) {
    const pool = parseXmlTree(String(await ok(o, 'one.vmpool.infoextended', [-2, -1, -1, -2])));
    const byId = new Map<number, XmlNode>(all(pool, 'VM').map((v) => [childInt(v, 'ID'), v]));
    for (const [id, seq] of acked) {
      const vm = byId.get(id);
      assert.ok(vm, `VM ${id} acknowledged but missing`);
      if (seq === 0) continue;
      const c = Math.floor(seq / 1_000_000);
      const text = (vm.children.find((x) => x.name === 'USER_TEMPLATE')?.children ?? []).find((x) => x.name === `SEQ_${c}`)?.text;
      assert.ok(Number(text) >= seq % 1_000_000, `VM ${id}: SEQ_${c} acknowledged ${seq % 1_000_000}, has ${text}`);
    }
    for (const id of terminated) assert.equal(childInt(byId.get(id)!, 'STATE'), 6, `VM ${id} terminated (acknowledged) is DONE`);
    // Leases: one per VM not DONE, none for the others.
    const live = all(pool, 'VM').filter((v) => childInt(v, 'STATE') !== 6).length;
    const net = parseXmlTree(String(await ok(o, 'one.vn.info', [vnet])));
    assert.equal(childInt(net, 'USED_LEASES'), live, 'leases in use = VMs not DONE');
  }

  // The hooks: the floating IP moved to the new leader; both hooks ran.
  assert.ok(vipOn(lr.id), 'the new leader has the floating IP');
  assert.ok(!vipOn(fr.id), 'the follower has not');
  assert.match(readFileSync(join(leader.location, 'var', 'oned.log'), 'utf8'), /RAFT_LEADER_HOOK .*vip\.sh leader .*: done/);
  assert.match(readFileSync(join(follower.location, 'var', 'oned.log'), 'utf8'), /RAFT_FOLLOWER_HOOK .*vip\.sh follower .*: done/);

  // Quotas and leases are what onedb fsck recomputes (every front-end stopped); the new leader
  // found nothing to mend at promotion either.
  assert.doesNotMatch(readFileSync(join(leader.location, 'var', 'oned.log'), 'utf8'), /Quota counter fixed/);
  for (const s of [s1, s2]) await s.signal('SIGTERM');
  const fsck = spawnSync(process.execPath, [ONEDB, 'fsck', '--dry-run'], { env: { ...process.env, ONE_LOCATION: leader.location }, encoding: 'utf8' });
  assert.equal(fsck.status, 0, fsck.stdout + fsck.stderr);
  assert.match(fsck.stdout, /Quota counters match the objects\./);
});
