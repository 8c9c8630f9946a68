import type { Page } from '../page';
import './storage.css';
import { DatastoreCreate, DatastoreDetail, DatastoreList } from './Datastores';
import { ImageCreate } from './ImageCreate';
import { ImageDetail } from './ImageDetail';
import { ImageList } from './ImageList';
import { MarketAppCreate, MarketAppDetail, MarketAppList, MarketCreate, MarketDetail, MarketList } from './Markets';

export const pages: Page[] = [
  { path: '/images', label: 'Images', section: 'Storage', view: 'admin', element: <ImageList /> },
  { path: '/images/new', view: 'admin', element: <ImageCreate /> },
  { path: '/images/:id', view: 'admin', element: <ImageDetail /> },
  { path: '/files', label: 'Files', section: 'Storage', view: 'admin', element: <ImageList files /> },
  { path: '/files/new', view: 'admin', element: <ImageCreate files /> },
  { path: '/files/:id', view: 'admin', element: <ImageDetail files /> },
  { path: '/datastores', label: 'Datastores', section: 'Storage', view: 'admin', element: <DatastoreList /> },
  { path: '/datastores/new', view: 'admin', element: <DatastoreCreate /> },
  { path: '/datastores/:id', view: 'admin', element: <DatastoreDetail /> },
  { path: '/markets', label: 'Marketplaces', section: 'Storage', view: 'admin', element: <MarketList /> },
  { path: '/markets/new', view: 'admin', element: <MarketCreate /> },
  { path: '/markets/:id', view: 'admin', element: <MarketDetail /> },
  { path: '/marketapps', label: 'Marketplace apps', section: 'Storage', view: 'admin', element: <MarketAppList /> },
  { path: '/marketapps/new', view: 'admin', element: <MarketAppCreate /> },
  { path: '/marketapps/:id', view: 'admin', element: <MarketAppDetail /> },
];
