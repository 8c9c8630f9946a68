/** Adds a host: its name, the monitoring and virtualization drivers, the cluster it joins. */
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { asArray, pool } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { useAct, useCall, useSubmit } from '../../hooks';
import { Field, nameError } from '../../components/Field';
import { IM_MADS, VM_MADS } from './host-bits';
import { HYBRID_DRIVERS, HybridHostFields, hybridErrors, hybridTemplate, type HybridValues } from './HybridHostFields';
import '../dashboard/infra.css';

export function HostCreate() {
  const [name, setName] = useState('');
  const [im, setIm] = useState('kvm');
  const [vmm, setVmm] = useState('kvm');
  const [cluster, setCluster] = useState('-1');
  const [touched, setTouched] = useState(false);
  const [hybrid, setHybrid] = useState<HybridValues>({});
  const { busy, error, run } = useSubmit();
  const clusters = useQuery({ queryKey: ['cluster', 'pool', 'all'], queryFn: () => pool('cluster', { limit: 1000, sort: 'ID', dir: 'asc' }) });
  const act = useAct('host', 'cluster');
  // The drivers oned has configured (oned.conf's IM_MAD and VM_MAD); the usual ones until it answers.
  const config = useCall(['system', 'config'], 'one.system.config', []);
  const conf = config.data?.OPENNEBULA_CONFIGURATION;
  const ims = conf ? asArray<{ NAME: string }>(conf.IM_MAD).map((m) => m.NAME) : IM_MADS;
  const vms = conf ? asArray<{ NAME: string; SUNSTONE_NAME?: string }>(conf.VM_MAD).map((m) => ({ name: m.NAME, label: m.SUNSTONE_NAME })) : VM_MADS.map((name) => ({ name, label: undefined }));
  // A qemu host is monitored by the kvm probes, as in OpenNebula.
  const pickVmm = (v: string) => {
    setVmm(v);
    if (ims.includes(v)) setIm(v);
    else if (v === 'qemu' && ims.includes('kvm')) setIm('kvm');
  };
  const navigate = useNavigate();
  const nameErr = touched ? nameError(name, 'host') : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameError(name, 'host')) return;
    if (Object.keys(hybridErrors(vmm, hybrid)).length > 0) return;
    await run(async () => {
      const id = await act<number>('one.host.allocate', name, im, vmm, Number(cluster));
      // A hybrid host's credentials, endpoint and capacity (oned encrypts the secrets).
      if (HYBRID_DRIVERS.includes(vmm)) await act('one.host.update', id, hybridTemplate(vmm, hybrid), 1);
      navigate(`/hosts/${id}`);
    });
  };

  return (
    <section>
      <h1>Create host</h1>
      <form className="form" onSubmit={submit} noValidate aria-label="Create host">
        <Field label="Host name" error={nameErr} hint="The host's network name or address, as the front-end reaches it">
          <input value={name} onChange={(e) => setName(e.target.value)} onBlur={() => setTouched(true)} autoComplete="off" />
        </Field>
        <div className="row">
          <Field label="Monitoring driver (IM_MAD)">
            <select value={im} onChange={(e) => setIm(e.target.value)}>
              {ims.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Virtualization driver (VM_MAD)">
            <select value={vmm} onChange={(e) => pickVmm(e.target.value)}>
              {vms.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.label && m.label.toLowerCase() !== m.name ? `${m.name} (${m.label})` : m.name}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <HybridHostFields driver={vmm} values={hybrid} onChange={setHybrid} touched={touched} />
        <Field label="Cluster">
          <select value={cluster} onChange={(e) => setCluster(e.target.value)}>
            <option value="-1">Default cluster</option>
            {clusters.data?.rows.map((c) => (
              <option key={String(c.ID)} value={String(c.ID)}>
                {String(c.ID)}: {String(c.NAME)}
              </option>
            ))}
          </select>
        </Field>
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate('/hosts')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create host'}
          </button>
        </div>
      </form>
    </section>
  );
}
