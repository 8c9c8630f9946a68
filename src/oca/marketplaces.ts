/**
 * Marketplaces and their apps in the client library (`one.market.*`, `one.marketpool.info`,
 * `one.marketapp.*`, `one.marketapppool.info`), and `export` of an app into a datastore as
 * OpenNebula's clients do it: an image whose PATH is the app's SOURCE (the datastore driver
 * downloads it and checks its MD5), with the app's APPTEMPLATE64 attributes, and a VM template
 * using that image when the app carries one (VMTEMPLATE64).
 */
import { Template } from '../common/template/index.js';
import { OneObject, parseObject } from './objects.js';

const IMAGE_READY = 1;
const IMAGE_ERROR = 5;
import { OwnedResource } from './resources.js';

/** MARKETPLACE STATE, MARKETPLACEAPP STATE and TYPE names, by number. */
export const MARKET_STATES: readonly string[] = ['ENABLED', 'DISABLED'];
export const APP_STATES: readonly string[] = ['INIT', 'READY', 'LOCKED', 'ERROR', 'DISABLED'];
export const APP_TYPES: readonly string[] = ['UNKNOWN', 'IMAGE', 'VMTEMPLATE', 'SERVICE_TEMPLATE'];

export class MarketResource extends OwnedResource<OneObject> {
  /** A marketplace from a template (NAME, MARKET_MAD and what its driver needs: BASE_URL, PUBLIC_DIR...). */
  allocate(template: string): Promise<number> {
    return this.id('one.market.allocate', template);
  }
  enable(id: number, enable = true): Promise<number> {
    return this.id('one.market.enable', id, enable);
  }
}

export interface ExportOptions {
  /** The datastore the image goes to. */
  readonly datastore: number;
  /** The image's name (default: the app's). */
  readonly name?: string;
  /** The VM template's name (default: the image's). */
  readonly vmName?: string;
  /** Makes no VM template even when the app has one. */
  readonly noTemplate?: boolean;
  /**
   * Waits for the download: resolves when the image is READY; when it ends in ERROR (a broken
   * or incomplete download, a wrong MD5) deletes the image (and the VM template) and rejects
   * with the datastore driver's message.
   */
  readonly wait?: boolean;
  /** How long `wait` waits, in ms (default 6 hours). */
  readonly timeoutMs?: number;
}

export interface ExportResult {
  readonly image: number;
  /** The VM template made, or undefined. */
  readonly template?: number;
  /** Why no VM template was made although the app has one. */
  readonly templateError?: string;
}

function decoded(base64: string): Template {
  return base64.trim() === '' ? new Template() : Template.parse(Buffer.from(base64, 'base64').toString('utf8'));
}

export class MarketAppResource extends OwnedResource<OneObject> {
  /** An app in marketplace `marketId`: NAME, ORIGIN_ID (the image exported), DESCRIPTION, VERSION... */
  allocate(template: string, marketId: number): Promise<number> {
    return this.id('one.marketapp.allocate', template, marketId);
  }
  enable(id: number, enable = true): Promise<number> {
    return this.id('one.marketapp.enable', id, enable);
  }

  /**
   * Imports a READY IMAGE app into a datastore: a new image downloaded from the app's SOURCE
   * (LOCKED until the datastore driver has copied it; READY, or ERROR when the download fails
   * or its MD5 differs) and, when the app carries a VM template, a VM template using it.
   */
  async export(id: number, options: ExportOptions): Promise<ExportResult> {
    const app = await this.info(id);
    const state = APP_STATES[app.int('STATE')] ?? app.get('STATE');
    if (state !== 'READY') throw new Error(`App ${id} is ${state}: only READY apps can be exported.`);
    const type = APP_TYPES[app.int('TYPE')] ?? app.get('TYPE');
    if (type !== 'IMAGE') throw new Error(`App ${id} is a ${type}: only IMAGE apps can be exported into a datastore.`);
    const image = decoded(app.get('APPTEMPLATE64'));
    image.remove('NAME');
    image.remove('PATH');
    image.set('NAME', options.name ?? app.get('NAME'));
    image.set('PATH', app.get('SOURCE'));
    if (app.get('FORMAT')) image.set('FORMAT', app.get('FORMAT'));
    if (app.get('MD5')) image.set('MD5', app.get('MD5'));
    image.set('FROM_APP', String(id));
    image.set('FROM_APP_NAME', app.get('NAME'));
    const imageId = (await this.client.call('one.image.allocate', image.toText(), options.datastore)) as number;
    const vm64 = app.get('TEMPLATE/VMTEMPLATE64');
    let result: ExportResult = { image: imageId };
    if (!options.noTemplate && vm64 !== '') {
      try {
        const vm = decoded(vm64);
        vm.remove('NAME');
        vm.remove('DISK');
        vm.set('NAME', options.vmName ?? options.name ?? app.get('NAME'));
        vm.add('DISK', new Map([['IMAGE_ID', String(imageId)]]));
        result = { image: imageId, template: (await this.client.call('one.template.allocate', vm.toText())) as number };
      } catch (e) {
        result = { image: imageId, templateError: (e as Error).message };
      }
    }
    if (options.wait) await this.downloaded(id, result, options.timeoutMs ?? 6 * 3600_000);
    return result;
  }

  /** Waits for an exported image to be READY; on ERROR removes what export made and throws. */
  private async downloaded(appId: number, r: ExportResult, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const image = parseObject(OneObject, String(await this.client.call('one.image.info', r.image, false)));
      const state = image.int('STATE');
      if (state === IMAGE_READY) return;
      if (state === IMAGE_ERROR || Date.now() > until) {
        const why = state === IMAGE_ERROR ? image.get('TEMPLATE/ERROR') || 'the datastore driver failed' : `not READY after ${Math.round(timeoutMs / 1000)}s`;
        if (r.template !== undefined) await this.client.call('one.template.delete', r.template, false).catch(() => undefined);
        await this.client.call('one.image.delete', r.image, false).catch(() => undefined);
        throw new Error(`Cannot import app ${appId}: ${why}. The image (${r.image}) was deleted.`);
      }
      await new Promise((res) => setTimeout(res, delay));
    }
  }
}
