/** Queries and actions on oned's objects, keyed by kind so the live feed refreshes them. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createElement, useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { call, type Tree } from './api';
import { ErrorNote } from './components/ErrorNote';

/**
 * `one.<prefix>.info(id)` as a query (`['vm', 'info', 3]`): refreshed when the kind's pool changes.
 * `kind` is the pool kind of the live feed (`vm`, `host`, `image`...), `prefix` the API's (`vm`, `host`, `vn`...).
 */
export function useInfo(kind: string, prefix: string, id: number, element: string, busy?: (obj: Tree) => boolean) {
  return useQuery({
    queryKey: [kind, 'info', id],
    queryFn: async () => (await call<Tree>(`one.${prefix}.info`, id))[element],
    enabled: Number.isInteger(id) && id >= 0,
    // While a driver works on the object (a VM's transient state, a LOCKED image) it is read
    // again each second: the pool listing may look the same before and after a quick driver
    // step (a disk snapshot changes no listed field), so the live feed alone could miss its end.
    refetchInterval: (q) => (busy && q.state.data && busy(q.state.data) ? 1000 : false),
  });
}

/** Any call as a query under a kind (`['vm', 'log', 3]`). */
export function useCall<T = Tree>(key: readonly unknown[], method: string, params: unknown[], enabled = true) {
  return useQuery({ queryKey: key, queryFn: () => call<T>(method, ...params), enabled });
}

/** A function that calls oned and then refreshes the kinds it changed. */
export function useAct(...kinds: string[]) {
  const qc = useQueryClient();
  const key = kinds.join(',');
  return useCallback(
    async <T = Tree,>(method: string, ...params: unknown[]): Promise<T> => {
      const r = await call<T>(method, ...params);
      for (const k of key.split(',')) await qc.invalidateQueries({ queryKey: [k] });
      return r;
    },
    [qc, key],
  );
}

/**
 * A form's submission: `run` marks it busy, clears the last error, and keeps oned's refusal
 * (shown by ErrorNote) when the action throws; the form stays as typed.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/**
 * A detail page's object: the id from the route, `one.<prefix>.info` as a query, and what the
 * page shows instead while it loads or when oned refused (`guard`, null once the object is here).
 */
export function useDetail(kind: string, prefix: string, element: string, busy?: (obj: Tree) => boolean) {
  const raw = useParams().id;
  const id = Number(raw);
  const q = useInfo(kind, prefix, id, element, busy);
  const guard = !Number.isInteger(id) || id < 0 ? createElement(ErrorNote, { error: new Error(`“${raw}” is not an id`) }) : q.error ? createElement(ErrorNote, { error: q.error }) : !q.data ? createElement('p', null, 'Loading…') : null;
  return { id, obj: q.data as Tree, guard };
}
