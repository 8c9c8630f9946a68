/**
 * oned's core, assembled: configuration, database, pools, ACL engine, authorization and the
 * Request Manager's XML-RPC server. `start()` brings it up (bootstrapping a fresh database),
 * `stop()` takes it down cleanly.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigReader, loadConfig } from '../common/config.js';
import { Logger, LogLevel, type LogLevelValue } from '../common/log.js';
import { parseXmlTree } from '../common/xml-tree.js';
import { openDatabase, describeConfig } from '../db/index.js';
import type { Backend, Database, DbConfig } from '../db/database.js';
import { AclManager } from '../acl/index.js';
import { LoginThrottle, throttleConfig } from '../auth/login-throttle.js';
import { clientTrustEnv, xmlrpcTls, type XmlRpcTls } from './xmlrpc-tls.js';
import { Authenticator } from '../auth/authenticator.js';
import { ExternalAuth } from '../auth/external-auth.js';
import { Authorizer } from '../auth/authorizer.js';
import { Quotas } from '../auth/quotas.js';
import { checkQuotas, describeDifference } from '../auth/quota-check.js';
import { quotaConsumers } from './quota-consumers.js';
import { DEFAULT_SCRYPT_COST } from '../auth/password.js';
import { UserPool } from '../user/index.js';
import { GroupPool } from '../group/index.js';
import { DocumentPool } from '../document/index.js';
import { VmTemplatePool } from '../vmtemplate/index.js';
import { ClusterPool, DEFAULT_CLUSTER_ID } from '../cluster/index.js';
import { HostPool, HostState, type Host } from '../host/index.js';
import { DEFAULT_DATASTORE_DIR, DatastorePool, driverConf, storageDrivers } from '../datastore/index.js';
import { AttributePolicy } from '../common/attribute-policy.js';
import { SecretBox } from '../common/secret-box.js';
import { BackupManager } from '../backup/backup-manager.js';
import { BackupJobPool } from '../backup/backup-job.js';
import { VnTemplatePool } from '../vntemplate/index.js';
import { PlanRunner } from '../cluster/plan-runner.js';
import { VirtualRouterPool } from '../vrouter/virtual-router.js';
import { SecurityGroupPool } from '../secgroup/security-group.js';
import { VdcPool } from '../vdc/index.js';
import { SecurityGroupVms } from '../secgroup/sg-vms.js';
import { SecurityGroupUpdater } from '../secgroup/sg-updater.js';
import { BackupJobRunner } from '../backup/backup-job-runner.js';
import { VmGroupPool } from '../vmgroup/vm-group.js';
import { leave as leaveVmGroup } from '../vmgroup/membership.js';
import { Transaction, type Pool, type PoolObject } from '../pool/index.js';
import { DEFAULT_MAC_PREFIX, VirtualNetworkPool, vlanIdsConfig } from '../vnet/index.js';
import { AR_TABLE, LEASE_TABLE } from '../vnet/lease-table.js';
import { ALL_METHODS, RequestManager, type Core } from '../rpc/index.js';
import { XmlRpcServer, type XmlRpcValue } from '../rpc/xmlrpc/index.js';
import { bootstrap, createDefaultCluster, ensureDefaultSecurityGroup, ensureDefaultVdc, ensureEc2Secrets, ensureServerAdmin, oneadminCredentials, SERVER_AUTH_FILES } from './bootstrap.js';
import { configuredDrivers, driverNames, singleDriver, startDrivers } from './drivers.js';
import { SchedulerProcess } from './scheduler-process.js';
import { HookLog, HookManager, HookPool, hooksFromConfig, type HookCheckContext } from '../hm/index.js';
import { ImageState } from '../image/image.js';
import { VnetState } from '../vnet/virtual-network.js';
import { InformationManager } from '../im/index.js';
import { ImageManager, ImagePool } from '../image/index.js';
import { imageSnapshotsBack } from '../image/image-snapshots.js';
import type { Driver } from '../mad/index.js';
import { PACKAGE_ROOT, type Location } from './location.js';
import { DEFAULT_CONTEXT_DIRS, dirList, LcmState, VirtualMachinePool, datastoreDiskAttributes, VmLogs, VmResources, VmState } from '../vm/index.js';
import { DispatchManager } from '../dm/index.js';
import { SchedActionManager } from '../sa/index.js';
import { LifeCycleManager } from '../lcm/index.js';
import { VirtualMachineManager, VmPoller, deploymentFormats } from '../vmm/index.js';
import { TransferManager } from '../tm/index.js';
import { MarketplaceAppPool, MarketplacePool } from '../market/marketplace.js';
import { MarketManager } from '../market/market-manager.js';
import { marketDrivers, marketMadConf, type MarketMadConf } from '../market/market-conf.js';
import { createDefaultMarkets } from '../market/default-markets.js';
import { ZonePool } from '../zone/index.js';
import { Federation, federationConfig, reloadPool, type TableReload } from '../zone/federation/index.js';
import { HaFrontEnd, haConfig, RaftState, type HaConfig, type RaftStatus } from '../ha/index.js';
import { defaultRemotesDir } from '../mad/index.js';
import type { MeteredDatabase } from '../db/index.js';

/** The OpenNebula API version oned answers to `one.system.version`. */
export const API_VERSION = '6.10.0';

const BACKENDS: readonly Backend[] = ['sqlite', 'postgresql', 'mysql'];

