/**
 * oned.conf settings of front-end high availability (docs/ha.md), with OpenNebula's names:
 *
 *     FEDERATION = [ ..., SERVER_ID = 0 ]      # this front-end's id in the zone's SERVER_POOL (-1: no HA)
 *     RAFT = [ HA_ELECTION_MS = 500 ]           # how often a follower tries to take the leader lock
 *     RAFT_LEADER_HOOK   = [ COMMAND = "raft/vip.sh", ARGUMENTS = "leader eth0 10.0.0.10/24" ]
 *     RAFT_FOLLOWER_HOOK = [ COMMAND = "raft/vip.sh", ARGUMENTS = "follower eth0 10.0.0.10/24" ]
 *
 * A relative COMMAND is found in remotes/hooks (as OpenNebula's /var/lib/one/remotes/hooks).
 */
import { isAbsolute, join } from 'node:path';
import type { ConfigReader } from '../common/config.js';
import { splitArguments } from '../mad/index.js';

/** A program run with its arguments as argv (never through a shell). */
export interface HookCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface HaConfig {
  /** This front-end's SERVER_ID; -1 when HA is off (OpenNebula's SOLO). */
  readonly serverId: number;
  /** Time between a follower's attempts to take the leader lock. */
  readonly electionMs: number;
  readonly leaderHook?: HookCommand;
  readonly followerHook?: HookCommand;
}

/** Shortest and longest election period accepted (the lock is tried that often). */
const MIN_ELECTION_MS = 100;
const MAX_ELECTION_MS = 60_000;
const DEFAULT_ELECTION_MS = 500;

function hook(config: ConfigReader, name: string, hooksDir: string): HookCommand | undefined {
  const v = config.vector(name);
  const command = (v.get('COMMAND') ?? '').trim();
  if (command === '') return undefined;
  return { command: isAbsolute(command) ? command : join(hooksDir, command), args: splitArguments(v.get('ARGUMENTS') ?? '') };
}

/** Reads and checks the HA settings; throws an Error naming what is wrong. */
export function haConfig(config: ConfigReader, hooksDir: string): HaConfig {
  const text = (config.vector('FEDERATION').get('SERVER_ID') ?? '-1').trim();
  const serverId = text === '' ? -1 : Number(text);
  if (!Number.isInteger(serverId) || serverId < -1) throw new Error(`FEDERATION SERVER_ID must be -1 (no HA) or a server id (an integer >= 0), got "${text}"`);
  // OpenNebula's RAFT default (5000 ms) is a Raft timeout; here it is how often the lock is tried.
  const raft = config.vector('RAFT');
  const electionText = raft.get('HA_ELECTION_MS') ?? '';
  const electionMs = electionText === '' ? DEFAULT_ELECTION_MS : Number(electionText);
  if (!Number.isInteger(electionMs) || electionMs < MIN_ELECTION_MS || electionMs > MAX_ELECTION_MS) {
    throw new Error(`RAFT HA_ELECTION_MS must be an integer from ${MIN_ELECTION_MS} to ${MAX_ELECTION_MS} (milliseconds), got "${electionText}"`);
  }
  return { serverId, electionMs, leaderHook: hook(config, 'RAFT_LEADER_HOOK', hooksDir), followerHook: hook(config, 'RAFT_FOLLOWER_HOOK', hooksDir) };
}
