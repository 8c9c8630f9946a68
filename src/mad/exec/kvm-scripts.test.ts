/**
 * remotes/vmm/kvm run by one_vmm_exec on a machine without libvirtd (this one: the namespace
 * hosts of test/e2e/real-kvm-vmm.test.ts have their own), as on a host where libvirt is
 * missing or down: every action fails with one line naming the step and virsh's reason. And
 * the helper that reads the hot-plugged DISK or NIC from the action data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { PACKAGE_ROOT } from '../../oned/location.js';
import { actionData, binDriver, tempDir, writeScript } from '../testing.js';

const KVM = join(PACKAGE_ROOT, 'remotes', 'vmm', 'kvm');
const ACTIONS = 'deploy,shutdown,cancel,save,restore,migrate,reboot,reset,poll,attach_disk,detach_disk,attach_nic,detach_nic';
const HAS_VIRSH = ['/usr/bin/virsh', '/usr/local/bin/virsh'].some((p) => existsSync(p));
const LIBVIRTD_HERE = existsSync('/var/run/libvirt/libvirt-sock');

test('a host without libvirtd: each action fails with the step and the reason', { skip: !HAS_VIRSH || LIBVIRTD_HERE ? 'needs virsh and no libvirtd on this machine' : false }, async () => {
  const dir = tempDir('kvm');
  const vmm = binDriver('one_vmm_exec', ['-l', ACTIONS, 'kvm']);
  await vmm.start();
  const data = (deployId: string, extra = '') => {
    const dfile = join(dir, 'deployment.0');
    writeFileSync(dfile, "<domain type='qemu'><name>one-5</name></domain>");
    return actionData(
      `<VMM_DRIVER_ACTION_DATA><HOST>node1</HOST><MIGR_HOST>node2</MIGR_HOST><DEPLOY_ID>${deployId}</DEPLOY_ID><LOCAL_DEPLOYMENT_FILE>${dfile}</LOCAL_DEPLOYMENT_FILE>` +
        `<CHECKPOINT_FILE>${dir}/checkpoint</CHECKPOINT_FILE>${extra}<VM><ID>5</ID><TEMPLATE/></VM></VMM_DRIVER_ACTION_DATA>`,
    );
  };
  const noSocket = "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory";
  try {
    const deployed = await vmm.request('DEPLOY', 5, [data('')]);
    assert.equal(deployed.ok, false);
    assert.equal(deployed.info, `deploy (virsh create ${dir}/deployment.0): ${noSocket}`);
    assert.equal((await vmm.request('POLL', 5, [data('one-5')])).info, `poll: cannot list the domains of qemu:///system: ${noSocket}`);
    assert.equal((await vmm.request('CANCEL', 5, [data('one-5')])).info, `cancel: cannot list the domains of qemu:///system: ${noSocket}`);
    assert.equal((await vmm.request('SHUTDOWN', 5, [data('one-5')])).info, `shutdown (virsh shutdown one-5): ${noSocket}`);
    assert.equal((await vmm.request('MIGRATE', 5, [data('one-5')])).info, `migrate (virsh migrate --live one-5 to node2): ${noSocket}`);
    assert.equal((await vmm.request('RESTORE', 5, [data('one-5')])).info, `restore: checkpoint file ${dir}/checkpoint not found on ${hostname()}`);
    // A deploy id is handed to virsh only when it is a domain name, never an option.
    assert.equal((await vmm.request('REBOOT', 5, [data('--all')])).info, "reboot: invalid deploy id '--all'");
    assert.equal((await vmm.request('SAVE', 5, [data('one 5')])).info, "save: invalid deploy id 'one 5'");
  } finally {
    await vmm.stop();
  }
});

test('attached_attr reads the DISK or NIC with ATTACH=YES, CDATA or not', () => {
  const xml =
    '<VMM_DRIVER_ACTION_DATA><VM><ID>5</ID><TEMPLATE>' +
    '<DISK><DISK_ID><![CDATA[0]]></DISK_ID><DRIVER><![CDATA[raw]]></DRIVER><TARGET>vda</TARGET></DISK>\n' +
    '<DISK><ATTACH><![CDATA[YES]]></ATTACH><DISK_ID>2</DISK_ID><TARGET><![CDATA[vdb]]></TARGET><FORMAT>qcow2</FORMAT></DISK>' +
    '<NIC><NIC_ID>0</NIC_ID></NIC><NIC><ATTACH>YES</ATTACH><NIC_ID><![CDATA[3]]></NIC_ID></NIC>' +
    '<CONTEXT><ATTACH>YES</ATTACH><TARGET>hda</TARGET></CONTEXT>' +
    '</TEMPLATE></VM></VMM_DRIVER_ACTION_DATA>';
  const attr = (element: string, key: string) =>
    spawnSync('sh', ['-c', '. "$(dirname "$0")/kvm_common.sh"; attached_attr "$1" "$2"', join(KVM, 'attach_disk'), element, key], { input: xml, encoding: 'utf8' }).stdout.trim();
  assert.equal(attr('DISK', 'TARGET'), 'vdb');
  assert.equal(attr('DISK', 'FORMAT'), 'qcow2');
  assert.equal(attr('DISK', 'DRIVER'), '', 'the first disk\'s DRIVER is not the attached one\'s');
  assert.equal(attr('NIC', 'NIC_ID'), '3');
  assert.equal(attr('NIC', 'TARGET'), '', 'an attached element after the last NIC is not read as one');
});

test('resize: virsh setmem / setvcpus --live with the new sizes, a DIMM in HOTPLUG mode, nothing for what did not change', () => {
  const bin = tempDir('virsh-resize');
  const log = join(bin, 'calls');
  writeScript(join(bin, 'virsh'), `#!/bin/sh\necho "$*" >> ${log}\n[ -f ${bin}/fail ] && { echo "error: requested vcpus is greater than max allowable vcpus" >&2; exit 1; }\nexit 0\n`);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const data = (template: string) =>
    `<VMM_DRIVER_ACTION_DATA><HOST>node1</HOST><DEPLOY_ID>one-5</DEPLOY_ID><VM><ID>5</ID><MONITORING><MEMORY>999</MEMORY></MONITORING>` +
    `<TEMPLATE>${template}</TEMPLATE><USER_TEMPLATE/></VM><DATASTORE><TEMPLATE><MEMORY>1</MEMORY></TEMPLATE></DATASTORE></VMM_DRIVER_ACTION_DATA>`;
  const run = (input: string, deployId = 'one-5') => {
    writeFileSync(log, '');
    const r = spawnSync(join(KVM, 'resize'), [deployId, '5', 'node1'], { input, env, encoding: 'utf8' });
    return { code: r.status, calls: readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== ''), stderr: r.stderr };
  };
  const both = run(data('<CPU><![CDATA[2]]></CPU><MEMORY><![CDATA[1024]]></MEMORY><VCPU><![CDATA[4]]></VCPU><RESIZE><CPU>1</CPU><MEMORY>512</MEMORY><VCPU>2</VCPU></RESIZE>'));
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(both.calls, ['--connect qemu:///system setmem one-5 1048576 --live', '--connect qemu:///system setvcpus one-5 4 --live']);
  const vcpuOnly = run(data('<MEMORY>512</MEMORY><VCPU>3</VCPU><NUMA_NODE><MEMORY>256</MEMORY></NUMA_NODE><RESIZE><MEMORY>512</MEMORY><VCPU>2</VCPU></RESIZE>'));
  assert.deepEqual(vcpuOnly.calls, ['--connect qemu:///system setvcpus one-5 3 --live']);
  const dimm = run(data('<MEMORY>768</MEMORY><MEMORY_RESIZE_MODE>HOTPLUG</MEMORY_RESIZE_MODE><VCPU>2</VCPU><RESIZE><MEMORY>1024</MEMORY><VCPU>2</VCPU></RESIZE>'));
  assert.equal(dimm.calls.length, 1);
  assert.match(dimm.calls[0]!, /^--connect qemu:\/\/\/system detach-device one-5 \/tmp\/one-resize\.\w+ --live$/, 'a smaller MEMORY detaches a DIMM of the difference');
  writeFileSync(join(bin, 'fail'), '');
  const failed = run(data('<MEMORY>512</MEMORY><VCPU>8</VCPU><RESIZE><MEMORY>512</MEMORY><VCPU>2</VCPU></RESIZE>'));
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /resize \(virsh setvcpus one-5 8\): requested vcpus is greater than max allowable vcpus/);
  assert.match(run(data('<VCPU>2</VCPU>'), '--all').stderr, /resize: invalid deploy id '--all'/);
  assert.match(run(data('<VCPU>2;reboot</VCPU><RESIZE><VCPU>1</VCPU></RESIZE>')).stderr, /resize: VCPU and MEMORY must be integers/);
});

test('reconfigure: the new context CD swapped in at the CONTEXT target with virsh change-media --update --live', () => {
  const bin = tempDir('virsh-reconfigure');
  const log = join(bin, 'calls');
  writeScript(join(bin, 'virsh'), `#!/bin/sh\necho "$*" >> ${log}\nexit 0\n`);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const run = (...args: string[]) => spawnSync(join(KVM, 'reconfigure'), [...args, '5', 'node1'], { input: '', env, encoding: 'utf8' });
  assert.equal(run('one-5', 'hda', '/ds/0/5/disk.1').status, 0);
  assert.equal(readFileSync(log, 'utf8'), '--connect qemu:///system change-media one-5 hda /ds/0/5/disk.1 --update --live\n');
  assert.match(run('one-5', '--all', '/x').stderr, /reconfigure: invalid target '--all'/);
  assert.match(run('one-5', 'hda', '').stderr, /reconfigure: no context CD path/);
});