/** The DB settings of oned.conf, as the database layer takes them. */
export function dbConfig(config: ConfigReader, loc: Location): DbConfig {
  const db = config.vector('DB');
  const backend = (db.get('BACKEND') ?? 'sqlite').toLowerCase();
  if (!BACKENDS.includes(backend as Backend)) {
    throw new Error(`DB BACKEND "${backend}" is not supported: use sqlite, postgresql or mysql`);
  }
  const int = (k: string, d: number) => {
    const v = db.get(k);
    const n = v === undefined || v === '' ? d : Number(v);
    if (!Number.isInteger(n)) throw new Error(`DB ${k} must be an integer, got "${v}"`);
    return n;
  };
  return {
    backend: backend as Backend,
    file: loc.sqliteFile,
    server: db.get('SERVER') || 'localhost',
    port: int('PORT', 0) || undefined,
    user: db.get('USER') ?? 'oneadmin',
    passwd: db.get('PASSWD') ?? '',
    dbName: db.get('DB_NAME') || 'opennebula',
    connections: int('CONNECTIONS', 25),
    timeout: int('TIMEOUT', 2500),
    targetSessionAttrs: db.get('TARGET_SESSION_ATTRS') || undefined,
    outageTimeout: int('OUTAGE_TIMEOUT', 30),
  };
}

export interface StartedOned {
  /** `http://host:port/RPC2`. */
  readonly endpoint: string;
  /** Where oneadmin's credentials are, when this start created oneadmin (else null). */
  readonly credentialsFile: string | null;
}

export class Nebula implements Core {
  readonly version = API_VERSION;
  readonly config: ConfigReader;
  /** XMLRPC_TLS: the endpoint serves https. */
  private readonly tls: XmlRpcTls | undefined;
  readonly log: Logger;
  readonly users = new UserPool();
  readonly groups = new GroupPool();
  readonly documents = new DocumentPool();
  readonly backupJobs = new BackupJobPool();
  readonly vmGroups = new VmGroupPool();
  readonly vnTemplates = new VnTemplatePool();
  /** Applies clusters' optimization plans (src/cluster); made when oned starts. */
  planRunner?: PlanRunner;
  readonly markets = new MarketplacePool();
  readonly marketApps = new MarketplaceAppPool();
  readonly zones = new ZonePool();
  /** FEDERATION of oned.conf: standalone, master or slave zone (src/zone/federation). */
  readonly federation: Federation;
  /** Set by start(): open() then sets up federation before the pools load (onedb leaves it alone). */
  private federating = false;
  readonly marketConf: ReadonlyMap<string, MarketMadConf>;
  readonly marketDrivers: ReadonlySet<string>;
  private marketDriver: Driver | undefined;
  /** Has the marketplace driver export, remove and monitor (src/market); made when oned starts. */
  marketManager?: MarketManager;
  readonly vrouters = new VirtualRouterPool();
  readonly secGroups = new SecurityGroupPool();
  /** VDCs (src/vdc). */
  readonly vdcs = new VdcPool();
  readonly sgVms: SecurityGroupVms;
  /** Pushes security group rules to the hosts; made when oned starts. */
  sgUpdater?: SecurityGroupUpdater;
  /** Hook objects (one.hook.*); CALLs are checked against the methods served (set at start). */
  readonly hookPool = new HookPool();
  private hookLogValue: HookLog | undefined;
  private methodNames: ReadonlySet<string> = new Set();
  readonly hookCheck: HookCheckContext = {
    methodExists: (name) => this.methodNames.has(name),
    states: { vm: Object.keys(VmState), lcm: Object.keys(LcmState), host: Object.keys(HostState), image: Object.keys(ImageState), net: Object.keys(VnetState) },
  };
  /** Runs the backup jobs (src/backup); made when oned starts. */
  backupJobRunner?: BackupJobRunner;
  readonly templates = new VmTemplatePool();
  readonly clusters = new ClusterPool();
  readonly hosts = new HostPool(this.clusters);
  readonly datastores: DatastorePool;
  readonly images: ImagePool;
  readonly vnets: VirtualNetworkPool;
  readonly defaultQuotas: { user: Quotas; group: Quotas } = { user: new Quotas(), group: new Quotas() };
  readonly vms = new VirtualMachinePool();
  readonly vmResources: VmResources;
  readonly vmLogs: VmLogs;
  private vmmDrivers = new Map<string, Driver>();
  private tmDriver: Driver | undefined;
  private lifeCycle: LifeCycleManager | undefined;
  private dispatcher: DispatchManager | undefined;
  private schedActionManager: SchedActionManager | undefined;
  private poller: VmPoller | undefined;
  private database: MeteredDatabase | undefined;
  /** Front-end HA (FEDERATION SERVER_ID >= 0, src/ha); SERVER_ID -1 is a lone front-end. */
  readonly haConf: HaConfig;
  private frontEnd: HaFrontEnd | undefined;
  /**
   * What this oned does when, leading, it lost the leader lock: it is fenced already (no write
   * commits); main.ts stops the process so that it starts again as a follower.
   */
  onFenced: (reason: string) => void = (reason) => this.log.error('RCM', `Lost the lead (${reason}): every write is refused from now on; restart oned`);
  private aclManager: AclManager | undefined;
  private authorizer: Authorizer | undefined;
  private server: XmlRpcServer | undefined;
  private imDrivers = new Map<string, Driver>();
  private im: InformationManager | undefined;
  private hmDriver: Driver | undefined;
  private scheduler: SchedulerProcess | undefined;
  private hookManager: HookManager | undefined;
  private authDriver: Driver | undefined;
  private dsDriver: Driver | undefined;
  private imageManagerValue: ImageManager | undefined;
  readonly attributes: AttributePolicy;
  /** VM backups (src/backup); made when oned starts. */
  backups?: BackupManager;
  /** NAMEs of the configured drivers, which allocate calls must name. */
  readonly driverNames: { readonly im: ReadonlySet<string>; readonly vmm: ReadonlySet<string> };

