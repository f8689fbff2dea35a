import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'auth:isPublic';
/** Marks an operation in the OpenAPI document; the document builder turns it into `security: []`. */
export const PUBLIC_OPERATION_EXTENSION = 'x-public';

/** Opts a route out of the global `JwtAuthGuard`, and out of security in the OpenAPI document. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));
