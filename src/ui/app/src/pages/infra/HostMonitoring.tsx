/**
 * A host's CPU and memory over time (one.host.monitoring): used against the host's total, as
 * line charts. The latest values are written under the charts for screen readers.
 */
import type { ReactNode } from 'react';
import { Line } from 'react-chartjs-2';
import { asArray } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useCall } from '../../hooks';
import { cpu, kb } from '../dashboard/UsageBar';
import '../dashboard/chart-setup';

interface Sample {
  TIMESTAMP: string;
  CAPACITY?: { USED_CPU?: string; FREE_CPU?: string; USED_MEMORY?: string; FREE_MEMORY?: string };
}

export function HostMonitoring({ id }: { id: number }) {
  const { data, error } = useCall(['host', 'monitoring', id], 'one.host.monitoring', [id]);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p>Loading…</p>;
  const samples = asArray<Sample>(data.MONITORING_DATA?.MONITORING).sort((a, b) => Number(a.TIMESTAMP) - Number(b.TIMESTAMP));
  if (samples.length === 0) return <p>No monitoring data yet: the host has not been monitored.</p>;
  const labels = samples.map((s) => new Date(Number(s.TIMESTAMP) * 1000).toLocaleTimeString());
  const n = (v: string | undefined) => Number(v ?? 0);
  const usedCpu = samples.map((s) => n(s.CAPACITY?.USED_CPU) / 100);
  const totalCpu = samples.map((s) => (n(s.CAPACITY?.USED_CPU) + n(s.CAPACITY?.FREE_CPU)) / 100);
  const usedMem = samples.map((s) => n(s.CAPACITY?.USED_MEMORY) / 1024 / 1024);
  const totalMem = samples.map((s) => (n(s.CAPACITY?.USED_MEMORY) + n(s.CAPACITY?.FREE_MEMORY)) / 1024 / 1024);
  const last = samples[samples.length - 1]!;
  return (
    <div className="dash-grid">
      <UsageChart id="mon-cpu" title="CPU (cores)" testId="cpu-chart" what="CPU" labels={labels} used={usedCpu} total={totalCpu} color="#0b5cad" fill="rgba(11,92,173,0.15)">
        Latest: {cpu(n(last.CAPACITY?.USED_CPU))} used of {cpu(n(last.CAPACITY?.USED_CPU) + n(last.CAPACITY?.FREE_CPU))} CPUs
      </UsageChart>
      <UsageChart id="mon-mem" title="Memory (GB)" testId="memory-chart" what="Memory" labels={labels} used={usedMem} total={totalMem} color="#146c2e" fill="rgba(20,108,46,0.15)">
        Latest: {kb(n(last.CAPACITY?.USED_MEMORY))} used of {kb(n(last.CAPACITY?.USED_MEMORY) + n(last.CAPACITY?.FREE_MEMORY))}
      </UsageChart>
    </div>
  );
}

/** One panel: used (filled) and total over time, the latest numbers under it. */
function UsageChart(props: { id: string; title: string; testId: string; what: string; labels: string[]; used: number[]; total: number[]; color: string; fill: string; children: ReactNode }) {
  const { id, title, testId, what, labels, used, total, color, fill, children } = props;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <div className="chart" data-testid={testId}>
        <Line
          role="img"
          aria-label={`${what} used and total over time`}
          data={{ labels, datasets: [{ label: 'Used', data: used, borderColor: color, backgroundColor: fill, fill: true }, { label: 'Total', data: total, borderColor: '#4a5567' }] }}
          options={{ scales: { y: { beginAtZero: true } } }}
        />
      </div>
      <p className="chart-note">{children}</p>
    </section>
  );
}