  constructor(readonly location: Location) {
    mkdirSync(location.varDir, { recursive: true });
    this.config = new ConfigReader(loadConfig(location.defaultConf, location.onedConf));
    this.tls = xmlrpcTls(this.config, location);
    const level = this.config.vector('LOG').get('DEBUG_LEVEL') ?? '3';
    this.log = Logger.toFile(location.log, Math.min(5, Math.max(0, Number(level) || 0)) as LogLevelValue);
    // TM_MAD_CONF / DS_MAD_CONF, read before the pools that take their defaults from them.
    this.datastores = new DatastorePool({
      location: this.config.string('DATASTORE_LOCATION', '') || join(location.root, DEFAULT_DATASTORE_DIR),
      drivers: storageDrivers(this.config),
      conf: driverConf(this.config.template),
    });
    this.images = new ImagePool({
      datastores: this.datastores,
      userId: (uname) => this.users.getByName(uname)?.oid,
      devPrefix: this.config.string('DEFAULT_DEVICE_PREFIX', 'hd'),
      cdromDevPrefix: this.config.string('DEFAULT_CDROM_DEVICE_PREFIX', 'hd'),
    });
    this.vnets = new VirtualNetworkPool({
      macPrefix: this.config.string('MAC_PREFIX', DEFAULT_MAC_PREFIX),
      uidOf: (uname) => this.users.getByName(uname)?.oid,
      vlanIds: vlanIdsConfig(this.config.vector('VLAN_IDS'), this.config.vector('VXLAN_IDS')),
    });
    const tmConf = driverConf(this.config.template).tm;
    this.vmResources = new VmResources(this.images, this.vnets, {
      devPrefix: this.config.string('DEFAULT_DEVICE_PREFIX', 'hd'),
      contextDevPrefix: this.config.string('DEFAULT_CDROM_DEVICE_PREFIX', 'hd'),
      datastoreDiskAttributes: (dsId) => {
        const ds = this.datastores.get(dsId);
        return ds && datastoreDiskAttributes(ds.template, ds.fields.tmMad, tmConf);
      },
      imageState: (imageId) => this.images.get(imageId)?.state,
      securityGroups: (this.sgVms = new SecurityGroupVms(this.secGroups, this.vnets)),
    });
    this.marketConf = marketMadConf(this.config.template);
    this.marketDrivers = marketDrivers(this.config, this.marketConf);
    this.driverNames = { im: driverNames(this.config, 'IM_MAD'), vmm: driverNames(this.config, 'VM_MAD') };
    this.vmLogs = new VmLogs(join(location.varDir, 'vms'), this.log);
    this.federation = new Federation(federationConfig(this.config), this.log);
    this.registerFederatedTables();
    this.haConf = haConfig(this.config, join(defaultRemotesDir(), 'hooks'));
    // The key of encrypted attributes lives beside oneadmin's credentials, never in the database.
    this.attributes = new AttributePolicy(this.config, SecretBox.loadOrCreate(join(dirname(location.oneAuthFile), 'one_key')));
  }

  /** one.zone.raftstatus: this server's part in the zone's HA (SOLO without it). */
  raftStatus(): RaftStatus {
    return this.frontEnd?.status() ?? { serverId: this.haConf.serverId, state: RaftState.SOLO, leaderId: -1, term: 0 };
  }

  get lcm(): LifeCycleManager {
    if (!this.lifeCycle) throw new Error('oned is not started');
    return this.lifeCycle;
  }
  get schedActions(): SchedActionManager | undefined {
    return this.schedActionManager;
  }

  get dm(): DispatchManager {
    if (!this.dispatcher) throw new Error('oned is not started');
    return this.dispatcher;
  }

  get db(): Database {
    if (!this.database) throw new Error('oned is not started');
    return this.database;
  }
  get acl(): AclManager {
    if (!this.aclManager) throw new Error('oned is not started');
    return this.aclManager;
  }
  get hooks(): HookManager {
    if (!this.hookManager) throw new Error('oned is not started');
    return this.hookManager;
  }
  get hookLog(): HookLog {
    if (!this.hookLogValue) throw new Error('oned is not open');
    return this.hookLogValue;
  }
  get imageManager(): ImageManager {
    if (!this.imageManagerValue) throw new Error('oned is not started');
    return this.imageManagerValue;
  }
  get authz(): Authorizer {
    if (!this.authorizer) throw new Error('oned is not started');
    return this.authorizer;
  }

