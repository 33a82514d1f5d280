import slugify from '@sindresorhus/slugify';
import { Guard, domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { Category } from '../domain/category.js';
import type { ProductsContext } from './ports.js';

export interface CreateCategoryInput {
  name: string;
  slug?: string | null;
  parentId?: string | null;
}

/** Admins curate the category tree; slugs are unique across the whole tree. */
export async function createCategory(
  input: CreateCategoryInput,
  ctx: ProductsContext,
): Promise<Result<Category>> {
  if (!ctx.actor) return err(domainError('AUTH.UNAUTHENTICATED', 'Sign in first'));
  if (ctx.actor.role !== 'admin') return err(domainError('AUTH.FORBIDDEN', 'Only admins manage categories'));
  return ctx.transaction(async (tx) => {
    let parent: Category | null = null;
    if (input.parentId != null) {
      const parentId = Guard.uuid('parentId', input.parentId);
      if (!parentId.ok) return parentId;
      parent = await tx.categories.byId(parentId.value);
      if (!parent) return err(domainError('CATEGORY.NOT_FOUND', 'No such parent category', 'parentId'));
    }
    const slug = input.slug ?? slugify(input.name);
    const created = Category.create({ name: input.name, slug, parent }, ctx.clock.now());
    if (!created.ok) return created;
    if (await tx.categories.slugTaken(created.value.slug))
      return err(domainError('CATEGORY.SLUG_TAKEN', `Slug ${created.value.slug} is taken`, 'slug'));
    tx.categories.add(created.value);
    return ok(created.value);
  });
}
