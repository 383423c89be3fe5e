import { Inject } from '@nestjs/common';
import { getStateStoreToken } from '../store/state-store.token.js';

/** Injects the state store declared with `StreamStoreModule.forFeature([name])`. */
export const InjectStore = (name: string): ParameterDecorator & PropertyDecorator =>
  Inject(getStateStoreToken(name));
