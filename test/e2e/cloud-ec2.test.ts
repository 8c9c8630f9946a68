/**
 * The EC2 Query API as AWS tools meet it: oned (dummy drivers: a host, an image datastore with
 * an image, a network) and econe-server as processes, driven by the AWS SDK for JavaScript v3
 * and Debian's AWS CLI v2.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeRegionsCommand, DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { addUser, TEST_DRIVERS, type TestUser } from './api-helpers.js';
import { Oned } from './harness.js';
import { awsEc2, ec2Client, ec2KeysOf, EconeProcess, type Ec2Keys } from './ec2-helpers.js';

describe('EC2 Query API (econe-server)', () => {
  let oned: Oned;
  let econe: EconeProcess;
  let alice: TestUser;
  let aliceKeys: Ec2Keys;

  before(async () => {
    oned = await Oned.start({ backend: 'sqlite', conf: TEST_DRIVERS });
    econe = await EconeProcess.start(oned);
    alice = await addUser(oned, 'alice');
    aliceKeys = await ec2KeysOf(oned, alice.session);
  });

  after(async () => {
    await econe?.stop();
    await oned?.stop();
  });

  test('regions and zones through the SDK and the CLI', async () => {
    const sdk = ec2Client(econe.url, aliceKeys);
    const regions = await sdk.send(new DescribeRegionsCommand({}));
    assert.deepEqual(regions.Regions?.map((r) => r.RegionName), ['one']);
    const zones = await sdk.send(new DescribeAvailabilityZonesCommand({}));
    assert.ok(zones.AvailabilityZones?.some((z) => z.ZoneName === 'default'), JSON.stringify(zones.AvailabilityZones));
    const cli = await awsEc2(econe.url, aliceKeys, ['describe-regions']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { Regions: Array<{ RegionName: string }> }).Regions[0]!.RegionName, 'one');
  });
});
