import type { Page } from '../page';
import '../vms/vms.css';
import { Instantiate } from './Instantiate';
import { TemplateCreate } from './TemplateCreate';
import { TemplateDetail } from './TemplateDetail';
import { TemplateList } from './TemplateList';
import { VmGroupCreate, VmGroupDetail, VmGroupList } from './VmGroups';

export const pages: Page[] = [
  { path: '/templates', label: 'VM templates', section: 'Templates', view: 'admin', element: <TemplateList /> },
  { path: '/templates/new', view: 'admin', element: <TemplateCreate /> },
  { path: '/templates/:id', view: 'admin', element: <TemplateDetail /> },
  { path: '/templates/:id/instantiate', view: 'both', element: <Instantiate /> },
  { path: '/vmgroups', label: 'VM groups', section: 'Templates', view: 'admin', element: <VmGroupList /> },
  { path: '/vmgroups/new', view: 'admin', element: <VmGroupCreate /> },
  { path: '/vmgroups/:id', view: 'admin', element: <VmGroupDetail /> },
];
