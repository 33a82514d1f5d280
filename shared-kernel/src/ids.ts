import { v7 as uuidv7, validate, version } from 'uuid';

/** Time-ordered ids (UUIDv7): index-friendly and sortable by creation time. */
export const newId = (): string => uuidv7();

export const isUuid = (value: string): boolean => validate(value);

export const isUuidV7 = (value: string): boolean => validate(value) && version(value) === 7;
