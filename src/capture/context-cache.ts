import type { AcquisitionRepository } from '../acquisitions/acquisition-repository.js';
import type { CatalogRepository } from '../catalog/catalog-repository.js';
import { errors } from '../errors.js';
import { buildContext, type AcquisitionContext } from './acquisition-context.js';

/**
 * Caches each acquisition's capture context. Safe across nodes: the context derives only from
 * the proposal and the pinned catalogue, which never change once the acquisition is open.
 */
export class ContextCache {
  private readonly cache = new Map<string, Promise<AcquisitionContext>>();

  constructor(
    private readonly acquisitions: AcquisitionRepository,
    private readonly catalogs: CatalogRepository,
    private readonly maxEntries = 500,
  ) {}

  get(acquisitionId: string): Promise<AcquisitionContext> {
    let context = this.cache.get(acquisitionId);
    if (!context) {
      context = this.load(acquisitionId);
      void context.catch(() => this.cache.delete(acquisitionId));
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(acquisitionId, context);
    }
    return context;
  }

  private async load(acquisitionId: string): Promise<AcquisitionContext> {
    const acquisition = await this.acquisitions.findById(acquisitionId);
    if (!acquisition) throw errors.acquisitionNotFound(acquisitionId);
    return buildContext(acquisition, await this.catalogs.get(acquisition.catalogVersion));
  }
}
