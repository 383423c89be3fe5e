import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { InjectStore } from './decorators/inject-store.decorator.js';
import { ConfigurationError } from './errors/configuration.error.js';
import type { StateStore } from './store/state-store.interface.js';
import { StreamStoreModule } from './stream-store.module.js';

describe('StreamStoreModule', () => {
  it('forFeature without forRoot says to import forRoot, not that a dependency is unknown', async () => {
    @Injectable()
    class Counter {
      constructor(@InjectStore('counts') readonly counts: StateStore<number>) {}
    }
    @Module({ imports: [StreamStoreModule.forFeature(['counts'])], providers: [Counter] })
    class FeatureOnly {}

    const started = NestFactory.createApplicationContext(FeatureOnly, { logger: false, abortOnError: false });
    await expect(started).rejects.toThrow(ConfigurationError);
    await expect(started).rejects.toThrow(
      'StreamStoreModule.forFeature() declares the store "counts", but samsa is not set up: import ' +
        'StreamStoreModule.forRoot(...) (or forRootAsync) in your root module.',
    );
  });
});
