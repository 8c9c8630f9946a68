import type { Page } from '../page';
import '../storage/storage.css';
import '../dashboard/infra.css';
import { SecGroupCreate, SecGroupDetail, SecGroupList } from './SecGroups';
import { VnetCreate } from './VnetCreate';
import { VnetDetail } from './VnetDetail';
import { VnetList } from './VnetList';
import { VnTemplateCreate, VnTemplateDetail, VnTemplateList } from './VnTemplates';
import { VRouterCreate, VRouterDetail, VRouterList } from './VRouters';

export const pages: Page[] = [
  { path: '/vnets', label: 'Virtual networks', section: 'Network', view: 'admin', element: <VnetList /> },
  { path: '/vnets/new', view: 'admin', element: <VnetCreate /> },
  { path: '/vnets/:id', view: 'admin', element: <VnetDetail /> },
  { path: '/vntemplates', label: 'Network templates', section: 'Network', view: 'admin', element: <VnTemplateList /> },
  { path: '/vntemplates/new', view: 'admin', element: <VnTemplateCreate /> },
  { path: '/vntemplates/:id', view: 'admin', element: <VnTemplateDetail /> },
  { path: '/secgroups', label: 'Security groups', section: 'Network', view: 'admin', element: <SecGroupList /> },
  { path: '/secgroups/new', view: 'admin', element: <SecGroupCreate /> },
  { path: '/secgroups/:id', view: 'admin', element: <SecGroupDetail /> },
  { path: '/vrouters', label: 'Virtual routers', section: 'Network', view: 'admin', element: <VRouterList /> },
  { path: '/vrouters/new', view: 'admin', element: <VRouterCreate /> },
  { path: '/vrouters/:id', view: 'admin', element: <VRouterDetail /> },
];
