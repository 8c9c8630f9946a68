import type { Page } from '../page';
import { Accounting } from './Accounting';
import { AclList } from './AclList';
import { GroupDetail } from './GroupDetail';
import { GroupList } from './GroupList';
import { HookCreate, HookDetail, HookList } from './Hooks';
import { Showback } from './Showback';
import { UserCreate } from './UserCreate';
import { UserDetail } from './UserDetail';
import { UserList } from './UserList';
import { VdcDetail, VdcList } from './Vdcs';
import { ZoneCreate, ZoneDetail, ZoneList } from './Zones';

export const pages: Page[] = [
  { path: '/users', label: 'Users', section: 'System', view: 'admin', element: <UserList /> },
  { path: '/users/new', view: 'admin', element: <UserCreate /> },
  { path: '/users/:id', view: 'admin', element: <UserDetail /> },
  { path: '/groups', label: 'Groups', section: 'System', view: 'admin', element: <GroupList /> },
  { path: '/groups/:id', view: 'admin', element: <GroupDetail /> },
  { path: '/vdcs', label: 'VDCs', section: 'System', view: 'admin', element: <VdcList /> },
  { path: '/vdcs/:id', view: 'admin', element: <VdcDetail /> },
  { path: '/acls', label: 'ACLs', section: 'System', view: 'admin', element: <AclList /> },
  { path: '/accounting', label: 'Accounting', section: 'System', view: 'admin', element: <Accounting /> },
  { path: '/showback', label: 'Showback', section: 'System', view: 'admin', element: <Showback /> },
  { path: '/hooks', label: 'Hooks', section: 'System', view: 'admin', element: <HookList /> },
  { path: '/hooks/new', view: 'admin', element: <HookCreate /> },
  { path: '/hooks/:id', view: 'admin', element: <HookDetail /> },
  { path: '/zones', label: 'Zones', section: 'System', view: 'admin', element: <ZoneList /> },
  { path: '/zones/new', view: 'admin', element: <ZoneCreate /> },
  { path: '/zones/:id', view: 'admin', element: <ZoneDetail /> },
];
