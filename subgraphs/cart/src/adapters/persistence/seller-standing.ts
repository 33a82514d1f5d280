import type { EntityManager } from '@mikro-orm/postgresql';
import type { SellerStanding, SellerStandingProjection } from '../../application/ports.js';

/**
 * Writes `seller_standing` inside the consumer's transaction (with its inbox record). The
 * version check and the write are one statement, so two deliveries racing cannot let the older
 * one win. Read through the catalog query's join (see PgSkuCatalog), never on its own.
 */
export class PgSellerStandingProjection implements SellerStandingProjection {
  constructor(private readonly em: EntityManager) {}

  async apply(standing: SellerStanding, now: Date): Promise<boolean> {
    const applied = await this.em.execute<{ seller_id: string }[]>(
      `insert into seller_standing (seller_id, status, version, updated_at)
       values (?, ?, ?, ?)
       on conflict (seller_id) do update
         set status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
         where seller_standing.version < excluded.version
       returning seller_id`,
      [standing.sellerId, standing.status, standing.version, now.toISOString()],
    );
    return applied.length > 0;
  }
}
