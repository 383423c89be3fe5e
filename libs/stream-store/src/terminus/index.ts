// @nestjs/terminus integration (import from '@samsa/stream-store/terminus'; needs @nestjs/terminus installed).
export { StreamStoreHealthIndicator } from './stream-store.health-indicator.js';
