import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Template } from '../../common/template/index.js';
import { DumpCache, GangliaXmlReader, gangliaImActions, hostReport, parseEndpoint, parseGangliaXml, readDump, vmsInformation, type GangliaHost } from './index.js';

/** Dumps captured from Debian 12's gmond 3.7.2 on a namespace host (gg1, 2 CPUs, 24 GB). */
const DATA = resolve(import.meta.dirname, '../../../../src/mad/ganglia/testdata');
const sample = (name: string) => readFileSync(resolve(DATA, name), 'latin1');

test('a real gmond dump: the host, its metrics, with the DOCTYPE skipped', () => {
  const dump = parseGangliaXml(sample('gmond-3.7.2-vms.xml'));
  assert.deepEqual(dump.names, ['gg1']);
  const h = dump.find('gg1')!;
  assert.equal(h.ip, '10.91.0.11');
  assert.equal(h.cluster, 'nebula-test');
  assert.equal(h.tmax, 20);
  assert.equal(h.metrics.get('cpu_num')?.val, '2');
  assert.equal(h.metrics.get('mem_total')?.units, 'KB');
  assert.equal(dump.find('10.91.0.11'), h, 'found by IP too');
  assert.equal(dump.find('gg1.example.org'), h, 'and by its first label');
  assert.equal(dump.find('gg2'), undefined);
});

