/**
 * The admin's first page: capacity of all hosts, VMs and hosts by state, recent failures. The
 * numbers are counted on the server (`/api/summary`) so the page stays fast with 20,000 VMs; each
 * half refreshes when its pool changes (the live feed invalidates `dashboard` for VMs, `host` for hosts).
 */
import { useQuery } from '@tanstack/react-query';
import { Doughnut } from 'react-chartjs-2';
import { Link } from 'react-router';
import { ErrorNote } from '../../components/ErrorNote';
import { VmState } from '../../components/State';
import { HOST_STATES, vmStateName } from '../../states';
import { summary } from './summary-api';
import { PALETTE } from './chart-setup';
import { cpu, kb, UsageBar } from './UsageBar';
import './infra.css';

export function Dashboard() {
  const vms = useQuery({ queryKey: ['dashboard', 'vm'], queryFn: () => summary('vm') });
  const hosts = useQuery({ queryKey: ['host', 'summary'], queryFn: () => summary('host') });
  const v = vms.data?.vm;
  const h = hosts.data?.host;
  const vmCounts = Object.entries(v?.byState ?? {})
    .map(([k, n]) => ({ name: k.startsWith('3.') ? vmStateName(3, Number(k.slice(2))) : vmStateName(Number(k), 0), n }))
    .sort((a, b) => b.n - a.n);
  const hostCounts = Object.entries(h?.byState ?? {}).map(([k, n]) => ({ name: HOST_STATES[Number(k)] ?? k, n }));
  return (
    <section>
      <h1>Dashboard</h1>
      <ErrorNote error={vms.error ?? hosts.error} />
      <div className="cards">
        <div className="card">
          <div>Virtual machines</div>
          <div className="big" data-testid="vm-total">{v?.total ?? '…'}</div>
        </div>
        <div className="card">
          <div>Hosts</div>
          <div className="big" data-testid="host-total">{h?.total ?? '…'}</div>
        </div>
      </div>
      <div className="dash-grid">
        <section className="panel" aria-labelledby="cap-h">
          <h2 id="cap-h">Capacity</h2>
          {h && (
            <>
              <UsageBar label="CPU allocated" used={h.capacity.cpuUsage} total={h.capacity.maxCpu} format={cpu} />
              <UsageBar label="Memory allocated" used={h.capacity.memUsage} total={h.capacity.maxMem} format={kb} />
            </>
          )}
        </section>
        <StateChart title="VMs by state" id="vm-states" counts={vmCounts} />
        <StateChart title="Hosts by state" id="host-states" counts={hostCounts} />
        <section className="panel" aria-labelledby="fail-h">
          <h2 id="fail-h">Recent failures</h2>
          {v && h && v.failures.length + h.failures.length === 0 && <p>No failed VMs or hosts.</p>}
          <ul className="failures" data-testid="failures">
            {h?.failures.map((f) => (
              <li key={`h${f.ID}`}>
                <Link to={`/hosts/${f.ID}`}>Host {f.ID}: {f.NAME}</Link>
                <span className="state bad">{HOST_STATES[f.STATE]}</span>
              </li>
            ))}
            {v?.failures.map((f) => (
              <li key={`v${f.ID}`}>
                <Link to={`/vms/${f.ID}`}>VM {f.ID}: {f.NAME}</Link>
                <VmState state={f.STATE} lcm={f.LCM_STATE} />
                {f.HOST && <span>on {f.HOST}</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </section>
  );
}

/** A doughnut of counts by state, with the same numbers as a list (what screen readers and tests read). */
function StateChart({ title, id, counts }: { title: string; id: string; counts: { name: string; n: number }[] }) {
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {counts.length > 0 ? (
        <div className="chart" style={{ height: 180 }}>
          <Doughnut
            aria-hidden="true"
            data={{ labels: counts.map((c) => c.name), datasets: [{ data: counts.map((c) => c.n), backgroundColor: counts.map((_, i) => PALETTE[i % PALETTE.length]!) }] }}
            options={{ plugins: { legend: { position: 'right' } } }}
          />
        </div>
      ) : (
        <p>None</p>
      )}
      <ul className="counts" data-testid={id}>
        {counts.map((c) => (
          <li key={c.name}>
            {c.name}: <strong>{c.n}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}
