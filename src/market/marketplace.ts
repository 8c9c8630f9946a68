/**
 * Marketplaces and their apps (OpenNebula 7.4 `MARKETPLACE`, `MARKETPLACEAPP`). A marketplace
 * is served by a MARKET_MAD driver (`http`: apps stored in a front-end folder a web server
 * publishes; `one`: a read-only catalogue in OpenNebula's public marketplace format), has a
 * capacity its monitoring fills and the ids of its apps. An app is an image (or VM template,
 * service template) a market holds: SOURCE (where to download it), MD5, SIZE (MB), FORMAT and
 * the template its image gets (APPTEMPLATE64).
 */
import type { XmlNode } from '../common/xml-tree.js';
import { child, childInt, childText } from '../common/xml-tree.js';
import { xmlElement } from '../common/xml.js';
import type { Template } from '../common/template/index.js';
import { Pool, PoolObject, Permissions, templateFromNode, type Lock, type Ownership } from '../pool/index.js';

export const MarketState = { ENABLED: 0, DISABLED: 1 } as const;
export type MarketStateValue = (typeof MarketState)[keyof typeof MarketState];

export const AppState = { INIT: 0, READY: 1, LOCKED: 2, ERROR: 3, DISABLED: 4 } as const;
export type AppStateValue = (typeof AppState)[keyof typeof AppState];

export const AppType = { UNKNOWN: 0, IMAGE: 1, VMTEMPLATE: 2, SERVICE_TEMPLATE: 3 } as const;
export type AppTypeValue = (typeof AppType)[keyof typeof AppType];

/** The type a TYPE attribute names (IMAGE, VMTEMPLATE, SERVICE_TEMPLATE), undefined when unknown. */
export function appTypeOf(text: string): AppTypeValue | undefined {
  const name = text.trim().toUpperCase();
  return name === 'UNKNOWN' ? undefined : (AppType as Record<string, AppTypeValue>)[name];
}

export function appTypeName(t: AppTypeValue): string {
  return Object.keys(AppType).find((k) => AppType[k as keyof typeof AppType] === t) ?? 'UNKNOWN';
}

export function appStateName(s: AppStateValue): string {
  return Object.keys(AppState).find((k) => AppState[k as keyof typeof AppState] === s) ?? 'UNKNOWN';
}

export interface MarketFields {
  state: MarketStateValue;
  marketMad: string;
  zoneId: string;
  totalMb: number;
  freeMb: number;
  usedMb: number;
}

export class Marketplace extends PoolObject {
  readonly type = 'MARKETPLACE' as const;
  /** Ids of the apps it holds. */
  readonly apps = new Set<number>();

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public fields: MarketFields, public template: Template) {
    super(oid, name, owner, perms);
  }

  get enabled(): boolean {
    return this.fields.state === MarketState.ENABLED;
  }

  protected renderXml(): string {
    const f = this.fields;
    const ids = [...this.apps].sort((a, b) => a - b).map((i) => `<ID>${i}</ID>`).join('');
    return (
      `<MARKETPLACE>${this.idAndOwnerXml()}${xmlElement('NAME', this.name)}<STATE>${f.state}</STATE>${xmlElement('MARKET_MAD', f.marketMad)}` +
      `${xmlElement('ZONE_ID', f.zoneId)}<TOTAL_MB>${f.totalMb}</TOTAL_MB><FREE_MB>${f.freeMb}</FREE_MB><USED_MB>${f.usedMb}</USED_MB>` +
      `${ids ? `<MARKETPLACEAPPS>${ids}</MARKETPLACEAPPS>` : '<MARKETPLACEAPPS/>'}${this.perms.toXml()}${this.template.toXml()}</MARKETPLACE>`
    );
  }

  static fromXml(node: XmlNode): Marketplace {
    const m = new Marketplace(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      {
        state: childInt(node, 'STATE') as MarketStateValue,
        marketMad: childText(node, 'MARKET_MAD'),
        zoneId: childText(node, 'ZONE_ID') || '0',
        totalMb: childInt(node, 'TOTAL_MB'),
        freeMb: childInt(node, 'FREE_MB'),
        usedMb: childInt(node, 'USED_MB'),
      },
      templateFromNode(child(node, 'TEMPLATE')),
    );
    for (const c of child(node, 'MARKETPLACEAPPS')?.children ?? []) m.apps.add(Number(c.text));
    return m;
  }
}

