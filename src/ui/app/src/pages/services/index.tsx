import type { Page } from '../page';
import '../vms/vms.css';
import { ServiceDetail, ServiceList } from './Services';
import { ServiceTemplateCreate, ServiceTemplateDetail, ServiceTemplateList } from './ServiceTemplates';

/** OneFlow: services and service templates (through sunstone-server to oneflow-server). */
export const pages: Page[] = [
  { path: '/services', label: 'Services', section: 'Services', view: 'admin', element: <ServiceList /> },
  { path: '/services/:id', view: 'admin', element: <ServiceDetail /> },
  { path: '/service_templates', label: 'Service templates', section: 'Services', view: 'admin', element: <ServiceTemplateList /> },
  { path: '/service_templates/new', view: 'admin', element: <ServiceTemplateCreate /> },
  { path: '/service_templates/:id', view: 'admin', element: <ServiceTemplateDetail /> },
];
