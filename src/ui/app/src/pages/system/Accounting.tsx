/**
 * Accounting (one.vmpool.accounting) over a date range: CPU-hours and memory GB-hours per user
 * or per VM, as a bar chart and as a table (the table is what screen readers read).
 */
import { useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { ErrorNote } from '../../components/ErrorNote';
import { useCall } from '../../hooks';
import '../dashboard/chart-setup';
import { Field } from '../../components/Field';
import { dayStart, isoDay, usage } from './accounting-math';
import '../dashboard/infra.css';

/** Two decimals, or two significant digits for the small numbers of a short run. */
const num = (n: number) => (n === 0 || n >= 0.01 ? n.toFixed(2) : n.toPrecision(2));

export function Accounting() {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 30 * 86400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [by, setBy] = useState<'user' | 'vm'>('user');
  const start = dayStart(from);
  const end = dayStart(to) + 86400 - 1;
  const rangeErr = !from || !to ? 'Pick both dates' : start > end ? 'The start date is after the end date' : undefined;
  const { data, error, isFetching } = useCall(['vm', 'accounting', start, end], 'one.vmpool.accounting', [-2, start, end], !rangeErr);
  const rows = data ? usage(data, start, end, by) : [];
  return (
    <section>
      <div className="page-head">
        <h1>Accounting</h1>
      </div>
      <form className="inline-form panel" aria-label="Accounting range" onSubmit={(e) => e.preventDefault()}>
        <Field label="From" error={rangeErr}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To">
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <Field label="Group by">
          <select value={by} onChange={(e) => setBy(e.target.value as 'user' | 'vm')}>
            <option value="user">User</option>
            <option value="vm">VM</option>
          </select>
        </Field>
        {isFetching && <span role="status">Loading…</span>}
      </form>
      <ErrorNote error={error} />
      {data && rows.length === 0 && <p>No VM ran in this range.</p>}
      {rows.length > 0 && (
        <>
          <section className="panel" aria-labelledby="acct-chart">
            <h2 id="acct-chart">CPU-hours and memory GB-hours</h2>
            <div className="chart" data-testid="accounting-chart">
              <Bar
                aria-hidden="true"
                data={{
                  labels: rows.map((r) => r.label),
                  datasets: [
                    { label: 'CPU-hours', data: rows.map((r) => r.cpuHours), backgroundColor: '#0b5cad' },
                    { label: 'Memory GB-hours', data: rows.map((r) => r.memGbHours), backgroundColor: '#146c2e' },
                  ],
                }}
                options={{ scales: { y: { beginAtZero: true } } }}
              />
            </div>
          </section>
          <div className="datatable scroller">
            <table aria-label={`Usage by ${by === 'user' ? 'user' : 'VM'}`}>
              <thead>
                <tr>
                  <th scope="col">{by === 'user' ? 'User' : 'VM'}</th>
                  {by === 'vm' && <th scope="col">Owner</th>}
                  <th scope="col">Hours</th>
                  <th scope="col">CPU-hours</th>
                  <th scope="col">Memory GB-hours</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key} data-testid="accounting-row">
                    <td>{r.label}</td>
                    {by === 'vm' && <td>{r.user}</td>}
                    <td>{num(r.hours)}</td>
                    <td>{num(r.cpuHours)}</td>
                    <td>{num(r.memGbHours)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
