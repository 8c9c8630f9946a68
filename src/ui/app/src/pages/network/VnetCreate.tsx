/**
 * A new virtual network, from a form (name, bridge, driver, one address range, the context
 * attributes VMs get: DNS, gateway, mask) or as raw template text. The form checks its fields
 * before sending; oned's refusal shows under the form with what was typed kept.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { call } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { useSubmit } from '../../hooks';
import { templateText, vectorText } from '../storage/common';
import { WriteAs } from '../../components/WriteAs';

export const VN_MADS = ['bridge', '802.1Q', 'vxlan', 'ovswitch', 'ovswitch_vxlan', 'fw', 'dummy'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export const checkIp = (v: string, optional = false) => (v.trim() === '' ? (optional ? '' : 'Enter the first IPv4 address') : IPV4.test(v.trim()) ? '' : 'Not an IPv4 address (like 10.0.0.1)');
export const checkSize = (v: string) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 ? '' : 'Enter how many addresses, a whole number of at least 1');
export const checkMac = (v: string) => (v.trim() === '' || MAC.test(v.trim()) ? '' : 'Not a MAC address (like 02:00:0a:00:00:01)');

export function VnetCreate() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [raw, setRaw] = useState(false);
  const [v, setV] = useState({ name: '', bridge: '', mad: 'bridge', phydev: '', vlan: '', arType: 'IP4', ip: '', size: '', mac: '', dns: '', gateway: '', mask: '' });
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, error, setError, run } = useSubmit();
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });

  const check = () => {
    const e: Record<string, string> = {};
    if (raw) {
      if (!text.trim()) e.text = 'Write the network template';
      return e;
    }
    if (!v.name.trim()) e.name = 'Enter a name';
    if (v.arType !== 'none') {
      if (v.arType === 'IP4') e.ip = checkIp(v.ip);
      e.size = checkSize(v.size);
      e.mac = checkMac(v.mac);
    }
    if (v.gateway) e.gateway = checkIp(v.gateway, true);
    if (v.mad === '802.1Q' && !v.phydev.trim()) e.phydev = 'The 802.1Q driver needs the physical device (PHYDEV)';
    for (const k of Object.keys(e)) if (!e[k]) delete e[k];
    return e;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const e = check();
    setErrors(e);
    setError(null);
    if (Object.keys(e).length) return;
    const tpl = raw
      ? text
      : [
          templateText({ NAME: v.name.trim(), BRIDGE: v.bridge, VN_MAD: v.mad, PHYDEV: v.phydev, VLAN_ID: v.vlan, DNS: v.dns, GATEWAY: v.gateway, NETWORK_MASK: v.mask }),
          v.arType === 'none' ? '' : vectorText('AR', { TYPE: v.arType, IP: v.arType === 'IP4' ? v.ip : undefined, SIZE: v.size, MAC: v.mac }),
        ]
          .filter(Boolean)
          .join('\n');
    await run(async () => {
      const id = await call<number>('one.vn.allocate', tpl, -1);
      await qc.invalidateQueries({ queryKey: ['vnet'] });
      navigate(`/vnets/${id}`);
    });
  };

  const input = (k: keyof typeof v, label: string, hint?: string) => (
    <Field label={label} error={errors[k]} hint={hint}>
      <input value={v[k]} onChange={set(k)} />
    </Field>
  );

  return (
    <section>
      <div className="page-head">
        <h1>Create a virtual network</h1>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label="New virtual network">
        <WriteAs text={raw} onChange={setRaw} />
        {raw ? (
          <Field label="Template" error={errors.text}>
            <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)} placeholder={'NAME = "lan"\nVN_MAD = "bridge"\nAR = [ TYPE = "IP4", IP = "10.0.0.1", SIZE = "100" ]'} />
          </Field>
        ) : (
          <>
            {input('name', 'Name')}
            <div className="row">
              {input('bridge', 'Bridge', 'Left empty, oned names one')}
              <Field label="Driver (VN_MAD)">
                <select value={v.mad} onChange={set('mad')}>
                  {VN_MADS.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </Field>
            </div>
            {v.mad !== 'bridge' && v.mad !== 'dummy' && v.mad !== 'fw' && (
              <div className="row">
                {input('phydev', 'Physical device (PHYDEV)')}
                {input('vlan', 'VLAN ID', 'Left empty, oned picks one')}
              </div>
            )}
            <fieldset className="choice">
              <legend>Address range</legend>
              {[
                ['IP4', 'IPv4 addresses'],
                ['ETHER', 'MAC addresses only'],
                ['none', 'None now'],
              ].map(([t, label]) => (
                <label key={t}>
                  <input type="radio" name="ar" checked={v.arType === t} onChange={() => setV({ ...v, arType: t! })} /> {label}
                </label>
              ))}
            </fieldset>
            {v.arType !== 'none' && (
              <div className="row">
                {v.arType === 'IP4' && input('ip', 'First IP')}
                {input('size', 'Size (addresses)')}
                {input('mac', 'First MAC', 'Optional')}
              </div>
            )}
            <div className="row">
              {input('dns', 'DNS servers')}
              {input('gateway', 'Gateway')}
              {input('mask', 'Network mask')}
            </div>
          </>
        )}
        <ErrorNote error={error} />
        <div className="buttons">
          <button type="button" onClick={() => navigate('/vnets')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create network'}
          </button>
        </div>
      </form>
    </section>
  );
}
