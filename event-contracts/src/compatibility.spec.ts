import { describe, expect, it } from '@jest/globals';
import {
  checkLock,
  loadSchemaFiles,
  readReleasedLock,
  RELEASE_COMMAND,
  structuralHash,
  type JsonSchema,
} from './schema-catalog.js';

describe('released contracts', () => {
  const files = loadSchemaFiles();
  const report = checkLock(files, readReleasedLock());

  it('never change: every released version still has its file and the same structure', () => {
    // The messages are the assertion output, so they say what to do instead.
    expect(report.broken).toEqual([]);
  });

  it('include every schema file', () => {
    const unreleased = report.unreleased.map(
      (f) => `schemas/${f.path} is not released: run \`${RELEASE_COMMAND}\``,
    );
    expect(unreleased).toEqual([]);
  });
});

describe('structural hash', () => {
  const schema = (): JsonSchema => ({
    $id: 'shop.thing-happened.v1',
    title: 'ThingHappenedV1',
    description: 'Something happened.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'status'],
    properties: {
      id: { type: 'string', description: 'The thing.', examples: ['abc'] },
      status: { type: 'string', enum: ['NEW', 'DONE'], $comment: 'more to come' },
      description: { type: 'string' },
    },
    $defs: { money: { type: 'integer', description: 'Minor units.' } },
  });
  const hash = structuralHash(schema());

  it('ignores annotations at any depth', () => {
    const edited = {
      ...schema(),
      title: 'Renamed',
      description: 'Reworded.',
      properties: {
        ...(schema().properties as object),
        id: { type: 'string', description: 'Reworded.', examples: ['xyz'] },
        status: { type: 'string', enum: ['NEW', 'DONE'], $comment: 'reworded' },
      },
      $defs: { money: { type: 'integer', description: 'Reworded.' } },
    };
    expect(structuralHash(edited)).toBe(hash);
  });

  it('ignores key order', () => {
    const reordered = Object.fromEntries(Object.entries(schema()).reverse());
    expect(structuralHash(reordered)).toBe(hash);
  });

  const properties = schema().properties as Record<string, JsonSchema>;
  it.each<[string, JsonSchema]>([
    ['adding a required field', { ...schema(), required: ['id', 'status', 'description'] }],
    ['changing a type', { ...schema(), properties: { ...properties, id: { type: 'integer' } } }],
    [
      'removing an enum value',
      { ...schema(), properties: { ...properties, status: { type: 'string', enum: ['NEW'] } } },
    ],
    // A property named like an annotation keyword is structure, not an annotation.
    [
      'changing a property called description',
      { ...schema(), properties: { ...properties, description: {} } },
    ],
    ['changing a $defs entry', { ...schema(), $defs: { money: { type: 'number' } } }],
  ])('changes when %s', (_case, edited) => {
    expect(structuralHash(edited)).not.toBe(hash);
  });
});
