/**
 * The dummy information driver (`one_im_dummy`): `MONITOR <host_id> <hostname> ...` answers a
 * monitoring template, base64-encoded, describing an idle host of configurable capacity
 * (`-c` CPU in OpenNebula units, 100 per core; `-m` memory in MB).
 */
import type { ActionHandler } from '../server/driver-server.js';
import type { ScriptedResults } from './scripted-results.js';

export interface DummyCapacity {
  /** TOTALCPU: 100 per core. */
  readonly cpu: number;
  readonly memoryMb: number;
}

export const DEFAULT_DUMMY_CAPACITY: DummyCapacity = { cpu: 800, memoryMb: 16384 };

/** Capacity the dummy reports for the host's local datastore location. */
const DS_LOCATION_MB = 1048576;

/** The monitoring template of an idle dummy host. */
export function dummyHostTemplate(hostname: string, capacity: DummyCapacity): string {
  const memKb = capacity.memoryMb * 1024;
  return (
    'HYPERVISOR=dummy\n' +
    `HOSTNAME="${hostname.replace(/[\\"]/g, '\\$&')}"\n` +
    'ARCH=x86_64\n' +
    'MODELNAME="Dummy CPU"\n' +
    'CPUSPEED=2200\n' +
    `TOTALCPU=${capacity.cpu}\nUSEDCPU=0\nFREECPU=${capacity.cpu}\n` +
    `TOTALMEMORY=${memKb}\nUSEDMEMORY=0\nFREEMEMORY=${memKb}\n` +
    'NETRX=0\nNETTX=0\n' +
    `DS_LOCATION_USED_MB=0\nDS_LOCATION_TOTAL_MB=${DS_LOCATION_MB}\nDS_LOCATION_FREE_MB=${DS_LOCATION_MB}\n`
  );
}

export function dummyImActions(capacity: DummyCapacity, results: ScriptedResults): Map<string, ActionHandler> {
  return new Map<string, ActionHandler>([
    [
      'MONITOR',
      results.handler((req) => Buffer.from(dummyHostTemplate(req.args[0] ?? '', capacity)).toString('base64')),
    ],
    ['STOPMONITOR', results.handler(() => '')],
  ]);
}
