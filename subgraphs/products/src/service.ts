import type { ServiceDefinition, ServiceFactory } from '@marketplace/platform';
import { Topics } from '@marketplace/event-contracts';
import { productEntities, productMigrations } from './adapters/persistence/product.schema.js';
import { ProductReader, productsUseCases } from './adapters/persistence/product-store.js';
import {
  categoryReferenceResolver,
  createProductResolver,
  productReferenceResolver,
  variantReferenceResolver,
} from './adapters/graphql/product.resolver.js';
import { cacheInvalidationConsumer, storeStandingConsumer } from './adapters/messaging/product-consumers.js';

/** The products subgraph: catalog, variants and categories, their publishing workflow and events. */
export const productsService: ServiceDefinition = {
  name: 'products',
  entities: productEntities,
  migrations: productMigrations,
  publishes: [Topics.product],
  graphql: (deps) => {
    const reader = new ProductReader(deps.store);
    return {
      resolvers: [...createProductResolver(productsUseCases.bind(deps), reader)],
      referenceResolvers: {
        Product: productReferenceResolver(reader),
        Variant: variantReferenceResolver(reader),
        Category: categoryReferenceResolver,
      },
    };
  },
  consumers: (deps) => {
    const uc = productsUseCases.bind(deps);
    return [cacheInvalidationConsumer(uc), storeStandingConsumer(uc)];
  },
};

export const createService: ServiceFactory = () => productsService;