  /** Opens (and migrates) the database and loads every pool: all `onedb` needs. */
  async open(): Promise<void> {
    const dbConf = dbConfig(this.config, this.location);
    this.log.info('ONE', `Database: ${describeConfig(dbConf)}`);
    this.database = await openDatabase(dbConf, {
      info: (m) => this.log.info('DBM', m),
      warn: (m) => this.log.warn('DBM', m),
      error: (m) => this.log.error('DBM', m),
    });
    await this.database.migrate();
    if (this.federating) await this.federation.prepare(dbConf);
    // A slave's federated rows are the master's (onedb too leaves them alone): memory may change
    // (quota usage), those rows are not written.
    if (this.federation.isSlave) for (const pool of this.federatedPools()) pool.replica = true;

    await this.users.load(this.database);
    await this.groups.load(this.database);
    await this.documents.load(this.database);
    await this.templates.load(this.database);
    await this.clusters.load(this.database);
    await this.hosts.load(this.database);
    await this.datastores.load(this.database);
    await this.images.load(this.database);
    await this.vnets.load(this.database);
    await this.vms.load(this.database);
    await this.backupJobs.load(this.database);
    await this.vmGroups.load(this.database);
    await this.vnTemplates.load(this.database);
    await this.markets.load(this.database);
    await this.marketApps.load(this.database);
    await this.zones.load(this.database);
    await this.vrouters.load(this.database);
    await this.secGroups.load(this.database);
    this.sgVms.learn(this.vms.all(), VmState.DONE);
    await this.hookPool.load(this.database);
    await this.vdcs.load(this.database);
    const retention = Number(this.config.vector('HOOK_LOG_CONF').get('LOG_RETENTION') ?? 20);
    this.hookLogValue = new HookLog(this.database, Number.isInteger(retention) && retention > 0 ? retention : 20);
    await this.hookLogValue.load((id) => this.hookPool.get(id) !== undefined);
    await this.loadDefaultQuotas();
  }

  /**
   * Compares every quota counter with what the objects add up to (see quota-consumers.ts); with
   * `fix`, sets the wrong ones right. Returns the differences found, described.
   */
  async checkQuotas(fix: boolean): Promise<string[]> {
    const tx = fix ? new Transaction(this.db) : undefined;
    const diffs = checkQuotas(this, quotaConsumers(this), tx);
    await tx?.commit();
    return diffs.map(describeDifference);
  }

  async start(): Promise<StartedOned> {
    const log = this.log;
    log.info('ONE', `Starting oned (nebula-ts, API ${API_VERSION}), location ${this.location.root}`);
    this.federating = true;
    await this.open();
    this.aclManager = await AclManager.load(this.db, { zoneId: this.federation.zoneId });
    this.aclManager.replica = this.federation.isSlave;
    this.authorizer = new Authorizer(this.aclManager);
    if (this.haConf.serverId < 0) {
      const credentialsFile = await this.lead();
      const served = await this.serve();
      await this.startZone(served.local);
      this.startScheduler(served.local);
      return { endpoint: served.endpoint, credentialsFile };
    }
    const dbConf = dbConfig(this.config, this.location);
    if (dbConf.backend !== 'postgresql') {
      throw new Error(`FEDERATION SERVER_ID = ${this.haConf.serverId} (front-end HA) needs DB BACKEND = "postgresql" (this oned has "${dbConf.backend}"): the leader is elected by a PostgreSQL advisory lock (docs/ha.md)`);
    }
    let local = '';
    this.frontEnd = new HaFrontEnd({
      config: this.haConf,
      dbConfig: dbConf,
      database: this.database!,
      log,
      tables: this.followedTables(),
      endpoint: () => this.zones.get(this.federation.zoneId)?.servers.find((s) => s.id === this.haConf.serverId)?.endpoint ?? local,
      promote: async () => {
        const t0 = Date.now();
        await this.syncFromDatabase();
        const t1 = Date.now();
        await this.lead();
        await this.startZone(local);
        this.startScheduler(local);
        log.info('RCM', `Promoted: state loaded from the database in ${t1 - t0} ms, managers and drivers started in ${Date.now() - t1} ms`);
      },
      lost: (reason) => this.onFenced(reason),
    });
    const served = await this.serve();
    local = served.local;
    await this.frontEnd.start();
    log.info('ONE', `Front-end HA: server ${this.haConf.serverId}, ${this.frontEnd.isLeader ? 'the leader' : 'a follower (writes go to the leader)'}`);
    return { endpoint: served.endpoint, credentialsFile: null };
  }

  /** Every pool table a follower keeps in memory from the leader's writes, with how it reloads them. */
  private followedTables(): Map<string, TableReload> {
    const tables = new Map<string, TableReload>();
    for (const pool of this.allPools()) tables.set(pool.options.table, (oid) => reloadPool(pool, this.db, oid));
    tables.set('acl', () => this.acl.resync());
    // Users' and groups' quotas (counters and limits) have rows of their own.
    for (const pool of [this.users, this.groups]) tables.set(pool.quotaTable, (oid) => reloadPool(pool as unknown as Pool<PoolObject>, this.db, oid));
    // So have networks' leases and address ranges (a lease taken changes no network_pool row).
    for (const table of [LEASE_TABLE, AR_TABLE]) tables.set(table, (oid) => reloadPool(this.vnets as unknown as Pool<PoolObject>, this.db, oid));
    return tables;
  }

  private allPools(): Pool<PoolObject>[] {
    return [
      this.users, this.groups, this.documents, this.templates, this.clusters, this.hosts, this.datastores, this.images, this.vnets, this.vms,
      this.backupJobs, this.vmGroups, this.vnTemplates, this.markets, this.marketApps, this.zones, this.vrouters, this.secGroups, this.hookPool, this.vdcs,
    ] as unknown as Pool<PoolObject>[];
  }

  /** A new leader's memory: every object as the database has it now (the former leader's last writes included). */
  private async syncFromDatabase(): Promise<void> {
    const took: string[] = [];
    const timed = async (what: string, load: () => Promise<void>) => {
      const t = Date.now();
      await load();
      if (Date.now() - t >= 100) took.push(`${what} ${Date.now() - t} ms`);
    };
    for (const pool of this.allPools()) await timed(pool.options.table, () => reloadPool(pool, this.db, null));
    this.sgVms.learn(this.vms.all(), VmState.DONE);
    await timed('acl', () => this.acl.resync());
    await this.loadDefaultQuotas();
    if (took.length) this.log.info('RCM', `State loaded; slowest: ${took.join(', ')}`);
  }

