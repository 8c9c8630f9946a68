/**
 * `one_im_dummy [-c cpu] [-m memory_mb] [-u used_cpu_percent] [-e "ATTR=VALUE,..."] [-n nodes:cores:threads] [-a actions_dir]`:
 * information driver reporting a host of the given capacity (default 800 CPU = 8 cores, 16384 MB,
 * idle) for every host, with the extra attributes given (`-e "CPUSPEED=3000,HYPERVISOR=kvm"`),
 * and the NUMA layout given (default 2:8:4, OpenNebula 7.4's dummy layout).
 */
import { DEFAULT_DUMMY_CAPACITY, DEFAULT_DUMMY_TOPOLOGY, dummyImActions, parseExtraAttributes, parseTopology, ScriptedResults } from '../dummy/index.js';
import { intOption, parseDriverArgs } from '../server/index.js';
import type { DriverSetup } from './setup.js';

export const setup: DriverSetup = (argv) => {
  const args = parseDriverArgs(argv, {
    cpu: { type: 'string', short: 'c' },
    memory: { type: 'string', short: 'm' },
    used: { type: 'string', short: 'u' },
    extra: { type: 'string', short: 'e' },
    numa: { type: 'string', short: 'n' },
    'actions-dir': { type: 'string', short: 'a' },
  });
  const capacity = {
    cpu: intOption(args.values.cpu, '-c', DEFAULT_DUMMY_CAPACITY.cpu, 1),
    memoryMb: intOption(args.values.memory, '-m', DEFAULT_DUMMY_CAPACITY.memoryMb, 1),
    usedPercent: intOption(args.values.used, '-u', 0, 0),
    extra: parseExtraAttributes(args.values.extra ?? ''),
    topology: args.values.numa === undefined ? DEFAULT_DUMMY_TOPOLOGY : parseTopology(args.values.numa),
  };
  return { actions: dummyImActions(capacity, new ScriptedResults(args.values['actions-dir'])), concurrency: args.threads };
};
