/**
 * Issue 15's real-guest acceptance: a guest launched through Debian's AWS CLI v2
 * (`/usr/bin/aws ec2 run-instances --user-data ...`) against econe-server boots under QEMU on a
 * namespace host (test/e2e/real-cloud.ts) and prints, on its serial console, the user data it
 * read from its context CD. The instance type `tiny` of econe.conf names the cloud's VM
 * template; its CONTEXT carries a START_SCRIPT that decodes EC2_USER_DATA (base64, as
 * econe-server stores it) onto the console, as a contextualization package would hand it on.
 * Then `aws ec2 describe-instances` shows it running with its leased IP, and
 * `aws ec2 terminate-instances` ends it without leftovers on the hosts.
 * Needs root; `npm run test:real`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { childInt, childText, parseXmlTree } from '../../src/common/xml-tree.js';
import { AWS_CLI, awsEc2, ec2KeysOf, EconeProcess, type Ec2Keys } from './ec2-helpers.js';
import { GUEST_DIR, RealCloud, S } from './real-cloud.js';
import { realSkip, TOOLS, type HostSpace } from './real-host-fixture.js';

const SPACE: HostSpace = { dir: '/tmp/onetest-ec2', net: '10.86.0', bridge: 'onetbr86' };
const LONG = { timeout: 1_200_000 };
const skip = RealCloud.unavailable() ?? (existsSync(AWS_CLI) ? undefined : `needs Debian's AWS CLI v2 at ${AWS_CLI} (apt-get install awscli)`);

/** What the guest runs at the end of its boot: the user data, decoded, on the serial console. */
const START_SCRIPT = '#!/bin/sh\necho "EC2-USER-DATA $(echo "$EC2_USER_DATA" | base64 -d)" > /dev/console\n';

interface Described {
  Reservations: Array<{ Instances: Array<{ InstanceId: string; State: { Name: string }; PrivateIpAddress?: string; InstanceType: string; ImageId: string }> }>;
}

describe('a real guest launched with `aws ec2 run-instances --user-data`', { skip: realSkip(skip) }, () => {
  let cloud: RealCloud;
  let econe: EconeProcess;
  let keys: Ec2Keys;
  let ami: string;

  before(async () => {
    cloud = await RealCloud.make(['ec2h1', 'ec2h2'], 0.5, SPACE);
    try {
      // The cloud's template, with the start script in its context (the rest as RealCloud made it).
      await cloud.oned.ok('one.template.update', [
        cloud.templateId,
        `CONTEXT = [ NETWORK = "YES", SET_HOSTNAME = "$NAME", START_SCRIPT_BASE64 = "${Buffer.from(START_SCRIPT).toString('base64')}" ]`,
        1,
      ]);
      const images = parseXmlTree(String(await cloud.oned.ok('one.imagepool.info', [-2, -1, -1])));
      const tiny = images.children.find((i) => i.name === 'IMAGE' && childText(i, 'NAME') === 'tiny')!;
      ami = `ami-${String(childInt(tiny, 'ID')).padStart(8, '0')}`;
      econe = await EconeProcess.start(
        cloud.oned,
        `instance_types:\n  tiny: { template: ${cloud.templateId} }\ndefault_instance_type: tiny\n`,
      );
      keys = await ec2KeysOf(cloud.oned, cloud.oned.oneadmin);
    } catch (err) {
      await econe?.stop();
      await cloud.stop();
      throw err;
    }
  }, LONG);

  after(async () => {
    await econe?.stop();
    await cloud?.stop();
    // The hosts are gone; the suite's bridge, DHCP namespace and directory too, even after a failure.
    spawnSync(join(TOOLS, 'remove-test-host.sh'), ['--all'], {
      env: { ...process.env, ONETEST_DIR: SPACE.dir, ONETEST_NET: SPACE.net, ONETEST_BRIDGE: SPACE.bridge },
      stdio: 'ignore',
    });
  });

  test('the guest shows its user data from the context CD on its console', LONG, async () => {
    const marker = `hello-from-ec2-${Date.now()}`;
    const run = await awsEc2(econe.url, keys, ['run-instances', '--image-id', ami, '--instance-type', 'tiny', '--count', '1', '--user-data', marker]);
    assert.equal(run.code, 0, run.stderr);
    const instance = (JSON.parse(run.stdout) as { Instances: Array<{ InstanceId: string }> }).Instances[0]!.InstanceId;
    assert.match(instance, /^i-\d{8}$/);
    const id = Number(instance.slice(2));

    const vm = await cloud.waitState(id, S.ACTIVE);
    const context = vm.children.find((c) => c.name === 'TEMPLATE')!.children.find((c) => c.name === 'CONTEXT')!;
    assert.equal(Buffer.from(childText(context, 'EC2_USER_DATA'), 'base64').toString(), marker, 'the AWS CLI sent the user data base64-encoded, as EC2 wants it');
    const shown = await cloud.consoleShows(id, /EC2-USER-DATA (\S*)/);
    assert.equal(shown[1], marker, 'the guest decoded the user data from its context CD');
    await cloud.consoleShows(id, /TINYGUEST-CONTEXT found=yes/);

    const described = await awsEc2(econe.url, keys, ['describe-instances', '--instance-ids', instance]);
    assert.equal(described.code, 0, described.stderr);
    const seen = (JSON.parse(described.stdout) as Described).Reservations.flatMap((r) => r.Instances);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.State.Name, 'running');
    assert.equal(seen[0]!.ImageId, ami);
    assert.match(seen[0]!.PrivateIpAddress ?? '', new RegExp(`^${SPACE.net.replace(/\./g, '\\.')}\\.1\\d\\d$`));

    const ended = await awsEc2(econe.url, keys, ['terminate-instances', '--instance-ids', instance]);
    assert.equal(ended.code, 0, ended.stderr);
    await cloud.waitState(id, S.DONE);
    for (const h of cloud.hosts) assert.deepEqual(cloud.leftovers(h, id), [], `nothing left on ${h.name}`);
    console.log(`# real-cloud-ec2: ${instance} from ${ami} (${GUEST_DIR}) printed its user data`);
  });
});
