/**
 * What each VM_MAD's deployment file is, from its oned.conf entry, as in OpenNebula: `TYPE =
 * "xml"` (or none) the VM's XML; `TYPE = "kvm"` or `"qemu"` the libvirt domain XML, with the
 * defaults of the entry's `DEFAULT` file (`vmm_exec/vmm_exec_kvm.conf`: looked up in
 * `$ONE_LOCATION/etc`, then in the shipped share/etc).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readConfigFile, type ConfigReader } from '../common/config.js';
import { Template, type Vector } from '../common/template/index.js';
import { libvirtDeployment, type LibvirtDomainType } from './libvirt/libvirt-deployment.js';

/** The deployment file of a VM for its VM directory on the host. @throws DeploymentError */
export type DeploymentFormat = (vmXml: string, vmDir: string) => string;

/** The VM's XML as it is (`TYPE = "xml"`: drivers that read it themselves). */
export const VM_XML_FORMAT: DeploymentFormat = (vmXml) => vmXml;

const LIBVIRT_TYPES: ReadonlySet<string> = new Set<LibvirtDomainType>(['kvm', 'qemu']);

/**
 * Deployment formats of the VM_MAD entries, by NAME. @param etcDirs where DEFAULT files are
 * looked up, in order. @throws Error naming the entry for an unknown TYPE or a missing DEFAULT file.
 */
export function deploymentFormats(config: ConfigReader, etcDirs: readonly string[]): Map<string, DeploymentFormat> {
  const formats = new Map<string, DeploymentFormat>();
  for (const attr of config.template.getAll('VM_MAD')) {
    const v = attr.value as Vector;
    const name = typeof v === 'string' ? '' : (v.get('NAME') ?? '');
    if (name === '') continue;
    const type = (v.get('TYPE') ?? 'xml').toLowerCase();
    if (type === 'xml') {
      formats.set(name, VM_XML_FORMAT);
    } else if (LIBVIRT_TYPES.has(type)) {
      const defaults = defaultsFile(name, v.get('DEFAULT'), etcDirs);
      formats.set(name, (vmXml, vmDir) => libvirtDeployment(vmXml, { type: type as LibvirtDomainType, vmDir, defaults }));
    } else {
      throw new Error(`VM_MAD "${name}": TYPE "${v.get('TYPE')}" is not supported (xml, kvm, qemu)`);
    }
  }
  return formats;
}

function defaultsFile(driver: string, file: string | undefined, etcDirs: readonly string[]): Template {
  if (file === undefined || file === '') return new Template();
  const candidates = isAbsolute(file) ? [file] : etcDirs.map((d) => join(d, file));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`VM_MAD "${driver}": DEFAULT file ${file} not found (looked in ${candidates.join(', ')})`);
  return readConfigFile(found);
}
