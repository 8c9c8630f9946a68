/**
 * Typed wrappers of every method of the API, one resource per kind of object: the methods every
 * kind shares (`Resource`: info, update, delete, pool listing; `NamedResource`: rename;
 * `OwnedResource`: chmod, chown, lock, unlock), each kind's own (`one.vm.deploy`,
 * `one.host.status`...), and the documents, default quotas, system and ACL methods. Arguments follow oned's order; results are parsed
 * objects, ids, or the raw XML where the method answers a document.
 */
// The rule parser is a pure module (no oned state): clients parse rules as oned does.
import { AclRule } from '../common/acl/acl-rule.js';
import type { XmlRpcValue } from '../rpc/xmlrpc/index.js';
import type { OneClient } from './client.js';
import { Datastore, Host, Image, OneObject, VirtualMachine, VirtualNetwork, parseObject, parsePool, type ObjectClass } from './objects.js';

/** Pool filters of `*pool.info`: -4 my group, -3 mine, -2 all, -1 mine and my groups, or a uid. */
export const PoolFilter = { GROUP: -4, MINE: -3, ALL: -2, MINE_AND_GROUPS: -1 } as const;

/** `update` modes. */
export const UpdateMode = { REPLACE: 0, MERGE: 1 } as const;

/** Octal permissions (`640`) as the nine 0/1 arguments of `chmod` (-1 leaves a bit as it is). */
export function permissionBits(octal: string): number[] {
  if (!/^[0-7]{3}$/.test(octal)) throw new RangeError(`Permissions must be three octal digits, such as 640, not "${octal}"`);
  return [...octal].flatMap((d) => [Number(d) & 4 ? 1 : 0, Number(d) & 2 ? 1 : 0, Number(d) & 1 ? 1 : 0]);
}

const wrapped = new Set<string>();

/** Records the methods `prefix.<suffix>` a resource's wrappers call (kept beside each class). */
function wraps(prefix: string, ...suffixes: string[]): void {
  for (const suffix of suffixes) wrapped.add(`${prefix}.${suffix}`);
}

/**
 * Every API method the wrappers of this module call: a new wrapper adds its name with `wraps`
 * beside its class, and a unit test compares it with the methods oned serves.
 */
export const WRAPPED_METHODS: ReadonlySet<string> = wrapped;

/** The methods every kind of `Resource` serves: its info, update, delete and pool listing. */
const COMMON = ['info', 'update', 'delete'];
/** The methods of the kinds owned by a user (VMs, templates, images, vnets, datastores, documents). */
const OWNED = [...COMMON, 'chmod', 'chown', 'rename', 'lock', 'unlock'];

export class Resource<T extends OneObject> {
  constructor(
    protected readonly client: OneClient,
    /** `one.vm`, `one.host`... */
    readonly prefix: string,
    /** `one.vmpool`... */
    readonly poolPrefix: string,
    /** `VM`, `HOST`...: the pool's member elements. */
    readonly element: string,
    protected readonly cls: ObjectClass<T>,
  ) {}

  protected async id(method: string, ...params: XmlRpcValue[]): Promise<number> {
    return (await this.client.call(method, ...params)) as number;
  }

  /** `*.info(id, decrypt)`: `decrypt` asks oned for encrypted attributes in clear (admins only). */
  async info(id: number, decrypt = false): Promise<T> {
    return parseObject(this.cls, String(await this.client.call(`${this.prefix}.info`, id, decrypt)));
  }

  /** The pool listing's XML (`*pool.info` with the given arguments). */
  async listXml(...params: XmlRpcValue[]): Promise<string> {
    return String(await this.client.call(`${this.poolPrefix}.info`, ...params));
  }

  /** The objects of the pool listing (kinds whose listing takes filters override it). */
  list(): Promise<T[]> {
    return this.listWith();
  }

  protected async listWith(...params: XmlRpcValue[]): Promise<T[]> {
    return this.parseList(await this.listXml(...params));
  }

  /** The objects of a pool listing already fetched with `listXml` (one call for both the XML and the objects). */
  parseList(xml: string): T[] {
    return parsePool(this.cls, this.element, xml);
  }

  delete(id: number): Promise<number> {
    return this.id(`${this.prefix}.delete`, id);
  }
  update(id: number, template: string, mode: number = UpdateMode.REPLACE): Promise<number> {
    return this.id(`${this.prefix}.update`, id, template, mode);
  }
}

