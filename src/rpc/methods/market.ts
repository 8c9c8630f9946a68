/**
 * Marketplaces and their apps (OpenNebula 7.4): `one.market.allocate`, `delete`, `info`,
 * `update`, `rename`, `chown`, `chmod`, `enable`, `one.marketpool.info`, and
 * `one.marketapp.allocate`, `delete`, `info`, `update`, `rename`, `chown`, `chmod`, `lock`,
 * `unlock`, `enable`, `one.marketapppool.info`. An app allocated with ORIGIN_ID = an image id
 * exports that image: the marketplace driver copies it into the marketplace (see
 * src/market/market-manager.ts) and the app goes READY with SOURCE, MD5 and SIZE.
 */
import { AuthOp } from '../../auth/operation.js';
import { Template } from '../../common/template/index.js';
import { confOf } from '../../datastore/index.js';
import { ImageState, imageTypeName } from '../../image/index.js';
import { AppState, AppType, appTypeOf, Marketplace, MarketplaceApp, MarketState, type Marketplace as Market } from '../../market/marketplace.js';
import { FIRST_USER_MARKET } from '../../market/default-markets.js';
import { takeAppFields, type MarketManager } from '../../market/market-manager.js';
import { ApiError, ErrorCode } from '../api-error.js';
import { method, type MethodDef } from '../request-manager.js';
import type { Request } from '../request.js';
import { EscapedString } from '../xmlrpc/index.js';
import { allocateError, inListOrder } from './common.js';
import { objectMethods } from './object-methods.js';
import { createOwned, deleteOwned, ownedPoolXml, templateAndName } from './owned.js';

const marketKind = { prefix: 'one.market', pool: (core: Request['core']) => core.markets } as const;
const appKind = { prefix: 'one.marketapp', pool: (core: Request['core']) => core.marketApps } as const;

function manager(req: Request): MarketManager {
  const m = req.core.marketManager;
  if (!m) throw new ApiError(ErrorCode.INTERNAL, 'Marketplaces cannot be used in this oned.', -1);
  return m;
}

/** A plain Error naming what is wrong in a marketplace template. */
function checkMarketTemplate(req: Request, t: Template): string {
  const mad = (t.get('MARKET_MAD') ?? '').trim();
  if (mad === '') throw new Error('No MARKET_MAD in template.');
  if (!req.core.marketDrivers.has(mad.toLowerCase())) throw new Error(`MARKET_MAD "${mad}" is not configured in oned.conf (configured: ${[...req.core.marketDrivers].join(', ')}).`);
  const conf = req.core.marketConf.get(mad.toLowerCase());
  if (!conf) throw new Error(`MARKET_MAD "${mad}" has no MARKET_MAD_CONF in oned.conf.`);
  const missing = conf.requiredAttrs.filter((a) => (t.get(a) ?? '').trim() === '');
  if (missing.length > 0) throw new Error(`The marketplace template is missing ${missing.join(', ')} (required by MARKET_MAD ${mad}).`);
  return mad;
}

/** Renames a marketplace and the MARKETPLACE name its apps carry. */
function renameMethod(m: MethodDef): MethodDef {
  return {
    ...m,
    run: async (req, args) => {
      const r = await m.run(req, args);
      const market = req.core.markets.get(args[0] as number);
      if (!market) return r;
      const tx = req.transaction();
      for (const id of market.apps) {
        const a = req.core.marketApps.get(id);
        if (a && a.fields.market !== market.name) tx.touch(req.core.marketApps, a).fields.market = market.name;
      }
      await tx.commit();
      return r;
    },
  } as MethodDef;
}

/** `update` of a marketplace: MARKET_MAD stays as allocated, REQUIRED_ATTRS stay given. */
function checkedMarketUpdate(m: MethodDef): MethodDef {
  return {
    ...m,
    run: async (req, args) => {
      const [oid, text, type] = args as [number, string, number];
      const market = req.authorized(req.core.markets, oid, AuthOp.MANAGE);
      let incoming: Template;
      try {
        incoming = Template.parseTextOrXml(text);
      } catch {
        return m.run(req, args);
      }
      const merged = type === 1 ? market.template.clone() : incoming;
      if (type === 1) merged.merge(incoming);
      merged.set('MARKET_MAD', market.fields.marketMad);
      try {
        checkMarketTemplate(req, merged);
      } catch (e) {
        throw new ApiError(ErrorCode.ACTION, (e as Error).message, oid);
      }
      const r = await m.run(req, args);
      const after = req.core.markets.get(oid);
      if (after && after.template.get('MARKET_MAD') !== market.fields.marketMad) {
        const tx = req.transaction();
        tx.touch(req.core.markets, after).template.set('MARKET_MAD', market.fields.marketMad);
        await tx.commit();
      }
      manager(req).monitorSoon(oid);
      return r;
    },
  } as MethodDef;
}

