export * from './webhook-client';
