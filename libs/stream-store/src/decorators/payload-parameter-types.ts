import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum.js';
import { isSchemaClass, type SchemaClass } from '@samsa/schema';

/** How Nest records a parameter decorator: `<paramtype>:<index>` → where it applies. */
type ParameterArguments = Record<string, { index: number }>;

const PAYLOAD_KEY_PREFIX = `${RpcParamtype.PAYLOAD}:`;

/**
 * Declared types of the parameters that receive the payload: each `@Payload()` parameter, or, when no
 * parameter is decorated, the first one (Nest then passes `(payload, context)` as they are). Empty when
 * the handler asks only for `@StreamRecord()`/`@Ctx()`, or takes nothing: it then gets records as they are.
 * A payload parameter without emitted type metadata counts as `undefined` (untyped data).
 */
export function payloadParameterTypes(target: object, key: string | symbol): unknown[] {
  const types = (Reflect.getMetadata('design:paramtypes', target, key) as unknown[] | undefined) ?? [];
  const decorated = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) as
    ParameterArguments | undefined;
  if (!decorated || Object.keys(decorated).length === 0) {
    const method = (target as Record<string | symbol, unknown>)[key];
    return typeof method === 'function' && method.length > 0 ? [types[0]] : [];
  }
  return Object.entries(decorated)
    .filter(([name]) => name.startsWith(PAYLOAD_KEY_PREFIX))
    .map(([, { index }]) => types[index]);
}

/**
 * The `@Schema()` class a handler returns, from its declared return type when TypeScript emits it
 * (`design:returntype`): a class returned directly. `async` methods and `Promise<T>` are emitted as `Promise`,
 * and give `undefined`.
 */
export function returnedSchema(target: object, key: string | symbol): SchemaClass<unknown> | undefined {
  const type: unknown = Reflect.getMetadata('design:returntype', target, key);
  return isSchemaClass(type) ? (type as SchemaClass<unknown>) : undefined;
}
