/**
 * OneFlow services: the list with each service's state; a service's page with its roles (state,
 * number of VMs, the VMs with their states), scale a role to a new number of VMs, delete.
 * Both are read again every few seconds while open (a service moves through its states alone).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { asArray, type Tree } from '../../api';
import { DeleteButton, DialogButton } from '../../components/Confirm';
import { HeadedTable } from '../../components/HeadedTable';
import { VmState } from '../../components/State';
import { bodyOf, documents, flowCall, ROLE_STATES, SERVICE_STATES, stateTone, useFlow } from './flow';
import { FlowError } from './FlowError';

export function ServiceStateBadge({ state, role }: { state: unknown; role?: boolean }) {
  const n = Number(state ?? 0);
  const name = (role ? ROLE_STATES : SERVICE_STATES)[n] ?? `STATE_${n}`;
  return <span className={`state ${stateTone(name)}`}>{name}</span>;
}

export function ServiceList() {
  const q = useFlow('/service', 3000);
  const docs = documents(q.data);
  return (
    <section>
      <div className="page-head">
        <h1>Services</h1>
        <div className="actions">
          <Link className="button-link" to="/service_templates">
            Start from a template
          </Link>
        </div>
      </div>
      <FlowError error={q.error} />
      {q.data &&
        (docs.length === 0 ? (
          <p className="panel">None yet.</p>
        ) : (
          <HeadedTable label="Services" head={['ID', 'Name', 'Owner', 'State', 'Roles']}>
            {docs.map((d) => {
              const b = bodyOf(d);
              return (
                <tr key={String(d.ID)} data-id={d.ID}>
                  <td>{d.ID}</td>
                  <td>
                    <Link to={`/services/${d.ID}`}>{String(d.NAME ?? b.name)}</Link>
                  </td>
                  <td>{d.UNAME}</td>
                  <td>
                    <ServiceStateBadge state={b.state} />
                  </td>
                  <td>{asArray<Tree>(b.roles).map((r) => `${r.name} (${asArray(r.nodes).length}/${r.cardinality ?? 0})`).join(', ') || '-'}</td>
                </tr>
              );
            })}
          </HeadedTable>
        ))}
    </section>
  );
}

function ScaleButton({ id, role }: { id: number; role: Tree }) {
  const qc = useQueryClient();
  const [n, setN] = useState(String(role.cardinality ?? 1));
  const [force, setForce] = useState(false);
  return (
    <DialogButton
      label={`Scale ${role.name}`}
      title={`Scale role ${role.name} of service ${id}`}
      invalid={/^\d+$/.test(n.trim()) ? undefined : 'How many VMs: a whole number'}
      onConfirm={async () => {
        await flowCall('POST', `/service/${id}/scale`, { role_name: role.name, cardinality: Number(n), force });
        await qc.invalidateQueries({ queryKey: ['flow'] });
      }}
    >
      <label>
        Number of VMs
        <input value={n} onChange={(e) => setN(e.target.value)} />
      </label>
      <label>
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Even outside the role's minimum and maximum
      </label>
    </DialogButton>
  );
}

export function ServiceDetail() {
  const id = Number(useParams().id);
  const q = useFlow(`/service/${id}`, 2000);
  const qc = useQueryClient();
  if (q.error && !q.data)
    return (
      <section>
        <h1>Service {id}</h1>
        <FlowError error={q.error} />
        <Link to="/services">Back to the services</Link>
      </section>
    );
  const doc = q.data?.DOCUMENT;
  if (!doc) return <p>Loading…</p>;
  const b = bodyOf(doc);
  const roles = asArray<Tree>(b.roles);
  return (
    <section>
      <div className="page-head">
        <h1>
          Service {doc.ID}: {doc.NAME ?? b.name}
        </h1>
        <ServiceStateBadge state={b.state} />
      </div>
      <FlowError error={q.error} />
      <div className="actions" role="group" aria-label="Service actions">
        <DeleteButton
          question={`Delete service ${id}? Its VMs are terminated.`}
          onDelete={async () => {
            await flowCall('DELETE', `/service/${id}`);
            await qc.invalidateQueries({ queryKey: ['flow'] });
          }}
          then="/services"
        />
      </div>
      <dl className="props panel">
        <dt>Owner</dt>
        <dd>{doc.UNAME}</dd>
        <dt>From template</dt>
        <dd>{b.template_id !== undefined ? <Link to={`/service_templates/${b.template_id}`}>service template {b.template_id}</Link> : '-'}</dd>
        <dt>Deployment</dt>
        <dd>{b.deployment ?? 'none'}</dd>
      </dl>
      <h2>Roles</h2>
      {roles.map((r) => {
        const nodes = asArray<Tree>(r.nodes);
        return (
          <section key={String(r.name)} className="panel" aria-label={`Role ${r.name}`}>
            <h3>
              Role {r.name} <ServiceStateBadge role state={r.state} />
            </h3>
            <p>
              <span data-testid={`cardinality-${r.name}`}>{r.cardinality ?? 0}</span> VMs wanted, {nodes.length} made. <ScaleButton id={id} role={r} />
            </p>
            {nodes.length > 0 && (
              <HeadedTable label={`VMs of role ${r.name}`} head={['VM', 'Name', 'State']}>
                {nodes.map((n) => {
                  const vm = n.vm_info?.VM ?? {};
                  const vid = n.deploy_id ?? vm.ID;
                  return (
                    <tr key={String(vid)} data-vm={vid}>
                      <td>
                        <Link to={`/vms/${vid}`}>VM {vid}</Link>
                      </td>
                      <td>{vm.NAME ?? '-'}</td>
                      <td>{vm.STATE !== undefined ? <VmState state={Number(vm.STATE)} lcm={Number(vm.LCM_STATE ?? 0)} /> : '-'}</td>
                    </tr>
                  );
                })}
              </HeadedTable>
            )}
          </section>
        );
      })}
    </section>
  );
}