  /**
   * What only the leader (or a lone front-end) does: mends quota counters, bootstraps or completes
   * the database, and starts the managers and drivers, re-driving the VMs left in transient states.
   * Returns where oneadmin's credentials are when it bootstrapped the database.
   */
  private async lead(): Promise<string | null> {
    const log = this.log;
    // Counters can only drift through a bug or a hand-edited database: say so, and mend them.
    for (const d of await this.checkQuotas(true)) log.warn('ONE', `Quota counter fixed: ${d}`);
    let credentialsFile: string | null = null;
    // No oneadmin means a fresh database (or a first start that died half-way): bootstrap.
    if (!this.users.get(0)) {
      const creds = oneadminCredentials(this.location);
      await bootstrap(this.db, this, this.acl, creds, this.config.int('PASSWORD_SCRYPT_COST', DEFAULT_SCRYPT_COST), this.location);
      credentialsFile = creds.file;
      log.info('ONE', `Bootstrapped a new database; oneadmin's credentials are in ${creds.file}`);
      log.info('ONE', `serveradmin's credentials are in ${SERVER_AUTH_FILES.join(', ')} in ${dirname(this.location.oneAuthFile)}`);
    } else {
      if (!this.clusters.get(DEFAULT_CLUSTER_ID)) {
        const tx = new Transaction(this.db);
        createDefaultCluster(tx, this.clusters);
        await tx.commit();
        log.info('ONE', 'Created the default cluster (0), which this database did not have yet');
      }
      const serverAdminId = await ensureServerAdmin(this.db, this, this.location);
      if (serverAdminId !== null) {
        const where = `${SERVER_AUTH_FILES.join(', ')} in ${dirname(this.location.oneAuthFile)}`;
        if (serverAdminId === 1) log.info('ONE', `Created user serveradmin (1), which this database did not have yet; its credentials are in ${where}`);
        else log.warn('ONE', `Created user serveradmin, which this database did not have yet, with id ${serverAdminId}: id 1 was given to another user before; its credentials are in ${where}`);
      }
    }
    // Every user has an EC2 secret key, encrypted: the bootstrapped accounts, and users made before
    // the EC2 API existed.
    // A slave's users are the master's, keys included.
    const ec2Keys = this.federation.isSlave ? 0 : await ensureEc2Secrets(this.db, this.users, this.attributes);
    if (ec2Keys > 0) log.info('ONE', `Gave ${ec2Keys} user(s) an EC2 secret key (EC2_SECRET_KEY), which they did not have yet`);
    // VDC 0 at the first start, and in databases made before VDCs existed (a slave has the master's).
    if (!this.federation.isSlave && await ensureDefaultVdc(this.db, this.vdcs, this.groups, this.acl, this.config)) log.info('ONE', 'Created the default VDC (0)');
    // Group 0 at the first start, and in databases made before security groups existed.
    if (await ensureDefaultSecurityGroup(this.db, this.secGroups)) log.info('ONE', 'Created the default security group (0)');
    if (this.datastores.lastId < 0) {
      const tx = new Transaction(this.db);
      this.datastores.createDefaults(tx, this.clusters);
      await tx.commit();
      log.info('ONE', 'Created the default datastores (0-2), which this database did not have yet');
    }

    if (this.markets.lastId < 0) {
      const tx = new Transaction(this.db);
      createDefaultMarkets(tx, this.markets);
      await tx.commit();
    }

    // Read first: a bad TYPE or DEFAULT file stops oned before any driver starts.
    const formats = deploymentFormats(this.config, [join(this.location.root, 'etc'), join(PACKAGE_ROOT, 'share', 'etc')]);
    // The driver processes start together (each takes a while to come up): a new HA leader serves sooner.
    this.dsDriver = singleDriver(this.config, 'DATASTORE_MAD', log, this.location.root);
    this.marketDriver = singleDriver(this.config, 'MARKET_MAD', log, this.location.root);
    // VM_MAD and IM_MAD drivers no host uses start on their first request (a host created with them).
    const vmmOnDemand = this.unusedDrivers((h) => h.vmMad);
    this.vmmDrivers = configuredDrivers(this.config, 'VM_MAD', log, this.location.root, this.apiClientEnv(), vmmOnDemand);
    this.tmDriver = singleDriver(this.config, 'TM_MAD', log, this.location.root);
    const [, vmm] = await Promise.all([this.startHooks(), startDrivers(this.vmmDrivers.values(), vmmOnDemand)]);
    log.info('VMM', `VMM drivers started: ${vmm.started.join(', ') || 'none'}${vmm.later.length ? `; on first use: ${vmm.later.join(', ')}` : ''}; TM driver: ${this.tmDriver ? 'on first use' : 'none'}`);
    this.backups = new BackupManager({
      images: this.images,
      datastores: this.datastores,
      log,
      imageManager: () => this.imageManagerValue,
      attributes: this.attributes,
      onFinished: (vid, ok) => this.backupJobRunner?.finished(vid, ok),
    });
    this.lifeCycle = new LifeCycleManager({
      vms: this.vms,
      hosts: this.hosts,
      datastores: this.datastores,
      db: this.db,
      log,
      logs: this.vmLogs,
      vmm: new VirtualMachineManager({
        drivers: this.vmmDrivers,
        formats,
        logs: this.vmLogs,
      }),
      tm: new TransferManager({ driver: this.tmDriver, logs: this.vmLogs }),
      payers: this,
      resources: this.vmResources,
      hooks: this.hooks,
      contextDirs: {
        restricted: dirList(this.config.string('CONTEXT_RESTRICTED_DIRS', DEFAULT_CONTEXT_DIRS.restricted.join(' '))),
        safe: dirList(this.config.string('CONTEXT_SAFE_DIRS', DEFAULT_CONTEXT_DIRS.safe.join(' '))),
      },
      userTemplate: (uid) => this.users.get(uid)?.template,
      images: this.images,
      revealContext: (key, value) => this.attributes.reveal('VM', `CONTEXT/${key}`, value),
      backups: this.backups,
      diskSnapshotsBack: (tx, vm, disk) => imageSnapshotsBack(tx, this.images, vm, disk),
      vmDone: (tx, vm) => {
        this.vrouters.vmDone(tx, vm.oid, vm.template.get('VROUTER_ID'));
        leaveVmGroup(tx, this.vmGroups, vm.template, vm.oid);
      },
    });
    this.dispatcher = new DispatchManager(this.vms, this.lifeCycle, this.vmResources);
    const lcm = this.lifeCycle;
    this.sgUpdater = new SecurityGroupUpdater({
      groups: this.secGroups, vms: this.vms, sgVms: this.sgVms, db: this.db, send: (vm, sgId) => lcm.updateSecurityGroup(vm, sgId), log: (m) => log.warn('ONE', m),
    });
    this.backupJobRunner = new BackupJobRunner({
      jobs: this.backupJobs, vms: this.vms, datastores: this.datastores, db: this.db, log, backups: this.backups, lcm: this.lifeCycle,
      maxBackups: Math.max(1, this.config.int('MAX_BACKUPS', 5)),
    });
    this.planRunner = this.makePlanRunner(this.dispatcher);

    // The IM starts after the LCM: host reports carry VM states, and a failed host's VMs go UNKNOWN.
    const imOnDemand = this.unusedDrivers((h) => h.imMad);
    this.imDrivers = configuredDrivers(this.config, 'IM_MAD', log, this.location.root, this.apiClientEnv(), imOnDemand);
    const im = await startDrivers(this.imDrivers.values(), imOnDemand);
    log.info('InM', `IM drivers started: ${im.started.join(', ') || 'none'}${im.later.length ? `; on first use: ${im.later.join(', ')}` : ''}`);
    const interval = this.config.int('HOST_MONITORING_INTERVAL', 60);
    if (interval > 0) {
      this.im = new InformationManager({
        hosts: this.hosts,
        db: this.db,
        log,
        drivers: this.imDrivers,
        intervalSec: interval,
        timeoutSec: this.config.int('HOST_MONITORING_TIMEOUT', 90),
        expirationSec: this.config.int('HOST_MONITORING_EXPIRATION_TIME', 86400),
        hooks: this.hooks,
        vms: this.lifeCycle,
      });
      this.im.start();
    } else {
      log.warn('InM', 'HOST_MONITORING_INTERVAL = 0: hosts are not monitored');
    }

    log.info('ImM', this.dsDriver ? 'Datastore and marketplace drivers: started on first use' : 'No DATASTORE_MAD in oned.conf: images cannot be stored');
    this.imageManagerValue = new ImageManager({
      images: this.images,
      datastores: this.datastores,
      db: this.db,
      log,
      driver: this.dsDriver,
      // 7.4's name; DATASTORE_MONITORING_INTERVAL (the older one) wins when a site sets it.
      monitorIntervalSec: this.config.template.get('DATASTORE_MONITORING_INTERVAL') !== undefined
        ? this.config.int('DATASTORE_MONITORING_INTERVAL', 300)
        : this.config.int('MONITORING_INTERVAL_DATASTORE', 300),
      location: this.datastores.location,
    });
    this.imageManagerValue.start();

    log.info('MKP', this.marketDriver ? 'Marketplace driver started' : 'No MARKET_MAD in oned.conf: marketplaces cannot be used');
    this.marketManager = new MarketManager({
      markets: this.markets,
      apps: this.marketApps,
      db: this.db,
      log,
      driver: this.marketDriver,
      conf: this.marketConf,
      monitorIntervalSec: this.config.int('MONITORING_INTERVAL_MARKET', 600),
    });
    await this.marketManager.start();

    this.poller = new VmPoller({
      vms: this.vms,
      lcm: this.lifeCycle,
      db: this.db,
      log,
      intervalSec: this.config.int('VM_POLLING_INTERVAL', 0),
      expirationSec: this.config.int('VM_MONITORING_EXPIRATION_TIME', 86400),
    });
    this.poller.start();
    const recovered = this.lifeCycle.recoverAll();
    // Backup job runs cut short by a stop go on: their waiting VMs start as room allows.
    void this.backupJobRunner?.pump().catch((e: Error) => log.error('BJM', e.message));
    this.backupJobRunner?.startClock();
    this.planRunner?.start();
    if (recovered > 0) log.info('LCM', `${recovered} VMs were in transient states: their driver operations are sent again`);
    this.schedActionManager = new SchedActionManager({ vms: this.vms, db: this.db, log, logs: this.vmLogs, dm: this.dispatcher, lcm: this.lifeCycle });
    this.schedActionManager.start();
    log.info('SCH', `Scheduled actions: ${this.schedActionManager.watched} VMs have pending ones`);

    return credentialsFile;
  }

