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
  /** `one.vmpool.infoset`: the VMs of these ids the session may see (`extended`: whole bodies, else the short form of listings). */
  async infoSet(ids: readonly number[], extended = false): Promise<VirtualMachine[]> {
    return this.parseList(await this.infoSetXml(ids, extended));
  }
  /** The VM_POOL document of `infoSet`, unparsed. */
  async infoSetXml(ids: readonly number[], extended = false): Promise<string> {
    return String(await this.client.call('one.vmpool.infoset', ids.join(','), extended));
  }
  /**
   * `one.vmpool.waitpending(mark, timeout)` (oneadmin group): resolves with oned's pending mark as
   * soon as it differs from `mark` (a VM became PENDING or was flagged for rescheduling since),
   * or after `timeoutSec` with the same mark. Pass -1 to learn the current mark at once.
   */
  async waitPending(mark: number, timeoutSec: number): Promise<number> {
    return Number(await this.client.call('one.vmpool.waitpending', mark, timeoutSec));
  }
  /** `one.vm.action`: terminate, poweroff, resume, hold, release, stop, suspend, reboot, resched... (and the `-hard` forms). */
  action(action: string, id: number): Promise<number> {
    return this.id('one.vm.action', action, id);
  }
  /** `one.vm.schedadd`: a SCHED_ACTION (`SCHED_ACTION = [ ACTION, TIME, REPEAT... ]`); returns its id. */
  schedAdd(id: number, template: string): Promise<number> {
    return this.id('one.vm.schedadd', id, template);
  }
  /** `one.vm.schedupdate`: changes the given attributes of scheduled action `schedId`. */
  schedUpdate(id: number, schedId: number, template: string): Promise<number> {
    return this.id('one.vm.schedupdate', id, schedId, template);
  }
  /** `one.vm.scheddelete`: removes scheduled action `schedId`. */
  schedDelete(id: number, schedId: number): Promise<number> {
    return this.id('one.vm.scheddelete', id, schedId);
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
  /** Adds security group `sgId` to NIC `nicId` (a running VM's host gets the rules at once). */
  attachSg(id: number, nicId: number, sgId: number): Promise<number> {
    return this.id('one.vm.attachsg', id, nicId, sgId);
  }
  detachSg(id: number, nicId: number, sgId: number): Promise<number> {
    return this.id('one.vm.detachsg', id, nicId, sgId);
  }
  detachNic(id: number, nicId: number): Promise<number> {
    return this.id('one.vm.detachnic', id, nicId);
  }
  /** `one.vm.resize(id, "CPU = .. VCPU = .. MEMORY = ..", enforce)`: cold, or hot on a RUNNING VM whose driver and template allow it. */
  resize(id: number, template: string, enforce = true): Promise<number> {
    return this.id('one.vm.resize', id, template, enforce);
  }
  /** `one.vm.updateconf(id, template, type)`: OS, FEATURES, INPUT, GRAPHICS, VIDEO, RAW, CPU_MODEL, BACKUP_CONFIG, CONTEXT; replaced or merged. */
  updateConf(id: number, template: string, mode: number = UpdateMode.REPLACE): Promise<number> {
    return this.id('one.vm.updateconf', id, template, mode);
  }
  /** `one.vm.snapshotcreate`: a system snapshot of a RUNNING VM ('' names it `snapshot-<id>`); returns its id. */
  snapshotCreate(id: number, name = ''): Promise<number> {
    return this.id('one.vm.snapshotcreate', id, name);
  }
  /** `one.vm.snapshotrevert`: back to system snapshot `snapId`. */
  snapshotRevert(id: number, snapId: number): Promise<number> {
    return this.id('one.vm.snapshotrevert', id, snapId);
  }
  /** `one.vm.snapshotdelete`: deletes system snapshot `snapId`. */
  snapshotDelete(id: number, snapId: number): Promise<number> {
    return this.id('one.vm.snapshotdelete', id, snapId);
  }
  /**
   * `one.vm.backup(id, backup_ds_id, reset)`: backs up a POWEROFF VM into a backup datastore
   * (-1: the one of its last backup); `reset` starts a new incremental chain.
   */
  backup(id: number, datastoreId = -1, reset = false): Promise<number> {
    return this.id('one.vm.backup', id, datastoreId, reset);
  }
  /** `one.vm.backupcancel`: stops the VM's running backup. */
  backupCancel(id: number): Promise<number> {
    return this.id('one.vm.backupcancel', id);
  }
  /** `one.vm.disksnapshotcreate`: a snapshot of disk `diskId` (POWEROFF, SUSPENDED, or RUNNING where the driver can); returns its id. */
  diskSnapshotCreate(id: number, diskId: number, name: string): Promise<number> {
    return this.id('one.vm.disksnapshotcreate', id, diskId, name);
  }
  /** `one.vm.disksnapshotrevert`: disk `diskId` back to snapshot `snapId` (POWEROFF or SUSPENDED). */
  diskSnapshotRevert(id: number, diskId: number, snapId: number): Promise<number> {
    return this.id('one.vm.disksnapshotrevert', id, diskId, snapId);
  }
  /** `one.vm.disksnapshotdelete`: deletes snapshot `snapId` of disk `diskId` (not the active one, nor one with children). */
  diskSnapshotDelete(id: number, diskId: number, snapId: number): Promise<number> {
    return this.id('one.vm.disksnapshotdelete', id, diskId, snapId);
  }
  /** `one.vm.disksnapshotrename`: renames snapshot `snapId` of disk `diskId`. */
  diskSnapshotRename(id: number, diskId: number, snapId: number, name: string): Promise<number> {
    return this.id('one.vm.disksnapshotrename', id, diskId, snapId, name);
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
  /**
   * `one.vmpool.showback(filter, firstMonth, firstYear, lastMonth, lastYear)`: SHOWBACK_RECORDS
   * XML of the months calculated (months 1..12; -1 leaves a bound open).
   */
  async showback(filter: number = PoolFilter.ALL, firstMonth = -1, firstYear = -1, lastMonth = -1, lastYear = -1): Promise<string> {
    return String(await this.client.call('one.vmpool.showback', filter, firstMonth, firstYear, lastMonth, lastYear));
  }
  /**
   * `one.vmpool.calculateshowback(firstMonth, firstYear, lastMonth, lastYear)`: computes and
   * stores the monthly cost of each VM from its history records (oneadmin group only). -1: from
   * the oldest record, up to now.
   */
  async calculateShowback(firstMonth = -1, firstYear = -1, lastMonth = -1, lastYear = -1): Promise<void> {
    await this.client.call('one.vmpool.calculateshowback', firstMonth, firstYear, lastMonth, lastYear);
  }
  /** `one.vm.savedisk` (3.x): a new image now, filled with the disk when the VM shuts down; answers its id. */
  savedisk(id: number, diskId: number, imageName: string, imageType = ''): Promise<number> {
    return this.id('one.vm.savedisk', id, diskId, imageName, imageType);
  }
  /** `one.vm.diskresize(id, disk_id, size_mb)`: grows a disk (RUNNING, POWEROFF, UNDEPLOYED). */
  diskResize(id: number, diskId: number, sizeMb: number): Promise<number> {
    return this.id('one.vm.diskresize', id, diskId, String(sizeMb));
  }
  /** `one.vm.disksaveas(id, disk_id, name, type, snap_id)`: a new image of the disk (type '' = its image's; snap -1 = as it is now); answers its id. */
  diskSaveas(id: number, diskId: number, imageName: string, imageType = '', snapId = -1): Promise<number> {
    return this.id('one.vm.disksaveas', id, diskId, imageName, imageType, snapId);
  }
  /** `one.vm.attachpci(id, "PCI = [ ... ]")`: a PCI passthrough device (POWEROFF, UNDEPLOYED). */
  attachPci(id: number, pciTemplate: string): Promise<number> {
    return this.id('one.vm.attachpci', id, pciTemplate);
  }
  /** `one.vm.detachpci(id, pci_id)`. */
  detachPci(id: number, pciId: number): Promise<number> {
    return this.id('one.vm.detachpci', id, pciId);
  }
  /** `one.vm.vmgroupadd(id, vmgroup_id, role)`: the VM joins a role of a VM group. */
  vmGroupAdd(id: number, vmGroupId: number, role: string): Promise<number> {
    return this.id('one.vm.vmgroupadd', id, vmGroupId, role);
  }
  /** `one.vm.vmgroupdel(id)`: the VM leaves its VM group. */
  vmGroupDel(id: number): Promise<number> {
    return this.id('one.vm.vmgroupdel', id);
  }
}
wraps('one.vm', ...OWNED.filter((m) => m !== 'delete'), 'allocate', 'action', 'deploy', 'migrate', 'recover', 'attach', 'detach', 'attachnic', 'detachnic', 'resize', 'updateconf', 'monitoring', 'schedadd', 'schedupdate', 'scheddelete', 'savedisk');
wraps('one.vm', 'snapshotcreate', 'snapshotrevert', 'snapshotdelete');
wraps('one.vm', 'backup', 'backupcancel');
wraps('one.vm', 'disksnapshotcreate', 'disksnapshotrevert', 'disksnapshotdelete', 'disksnapshotrename');
wraps('one.vm', 'diskresize', 'disksaveas', 'attachpci', 'detachpci');
wraps('one.vmpool', 'info', 'infoextended', 'infoset', 'accounting', 'monitoring', 'showback', 'calculateshowback', 'waitpending');

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
  /** `one.template.publish` (the 3.0 API): shares it with the group (and others where the caller may). */
  publish(id: number, publish = true): Promise<number> {
    return this.id('one.template.publish', id, publish);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<OneObject[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.template', ...OWNED, 'allocate', 'instantiate', 'clone', 'publish');
wraps('one.templatepool', 'info');

export class ImageResource extends OwnedResource<Image> {
  /**
   * `one.image.restore(id, ds_id, options)`: restores a backup image into image datastore
   * `datastoreId` (options: NAME, NO_IP, NO_NIC, INCREMENT_ID, DISK_ID as a template); the VM
   * template made (-1 with DISK_ID) and the images.
   */
  async restore(id: number, datastoreId: number, options = ''): Promise<{ templateId: number; imageIds: number[] }> {
    const [templateId = -1, ...imageIds] = String(await this.client.call('one.image.restore', id, datastoreId, options)).trim().split(/\s+/).map(Number);
    return { templateId, imageIds };
  }
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
  /** `one.image.snapshotdelete`: deletes snapshot `snapId` of an image not in use. */
  snapshotDelete(id: number, snapId: number): Promise<number> {
    return this.id('one.image.snapshotdelete', id, snapId);
  }
  /** `one.image.snapshotrevert`: the image back to snapshot `snapId`. */
  snapshotRevert(id: number, snapId: number): Promise<number> {
    return this.id('one.image.snapshotrevert', id, snapId);
  }
  /** `one.image.snapshotflatten`: the image takes snapshot `snapId`'s content and loses all its snapshots. */
  snapshotFlatten(id: number, snapId: number): Promise<number> {
    return this.id('one.image.snapshotflatten', id, snapId);
  }
  chtype(id: number, type: string): Promise<number> {
    return this.id('one.image.chtype', id, type);
  }
  /** `one.image.publish` (the 3.0 API): shares it with the group (and others where the caller may). */
  publish(id: number, publish = true): Promise<number> {
    return this.id('one.image.publish', id, publish);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<Image[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.image', ...OWNED, 'allocate', 'clone', 'enable', 'persistent', 'chtype', 'publish');
wraps('one.image', 'restore');
wraps('one.image', 'snapshotdelete', 'snapshotrevert', 'snapshotflatten');
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
  /** `one.vn.publish` (the 3.0 API): shares it with the group (and others where the caller may). */
  publish(id: number, publish = true): Promise<number> {
    return this.id('one.vn.publish', id, publish);
  }
  /** `one.vn.addleases` (3.x): one more address, `LEASES = [IP, MAC]`, of a FIXED network. */
  addLeases(id: number, leaseTemplate: string): Promise<number> {
    return this.id('one.vn.addleases', id, leaseTemplate);
  }
  /** `one.vn.rmleases` (3.x): removes an unused address of a FIXED network. */
  rmLeases(id: number, leaseTemplate: string): Promise<number> {
    return this.id('one.vn.rmleases', id, leaseTemplate);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<VirtualNetwork[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.vn', ...OWNED, 'allocate', 'add_ar', 'rm_ar', 'update_ar', 'free_ar', 'hold', 'release', 'reserve', 'recover', 'publish', 'addleases', 'rmleases');
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
  /** `one.cluster.optimize`: plans the migrations that balance the cluster (its PLAN, READY). */
  optimize(id: number): Promise<number> {
    return this.id('one.cluster.optimize', id);
  }
  /** `one.cluster.planexecute`: oned applies the cluster's plan. */
  planExecute(id: number): Promise<number> {
    return this.id('one.cluster.planexecute', id);
  }
  /** `one.cluster.plandelete`: drops the cluster's plan. */
  planDelete(id: number): Promise<number> {
    return this.id('one.cluster.plandelete', id);
  }
}
wraps('one.cluster', ...COMMON, 'rename', 'allocate', 'addhost', 'delhost', 'adddatastore', 'deldatastore', 'addvnet', 'delvnet');
wraps('one.cluster', 'optimize', 'planexecute', 'plandelete');
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

/** What the members of a group made with GroupResource.create may create, by default (OpenNebula's CLI default). */
export const GROUP_DEFAULT_RESOURCES = 'VM+IMAGE+TEMPLATE+DOCUMENT+SECGROUP+VMGROUP+BACKUPJOB';

export class GroupResource extends Resource<OneObject> {
  /** `one.group.info(id)`: -1 (the default) is the caller's group. */
  override info(id = -1, decrypt = false): Promise<OneObject> {
    return super.info(id, decrypt);
  }
  allocate(name: string): Promise<number> {
    return this.id('one.group.allocate', name);
  }
  /**
   * Creates a group as OpenNebula's `onegroup create` does: allocates it, then adds the rule
   * `@id RESOURCES/* CREATE *` so that its members may create those objects (oned itself only
   * gives a new group the hosts, networks and datastores of the default VDC). If the rule cannot
   * be added the group is deleted again and the error thrown.
   * @throws RangeError when `resources` is not a list of object types, before anything is made
   */
  async create(name: string, resources = GROUP_DEFAULT_RESOURCES): Promise<number> {
    const ruleFor = (gid: number) => `@${gid} ${resources}/* CREATE *`;
    try {
      AclRule.parse(ruleFor(0));
    } catch (err) {
      throw new RangeError(`Invalid resources "${resources}": ${(err as Error).message}`);
    }
    const id = await this.allocate(name);
    try {
      await new AclResource(this.client).addRule(ruleFor(id));
    } catch (err) {
      await this.client.call('one.group.delete', id).catch(() => undefined);
      throw err;
    }
    return id;
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
  /**
   * `one.group.vlan(id, template)`: replaces the group's VLAN rules with the template's
   * RULE = [ SCOPE = "GROUP" | "USER", VNTEMPLATE = id ] vectors (none: clears them) and makes
   * the networks they call for.
   */
  vlan(id: number, template: string): Promise<number> {
    return this.id('one.group.vlan', id, template);
  }
}
wraps('one.group', ...COMMON, 'allocate', 'quota', 'addadmin', 'deladmin');
wraps('one.group', 'vlan');
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
// Backup jobs: BackupJobResource (backup-jobs.ts).

/** Virtual network templates (`one.vntemplate.*`): network descriptions networks are made from. */
export class VnTemplateResource extends OwnedResource<OneObject> {
  allocate(template: string): Promise<number> {
    return this.id('one.vntemplate.allocate', template);
  }
  clone(id: number, name: string): Promise<number> {
    return this.id('one.vntemplate.clone', id, name);
  }
  /** A network from the template merged with `extraTemplate` (ARs...); the new network's id. */
  instantiate(id: number, name = '', extraTemplate = ''): Promise<number> {
    return this.id('one.vntemplate.instantiate', id, name, extraTemplate);
  }
  override list(filter: number = PoolFilter.ALL, start = -1, end = -1): Promise<OneObject[]> {
    return this.listWith(filter, start, end);
  }
}
wraps('one.vntemplate', ...OWNED, 'allocate', 'clone', 'instantiate');
wraps('one.vntemplatepool', 'info');
// Security groups: SecurityGroupResource (secgroups.ts).
wraps('one.secgroup', ...COMMON, 'chmod', 'chown', 'rename', 'allocate', 'clone', 'commit');
wraps('one.secgrouppool', 'info');
wraps('one.vm', 'attachsg', 'detachsg');
wraps('one.backupjob', ...OWNED, 'allocate', 'backup', 'cancel', 'retry', 'priority', 'schedadd', 'schedupdate', 'scheddelete');
wraps('one.backupjobpool', 'info');
// VM groups: VmGroupResource (vm-groups.ts).
wraps('one.vmgroup', ...OWNED, 'allocate', 'roleadd', 'roledelete', 'roleupdate');
wraps('one.vmgrouppool', 'info');
wraps('one.vm', 'vmgroupadd', 'vmgroupdel');
// Marketplaces and apps: MarketResource, MarketAppResource (marketplaces.ts).
wraps('one.market', ...COMMON, 'chmod', 'chown', 'rename', 'allocate', 'enable');
wraps('one.marketpool', 'info');
wraps('one.marketapp', ...OWNED, 'allocate', 'enable');
wraps('one.marketapppool', 'info');
// Virtual routers: VirtualRouterResource (vrouters.ts).
wraps('one.vrouter', ...OWNED, 'allocate', 'instantiate', 'attachnic', 'detachnic');
wraps('one.vrouterpool', 'info');
// VDCs: VdcResource (vdcs.ts).
wraps('one.vdc', ...COMMON, 'allocate', 'rename', 'addgroup', 'delgroup');
wraps('one.vdc', ...['cluster', 'host', 'datastore', 'vnet'].flatMap((k) => [`add${k}`, `del${k}`]));
wraps('one.vdcpool', 'info');

// Hooks: HookResource (hooks.ts).
wraps('one.hook', ...COMMON, 'allocate', 'rename', 'lock', 'unlock', 'retry');
wraps('one.hookpool', 'info');
wraps('one.hooklog', 'info');

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

/** The zones of the federation (`one.zone.*`, `one.zonepool.info`). */
export class ZoneResource extends NamedResource<OneObject> {
  /** A zone from a template: NAME and ENDPOINT (its oned's XML-RPC endpoint). */
  allocate(template: string): Promise<number> {
    return this.id('one.zone.allocate', template);
  }
  enable(id: number, enable = true): Promise<number> {
    return this.id('one.zone.enable', id, enable);
  }
  /** Adds a server to the zone's server pool; `endpoint` is its XML-RPC endpoint. */
  addServer(id: number, name: string, endpoint: string): Promise<number> {
    return this.id('one.zone.addserver', id, `SERVER = [ NAME = ${JSON.stringify(name)}, ENDPOINT = ${JSON.stringify(endpoint)} ]`);
  }
  delServer(id: number, serverId: number): Promise<number> {
    return this.id('one.zone.delserver', id, serverId);
  }
  resetServer(id: number, serverId: number): Promise<number> {
    return this.id('one.zone.resetserver', id, serverId);
  }
  /** `one.zone.raftstatus`: the `<RAFT>` document of the oned called. */
  async raftStatusXml(): Promise<string> {
    return String(await this.client.call('one.zone.raftstatus'));
  }
}
wraps('one.zone', ...COMMON, 'rename', 'allocate', 'enable', 'addserver', 'delserver', 'resetserver', 'raftstatus');
wraps('one.zonepool', 'info');

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
