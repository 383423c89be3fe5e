import type { Provider } from '@nestjs/common';

/** Providers of the cluster view, registered (and exported) by the core module. */
export const adminProviders: Provider[] = [];