  /** The XML-RPC server; a follower's forwards writes to the leader (src/ha). */
  private async serve(): Promise<{ endpoint: string; local: string }> {
    const log = this.log;
    const fed = this.federation.forwarder;
    const ha = this.frontEnd;
    const forwarder = ha
      ? {
          forwards: (m: string) => ha.forwards(m) || (fed?.forwards(m) ?? false),
          call: (m: string, p: readonly XmlRpcValue[]) => (ha.forwards(m) ? ha.call(m, p) : fed!.call(m, p)),
        }
      : fed;
    const throttle = new LoginThrottle(throttleConfig(this.config.template.getVector('LOGIN_THROTTLE')));
    const rm = new RequestManager(this, new Authenticator(this.users, this.groups, await this.startExternalAuth()), forwarder, throttle);
    rm.register(ALL_METHODS);
    this.methodNames = new Set(rm.methodNames());
    this.server = new XmlRpcServer({
      host: this.config.string('LISTEN_ADDRESS', '127.0.0.1'),
      port: this.config.int('PORT', 2633),
      maxBodyBytes: this.config.int('MESSAGE_SIZE', 67108864),
      maxNesting: this.config.int('MAX_NESTING', 64),
      requestTimeoutSec: this.config.int('TIMEOUT', 15),
      keepAliveTimeoutSec: this.config.int('KEEPALIVE_TIMEOUT', 15),
      maxConnections: this.config.int('MAX_CONN', 1024),
      connectionBacklog: this.config.int('MAX_CONN_BACKLOG', 15),
      tls: this.tls,
      handler: rm.handle,
      onError: (err) => log.error('ReM', `XML-RPC server: ${(err as Error).stack ?? String(err)}`),
    });
    const addr = await this.server.listen();
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    const scheme = this.tls ? 'https' : 'http';
    const endpoint = `${scheme}://${host}:${addr.port}/RPC2`;
    log.info('ReM', `XML-RPC server listening at ${endpoint} (${rm.methodNames().length} methods)`);
    const local = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : host;
    return { endpoint, local: `${scheme}://${local}:${addr.port}/RPC2` };
  }

