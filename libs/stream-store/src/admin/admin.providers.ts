import type { Provider } from '@nestjs/common';
import { ClusterView } from './cluster-view.js';

/** Providers of the cluster view, registered (and exported) by the core module. */
export const adminProviders: Provider[] = [ClusterView];
