// Public API of the publishing side (re-exported by the lib's index.ts).
export { TopicManager } from './topic-manager.js';