  private startScheduler(endpoint: string): void {
    this.scheduler = SchedulerProcess.fromConfig(this.config, {
      ...process.env,
      ...clientTrustEnv(this.tls),
      ONE_XMLRPC: endpoint,
      ONE_AUTH: process.env.ONE_AUTH || this.location.oneAuthFile,
      ONE_LOCATION: this.location.root,
    }, this.log);
    this.scheduler?.start();
  }

  /**
   * The plan runner: its actions migrate VMs as `one.vm.migrate` would (as oneadmin), live with
   * LIVE_RESCHEDS = 1, else cold (COLD_MIGRATE_MODE), to the action's host and system datastore.
   */
  private makePlanRunner(dm: DispatchManager): PlanRunner {
    const live = this.config.int('LIVE_RESCHEDS', 0) === 1;
    const mode = this.config.int('COLD_MIGRATE_MODE', 0);
    return new PlanRunner({
      clusters: this.clusters,
      vms: this.vms,
      db: this.db,
      log: this.log,
      maxPerHost: Math.max(1, this.config.int('MAX_ACTIONS_PER_HOST', 1)),
      maxPerCluster: Math.max(1, this.config.int('MAX_ACTIONS_PER_CLUSTER', 30)),
      timeoutSec: this.config.int('ACTION_TIMEOUT', 300),
      start: (tx, action) => {
        const vm = this.vms.get(action.vmId);
        const host = this.hosts.get(action.hostId);
        const ds = this.datastores.get(action.dsId >= 0 ? action.dsId : (vm?.lastHistory?.placement.dsId ?? -1));
        if (!vm || !host || !ds) throw new Error(`VM ${action.vmId}, host ${action.hostId} or datastore ${action.dsId} does not exist`);
        if (vm.hostId === host.oid) throw new Error(`VM ${vm.oid} is already on host ${host.oid}`);
        if (host.state === HostState.OFFLINE || host.state === HostState.DISABLED) throw new Error(`host ${host.oid} is disabled or offline`);
        dm.migrate(tx, vm, host, ds, live, mode < 0 || mode > 2 ? 0 : mode, { uid: 0, gid: 0, reqId: -1 });
      },
    });
  }

  /** The pools of the federated tables (their rows are the master's on a slave). */
  /** Whether no host names driver `name` (its IM_MAD or VM_MAD, as `of` reads it): then it starts on demand. */
  private unusedDrivers(of: (h: Host) => string): (name: string) => boolean {
    const used = new Set<string>();
    for (const h of this.hosts.all()) used.add(of(h));
    return (name) => !used.has(name);
  }

  private federatedPools(): Pool<PoolObject>[] {
    return [this.users, this.groups, this.zones, this.markets, this.marketApps, this.vdcs] as unknown as Pool<PoolObject>[];
  }

  /** The federated tables and how a slave reloads each when replication changes it. */
  private registerFederatedTables(): void {
    for (const pool of this.federatedPools()) this.federation.register(pool.options.table, (oid) => reloadPool(pool, this.db, oid));
    this.federation.register('acl', () => this.acl.resync());
  }

