import { domainError, err, ok, type Result } from '@marketplace/shared-kernel';
import { CATEGORIES, CHANNELS, type Category, type Channel } from './templates.js';

export type ChannelsByCategory = Record<Category, Channel[]>;

/** Until a user says otherwise: service messages by email and push, no marketing. */
export const DEFAULT_PREFERENCES: Readonly<ChannelsByCategory> = {
  ORDER_UPDATES: ['EMAIL', 'PUSH'],
  PAYMENTS: ['EMAIL', 'PUSH'],
  SHIPPING: ['EMAIL', 'PUSH', 'SMS'],
  MARKETING: [],
};

/** A user's saved choices over the defaults (categories not mentioned keep the default). */
export function channelsFor(saved: Partial<ChannelsByCategory> | null, category: Category): Channel[] {
  return [...(saved?.[category] ?? DEFAULT_PREFERENCES[category])];
}

export function effectivePreferences(saved: Partial<ChannelsByCategory> | null): ChannelsByCategory {
  return Object.fromEntries(CATEGORIES.map((c) => [c, channelsFor(saved, c)])) as ChannelsByCategory;
}

/**
 * Applies an update: each category given replaces its channel list. Unknown names, a category
 * given twice or a channel listed twice are refused, nothing is changed.
 */
export function updatePreferences(
  saved: Partial<ChannelsByCategory> | null,
  changes: readonly { category: string; channels: readonly string[] }[],
): Result<ChannelsByCategory> {
  if (changes.length === 0)
    return err(domainError('VALIDATION.EMPTY', 'Give at least one category to change', 'categories'));
  const next = effectivePreferences(saved);
  const seen = new Set<string>();
  for (const change of changes) {
    if (!CATEGORIES.includes(change.category as Category))
      return err(
        domainError('NOTIFICATION.UNKNOWN_CATEGORY', `Unknown category ${change.category}`, 'category'),
      );
    if (seen.has(change.category))
      return err(
        domainError(
          'NOTIFICATION.DUPLICATE_CATEGORY',
          `${change.category} is given more than once`,
          'category',
        ),
      );
    seen.add(change.category);
    const channels = new Set<string>();
    for (const channel of change.channels) {
      if (!CHANNELS.includes(channel as Channel))
        return err(domainError('NOTIFICATION.UNKNOWN_CHANNEL', `Unknown channel ${channel}`, 'channels'));
      if (channels.has(channel))
        return err(domainError('NOTIFICATION.DUPLICATE_CHANNEL', `${channel} is listed twice`, 'channels'));
      channels.add(channel);
    }
    // Kept in a stable order, so equal choices compare equal.
    next[change.category as Category] = CHANNELS.filter((c) => channels.has(c));
  }
  return ok(next);
}
