// Public API of the cluster view (re-exported by the lib's index.ts).
export {};