  /**
   * Zone 0 on a fresh cloud (not on a slave: zones come from the master), at this oned's
   * endpoint (MASTER_ONED when set, as OpenNebula does); then checks that FEDERATION ZONE_ID
   * names a zone, and a slave starts listening for replicated changes.
   */
  private async startZone(endpoint: string): Promise<void> {
    const fed = this.federation;
    if (!fed.isSlave && this.zones.lastId < 0) {
      const tx = new Transaction(this.db);
      this.zones.createDefault(tx, fed.config.masterOned || endpoint);
      await tx.commit();
      this.log.info('ONE', `Created zone 0 (OpenNebula) at ${fed.config.masterOned || endpoint}`);
    }
    if (!this.zones.get(fed.zoneId)) {
      throw new Error(
        `FEDERATION ZONE_ID = ${fed.zoneId}, but there is no zone ${fed.zoneId}` +
          (fed.isSlave ? ': create it on the master first (onezone create), then give its id here' : ' (onezone list shows the zones)'),
      );
    }
    await fed.listen(dbConfig(this.config, this.location), this.db);
  }

  /** Stops serving, lets in-flight calls and writes finish, closes the database and the log. */
  async stop(): Promise<void> {
    this.log.info('ONE', 'Stopping oned');
    // one.vmpool.waitpending calls answer now, not at their timeout, and later ones do not wait:
    // first of all, since the scheduler stopped below may be waiting on one.
    this.vms.pendingMark.close();
    await this.frontEnd?.stop();
    await this.federation.stop();
    await this.scheduler?.stop();
    await this.server?.close();
    await this.schedActionManager?.stop();
    this.backupJobRunner?.stopClock();
    this.planRunner?.stop();
    await this.im?.stop();
    this.poller?.stop();
    // Drivers first: their in-flight requests fail at once, and the LCM drops those replies.
    const stopping = this.lifeCycle?.stop();
    await Promise.all([...this.imDrivers.values(), ...this.vmmDrivers.values(), this.tmDriver].map((d) => d?.stop()));
    await stopping;
    await this.vmLogs.drain();
    // Stopping the driver cuts the copies in flight short: the manager leaves their images
    // LOCKED (or in DELETE) for the next start to resume, and waits for the rest to be stored
    // before the database closes.
    await Promise.all([this.dsDriver?.stop(), this.imageManagerValue?.stop()]);
    await Promise.all([this.marketDriver?.stop(), this.marketManager?.stop()]);
    await this.hookManager?.stop();
    await this.authDriver?.stop();
    await this.hmDriver?.stop();
    await this.database?.close();
    this.log.log('ONE', LogLevel.INFO, 'oned stopped');
    await this.log.close();
  }

  /** AUTH_MAD, for users of other drivers than core; without it only core users log in. */
  private async startExternalAuth(): Promise<ExternalAuth | undefined> {
    const section = this.config.vector('AUTH_MAD');
    const authn = section.get('AUTHN');
    this.authDriver = singleDriver(this.config, 'AUTH_MAD', this.log, this.location.root, {}, authn ? ['--authn', authn] : []);
    if (!this.authDriver) return undefined;
    this.log.info('AuM', `Authentication driver (started on first use) for: ${authn ?? 'every driver in remotes/auth'}`);
    return new ExternalAuth({
      driver: this.authDriver,
      db: this.db,
      users: this.users,
      groups: this.groups,
      log: this.log,
      sessionSec: this.config.int('SESSION_EXPIRATION_TIME', 900),
      defaultAuth: this.config.string('DEFAULT_AUTH', ''),
      timeoutSec: this.config.int('AUTH_TIMEOUT', 30),
      seal: (t) => this.attributes.encrypt('USER', t),
    });
  }

  /**
   * oned's endpoint and oneadmin's credentials file, for the drivers that are API clients (hooks;
   * the hybrid VM_MAD and IM_MAD drivers, which read their host's template through src/oca).
   */
  private apiClientEnv(): NodeJS.ProcessEnv {
    const listen = this.config.string('LISTEN_ADDRESS', '127.0.0.1');
    const host = listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen.includes(':') ? `[${listen}]` : listen;
    return { ...clientTrustEnv(this.tls), ONE_XMLRPC: `${this.tls ? 'https' : 'http'}://${host}:${this.config.int('PORT', 2633)}/RPC2`, ONE_AUTH: process.env.ONE_AUTH || this.location.oneAuthFile };
  }

  /** The hook driver (HM_MAD) and the hooks of oned.conf; without HM_MAD, hooks cannot be configured. */
  private async startHooks(): Promise<void> {
    const hooks = hooksFromConfig(this.config, { states: Object.keys(VmState), lcmStates: Object.keys(LcmState) });
    // Hooks are API clients (ft/host_error): they get oned's endpoint and oneadmin's credentials.
    this.hmDriver = singleDriver(this.config, 'HM_MAD', this.log, this.location.root, this.apiClientEnv());
    if (!this.hmDriver && (hooks.vm.length > 0 || hooks.host.length > 0)) throw new Error('VM_HOOK and HOST_HOOK need HM_MAD in oned.conf');
    this.hookManager = new HookManager({
      driver: this.hmDriver,
      log: this.log,
      vmHooks: hooks.vm,
      hostHooks: hooks.host,
      objects: { pool: this.hookPool, log: this.hookLog },
    });
    this.log.info('HKM', `Hooks: ${hooks.vm.length} VM, ${hooks.host.length} host`);
  }

  private async loadDefaultQuotas(): Promise<void> {
    const rows = await this.db.query('SELECT name, body FROM system_attributes WHERE name IN (?, ?)', ['DEFAULT_USER_QUOTAS', 'DEFAULT_GROUP_QUOTAS']);
    for (const row of rows) {
      const quotas = Quotas.fromXml(parseXmlTree(String(row.body)));
      if (row.name === 'DEFAULT_USER_QUOTAS') this.defaultQuotas.user = quotas;
      else this.defaultQuotas.group = quotas;
    }
  }
}
