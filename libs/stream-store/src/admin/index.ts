// Public API of the cluster view (re-exported by the lib's index.ts).
export { ClusterView, type OnClusterViewProgress } from './cluster-view.js';
export { partitionLag } from './consumer-lag.js';
export type {
  BrokerView,
  ClusterSnapshot,
  ClusterViewProgress,
  GroupPartitionLag,
  GroupView,
  PartitionView,
  TopicKind,
  TopicView,
} from './cluster-view.interface.js';
