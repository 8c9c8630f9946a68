/** Helpers for VM tests: resource providers whose pools hold no image and no network. */
import type { ImageProvider, NetworkProvider } from './vm-resources.js';

export const NO_IMAGES: ImageProvider = {
  resolveDisk: (d) => {
    throw new Error(`Image ${d.get('IMAGE_ID') ?? d.get('IMAGE')} does not exist`);
  },
  usableError: () => null,
  acquire: () => {},
  fillDisk: () => {},
  release: () => {},
};

export const NO_NETWORKS: NetworkProvider = {
  resolveNic: (n) => {
    throw new Error(`Virtual network ${n.get('NETWORK_ID') ?? n.get('NETWORK')} does not exist`);
  },
  allocateLease: () => {},
  releaseLease: () => {},
  contextOf: () => ({}),
};
