/**
 * The VM page's Update configuration dialog (one.vm.updateconf): OS and boot, FEATURES, INPUT,
 * GRAPHICS, RAW and CONTEXT, prefilled from the VM. Checked before sending; oned's refusal
 * shows in the dialog. Offered in the states oned takes, disabled with the reason otherwise.
 */
import { useState } from 'react';
import type { Tree } from '../../api';
import { DialogButton } from '../../components/Confirm';
import { useAct } from '../../hooks';
import { confError, confRefusal, confTemplate, confValues, liveContext, type ConfValues } from './updateconf';

interface FieldDef {
  key: string;
  label: string;
  options?: string[];
  kind?: 'password' | 'textarea';
  hint?: string;
}

const YES_NO = ['', 'YES', 'NO'];

const SECTIONS: { name: string; legend: string; fields: FieldDef[] }[] = [
  {
    name: 'OS',
    legend: 'OS and boot',
    fields: [
      { key: 'BOOT', label: 'Boot order', hint: 'e.g. disk0,nic0' },
      { key: 'ARCH', label: 'Architecture', options: ['', 'x86_64', 'i686', 'aarch64', 'ppc64le', 's390x'] },
      { key: 'MACHINE', label: 'Machine type', hint: 'e.g. q35, pc' },
      { key: 'FIRMWARE', label: 'Firmware', hint: 'BIOS, or a UEFI firmware path' },
      { key: 'KERNEL', label: 'Kernel path' },
      { key: 'INITRD', label: 'Initrd path' },
      { key: 'KERNEL_CMD', label: 'Kernel command line' },
      { key: 'ROOT', label: 'Root device', hint: 'e.g. vda1' },
      { key: 'BOOTLOADER', label: 'Boot loader' },
    ],
  },
  {
    name: 'FEATURES',
    legend: 'Features',
    fields: [
      ...['ACPI', 'PAE', 'APIC', 'LOCALTIME', 'HYPERV', 'GUEST_AGENT'].map((k) => ({ key: k, label: k === 'GUEST_AGENT' ? 'Guest agent' : k === 'LOCALTIME' ? 'Local time clock' : k === 'HYPERV' ? 'Hyper-V enlightenments' : k, options: YES_NO })),
      { key: 'VIRTIO_SCSI_QUEUES', label: 'Virtio SCSI queues', hint: 'a number, or auto' },
      { key: 'IOTHREADS', label: 'I/O threads' },
    ],
  },
  {
    name: 'INPUT',
    legend: 'Input device',
    fields: [
      { key: 'TYPE', label: 'Input type', options: ['', 'tablet', 'mouse'] },
      { key: 'BUS', label: 'Input bus', options: ['', 'usb', 'ps2'] },
    ],
  },
  {
    name: 'GRAPHICS',
    legend: 'Graphics',
    fields: [
      { key: 'TYPE', label: 'Graphics type', options: ['', 'VNC', 'SPICE'] },
      { key: 'LISTEN', label: 'Listen address', hint: 'e.g. 0.0.0.0' },
      { key: 'PASSWD', label: 'Console password', kind: 'password' },
      { key: 'KEYMAP', label: 'Keymap', hint: 'e.g. en-us, de' },
    ],
  },
  {
    name: 'RAW',
    legend: 'Raw hypervisor data',
    fields: [
      { key: 'TYPE', label: 'Raw type', options: ['', 'kvm', 'qemu'] },
      { key: 'DATA', label: 'Raw data', kind: 'textarea', hint: 'libvirt XML added to the domain' },
    ],
  },
];

function Control({ f, value, onChange }: { f: FieldDef; value: string; onChange: (v: string) => void }) {
  if (f.options)
    return (
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {[...new Set([...f.options, value])].map((o) => (
          <option key={o} value={o}>
            {o === '' ? '(not set)' : o}
          </option>
        ))}
      </select>
    );
  if (f.kind === 'textarea') return <textarea rows={3} value={value} onChange={(e) => onChange(e.target.value)} />;
  return <input type={f.kind === 'password' ? 'password' : 'text'} autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} />;
}

function ContextFields({ v, setV }: { v: ConfValues; setV: (f: (old: ConfValues) => ConfValues) => void }) {
  const setRow = (i: number, p: Partial<{ key: string; value: string }>) => setV((old) => ({ ...old, context: old.context.map((c, j) => (j === i ? { ...c, ...p } : c)) }));
  return (
    <fieldset>
      <legend>Context</legend>
      {!v.hasContext && <p className="hint">This VM has no context: oned adds none here (it refuses new CONTEXT values).</p>}
      {v.context.map((c, i) => (
        <div className="row" key={i}>
          <label>
            Context key {i + 1}
            <input value={c.key} onChange={(e) => setRow(i, { key: e.target.value })} />
          </label>
          <label>
            Context value {i + 1}
            <input value={c.value} onChange={(e) => setRow(i, { value: e.target.value })} />
          </label>
          <button type="button" style={{ flex: '0 0 auto', alignSelf: 'end' }} onClick={() => setV((old) => ({ ...old, context: old.context.filter((_, j) => j !== i) }))}>
            Remove context key {i + 1}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => setV((old) => ({ ...old, context: [...old.context, { key: '', value: '' }] }))}>
        Add a context key
      </button>
    </fieldset>
  );
}

function ConfDialog({ vm }: { vm: Tree }) {
  const act = useAct('vm');
  const id = Number(vm.ID);
  const [v, setV] = useState<ConfValues>(() => confValues(vm));
  const before = confTemplate(confValues(vm));
  const text = confTemplate(v);
  const invalid = confError(v) ?? (text === before ? 'Nothing changed' : undefined);
  const set = (section: string, key: string, value: string) => setV((old) => ({ ...old, sections: { ...old.sections, [section]: { ...old.sections[section], [key]: value } } }));
  const port = (vm.TEMPLATE as Tree | undefined)?.GRAPHICS?.PORT;
  return (
    <DialogButton label="Update configuration" title={`Update the configuration of VM ${id} (${vm.NAME})`} invalid={invalid} onConfirm={() => act('one.vm.updateconf', id, text, 0)}>
      {liveContext(Number(vm.STATE), Number(vm.LCM_STATE)) && (
        <p className="notice">The VM is running: a context change reaches it now (a new context CD), the other changes at its next boot.</p>
      )}
      {SECTIONS.map((s) => (
        <fieldset key={s.name} className="pairs">
          <legend>{s.legend}</legend>
          {s.fields.map((f) => (
            <label key={f.key} className={f.kind === 'textarea' ? 'whole' : undefined}>
              {f.label}
              {f.hint && <small className="hint"> ({f.hint})</small>}
              <Control f={f} value={v.sections[s.name]?.[f.key] ?? ''} onChange={(x) => set(s.name, f.key, x)} />
            </label>
          ))}
          {s.name === 'GRAPHICS' && port && <p className="hint whole">Console port {String(port)} (oned assigns it).</p>}
        </fieldset>
      ))}
      <ContextFields v={v} setV={setV} />
    </DialogButton>
  );
}

/** The button: the dialog when oned takes the change in the VM's state, else disabled with the reason. */
export function UpdateConfButton({ vm }: { vm: Tree }) {
  const why = confRefusal(Number(vm.STATE), Number(vm.LCM_STATE));
  if (why)
    return (
      <button type="button" disabled title={why}>
        Update configuration
      </button>
    );
  // A new dialog when the VM's configuration changes (after an update, or someone else's).
  return <ConfDialog key={confTemplate(confValues(vm))} vm={vm} />;
}
