// class-transformer 0.5.1 ships no typings beside its CommonJS build and no "exports" map: describe the one
// internal module we need. The storage is the instance its decorators (`@Type`, `@Exclude`, ...) write to.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';

  export const defaultMetadataStorage: MetadataStorage;
}
