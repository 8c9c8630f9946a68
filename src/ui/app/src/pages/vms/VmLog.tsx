/** The VM's own log (vm.log) through the server's `/api/vm/:id/log`: its last 2000 lines, refreshed with the VM. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { get } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';

interface LogAnswer {
  exists: boolean;
  lines: string[];
  truncated?: boolean;
  message?: string;
}

function fetchLog(id: number): Promise<LogAnswer> {
  return get<LogAnswer>(`/api/vm/${id}/log`);
}

export function VmLog({ id }: { id: number }) {
  // Under the 'vm' kind: the live feed refreshes it when the VM changes (new lines come with state changes).
  const log = useQuery({ queryKey: ['vm', 'log', id], queryFn: () => fetchLog(id) });
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [log.data]);
  if (log.error) return <ErrorNote error={log.error} />;
  if (!log.data) return <p>Loading the log…</p>;
  if (!log.data.exists) return <p className="panel">{log.data.message}</p>;
  return (
    <>
      <p>
        {log.data.truncated ? `The last ${log.data.lines.length} lines of vm.log.` : `vm.log, ${log.data.lines.length} lines.`}{' '}
        <button type="button" onClick={() => void log.refetch()}>
          Refresh the log
        </button>
      </p>
      <pre className="log" ref={pre} tabIndex={0} aria-label="VM log" data-testid="vm-log">
        {log.data.lines.join('\n')}
      </pre>
    </>
  );
}
