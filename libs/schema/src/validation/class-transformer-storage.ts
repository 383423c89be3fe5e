// The CommonJS build is the one both Node ESM and Vitest load for `import ... from 'class-transformer'`
// (its package.json "main"), so this is the same storage instance `@Type()` writes to. The `.js` extension is
// required: the package has no "exports" map and Node ESM does not guess extensions.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';

/** class-transformer's metadata storage (`@Type`, `@Exclude`, `@Expose`), needed by class-validator-jsonschema. */
export const classTransformerStorage: MetadataStorage = defaultMetadataStorage;
