/** Every page of the app, by area; the menu is built from the same list. */
import type { Page } from './pages/page';
import { pages as dashboard } from './pages/dashboard';
import { pages as vms } from './pages/vms';
import { pages as templates } from './pages/templates';
import { pages as storage } from './pages/storage';
import { pages as network } from './pages/network';
import { pages as infra } from './pages/infra';
import { pages as system } from './pages/system';
import { pages as cloud } from './pages/cloud';
import { pages as services } from './pages/services';

export const PAGES: Page[] = [...dashboard, ...cloud, ...vms, ...services, ...templates, ...storage, ...network, ...infra, ...system];

export const SECTIONS: NonNullable<Page['section']>[] = ['Cloud', 'Instances', 'Services', 'Templates', 'Storage', 'Network', 'Infrastructure', 'System'];

export function pagesFor(admin: boolean): Page[] {
  return PAGES.filter((p) => p.view === 'both' || p.view === (admin ? 'admin' : 'cloud'));
}