export const marketMethods: MethodDef[] = [
  method({
    name: 'one.market.allocate',
    params: ['s'],
    run: (req, [text]) => {
      const { template, name } = templateAndName(req.core.markets, text, 'marketplace');
      let mad: string;
      try {
        mad = checkMarketTemplate(req, template);
      } catch (e) {
        throw allocateError(req.core.markets, (e as Error).message);
      }
      // As OpenNebula, ids below 100 are the system marketplaces': the first user one is 100.
      if (req.core.markets.lastId < FIRST_USER_MARKET - 1) req.core.markets.reserve(FIRST_USER_MARKET - 1);
      return createOwned(req, req.core.markets, name, (oid, owner, perms) => new Marketplace(oid, name, owner, perms, { state: MarketState.ENABLED, marketMad: mad, zoneId: String(req.core.acl.zoneId), totalMb: 0, freeMb: 0, usedMb: 0 }, template));
    },
  }),
  method({
    name: 'one.market.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const market = req.authorized(req.core.markets, oid, AuthOp.MANAGE);
      const catalogue = manager(req).isCatalogue(market);
      if (market.apps.size > 0 && !catalogue) throw new ApiError(ErrorCode.ACTION, `Cannot delete marketplace ${oid}: it still has apps (${[...market.apps].join(', ')}); delete them first.`, oid);
      // A catalogue's apps are only its listing: they go with it.
      return deleteOwned(req, req.core.markets, oid, (tx) => {
        for (const id of market.apps) {
          const a = req.core.marketApps.get(id);
          if (a) tx.delete(req.core.marketApps, a);
        }
      });
    },
  }),
  ...objectMethods(marketKind)
    .filter((m) => !m.name.endsWith('.lock') && !m.name.endsWith('.unlock'))
    .map((m) => (m.name === 'one.market.update' ? checkedMarketUpdate(m) : m.name === 'one.market.rename' ? renameMethod(m) : m)),
  method({
    name: 'one.market.enable',
    params: ['i', 'b'],
    run: async (req, [oid, enable]) => {
      const market = req.authorized(req.core.markets, oid, AuthOp.MANAGE);
      const state = enable ? MarketState.ENABLED : MarketState.DISABLED;
      if (market.fields.state !== state) {
        const tx = req.transaction();
        tx.touch(req.core.markets, market).fields.state = state;
        await tx.commit();
        if (enable) manager(req).monitorSoon(oid);
      }
      return oid;
    },
  }),
  method({
    name: 'one.marketpool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req) => {
      const markets = req.core.markets;
      const visible = req.core.authz.visibility(req.caller, 'MARKETPLACE');
      return new EscapedString(markets.toEscapedXml(inListOrder(req, markets.list({ visible }))));
    },
  }),
];

/** The marketplace an app goes to: enabled, taking new apps, USE for the caller. */
function targetMarket(req: Request, marketId: number): Market {
  const market = req.core.markets.get(marketId);
  if (!market) throw new ApiError(ErrorCode.NO_EXISTS, `Error getting marketplace [${marketId}].`, marketId);
  req.authorize(market, AuthOp.USE);
  if (!market.enabled) throw allocateError(req.core.marketApps, `Marketplace ${marketId} is disabled.`);
  if (manager(req).isCatalogue(market)) throw allocateError(req.core.marketApps, `Marketplace ${marketId} (MARKET_MAD ${market.fields.marketMad}) is a read-only catalogue: apps cannot be created in it.`);
  return market;
}

