/**
 * CPU and memory of the VM over time (one.vm.monitoring samples) as line charts. The live feed
 * refreshes it when the VM pool changes; a slow timer too, since a new sample need not change the pool.
 */
import { CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { Line } from 'react-chartjs-2';
import { useQuery } from '@tanstack/react-query';
import { asArray, call, type Tree } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, Tooltip, Legend);

function chart(label: string, labels: string[], values: number[], color: string) {
  return { labels, datasets: [{ label, data: values, borderColor: color, backgroundColor: color, pointRadius: 2, tension: 0.2 }] };
}

export function VmMonitoring({ id }: { id: number }) {
  const q = useQuery({ queryKey: ['vm', 'monitoring', id], queryFn: () => call<Tree>('one.vm.monitoring', id), refetchInterval: 15_000 });
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <p>Loading monitoring…</p>;
  const samples = asArray<Tree>(q.data.MONITORING_DATA?.MONITORING).filter((m) => m && typeof m === 'object');
  if (samples.length === 0) return <p className="panel">No monitoring data yet: samples come once the VM runs and its host reports it.</p>;
  const labels = samples.map((s) => new Date(Number(s.TIMESTAMP ?? s.LAST_MON ?? 0) * 1000).toLocaleTimeString());
  const cpu = samples.map((s) => Number(s.CPU ?? 0));
  const mem = samples.map((s) => Number(s.MEMORY ?? 0) / 1024);
  const last = samples[samples.length - 1];
  const options = { responsive: true, maintainAspectRatio: false, animation: false as const, scales: { y: { beginAtZero: true } } };
  return (
    <>
      <p>
        {samples.length} samples; latest: CPU {Number(last.CPU ?? 0)}%, memory {(Number(last.MEMORY ?? 0) / 1024).toFixed(0)} MB.
      </p>
      <div className="cards">
        <figure className="card">
          <figcaption>CPU (% of one CPU)</figcaption>
          <div className="chart">
            <Line role="img" aria-label={`CPU use of VM ${id} over time`} data={chart('CPU %', labels, cpu, '#0b5cad')} options={options} />
          </div>
        </figure>
        <figure className="card">
          <figcaption>Memory (MB)</figcaption>
          <div className="chart">
            <Line role="img" aria-label={`Memory use of VM ${id} over time`} data={chart('Memory MB', labels, mem, '#146c2e')} options={options} />
          </div>
        </figure>
      </div>
    </>
  );
}
