/**
 * OCA, the client library of nebula-ts: every tool (CLI, scheduler, cloud servers, UI) and any
 * program of a site reaches oned through it.
 *
 *     const one = new Oca();                      // ONE_AUTH / ONE_XMLRPC, as OpenNebula's clients
 *     const id = await one.vms.allocate('CPU = 1\nMEMORY = 128');
 *     await one.vms.deploy(id, 0);
 *     console.log((await one.vms.info(id)).lcmState);
 *     one.close();
 */
import { OneClient, type OneClientOptions } from './client.js';
import { BackupJobResource } from './backup-jobs.js';
import { VmGroupResource } from './vm-groups.js';
import { MarketAppResource, MarketResource } from './marketplaces.js';
import { VirtualRouterResource } from './vrouters.js';
import { SecurityGroupResource } from './secgroups.js';
import { HookResource } from './hooks.js';
import { VdcResource } from './vdcs.js';
import { Datastore, Host, Image, OneObject, VirtualMachine, VirtualNetwork } from './objects.js';
import {
  AclResource,
  ClusterResource,
  DatastoreResource,
  DefaultQuotaResource,
  DocumentResource,
  GroupResource,
  HostResource,
  ImageResource,
  SystemResource,
  TemplateResource,
  UserResource,
  VmResource,
  VnetResource,
  VnTemplateResource,
  ZoneResource,
} from './resources.js';

export class Oca {
  readonly client: OneClient;
  readonly vms: VmResource;
  readonly hosts: HostResource;
  readonly clusters: ClusterResource;
  readonly templates: TemplateResource;
  readonly images: ImageResource;
  readonly datastores: DatastoreResource;
  readonly vnets: VnetResource;
  readonly users: UserResource;
  readonly groups: GroupResource;
  readonly acls: AclResource;
  readonly documents: DocumentResource;
  readonly backupJobs: BackupJobResource;
  readonly vmGroups: VmGroupResource;
  readonly vnTemplates: VnTemplateResource;
  readonly markets: MarketResource;
  readonly marketApps: MarketAppResource;
  readonly vrouters: VirtualRouterResource;
  readonly secGroups: SecurityGroupResource;
  readonly hooks: HookResource;
  readonly vdcs: VdcResource;
  readonly zones: ZoneResource;
  /** The default quotas of users (`one.userquota.*`). */
  readonly userQuotas: DefaultQuotaResource;
  /** The default quotas of groups (`one.groupquota.*`). */
  readonly groupQuotas: DefaultQuotaResource;
  readonly system: SystemResource;

  constructor(options: OneClientOptions | OneClient = {}) {
    const c = (this.client = options instanceof OneClient ? options : new OneClient(options));
    this.vms = new VmResource(c, 'one.vm', 'one.vmpool', 'VM', VirtualMachine);
    this.hosts = new HostResource(c, 'one.host', 'one.hostpool', 'HOST', Host);
    this.clusters = new ClusterResource(c, 'one.cluster', 'one.clusterpool', 'CLUSTER', OneObject);
    this.templates = new TemplateResource(c, 'one.template', 'one.templatepool', 'VMTEMPLATE', OneObject);
    this.images = new ImageResource(c, 'one.image', 'one.imagepool', 'IMAGE', Image);
    this.datastores = new DatastoreResource(c, 'one.datastore', 'one.datastorepool', 'DATASTORE', Datastore);
    this.vnets = new VnetResource(c, 'one.vn', 'one.vnpool', 'VNET', VirtualNetwork);
    this.users = new UserResource(c, 'one.user', 'one.userpool', 'USER', OneObject);
    this.groups = new GroupResource(c, 'one.group', 'one.grouppool', 'GROUP', OneObject);
    this.acls = new AclResource(c);
    this.documents = new DocumentResource(c, 'one.document', 'one.documentpool', 'DOCUMENT', OneObject);
    this.backupJobs = new BackupJobResource(c, 'one.backupjob', 'one.backupjobpool', 'BACKUPJOB', OneObject);
    this.vmGroups = new VmGroupResource(c, 'one.vmgroup', 'one.vmgrouppool', 'VM_GROUP', OneObject);
    this.vnTemplates = new VnTemplateResource(c, 'one.vntemplate', 'one.vntemplatepool', 'VNTEMPLATE', OneObject);
    this.markets = new MarketResource(c, 'one.market', 'one.marketpool', 'MARKETPLACE', OneObject);
    this.marketApps = new MarketAppResource(c, 'one.marketapp', 'one.marketapppool', 'MARKETPLACEAPP', OneObject);
    this.vrouters = new VirtualRouterResource(c, 'one.vrouter', 'one.vrouterpool', 'VROUTER', OneObject);
    this.secGroups = new SecurityGroupResource(c, 'one.secgroup', 'one.secgrouppool', 'SECURITY_GROUP', OneObject);
    this.hooks = new HookResource(c, 'one.hook', 'one.hookpool', 'HOOK', OneObject);
    this.vdcs = new VdcResource(c, 'one.vdc', 'one.vdcpool', 'VDC', OneObject);
    this.zones = new ZoneResource(c, 'one.zone', 'one.zonepool', 'ZONE', OneObject);
    this.userQuotas = new DefaultQuotaResource(c, 'one.userquota');
    this.groupQuotas = new DefaultQuotaResource(c, 'one.groupquota');
    this.system = new SystemResource(c);
  }

  close(): void {
    this.client.close();
  }
}

export { OneClient, type OneClientOptions } from './client.js';
export { CredentialsError, DEFAULT_ENDPOINT, endpointFromEnvironment, sessionFromEnvironment } from './credentials.js';
export { httpStatusOf, OneConnectionError, OneError, OneErrorCode, type OneErrorCodeName } from './errors.js';
export * from './objects.js';
export * from './resources.js';
export { historyActionName } from './history-action.js';
export * from './backup-jobs.js';
export * from './vm-groups.js';
export * from './marketplaces.js';
export * from './vrouters.js';
export * from './hooks.js';
export * from './vdcs.js';
export { ClientCache } from './client-cache.js';
export * from './states.js';