/** The marketplace pool: table `marketplace_pool`, names unique in the pool. */
export class MarketplacePool extends Pool<Marketplace> {
  constructor() {
    super({ table: 'marketplace_pool', type: 'MARKETPLACE', root: 'MARKETPLACE_POOL', nameScope: 'pool' });
  }

  protected fromXml(node: XmlNode): Marketplace {
    return Marketplace.fromXml(node);
  }
}

export interface AppFields {
  regtime: number;
  zoneId: string;
  originId: number;
  source: string;
  md5: string;
  /** MB. */
  size: number;
  description: string;
  version: string;
  format: string;
  appTemplate64: string;
  marketId: number;
  market: string;
  state: AppStateValue;
  appType: AppTypeValue;
}

export class MarketplaceApp extends PoolObject {
  readonly type = 'MARKETPLACEAPP' as const;

  constructor(oid: number, name: string, owner: Ownership, perms: Permissions, public fields: AppFields, public template: Template, lock: Lock | null = null) {
    super(oid, name, owner, perms, lock);
  }

  get state(): AppStateValue {
    return this.fields.state;
  }

  protected renderXml(): string {
    const f = this.fields;
    return (
      `<MARKETPLACEAPP>${this.idAndOwnerXml()}${this.lockXml()}<REGTIME>${f.regtime}</REGTIME>${xmlElement('NAME', this.name)}` +
      `${xmlElement('ZONE_ID', f.zoneId)}${xmlElement('ORIGIN_ID', String(f.originId))}${xmlElement('SOURCE', f.source)}${xmlElement('MD5', f.md5)}` +
      `<SIZE>${f.size}</SIZE>${xmlElement('DESCRIPTION', f.description)}${xmlElement('VERSION', f.version)}${xmlElement('FORMAT', f.format)}` +
      `${xmlElement('APPTEMPLATE64', f.appTemplate64)}<MARKETPLACE_ID>${f.marketId}</MARKETPLACE_ID>${xmlElement('MARKETPLACE', f.market)}` +
      `<STATE>${f.state}</STATE><TYPE>${f.appType}</TYPE>${this.perms.toXml()}${this.template.toXml()}</MARKETPLACEAPP>`
    );
  }

  static fromXml(node: XmlNode): MarketplaceApp {
    return new MarketplaceApp(
      childInt(node, 'ID'),
      childText(node, 'NAME'),
      PoolObject.ownerFromXml(node),
      Permissions.fromXml(child(node, 'PERMISSIONS')),
      {
        regtime: childInt(node, 'REGTIME'),
        zoneId: childText(node, 'ZONE_ID') || '0',
        originId: Number(childText(node, 'ORIGIN_ID') || -1),
        source: childText(node, 'SOURCE'),
        md5: childText(node, 'MD5'),
        size: childInt(node, 'SIZE'),
        description: childText(node, 'DESCRIPTION'),
        version: childText(node, 'VERSION'),
        format: childText(node, 'FORMAT'),
        appTemplate64: childText(node, 'APPTEMPLATE64'),
        marketId: childInt(node, 'MARKETPLACE_ID'),
        market: childText(node, 'MARKETPLACE'),
        state: childInt(node, 'STATE') as AppStateValue,
        appType: childInt(node, 'TYPE') as AppTypeValue,
      },
      templateFromNode(child(node, 'TEMPLATE')),
      PoolObject.lockFromXml(node),
    );
  }
}

/** The app pool: table `marketplaceapp_pool`, names unique per owner. */
export class MarketplaceAppPool extends Pool<MarketplaceApp> {
  constructor() {
    super({ table: 'marketplaceapp_pool', type: 'MARKETPLACEAPP', root: 'MARKETPLACEAPP_POOL', nameScope: 'owner' });
  }

  protected fromXml(node: XmlNode): MarketplaceApp {
    return MarketplaceApp.fromXml(node);
  }
}
