import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { toProblem } from './problem.js';
import { problemType } from './problem-codes.js';
import { validationFailed } from './validation.js';

function queryFailed(code: string, constraint?: string) {
  const driverError = Object.assign(new Error(`database error ${code}`), { code, constraint });
  return new QueryFailedError('select 1', [], driverError);
}

function frameworkError(statusCode: number, code?: string) {
  return Object.assign(new Error('framework error'), { statusCode, code });
}

describe('toProblem', () => {
  describe('HttpException', () => {
    it('uses a string response as the detail', () => {
      assert.deepEqual(toProblem(new HttpException('Teapot says no', HttpStatus.I_AM_A_TEAPOT)), {
        type: problemType('malformed_request'),
        title: 'Malformed request',
        status: 418,
        detail: 'Teapot says no',
        code: 'malformed_request',
      });
    });

    it('uses the message of an object response', () => {
      assert.deepEqual(toProblem(new NotFoundException('Todo not found')), {
        type: problemType('not_found'),
        title: 'Not found',
        status: 404,
        detail: 'Todo not found',
        code: 'not_found',
      });
    });

    it('adds the extension members an exception names (the mfa_token), and no others', () => {
      const exception = new HttpException(
        { message: 'Code required', code: 'mfa_required', extensions: { mfa_token: 'opaque', status: 200, type: 'x' } },
        HttpStatus.FORBIDDEN,
      );
      assert.deepEqual(toProblem(exception), {
        type: problemType('mfa_required'),
        title: 'Second factor required',
        status: 403,
        detail: 'Code required',
        code: 'mfa_required',
        mfa_token: 'opaque',
      });
    });

    it('joins an array of messages', () => {
      const problem = toProblem(new BadRequestException(['title is required', 'done must be a boolean']));
      assert.equal(problem.status, 400);
      assert.equal(problem.detail, 'title is required; done must be a boolean');
    });

    it('falls back to the title when the response has no message', () => {
      const problem = toProblem(new HttpException({ reason: 'x' }, HttpStatus.FORBIDDEN));
      assert.equal(problem.detail, 'Forbidden');
      assert.equal('errors' in problem, false);
    });

    it('passes field errors through', () => {
      const errors = [{ field: 'email', message: 'must be an email', code: 'invalid_format' as const }];
      assert.deepEqual(toProblem(validationFailed(errors)), {
        type: problemType('validation_failed'),
        title: 'Validation failed',
        status: 422,
        detail: 'Validation failed',
        code: 'validation_failed',
        errors,
      });
    });

    it("says only up or down for each check of a failed readiness probe, never a dependency's error text", () => {
      const details = {
        database: { status: 'down', message: 'connect ECONNREFUSED 10.0.3.7:5432', responseTime: 5 },
        migrations: { status: 'down', pending: true },
        rateLimitStore: { status: 'up', store: 'redis' },
      };
      const failed = new HttpException({ status: 'error', info: {}, error: details, details }, HttpStatus.SERVICE_UNAVAILABLE);
      assert.deepEqual(toProblem(failed), {
        type: problemType('not_ready'),
        title: 'Not ready',
        status: 503,
        detail: 'Not ready: database, migrations',
        code: 'not_ready',
        checks: { database: { status: 'down' }, migrations: { status: 'down' }, rateLimitStore: { status: 'up' } },
      });
    });
  });

  describe('database errors', () => {
    it('names a duplicate email', () => {
      assert.deepEqual(toProblem(queryFailed('23505', 'UQ_users_email')), {
        type: problemType('email_taken'),
        title: 'Email already registered',
        status: 409,
        detail: 'Email already registered',
        code: 'email_taken',
      });
    });

    it('maps any other unique violation to a generic 409', () => {
      for (const constraint of ['UQ_other', undefined]) {
        const problem = toProblem(queryFailed('23505', constraint));
        assert.equal(problem.status, 409);
        assert.equal(problem.detail, 'Resource already exists');
        assert.equal(problem.code, 'conflict');
      }
    });

    it('maps a foreign-key violation and a serialisation failure to 409', () => {
      assert.equal(toProblem(queryFailed('23503')).status, 409);
      assert.equal(toProblem(queryFailed('40001')).status, 409);
      assert.equal(toProblem(queryFailed('40P01')).status, 409);
      assert.equal(toProblem(queryFailed('40001')).code, 'concurrent_update');
    });

    it('maps a data exception such as invalid text representation to 422', () => {
      const problem = toProblem(queryFailed('22P02'));
      assert.equal(problem.status, 422);
      assert.doesNotMatch(problem.detail, /22P02|database error/);
    });

    it('maps an admin shutdown to 503', () => {
      assert.equal(toProblem(queryFailed('57P01')).status, 503);
    });

    it('hides an unmapped database error behind a 500', () => {
      const problem = toProblem(queryFailed('42P01'));
      assert.equal(problem.status, 500);
      assert.doesNotMatch(problem.detail, /database error/);
    });
  });

  describe('framework errors', () => {
    it('maps a body over the limit to 413', () => {
      assert.deepEqual(toProblem(frameworkError(413, 'FST_ERR_CTP_BODY_TOO_LARGE')), {
        type: problemType('payload_too_large'),
        title: 'Payload too large',
        status: 413,
        detail: 'Request body is too large',
        code: 'payload_too_large',
      });
    });

    it('maps an unsupported media type to 415', () => {
      assert.equal(toProblem(frameworkError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')).status, 415);
    });

    it('maps malformed JSON to 400', () => {
      const problem = toProblem(frameworkError(400, 'FST_ERR_CTP_INVALID_JSON_BODY'));
      assert.equal(problem.status, 400);
      assert.equal(problem.detail, 'Malformed request body');
    });

    it('keeps any other 4xx status without its message', () => {
      assert.equal(toProblem(frameworkError(400, 'SOMETHING')).detail, 'Bad request');
      assert.deepEqual(toProblem(frameworkError(404)), {
        type: problemType('not_found'),
        title: 'Not found',
        status: 404,
        detail: 'Not Found',
        code: 'not_found',
      });
    });

    it('does not trust a 5xx statusCode', () => {
      assert.equal(toProblem(frameworkError(502)).status, 500);
    });
  });

  describe('dependency down', () => {
    it('maps a refused connection to 503', () => {
      const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      assert.deepEqual(toProblem(error), {
        type: problemType('service_unavailable'),
        title: 'Service unavailable',
        status: 503,
        detail: 'A dependency is unavailable, please retry',
        code: 'service_unavailable',
      });
    });

    it('recognises pg pool messages without a code', () => {
      assert.equal(toProblem(new Error('timeout exceeded when trying to connect')).status, 503);
      assert.equal(toProblem(new Error('Connection terminated unexpectedly')).status, 503);
      assert.equal(toProblem(new Error('Client has encountered a connection error and is not queryable')).status, 503);
      assert.equal(toProblem(new Error('Client was closed and is not queryable')).status, 503);
    });

    it("maps a transaction's statement after its connection failed to 503", () => {
      assert.equal(toProblem(new QueryRunnerAlreadyReleasedError()).status, 503);
    });

    it("maps PostgreSQL's connection exceptions and a full server to 503", () => {
      for (const code of ['08006', '08003', '53300', '57P02']) assert.equal(toProblem(queryFailed(code)).status, 503, code);
    });
  });

  describe('anything else', () => {
    it('is a 500 that does not reveal the message', () => {
      const problem = toProblem(new Error('password=hunter2 at /srv/app/secret.ts'));
      assert.deepEqual(problem, {
        type: problemType('internal_error'),
        title: 'Internal error',
        status: 500,
        detail: 'Internal Server Error',
        code: 'internal_error',
      });
    });

    it('copes with values that are not errors', () => {
      for (const thrown of ['boom', undefined, null, 42, { statusCode: 404 }]) {
        assert.equal(toProblem(thrown).status, 500);
      }
    });
  });
});