/** Kinds whose names can be changed (hosts, clusters, and every owned kind). */
export class NamedResource<T extends OneObject> extends Resource<T> {
  rename(id: number, name: string): Promise<number> {
    return this.id(`${this.prefix}.rename`, id, name);
  }
}

/** Kinds owned by a user and a group, with permissions and locks (VMs, templates, images, vnets, datastores, documents). */
export class OwnedResource<T extends OneObject> extends NamedResource<T> {
  chmod(id: number, octal: string): Promise<number> {
    return this.id(`${this.prefix}.chmod`, id, ...permissionBits(octal));
  }
  chown(id: number, uid: number, gid = -1): Promise<number> {
    return this.id(`${this.prefix}.chown`, id, uid, gid);
  }
  /** Level 1 use, 2 manage, 3 admin, 4 all; `test` refuses an object already locked instead of relocking it. */
  lock(id: number, level = 1, test = false): Promise<number> {
    return this.id(`${this.prefix}.lock`, id, level, test);
  }
  unlock(id: number): Promise<number> {
    return this.id(`${this.prefix}.unlock`, id);
  }
}

export class VmResource extends OwnedResource<VirtualMachine> {
  /** oned has no `one.vm.delete`: a VM is deleted by terminating it, as OpenNebula's OCA does. */
  override delete(id: number): Promise<number> {
    return this.action('terminate-hard', id);
  }
  allocate(template: string, hold = false): Promise<number> {
    return this.id('one.vm.allocate', template, hold);
  }
  /** `one.vm.action`: terminate, poweroff, resume, hold, release, stop, suspend, reboot, resched... (and the `-hard` forms). */
  action(action: string, id: number): Promise<number> {
    return this.id('one.vm.action', action, id);
  }
  /** `extraTemplate` is the NIC template of the deployment, as OpenNebula's (oned takes and ignores it). */
  deploy(id: number, hostId: number, enforce = false, datastoreId = -1, extraTemplate = ''): Promise<number> {
    return this.id('one.vm.deploy', id, hostId, enforce, datastoreId, extraTemplate);
  }
  migrate(id: number, hostId: number, live: boolean, enforce = false, datastoreId = -1, mode = 0): Promise<number> {
    return this.id('one.vm.migrate', id, hostId, live, enforce, datastoreId, mode);
  }
  recover(id: number, operation: number): Promise<number> {
    return this.id('one.vm.recover', id, operation);
  }
  attachDisk(id: number, diskTemplate: string): Promise<number> {
    return this.id('one.vm.attach', id, diskTemplate);
  }
  detachDisk(id: number, diskId: number): Promise<number> {
    return this.id('one.vm.detach', id, diskId);
  }
  attachNic(id: number, nicTemplate: string): Promise<number> {
    return this.id('one.vm.attachnic', id, nicTemplate);
  }
  detachNic(id: number, nicId: number): Promise<number> {
    return this.id('one.vm.detachnic', id, nicId);
  }
  /** `one.vm.monitoring(id)`: the MONITORING_DATA document of the VM's stored samples. */
  async monitoringXml(id: number): Promise<string> {
    return String(await this.client.call('one.vm.monitoring', id));
  }
  /** `one.vmpool.info(filter, start, end, state, query)`: state -1 any but DONE, -2 any. */
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1, state = -1, query = ''): Promise<VirtualMachine[]> {
    return this.listWith(filter, start, end, state, query);
  }
  /** `one.vmpool.infoextended`: the listing with each VM's whole document (templates, history). */
  async listExtendedXml(filter: number = PoolFilter.ALL, start = -1, end = -1, state = -1, query = ''): Promise<string> {
    return String(await this.client.call('one.vmpool.infoextended', filter, start, end, state, query));
  }
  /** The VMs of `listExtendedXml`, parsed. */
  async listExtended(filter: number = PoolFilter.ALL, start = -1, end = -1, state = -1, query = ''): Promise<VirtualMachine[]> {
    return this.parseList(await this.listExtendedXml(filter, start, end, state, query));
  }
  /** `one.vmpool.monitoring(filter, seconds)`: the samples of the last `seconds` (-1 the latest of each VM). */
  async poolMonitoringXml(filter: number = PoolFilter.ALL, seconds = -1): Promise<string> {
    return String(await this.client.call('one.vmpool.monitoring', filter, seconds));
  }
  /** `one.vmpool.accounting(filter, start, end)` (epoch seconds, -1 unbounded): HISTORY_RECORDS XML. */
  async accountingXml(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<string> {
    return String(await this.client.call('one.vmpool.accounting', filter, start, end));
  }
}
wraps('one.vm', ...OWNED.filter((m) => m !== 'delete'), 'allocate', 'action', 'deploy', 'migrate', 'recover', 'attach', 'detach', 'attachnic', 'detachnic', 'monitoring');
wraps('one.vmpool', 'info', 'infoextended', 'accounting', 'monitoring');

