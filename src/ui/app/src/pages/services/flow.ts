/**
 * The Services pages' way to OneFlow: sunstone-server's `/api/flow/...`, which forwards to
 * oneflow-server with the user's login. OneFlow answers JSON: lists as `DOCUMENT_POOL.DOCUMENT`,
 * one object as `DOCUMENT`, whose `TEMPLATE.BODY` is the service (template)'s own JSON.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, asArray, send, type Tree } from '../../api';

export function flowCall<T = Tree>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return send<T>(method, `/api/flow${path}`, body);
}

/** A GET of OneFlow as a query under `['flow', ...]` (services read again every few seconds: their states move on their own). */
export function useFlow(path: string, refetchMs?: number) {
  return useQuery({ queryKey: ['flow', path], queryFn: () => flowCall('GET', path), refetchInterval: refetchMs, retry: false });
}

export const documents = (pool: Tree): Tree[] => asArray<Tree>(pool?.DOCUMENT_POOL?.DOCUMENT);
export const bodyOf = (doc: Tree): Tree => doc?.TEMPLATE?.BODY ?? {};

/** OneFlow's service (and role) states. */
export const SERVICE_STATES = [
  'PENDING', 'DEPLOYING', 'RUNNING', 'UNDEPLOYING', 'WARNING', 'DONE', 'FAILED_UNDEPLOYING', 'FAILED_DEPLOYING', 'SCALING', 'FAILED_SCALING', 'COOLDOWN',
  'DEPLOYING_NETS', 'UNDEPLOYING_NETS', 'FAILED_DEPLOYING_NETS', 'FAILED_UNDEPLOYING_NETS', 'HOLD',
];

/** A role's states: the services' first eleven, then HOLD. */
export const ROLE_STATES = [...SERVICE_STATES.slice(0, 11), 'HOLD'];

export function stateTone(name: string): string {
  if (name === 'RUNNING' || name === 'DONE') return 'ok';
  if (name.startsWith('FAILED') || name === 'WARNING') return 'bad';
  if (name === 'HOLD') return 'off';
  return 'busy';
}

/** True when the error is oneflow-server not answering (the proxy's 502). */
export function flowDown(err: unknown): boolean {
  return err instanceof ApiError && err.status === 502;
}
