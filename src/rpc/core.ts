/** What API methods reach of oned: its pools, managers and settings. */
import type { Database } from '../db/database.js';
import type { Logger } from '../common/log.js';
import type { ConfigReader } from '../common/config.js';
import type { UserPool } from '../user/index.js';
import type { GroupPool } from '../group/index.js';
import type { DocumentPool } from '../document/index.js';
import type { VmTemplatePool } from '../vmtemplate/index.js';
import type { HostPool } from '../host/index.js';
import type { ClusterPool } from '../cluster/index.js';
import type { DatastorePool } from '../datastore/index.js';
import type { ImageManager, ImagePool } from '../image/index.js';
import type { VirtualNetworkPool } from '../vnet/index.js';
import type { AclManager } from '../acl/index.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Quotas } from '../auth/quotas.js';
import type { HookCheckContext, HookLog, HookManager, HookPool } from '../hm/index.js';
import type { VirtualMachinePool, VmLogs, VmResources } from '../vm/index.js';
import type { DispatchManager } from '../dm/index.js';
import type { LifeCycleManager } from '../lcm/index.js';
import type { BackupManager } from '../backup/backup-manager.js';
import type { BackupJobPool } from '../backup/backup-job.js';
import type { VnTemplatePool } from '../vntemplate/index.js';
import type { PlanRunner } from '../cluster/plan-runner.js';
import type { VirtualRouterPool } from '../vrouter/virtual-router.js';
import type { SecurityGroupPool } from '../secgroup/security-group.js';
import type { SecurityGroupVms } from '../secgroup/sg-vms.js';
import type { SecurityGroupUpdater } from '../secgroup/sg-updater.js';
import type { BackupJobRunner } from '../backup/backup-job-runner.js';
import type { VmGroupPool } from '../vmgroup/vm-group.js';
import type { AttributePolicy } from '../common/attribute-policy.js';
import type { VirtualMachine } from '../vm/index.js';
import type { MarketplaceAppPool, MarketplacePool } from '../market/marketplace.js';
import type { MarketManager } from '../market/market-manager.js';
import type { MarketMadConf } from '../market/market-conf.js';
import type { VdcPool } from '../vdc/index.js';
import type { ZonePool } from '../zone/index.js';

export interface Core {
  readonly version: string;
  readonly config: ConfigReader;
  readonly db: Database;
  readonly log: Logger;
  readonly users: UserPool;
  readonly groups: GroupPool;
  readonly documents: DocumentPool;
  readonly templates: VmTemplatePool;
  readonly hosts: HostPool;
  readonly clusters: ClusterPool;
  readonly datastores: DatastorePool;
  readonly images: ImagePool;
  /** Has the datastore driver store, copy and remove images. */
  readonly imageManager: ImageManager;
  readonly vnets: VirtualNetworkPool;
  readonly acl: AclManager;
  readonly authz: Authorizer;
  /** NAMEs of the IM and VMM drivers oned.conf configures. */
  readonly driverNames: { readonly im: ReadonlySet<string>; readonly vmm: ReadonlySet<string> };
  /** Default quotas of users and groups (stored in system_attributes). */
  readonly defaultQuotas: { readonly user: Quotas; readonly group: Quotas };
  /** Runs VM_HOOK and HOST_HOOK commands on state changes. */
  readonly hooks: HookManager;
  readonly vms: VirtualMachinePool;
  /** Where VM DISKs and NICs are prepared and released (images and networks plug in here). */
  readonly vmResources: VmResources;
  readonly vmLogs: VmLogs;
  readonly dm: DispatchManager;
  readonly lcm: LifeCycleManager;
  /** VM backups (src/backup). */
  readonly backups?: BackupManager;
  readonly backupJobs: BackupJobPool;
  readonly vnTemplates: VnTemplatePool;
  /** Applies clusters' optimization plans; made when oned starts. */
  readonly planRunner?: PlanRunner;
  readonly vrouters: VirtualRouterPool;
  /** Security groups (src/secgroup), the VMs using them and the pushing of their rules to hosts. */
  readonly secGroups: SecurityGroupPool;
  readonly sgVms: SecurityGroupVms;
  readonly sgUpdater?: SecurityGroupUpdater;
  readonly backupJobRunner?: BackupJobRunner;
  readonly vmGroups: VmGroupPool;
  /** Hook objects (one.hook.*), their execution log and what checking their templates needs. */
  readonly hookPool: HookPool;
  readonly hookLog: HookLog;
  readonly hookCheck: HookCheckContext;
  /** oned.conf's *_RESTRICTED_ATTR and *_ENCRYPTED_ATTR lists, and the key encrypted values use. */
  readonly attributes: AttributePolicy;
  /** Runs scheduled actions; told when a VM's SCHED_ACTIONs change (absent in unit-test cores). */
  readonly schedActions?: { changed(vm: VirtualMachine): void; allocateId(): number };
  readonly markets: MarketplacePool;
  readonly marketApps: MarketplaceAppPool;
  /** Has the marketplace driver export, remove and monitor (absent in unit-test cores). */
  readonly marketManager?: MarketManager;
  /** MARKET_MAD_CONF by lower-case NAME, and the MARKET_MAD names marketplaces may use. */
  readonly marketConf: ReadonlyMap<string, MarketMadConf>;
  readonly marketDrivers: ReadonlySet<string>;
  /** VDCs (src/vdc): groups given resources of zones, through the ACL rules they generate. */
  readonly vdcs: VdcPool;
  /** The zones of the federation (federated; a slave forwards their writes). */
  readonly zones: ZonePool;
  /** This front-end's HA status (src/ha), for one.zone.raftstatus. */
  raftStatus?(): { readonly serverId: number; readonly state: number; readonly leaderId: number; readonly term: number };
}