test("gmond's cut METRIC lines (string values over 1,024 bytes) do not break the dump", () => {
  // Captured after `gmetric -t string` of 1,000, 1,300 and 1,400 characters: gmond cut each
  // line and wrote <EXTRA_DATA> inside the attribute value.
  const xml = sample('gmond-3.7.2-cut-metric.xml');
  assert.match(xml, /VAL="A{100,}<EXTRA_DATA>/, 'the sample has the cut lines');
  const h = parseGangliaXml(xml).find('gg1')!;
  assert.deepEqual(['TEST_1000', 'TEST_1300', 'TEST_1400'].map((n) => h.metrics.get(n)), Array(3).fill({ val: '', type: 'string', units: '', tn: 0, tmax: 0, truncated: true }));
  assert.equal(h.metrics.get('cpu_num')?.val, '2');
  assert.equal(vmsInformation(h).kind, 'vms', 'the VMs published beside them are read');
  const cut = new Map(h.metrics).set('OPENNEBULA_VMS_INFORMATION', h.metrics.get('TEST_1000')!);
  const r = vmsInformation({ ...h, metrics: cut });
  assert.ok(r.kind === 'unusable' && /gmond cut OPENNEBULA_VMS_INFORMATION/.test(r.reason));
});

test('a dump fed in small chunks (as a socket delivers it) reads the same', () => {
  const xml = sample('gmond-3.7.2-cut-metric.xml');
  const r = new GangliaXmlReader();
  for (let i = 0; i < xml.length; i += 7) r.write(xml.slice(i, i + 7));
  const chunked = r.end().find('gg1')!;
  assert.deepEqual(chunked, parseGangliaXml(xml).find('gg1'));
});

test('the real dump mapped to OpenNebula attributes', () => {
  const h = parseGangliaXml(sample('gmond-3.7.2-vms.xml')).find('gg1')!;
  const net = { rx: 0, tx: 0, at: 0 };
  const r = hostReport(h, 1_000_000, net);
  assert.ok(r.ok);
  const t = Template.parse(r.text);
  assert.equal(t.get('HOSTNAME'), 'gg1');
  assert.equal(t.get('ARCH'), 'x86_64');
  assert.equal(t.get('TOTALCPU'), '200');
  assert.equal(t.get('CPUSPEED'), '2096');
  assert.equal(t.get('TOTALMEMORY'), '24683748');
  // mem_free + mem_buffers + mem_cached, as the kvm probes count free memory
  assert.equal(t.get('FREEMEMORY'), String(13330656 + 107896 + 1940516));
  assert.equal(Number(t.get('USEDMEMORY')) + Number(t.get('FREEMEMORY')), 24683748);
  // cpu_idle 0.0 % on that loaded machine
  assert.deepEqual([t.get('FREECPU'), t.get('USEDCPU')], ['0', '200']);
  assert.equal(t.get('VM_POLL'), 'YES');
  const vms = t.getAll('VM').map((a) => a.value as Map<string, string>);
  assert.deepEqual(vms.map((v) => [v.get('ID'), v.get('DEPLOY_ID')]), [['5', 'one-5'], ['6', 'one-6']]);
  assert.match(vms[0]!.get('POLL')!, /^STATE=a CPU=1.50 MEMORY=220 NETRX=0 /);
});

test('NETRX/NETTX count bytes: the rates Ganglia reports summed over the time between rounds', () => {
  const h = host({ cpu_num: '1', mem_total: '1000', bytes_in: '100.5', bytes_out: '10' });
  const net = { rx: 0, tx: 0, at: 0 };
  const first = Template.parse((hostReport(h, 10_000, net) as { text: string }).text);
  assert.deepEqual([first.get('NETRX'), first.get('NETTX')], ['0', '0']);
  const second = Template.parse((hostReport(h, 30_000, net) as { text: string }).text);
  assert.deepEqual([second.get('NETRX'), second.get('NETTX')], ['2010', '200']);
});

test('VMs in parts: 150 VMs published in several gmetric values by gmetric_vms.sh', () => {
  const h = parseGangliaXml(sample('gmond-3.7.2-vms-in-parts.xml')).find('gg1')!;
  const info = vmsInformation(h);
  assert.equal(info.kind, 'vms');
  assert.equal(info.kind === 'vms' && info.vms.length, 150);
  assert.equal(info.kind === 'vms' && info.vms[149]!.get('DEPLOY_ID'), 'one-154');
  // A part from another publication: the VMs are left out this round, with the reason.
  const mixed = new Map(h.metrics);
  const p3 = mixed.get('OPENNEBULA_VMS_INFORMATION_3')!;
  mixed.set('OPENNEBULA_VMS_INFORMATION_3', { ...p3, val: p3.val.replace(/^\d+:/, '42:') });
  const bad = vmsInformation({ ...h, metrics: mixed });
  assert.equal(bad.kind, 'unusable');
  const r = hostReport({ ...h, metrics: mixed }, 0, undefined);
  assert.ok(r.ok && !Template.parse(r.text).has('VM_POLL') && /part 3\/\d+ .* another publication/.test(r.warning ?? ''));
});

test("OpenNebula 3.x's base64 YAML of domains is read too", () => {
  const yaml = '---\none-7:\n  :state: a\n  :usedcpu: "12.5"\n  :usedmemory: 262144\n  :netrx: "1000"\n  :nettx: "20"\n  :name: one-7\nfoo:\n  :state: p\n';
  const h = host({ cpu_num: '1', mem_total: '1', OPENNEBULA_VMS_INFORMATION: Buffer.from(yaml).toString('base64') });
  const info = vmsInformation(h);
  assert.ok(info.kind === 'vms');
  assert.deepEqual(
    info.vms.map((v) => Object.fromEntries(v)),
    [
      { ID: '7', DEPLOY_ID: 'one-7', POLL: 'STATE=a CPU=12.5 MEMORY=262144 NETRX=1000 NETTX=20' },
      { ID: '-1', DEPLOY_ID: 'foo', POLL: 'STATE=p' },
    ],
  );
  const gz = host({ cpu_num: '1', mem_total: '1', OPENNEBULA_VMS_INFORMATION: gzipSync('VM_POLL=YES\n').toString('base64') });
  assert.deepEqual(vmsInformation(gz), { kind: 'vms', vms: [] }, 'a host without VMs says so');
  assert.deepEqual(vmsInformation(host({})), { kind: 'none' });
  assert.equal(vmsInformation(host({ OPENNEBULA_VMS_INFORMATION: Buffer.from('VM = [ ID=1').toString('base64') })).kind, 'unusable');
});

test('a stale VM publication, a host Ganglia lost, missing metrics: reasons', () => {
  const stale = host({ cpu_num: '1', mem_total: '1' });
  stale.metrics.set('OPENNEBULA_VMS_INFORMATION', { val: '', type: 'string', units: '', tn: 500, tmax: 60 });
  const r = hostReport(stale, 0, undefined);
  assert.ok(r.ok && /last published 500 s ago/.test(r.warning ?? ''));
  const lost = { ...host({ cpu_num: '1', mem_total: '1' }), tn: 100, tmax: 20 };
  assert.deepEqual(hostReport(lost, 0, undefined), { ok: false, error: 'Ganglia last heard from host h1 100 s ago (expected every 20 s): is its gmond running?' });
  const r2 = hostReport(host({ cpu_num: '1' }), 0, undefined);
  assert.ok(!r2.ok && /no mem_total for host h1/.test(r2.error));
  // Attributes the host publishes as OPENNEBULA_<NAME>
  const own = hostReport(host({ cpu_num: '4', mem_total: '8', OPENNEBULA_HYPERVISOR: 'kvm' }), 0, undefined);
  assert.ok(own.ok && Template.parse(own.text).get('HYPERVISOR') === 'kvm');
});

test('malformed, entity-laden or foreign XML is refused; entities are never expanded', () => {
  assert.throws(() => parseGangliaXml('<GANGLIA_XML><HOST NAME="a">'), /./);
  assert.throws(() => parseGangliaXml('<html/>'), /not a Ganglia XML dump/);
  const bomb = '<?xml version="1.0"?><!DOCTYPE GANGLIA_XML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><GANGLIA_XML><CLUSTER NAME="c"><HOST NAME="&b;" IP="1"/></CLUSTER></GANGLIA_XML>';
  assert.throws(() => parseGangliaXml(bomb), /undefined entity|entity/i);
});

test('a gmetad dump: hosts inside GRID and CLUSTER', () => {
  const xml = `<GANGLIA_XML VERSION="3.7.2" SOURCE="gmetad"><GRID NAME="g" AUTHORITY="x" LOCALTIME="1"><CLUSTER NAME="c1" LOCALTIME="1">
<HOST NAME="n1.example.org" IP="192.0.2.1" REPORTED="1" TN="3" TMAX="20"><METRIC NAME="cpu_num" VAL="8" TYPE="uint16"/></HOST></CLUSTER>
<CLUSTER NAME="c2" LOCALTIME="1"><HOST NAME="n2.example.org" IP="192.0.2.2" REPORTED="1" TN="3" TMAX="20"/><HOST NAME="n1.other.org" IP="192.0.2.3" REPORTED="1" TN="3" TMAX="20"/></CLUSTER></GRID></GANGLIA_XML>`;
  const d = parseGangliaXml(xml);
  assert.equal(d.size, 3);
  assert.equal(d.find('n2')?.cluster, 'c2');
  assert.equal(d.find('n1'), undefined, 'two hosts are n1: no guess');
  assert.equal(d.find('n1.example.org')?.metrics.get('cpu_num')?.val, '8');
});

test('endpoints: -g host[:port]', () => {
  assert.deepEqual(parseEndpoint('gmetad.example.org:8651'), { host: 'gmetad.example.org', port: 8651 });
  assert.deepEqual(parseEndpoint('10.0.0.1'), { host: '10.0.0.1', port: 8649 });
  assert.deepEqual(parseEndpoint('[::1]:9'), { host: '::1', port: 9 });
  assert.throws(() => parseEndpoint('a:0'), /-g expects/);
});

test('MONITOR over TCP: a server that writes the dump, one read shared by the hosts of an endpoint, errors named', async (t) => {
  const xml = sample('gmond-3.7.2-vms.xml');
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    s.end(Buffer.from(xml, 'latin1'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const actions = gangliaImActions({ server: '127.0.0.1', port, cache: new DumpCache(60_000, 5000) });
  const ctx = { signal: new AbortController().signal, log: () => {} };
  const monitor = (name: string) => actions.get('MONITOR')!({ action: 'MONITOR', id: 3, args: [name, '-', '0'] }, ctx) as Promise<{ ok: boolean; info: string }>;
  const [a, b] = await Promise.all([monitor('gg1'), monitor('10.91.0.11')]);
  assert.ok(a.ok && b.ok);
  assert.equal(connections, 1, 'one read for both');
  assert.equal(Template.parse(Buffer.from(a.info, 'base64').toString()).get('TOTALMEMORY'), '24683748');
  const missing = await monitor('node9');
  assert.deepEqual(missing, { ok: false, info: `Host node9 is not in the Ganglia XML of 127.0.0.1:${port} (1 hosts: gg1): the host must have the name or IP gmond reports` });
  assert.match((await monitor('bad name')).info, /needs a host name/);

  // Nothing listening: the reason names the endpoint
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  closed.close();
  await assert.rejects(readDump({ host: '127.0.0.1', port: deadPort }, 2000), new RegExp(`Cannot read Ganglia XML from 127.0.0.1:${deadPort}: connect ECONNREFUSED`));
});

/** A host with these metric values. */
function host(metrics: Record<string, string>): GangliaHost {
  return {
    name: 'h1',
    ip: '192.0.2.9',
    cluster: 'c',
    reported: 0,
    tn: 0,
    tmax: 20,
    metrics: new Map(Object.entries(metrics).map(([k, v]) => [k, { val: v, type: 'string', units: '', tn: 0, tmax: 60 }])),
  };
}
