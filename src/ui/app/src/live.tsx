/**
 * The live feed: one EventSource per window. A `pool` event makes every query of that kind
 * (tables, detail pages) fetch again, so lists and tabs follow oned without a reload; `status`
 * drives the "oned is down" banner.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { onOnedStatus, reportOned } from './api';

export function useLiveFeed(enabled: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const es = new EventSource('/api/events');
    es.addEventListener('pool', (e) => {
      const { kind } = JSON.parse((e as MessageEvent).data) as { kind: string };
      void qc.invalidateQueries({ queryKey: [kind] });
      if (kind === 'vm') void qc.invalidateQueries({ queryKey: ['dashboard'] });
    });
    es.addEventListener('status', (e) => reportOned(JSON.parse((e as MessageEvent).data).oned === 'up'));
    return () => es.close();
  }, [enabled, qc]);
}

/** Whether oned answers, as the last call or event said. */
export function useOnedUp(): boolean {
  const [up, setUp] = useState(true);
  useEffect(() => onOnedStatus(setUp), []);
  return up;
}