export class HostResource extends NamedResource<Host> {
  allocate(name: string, imMad: string, vmMad: string, clusterId = -1): Promise<number> {
    return this.id('one.host.allocate', name, imMad, vmMad, clusterId);
  }
  /** 0 enable, 1 disable, 2 offline. */
  status(id: number, status: number): Promise<number> {
    return this.id('one.host.status', id, status);
  }
  /** `one.host.enable`: the older form of `status` (enabled or disabled). */
  enable(id: number, enable: boolean): Promise<number> {
    return this.id('one.host.enable', id, enable);
  }
  /** `one.host.monitoring(id)`: the MONITORING_DATA document of the host's stored samples. */
  async monitoringXml(id: number): Promise<string> {
    return String(await this.client.call('one.host.monitoring', id));
  }
  /** `one.hostpool.monitoring(seconds)`: the samples of the last `seconds` (-1 the latest of each host). */
  async poolMonitoringXml(seconds = -1): Promise<string> {
    return String(await this.client.call('one.hostpool.monitoring', seconds));
  }
}
wraps('one.host', ...COMMON, 'rename', 'allocate', 'status', 'enable', 'monitoring');
wraps('one.hostpool', 'info', 'monitoring');

export class TemplateResource extends OwnedResource<OneObject> {
  /** `one.template.info(id, extended, decrypt)`: `decrypt` as every info; `extended` adds the disks' image data. */
  override async info(id: number, decrypt = false, extended = false): Promise<OneObject> {
    return parseObject(this.cls, String(await this.client.call('one.template.info', id, extended, decrypt)));
  }
  allocate(template: string): Promise<number> {
    return this.id('one.template.allocate', template);
  }
  instantiate(id: number, name = '', hold = false, extraTemplate = '', persistent = false): Promise<number> {
    return this.id('one.template.instantiate', id, name, hold, extraTemplate, persistent);
  }
  clone(id: number, name: string, recursive = false): Promise<number> {
    return this.id('one.template.clone', id, name, recursive);
  }
  /** `recursive` also deletes the images of the template's disks. */
  override delete(id: number, recursive = false): Promise<number> {
    return this.id('one.template.delete', id, recursive);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<OneObject[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.template', ...OWNED, 'allocate', 'instantiate', 'clone');
wraps('one.templatepool', 'info');

export class ImageResource extends OwnedResource<Image> {
  /** `skipCapacityCheck` registers the image even when the datastore looks full (admins). */
  allocate(template: string, datastoreId: number, skipCapacityCheck = false): Promise<number> {
    return this.id('one.image.allocate', template, datastoreId, skipCapacityCheck);
  }
  /** `force` is OpenNebula's argument to remove an image in any state. */
  override delete(id: number, force = false): Promise<number> {
    return this.id('one.image.delete', id, force);
  }
  clone(id: number, name: string, datastoreId = -1): Promise<number> {
    return this.id('one.image.clone', id, name, datastoreId);
  }
  enable(id: number, enable: boolean): Promise<number> {
    return this.id('one.image.enable', id, enable);
  }
  persistent(id: number, persistent: boolean): Promise<number> {
    return this.id('one.image.persistent', id, persistent);
  }
  chtype(id: number, type: string): Promise<number> {
    return this.id('one.image.chtype', id, type);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<Image[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.image', ...OWNED, 'allocate', 'clone', 'enable', 'persistent', 'chtype');
wraps('one.imagepool', 'info');

export class VnetResource extends OwnedResource<VirtualNetwork> {
  allocate(template: string, clusterId = -1): Promise<number> {
    return this.id('one.vn.allocate', template, clusterId);
  }
  addAr(id: number, arTemplate: string): Promise<number> {
    return this.id('one.vn.add_ar', id, arTemplate);
  }
  rmAr(id: number, arId: number, force = false): Promise<number> {
    return this.id('one.vn.rm_ar', id, arId, force);
  }
  /** `one.vn.update_ar`: the AR template names the range by its AR_ID. */
  updateAr(id: number, arTemplate: string): Promise<number> {
    return this.id('one.vn.update_ar', id, arTemplate);
  }
  /** `one.vn.free_ar`: gives a reserved range back to the network it was reserved from. */
  freeAr(id: number, arId: number): Promise<number> {
    return this.id('one.vn.free_ar', id, arId);
  }
  hold(id: number, leaseTemplate: string): Promise<number> {
    return this.id('one.vn.hold', id, leaseTemplate);
  }
  release(id: number, leaseTemplate: string): Promise<number> {
    return this.id('one.vn.release', id, leaseTemplate);
  }
  reserve(id: number, reservationTemplate: string): Promise<number> {
    return this.id('one.vn.reserve', id, reservationTemplate);
  }
  /** `one.vn.recover`: 0 failure, 1 success, 2 delete, 3 retry, for a network stuck in a driver state. */
  recover(id: number, operation: 0 | 1 | 2 | 3): Promise<number> {
    return this.id('one.vn.recover', id, operation);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<VirtualNetwork[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.vn', ...OWNED, 'allocate', 'add_ar', 'rm_ar', 'update_ar', 'free_ar', 'hold', 'release', 'reserve', 'recover');
wraps('one.vnpool', 'info');

export class DatastoreResource extends OwnedResource<Datastore> {
  allocate(template: string, clusterId = -1): Promise<number> {
    return this.id('one.datastore.allocate', template, clusterId);
  }
  /** `one.datastore.enable`: a disabled datastore takes no new images or VMs. */
  enable(id: number, enable: boolean): Promise<number> {
    return this.id('one.datastore.enable', id, enable);
  }
}
wraps('one.datastore', ...OWNED, 'allocate', 'enable');
wraps('one.datastorepool', 'info');

export class ClusterResource extends NamedResource<OneObject> {
  allocate(name: string): Promise<number> {
    return this.id('one.cluster.allocate', name);
  }
  addHost(id: number, hostId: number): Promise<number> {
    return this.id('one.cluster.addhost', id, hostId);
  }
  addDatastore(id: number, datastoreId: number): Promise<number> {
    return this.id('one.cluster.adddatastore', id, datastoreId);
  }
  addVnet(id: number, vnetId: number): Promise<number> {
    return this.id('one.cluster.addvnet', id, vnetId);
  }
  delHost(id: number, hostId: number): Promise<number> {
    return this.id('one.cluster.delhost', id, hostId);
  }
  delDatastore(id: number, datastoreId: number): Promise<number> {
    return this.id('one.cluster.deldatastore', id, datastoreId);
  }
  delVnet(id: number, vnetId: number): Promise<number> {
    return this.id('one.cluster.delvnet', id, vnetId);
  }
}
wraps('one.cluster', ...COMMON, 'rename', 'allocate', 'addhost', 'delhost', 'adddatastore', 'deldatastore', 'addvnet', 'delvnet');
wraps('one.clusterpool', 'info');

export class UserResource extends Resource<OneObject> {
  /** `one.user.info(id)`: -1 (the default) is the caller. */
  override info(id = -1, decrypt = false): Promise<OneObject> {
    return super.info(id, decrypt);
  }
  allocate(name: string, password: string, driver = '', groups: number[] = []): Promise<number> {
    return this.id('one.user.allocate', name, password, driver, groups);
  }
  passwd(id: number, password: string): Promise<number> {
    return this.id('one.user.passwd', id, password);
  }
  /** `one.user.login(user, token, seconds, gid)`: the token. */
  async login(user: string, token = '', seconds = 36000, gid = -1): Promise<string> {
    return String(await this.client.call('one.user.login', user, token, seconds, gid));
  }
  quota(id: number, template: string): Promise<number> {
    return this.id('one.user.quota', id, template);
  }
  /** Changes the primary group. */
  chgrp(id: number, gid: number): Promise<number> {
    return this.id('one.user.chgrp', id, gid);
  }
  /** Adds a secondary group. */
  addGroup(id: number, gid: number): Promise<number> {
    return this.id('one.user.addgroup', id, gid);
  }
  /** Removes a secondary group. */
  delGroup(id: number, gid: number): Promise<number> {
    return this.id('one.user.delgroup', id, gid);
  }
  /** Changes the auth driver (and the password, when given). */
  chauth(id: number, driver: string, password = ''): Promise<number> {
    return this.id('one.user.chauth', id, driver, password);
  }
  enable(id: number, enable: boolean): Promise<number> {
    return this.id('one.user.enable', id, enable);
  }
}
wraps('one.user', ...COMMON, 'allocate', 'passwd', 'login', 'quota', 'chgrp', 'addgroup', 'delgroup', 'chauth', 'enable');
wraps('one.userpool', 'info');

export class GroupResource extends Resource<OneObject> {
  /** `one.group.info(id)`: -1 (the default) is the caller's group. */
  override info(id = -1, decrypt = false): Promise<OneObject> {
    return super.info(id, decrypt);
  }
  allocate(name: string): Promise<number> {
    return this.id('one.group.allocate', name);
  }
  quota(id: number, template: string): Promise<number> {
    return this.id('one.group.quota', id, template);
  }
  /** Makes a member of the group one of its administrators. */
  addAdmin(id: number, uid: number): Promise<number> {
    return this.id('one.group.addadmin', id, uid);
  }
  delAdmin(id: number, uid: number): Promise<number> {
    return this.id('one.group.deladmin', id, uid);
  }
}
wraps('one.group', ...COMMON, 'allocate', 'quota', 'addadmin', 'deladmin');
wraps('one.grouppool', 'info');

/** Generic documents (`one.document.*`), which OneFlow and other tools keep their objects in. */
export class DocumentResource extends OwnedResource<OneObject> {
  /** `type` is the tool's own kind of document (OneFlow's services are 100...). */
  allocate(template: string, type = 0): Promise<number> {
    return this.id('one.document.allocate', template, type);
  }
  clone(id: number, name: string): Promise<number> {
    return this.id('one.document.clone', id, name);
  }
  /** `one.documentpool.info(filter, start, end, type)`: type -1 is any. */
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1, type = -1): Promise<OneObject[]> {
    return this.listWith(filter, start, end, type);
  }
}
wraps('one.document', ...OWNED, 'allocate', 'clone');
wraps('one.documentpool', 'info');

/**
 * The default quotas (`one.userquota.*`, `one.groupquota.*`): the limits of users or groups
 * whose own quota leaves a limit at -1 (default).
 */
export class DefaultQuotaResource {
  constructor(
    private readonly client: OneClient,
    /** `one.userquota` or `one.groupquota`. */
    readonly prefix: string,
  ) {}

  /** The DEFAULT_USER_QUOTAS / DEFAULT_GROUP_QUOTAS document. */
  async infoXml(): Promise<string> {
    return String(await this.client.call(`${this.prefix}.info`));
  }
  /** Sets the default limits from a quota template (admins); answers the new document. */
  async update(template: string): Promise<string> {
    return String(await this.client.call(`${this.prefix}.update`, template));
  }
}
wraps('one.userquota', 'info', 'update');
wraps('one.groupquota', 'info', 'update');

/** `one.system.*`: what oned is and how it is configured. */
export class SystemResource {
  constructor(private readonly client: OneClient) {}

  /** `one.system.version`: oned's version string. */
  async version(): Promise<string> {
    return String(await this.client.call('one.system.version'));
  }
  /** `one.system.config`: the OPENNEBULA_CONFIGURATION document (the DB password left out). */
  async configXml(): Promise<string> {
    return String(await this.client.call('one.system.config'));
  }
}
wraps('one.system', 'version', 'config');

/**
 * ACL rules (`one.acl.*`). Rules are written as OpenNebula's CLI writes them
 * (`@1 VM+NET/* CREATE [#0]`) and sent as the hex components oned takes.
 */
export class AclResource {
  constructor(private readonly client: OneClient) {}

  /**
   * Adds a rule from its text; without a zone it applies in oned's own zone, as OpenNebula's.
   * @throws RangeError with OpenNebula's message when the text is not a rule
   */
  async addRule(text: string): Promise<number> {
    let rule: AclRule;
    try {
      rule = AclRule.parse(text);
    } catch (err) {
      throw new RangeError(`Malformed ACL rule "${text.trim()}": ${(err as Error).message}`);
    }
    const args = [rule.user, rule.resource, rule.rights].map((c) => c.toString(16));
    // Only a zone written in the text is sent: oned fills in its own zone otherwise.
    if (text.trim().split(/\s+/).length === 4) args.push(rule.zone.toString(16));
    return (await this.client.call('one.acl.addrule', ...args)) as number;
  }

  async delRule(id: number): Promise<number> {
    return (await this.client.call('one.acl.delrule', id)) as number;
  }

  /** `one.acl.info`: the ACL_POOL document. */
  async listXml(): Promise<string> {
    return String(await this.client.call('one.acl.info'));
  }

  /** The rules (`get('STRING')` is the text, `get('USER')`... the hex components). */
  async list(): Promise<OneObject[]> {
    return parsePool(OneObject, 'ACL', await this.listXml());
  }
}
wraps('one.acl', 'addrule', 'delrule', 'info');
