export * from './client';
export * from './errors';
export * from './http-transport';
export * from './rate-budget';
export * from './types';
export { parseGhlTime } from './time';
