/**
 * A hybrid host's template as oned has it, read through the client library as oneadmin
 * (ONE_XMLRPC and ONE_AUTH, which oned gives its drivers) with `decrypt`: the credentials are
 * HOST_ENCRYPTED_ATTR values, in clear only for this read and never logged.
 */
import { child, select } from '../../common/xml-tree.js';
import { Oca } from '../../oca/index.js';
import { settingsOf, type Settings } from './settings.js';

export interface HybridHost {
  readonly id: number;
  readonly name: string;
  /** The host template's single-valued attributes. */
  readonly template: Settings;
  /** A vector of the host template (CAPACITY, ONE_CAPACITY, PUBLIC_CLOUD), undefined when absent. */
  vector(name: string): Settings | undefined;
  /** The VMs oned has on the host. */
  readonly vms: ReadonlySet<number>;
}

export interface HostSource {
  host(id: number): Promise<HybridHost>;
  /** The deploy ids of those of the VMs `ids` that are RUNNING (by VM id). */
  runningDeployIds(ids: readonly number[]): Promise<Map<number, string>>;
}

/** Hosts read from oned. One client, kept alive, per driver process. */
export class OcaHostSource implements HostSource {
  private one: Oca | undefined;

  async host(id: number): Promise<HybridHost> {
    if (!Number.isInteger(id) || id < 0) throw new Error(`No host id in the request (${id})`);
    this.one ??= new Oca({ timeoutMs: 30_000 });
    let h;
    try {
      h = await this.one.hosts.info(id, true);
    } catch (err) {
      throw new Error(`Cannot read host ${id} from oned: ${(err as Error).message}`);
    }
    const template = child(h.node, 'TEMPLATE');
    return {
      id,
      name: h.name,
      template: settingsOf(template),
      vector: (name) => {
        const node = template ? select(template, name)[0] : undefined;
        return node ? settingsOf(node) : undefined;
      },
      vms: new Set(h.ids('VMS')),
    };
  }

  async runningDeployIds(ids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    this.one ??= new Oca({ timeoutMs: 30_000 });
    for (const vm of await this.one.vms.infoSet(ids)) {
      const deployId = vm.get('DEPLOY_ID');
      if (vm.state === 3 && vm.lcmState === 3 && deployId !== '') out.set(vm.id, deployId);
    }
    return out;
  }

  close(): void {
    this.one?.close();
  }
}
