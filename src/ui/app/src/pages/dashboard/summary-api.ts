import { get } from '../../api';

/** The dashboard's numbers, counted by the server (src/ui/server/summary.ts). */
export interface Summary {
  vm?: { total: number; byState: Record<string, number>; failures: { ID: number; NAME: string; STATE: number; LCM_STATE: number; HOST: string }[] };
  host?: { total: number; byState: Record<string, number>; capacity: { cpuUsage: number; maxCpu: number; memUsage: number; maxMem: number }; failures: { ID: number; NAME: string; STATE: number }[] };
}

export function summary(part: 'vm' | 'host'): Promise<Summary> {
  return get<Summary>(`/api/summary?part=${part}`);
}
