import { memoryStore, storeConformance } from '../src/testing/index.js';

storeConformance({
  name: 'memory',
  async create() {
    const store = memoryStore();
    return { store, cleanup: () => store.close() };
  },
});
