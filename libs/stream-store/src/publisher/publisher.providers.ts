import type { Provider } from '@nestjs/common';

/** Providers of the publishing side, registered (and exported) by the core module. */
export const publisherProviders: Provider[] = [];
