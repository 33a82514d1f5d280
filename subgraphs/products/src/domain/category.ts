import { Guard, combine, domainError, err, newId, ok, type Result } from '@marketplace/shared-kernel';
import { validSlug, type CategoryRef } from './product.js';

export const MAX_CATEGORY_DEPTH = 6;

/**
 * A node of the category tree. The path (ancestors root first, then the node itself) is
 * fixed at creation, so a product can carry its category path in events without lookups.
 */
export class Category {
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly slug: string,
    readonly parentId: string | null,
    /** Ancestors root first, ending with this category. */
    readonly path: CategoryRef[],
    readonly createdAt: Date,
  ) {}

  static create(
    input: { name: string; slug: string; parent: Category | null },
    now: Date,
    id: string = newId(),
  ): Result<Category> {
    const checked = combine(Guard.text('name', input.name, { max: 100 }), validSlug(input.slug));
    if (!checked.ok) return checked;
    const [name, slug] = checked.value;
    const ancestors = input.parent?.path ?? [];
    if (ancestors.length >= MAX_CATEGORY_DEPTH)
      return err(
        domainError('CATEGORY.TOO_DEEP', `Categories nest at most ${MAX_CATEGORY_DEPTH} levels`, 'parentId'),
      );
    return ok(
      new Category(id, name, slug, input.parent?.id ?? null, [...ancestors, { id, name, slug }], now),
    );
  }

  get depth(): number {
    return this.path.length - 1;
  }
}
