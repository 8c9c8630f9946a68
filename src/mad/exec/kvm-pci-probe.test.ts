/**
 * The kvm PCI probe (remotes/im/kvm-probes.d/pci.sh) with a stand-in `lspci` printing what
 * `lspci -mmnn -D` prints: pci.conf's PCI_FILTER picks the `-d` filters (none by default),
 * PCI_SHORT_ADDRESS narrows them, and each device becomes a PCI vector the host share reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '../../common/template/index.js';
import { HostPci } from '../../host/host-share-pci.js';
import { PACKAGE_ROOT } from '../../oned/location.js';
import { tempDir, writeScript } from '../testing.js';

const PROBE = join(PACKAGE_ROOT, 'remotes', 'im', 'kvm-probes.d', 'pci.sh');

const LSPCI = `#!/bin/sh
echo "$*" >> "$LSPCI_LOG"
case "$*" in
  *"-d 10de:*"*) echo '0000:02:00.0 "3D controller [0302]" "NVIDIA Corporation [10de]" "GK104GL [GRID K2] [11bf]" -ra1 "NVIDIA Corporation [10de]" "GRID K2 [100a]"'
                 echo '0000:03:00.0 "3D controller [0302]" "NVIDIA Corporation [10de]" "GK104GL [GRID K2] [11bf]" -ra1 "NVIDIA Corporation [10de]" "GRID K2 [100a]"' ;;
  *"-d 8086::0c03"*) echo '0000:00:14.0 "USB controller [0c03]" "Intel Corporation [8086]" "Sunrise Point USB 3.0 \\\\xHCI [9d2f]" -r21 -p30 "Lenovo [17aa]" "ThinkPad [2245]"' ;;
esac
`;

function probe(conf: string | undefined): { out: string; calls: string[] } {
  const dir = tempDir('pci-probe');
  writeScript(join(dir, 'lspci'), LSPCI);
  writeScript(join(dir, 'a:b'), '#!/bin/sh\n'); // a file a *:* filter must not glob to
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:${process.env.PATH}`, LSPCI_LOG: log };
  if (conf !== undefined) {
    writeFileSync(join(dir, 'pci.conf'), conf);
    env['PCI_PROBE_CONF'] = join(dir, 'pci.conf');
  } else env['PCI_PROBE_CONF'] = join(dir, 'none.conf');
  const r = spawnSync(PROBE, [], { env, cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

test('no filter (the shipped "0:0"): no devices, lspci not even run', () => {
  assert.deepEqual(probe(undefined), { out: '', calls: [] });
  assert.match(readFileSync(join(PACKAGE_ROOT, 'remotes', 'im', 'kvm-probes.d', 'pci.conf'), 'utf8'), /^PCI_FILTER="0:0"$/m);
  assert.deepEqual(probe('PCI_FILTER="0:0"\n'), { out: '', calls: [] });
});

test('filters: each device once, as the PCI vectors of 7.4\'s probe; the host share takes them in', () => {
  const { out, calls } = probe('PCI_FILTER="10de:*, 8086::0c03"\n');
  assert.deepEqual(calls, ['-mmnn -D -d 10de:*', '-mmnn -D -d 8086::0c03']);
  const t = Template.parse(out);
  const pci = t.getAll('PCI').map((a) => a.value as Map<string, string>);
  assert.equal(pci.length, 3);
  const gpu = pci.find((p) => p.get('SHORT_ADDRESS') === '02:00.0')!;
  assert.deepEqual(Object.fromEntries(gpu), {
    ADDRESS: '0000:02:00:0', BUS: '02', CLASS: '0302', CLASS_NAME: '3D controller', DEVICE: '11bf', DEVICE_NAME: 'GK104GL [GRID K2]', DOMAIN: '0000',
    FUNCTION: '0', SHORT_ADDRESS: '02:00.0', SLOT: '00', TYPE: '10de:11bf:0302', VENDOR: '10de', VENDOR_NAME: 'NVIDIA Corporation', NUMA_NODE: '0',
  });
  assert.equal(pci.find((p) => p.get('VENDOR') === '8086')!.get('DEVICE_NAME'), 'Sunrise Point USB 3.0 \\xHCI', 'a backslash in a name stays one');
  const share = new HostPci();
  share.applyProbe(t);
  assert.deepEqual([...share.devices.keys()].sort(), ['0000:00:14:0', '0000:02:00:0', '0000:03:00:0']);
  assert.equal(share.vmOf('0000:02:00:0'), -1);
});

test('PCI_SHORT_ADDRESS keeps only those; a filter is never a file pattern; a malformed one is skipped', () => {
  const one = probe('PCI_FILTER="10de:*"\nPCI_SHORT_ADDRESS="03:00.0"\n');
  assert.deepEqual(Template.parse(one.out).getAll('PCI').map((a) => (a.value as Map<string, string>).get('SHORT_ADDRESS')), ['03:00.0']);
  assert.deepEqual(probe('PCI_FILTER="*:*"\n').calls, ['-mmnn -D -d *:*']);
  assert.deepEqual(probe('PCI_FILTER="10de:*;reboot 8086::0c03"\n').calls, ['-mmnn -D -d 8086::0c03']);
});