export const marketAppMethods: MethodDef[] = [
  method({
    name: 'one.marketapp.allocate',
    params: ['s', 'i'],
    run: async (req, [text, marketId]) => {
      const apps = req.core.marketApps;
      const { template, name } = templateAndName(apps, text, 'marketplace app');
      const market = targetMarket(req, marketId);
      const fields = takeAppFields(template, { marketId: market.oid, market: market.name, zoneId: market.fields.zoneId });
      fields.regtime = Math.floor(Date.now() / 1000);
      if (fields.appType !== AppType.IMAGE) throw allocateError(apps, `Only IMAGE apps can be created from an image (TYPE ${template.get('TYPE') ?? appTypeOf('') ?? 'UNKNOWN'} given).`);
      if (fields.originId < 0) throw allocateError(apps, 'ORIGIN_ID (the id of the image to export) is missing.');
      const image = req.get(req.core.images, fields.originId);
      req.authorize(image, AuthOp.USE);
      if (image.state !== ImageState.READY && image.state !== ImageState.USED && image.state !== ImageState.USED_PERS) {
        throw allocateError(apps, `Image ${image.oid} is not READY or USED (state ${image.state}): it cannot be exported.`);
      }
      const ds = req.core.datastores.get(image.fields.datastoreId);
      const dsConf = ds ? confOf(req.core.datastores.conf.ds, ds.fields.dsMad) : undefined;
      const actions = (dsConf?.get('MARKETPLACE_ACTIONS') ?? '').split(',').map((s) => s.trim().toLowerCase());
      if (!ds || !actions.includes('export')) throw allocateError(apps, `The datastore of image ${image.oid} (DS_MAD ${ds?.fields.dsMad ?? '?'}) cannot export images to marketplaces (MARKETPLACE_ACTIONS).`);
      if (fields.appTemplate64 === '') {
        const t = new Template();
        t.set('TYPE', imageTypeName(image.fields.type));
        for (const k of ['DEV_PREFIX', 'DRIVER']) {
          const v = image.template.get(k);
          if (v) t.set(k, v);
        }
        fields.appTemplate64 = Buffer.from(t.toText()).toString('base64');
      }
      fields.format = image.fields.format || 'raw';
      fields.size = image.fields.size;
      fields.state = AppState.INIT;
      const id = await createOwned(req, apps, name, (oid, owner, perms) => new MarketplaceApp(oid, name, owner, perms, fields, template), 'allocate', (tx, app) => {
        tx.touch(req.core.markets, market).apps.add(app.oid);
      });
      const app = apps.get(id);
      if (app) manager(req).exportImage(app, market, image.fields.source, fields.format, image.fields.size);
      return id;
    },
  }),
  method({
    name: 'one.marketapp.delete',
    params: ['i'],
    run: async (req, [oid]) => {
      const app = req.authorized(req.core.marketApps, oid, AuthOp.MANAGE);
      if (app.state === AppState.INIT) throw new ApiError(ErrorCode.ACTION, `App ${oid} is being exported (INIT): delete it when it is READY or in ERROR.`, oid);
      const market = req.core.markets.get(app.fields.marketId);
      const r = await deleteOwned(req, req.core.marketApps, oid, (tx) => {
        if (market) tx.touch(req.core.markets, market).apps.delete(oid);
      });
      if (market && app.state !== AppState.ERROR) manager(req).removeAppData(app, market);
      return r;
    },
  }),
  ...objectMethods(appKind),
  method({
    name: 'one.marketapp.enable',
    params: ['i', 'b'],
    run: async (req, [oid, enable]) => {
      const app = req.authorized(req.core.marketApps, oid, AuthOp.MANAGE);
      const want = enable ? AppState.READY : AppState.DISABLED;
      if (app.state === want) return oid;
      const from = enable ? AppState.DISABLED : AppState.READY;
      if (app.state !== from) throw new ApiError(ErrorCode.ACTION, `App ${oid} must be ${enable ? 'DISABLED' : 'READY'} to be ${enable ? 'enabled' : 'disabled'}.`, oid);
      const tx = req.transaction();
      tx.touch(req.core.marketApps, app).fields.state = want;
      await tx.commit();
      return oid;
    },
  }),
  method({
    name: 'one.marketapppool.info',
    params: [{ opt: 'i', def: -2 }, { opt: 'i', def: -1 }, { opt: 'i', def: -1 }],
    run: (req, [filter, start, end]) => ownedPoolXml(req, req.core.marketApps, filter, start, end),
  }),
];
