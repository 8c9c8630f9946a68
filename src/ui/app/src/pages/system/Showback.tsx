/**
 * Showback: costs by month (one.vmpool.showback) as a chart and a table, the costliest VMs of
 * the year, and the button that has oned compute the year's records from the VMs' history
 * (one.vmpool.calculateshowback; CPU_COST, MEMORY_COST, DISK_COST of each VM). oned's refusal
 * shows in the page, never a blank chart.
 */
import { useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { asArray, type Tree } from '../../api';
import { ConfirmButton } from '../../components/Confirm';
import { useAct, useCall } from '../../hooks';
import '../dashboard/chart-setup';
import { Field } from '../../components/Field';
import '../dashboard/infra.css';

export function Showback() {
  const now = new Date();
  const [year, setYear] = useState(String(now.getFullYear()));
  const y = Number(year);
  const yearErr = /^\d{4}$/.test(year) ? undefined : 'Enter a year such as 2026';
  const { data, error } = useCall(['vm', 'showback', y], 'one.vmpool.showback', [-2, 1, y, 12, y], !yearErr);
  const records = asArray<Tree>(data?.SHOWBACK_RECORDS?.SHOWBACK);
  const months = Array.from({ length: 12 }, (_, i) => i + 1);
  const cost = months.map((m) => records.filter((r) => Number(r.MONTH) === m).reduce((s, r) => s + Number(r.TOTAL_COST ?? 0), 0));
  const byVm = new Map<string, { name: string; owner: string; total: number }>();
  for (const r of records) {
    const v = byVm.get(String(r.VMID)) ?? { name: String(r.VMNAME ?? ''), owner: String(r.UNAME ?? ''), total: 0 };
    v.total += Number(r.TOTAL_COST ?? 0);
    byVm.set(String(r.VMID), v);
  }
  const top = [...byVm.entries()].sort((a, b) => b[1].total - a[1].total).slice(0, 20);
  const act = useAct('vm');
  return (
    <section>
      <div className="page-head">
        <h1>Showback</h1>
      </div>
      <form className="inline-form panel" aria-label="Showback year" onSubmit={(e) => e.preventDefault()}>
        <Field label="Year" error={yearErr}>
          <input inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value)} />
        </Field>
      </form>
      <p className="actions">
        <ConfirmButton
          label={`Calculate ${yearErr ? '' : y}`.trim()}
          question={`Compute the showback records of ${yearErr ? 'the year' : y} from every VM's history (replaces that year's records)?`}
          disabled={!!yearErr}
          onConfirm={() => act('one.vmpool.calculateshowback', 1, y, 12, y)}
        />
      </p>
      {error && (
        <p role="alert" className="notice">
          Showback could not be read: {(error as Error).message}
        </p>
      )}
      {data && records.length === 0 && <p className="panel">No showback records for {y}: “Calculate” computes them from the VMs' history.</p>}
      {data && (
        <>
          <section className="panel" aria-labelledby="sb-chart">
            <h2 id="sb-chart">Cost by month</h2>
            <div className="chart">
              <Bar aria-hidden="true" data={{ labels: months.map((m) => new Date(y, m - 1, 1).toLocaleString(undefined, { month: 'short' })), datasets: [{ label: 'Total cost', data: cost, backgroundColor: '#0b5cad' }] }} />
            </div>
          </section>
          <table aria-label="Cost by month" className="datatable">
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Total cost</th>
              </tr>
            </thead>
            <tbody>
              {months.map((m, i) => (
                <tr key={m}>
                  <td>{new Date(y, m - 1, 1).toLocaleString(undefined, { month: 'long' })}</td>
                  <td>{cost[i]!.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {top.length > 0 && (
            <table aria-label={`Costliest VMs of ${y}`} className="datatable">
              <caption>Costliest VMs of {y}</caption>
              <thead>
                <tr>
                  <th scope="col">VM</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Total cost</th>
                </tr>
              </thead>
              <tbody>
                {top.map(([id, v]) => (
                  <tr key={id} data-testid="showback-vm">
                    <td>
                      VM {id}: {v.name}
                    </td>
                    <td>{v.owner}</td>
                    <td>{v.total.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
