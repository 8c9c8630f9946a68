import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigReader } from '../common/config.js';
import { Template } from '../common/template/index.js';
import { haConfig } from './config.js';
import { forwardedToLeader } from './front-end.js';

const reader = (text: string) => new ConfigReader(Template.parse(text));

test('HA is off without a SERVER_ID; hooks are argv, relative commands in remotes/hooks', () => {
  assert.deepEqual(haConfig(reader(''), '/r/hooks'), { serverId: -1, electionMs: 500, leaderHook: undefined, followerHook: undefined });
  const c = haConfig(
    reader('FEDERATION = [ SERVER_ID = 2 ]\nRAFT = [ HA_ELECTION_MS = 250 ]\nRAFT_LEADER_HOOK = [ COMMAND = "raft/vip.sh", ARGUMENTS = "leader eth0 10.0.0.9/24" ]\nRAFT_FOLLOWER_HOOK = [ COMMAND = "/usr/local/bin/x", ARGUMENTS = "\'a b\' c" ]'),
    '/r/hooks',
  );
  assert.deepEqual(c, {
    serverId: 2,
    electionMs: 250,
    leaderHook: { command: '/r/hooks/raft/vip.sh', args: ['leader', 'eth0', '10.0.0.9/24'] },
    followerHook: { command: '/usr/local/bin/x', args: ['a b', 'c'] },
  });
});

test('bad SERVER_ID and election periods are named', () => {
  assert.throws(() => haConfig(reader('FEDERATION = [ SERVER_ID = "x" ]'), '/h'), /SERVER_ID must be -1 \(no HA\) or a server id/);
  assert.throws(() => haConfig(reader('FEDERATION = [ SERVER_ID = -2 ]'), '/h'), /got "-2"/);
  assert.throws(() => haConfig(reader('RAFT = [ HA_ELECTION_MS = 10 ]'), '/h'), /HA_ELECTION_MS must be an integer from 100 to 60000/);
});

test('a follower answers reads itself and forwards every other call', () => {
  for (const m of ['one.vm.info', 'one.vmpool.infoextended', 'one.userpool.info', 'one.zone.raftstatus', 'one.system.version', 'one.system.config', 'one.vm.monitoring', 'one.vmpool.showback']) assert.ok(!forwardedToLeader(m), m);
  for (const m of ['one.vm.allocate', 'one.vm.deploy', 'one.user.login', 'one.vmpool.calculateshowback', 'one.host.status', 'one.zone.addserver', 'one.vn.hold']) assert.ok(forwardedToLeader(m), m);
});
